import { Field, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { FeedbackDisposition, RejectionReason } from '../common/enums';
import { Node } from '../graphql/node';

@Entity('lead_feedback')
@ObjectType('LeadFeedback', { implements: Node, description: "Sales' verdict on a lead handed over by marketing." })
export class LeadFeedback {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'external_id', type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Id in the system the feedback was imported from; unique.' })
  externalId: string | null;

  @Column({ name: 'lead_id', type: 'bigint' })
  leadId: string;

  @Column({ name: 'given_by_id', type: 'bigint', nullable: true })
  givenById: string | null;

  @Column({ type: 'text' })
  @Field(() => FeedbackDisposition, { description: 'Accepted or rejected.' })
  disposition: FeedbackDisposition;

  @Column({ type: 'text', nullable: true })
  @Field(() => RejectionReason, { nullable: true, description: 'Reason code; set exactly when rejected.' })
  reason: RejectionReason | null;

  @Column({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Free-text note.' })
  note: string | null;

  @Column({ name: 'given_at', type: 'timestamptz' })
  @Field({ description: 'When the feedback was given.' })
  givenAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  @Field({ description: 'When the feedback was last changed (kept by the database on every change; what `updatedAfter` filters on).' })
  updatedAt: Date;
}
