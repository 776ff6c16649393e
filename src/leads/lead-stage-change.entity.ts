import { Field, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { LeadStage } from '../common/enums';
import { Node } from '../graphql/node';

@Entity('lead_stage_changes')
@ObjectType('LeadStageChange', { implements: Node, description: 'One change of a lead’s stage.' })
export class LeadStageChange {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'lead_id', type: 'bigint' })
  leadId: string;

  @Column({ name: 'from_stage', type: 'text', nullable: true })
  @Field(() => LeadStage, { nullable: true, description: 'Stage before the change; null when the lead was created.' })
  fromStage: LeadStage | null;

  @Column({ name: 'to_stage', type: 'text' })
  @Field(() => LeadStage, { description: 'Stage after the change.' })
  toStage: LeadStage;

  @Column({ name: 'changed_at', type: 'timestamptz' })
  @Field({ description: 'When the change happened.' })
  changedAt: Date;

  @Column({ name: 'changed_by_id', type: 'bigint', nullable: true })
  changedById: string | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  @Field({
    description:
      'When the entry was stored: stage history is append-only, so this is its creation time (not changedAt, which a historical load back-dates); what `updatedAfter` filters on.',
  })
  updatedAt: Date;
}
