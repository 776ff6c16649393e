import { Field, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { TouchpointKind } from '../common/enums';
import { Node } from '../graphql/node';

@Entity('touchpoints')
@ObjectType('Touchpoint', { implements: Node, description: 'One interaction of a lead with a campaign.' })
export class Touchpoint {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'external_id', type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Id in the system the touchpoint was imported from; unique.' })
  externalId: string | null;

  @Column({ name: 'lead_id', type: 'bigint' })
  leadId: string;

  @Column({ name: 'campaign_id', type: 'bigint' })
  campaignId: string;

  @Column({ type: 'text' })
  @Field(() => TouchpointKind, { description: 'What kind of interaction it was.' })
  kind: TouchpointKind;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  @Field({ description: 'When the interaction happened.' })
  occurredAt: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  @Field({ description: 'When the touchpoint was recorded.' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  @Field({ description: 'When the touchpoint was last changed (kept by the database on every change; what `updatedAfter` filters on).' })
  updatedAt: Date;
}
