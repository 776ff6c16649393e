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

  /** Set when the change is an automatic MQL: the agreement whose policy qualified the lead (see src/qualification/auto-mql.resolver.ts). */
  @Column({ name: 'qualified_by_agreement_id', type: 'bigint', nullable: true })
  qualifiedByAgreementId: string | null;

  @Column({ name: 'qualified_by_version', type: 'integer', nullable: true })
  qualifiedByVersion: number | null;

  /** The evaluation time (or moment of the write) at which the lead qualified. */
  @Column({ name: 'qualifying_at', type: 'timestamptz', nullable: true })
  qualifyingAt: Date | null;

  /** The score that qualified it: { fit, engagement, score, lines: [...] } from qualification_lines. */
  @Column({ name: 'qualification', type: 'jsonb', nullable: true })
  qualification: unknown;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  @Field({
    description:
      'When the entry was stored: stage history is append-only, so this is its creation time (not changedAt, which a historical load back-dates); what `updatedAfter` filters on.',
  })
  updatedAt: Date;
}
