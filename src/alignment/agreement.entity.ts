import { Field, Float, Int, ObjectType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Node } from '../graphql/node';
import { ScoringRule } from './scoring-rule.type';

@Entity('alignment_agreements')
@ObjectType('AlignmentAgreement', {
  implements: Node,
  description:
    'The marketing–sales SLA: the shared lead definition, the follow-up time sales commits to and the monthly MQL volume marketing commits to. In force once both teams approved it.',
})
export class AlignmentAgreement {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'int' })
  @Field(() => Int, { description: 'Version number: 1, 2, ... in the order proposed.' })
  version: number;

  @Column({ name: 'effective_from', type: 'timestamptz' })
  @Field({ description: 'From when the agreement applies, once approved.' })
  effectiveFrom: Date;

  @Column({ name: 'mql_threshold', type: 'int' })
  @Field(() => Int, { description: 'Score at which a lead becomes an MQL.' })
  mqlThreshold: number;

  @Column({ name: 'scoring_rules', type: 'jsonb' })
  @Field(() => [ScoringRule], {
    description:
      'The lead-scoring rules in words, as both teams wrote them (kept as notes): what computes is `policy`, the structured rules scores and MQLs follow.',
  })
  scoringRules: ScoringRule[];

  /** The structured qualification policy (qualification_policies); the database gives an agreement inserted without one an empty policy. */
  @Column({ name: 'policy_id', type: 'bigint', nullable: true })
  policyId: string | null;

  @Column({
    name: 'follow_up_hours',
    type: 'numeric',
    precision: 8,
    scale: 2,
    transformer: { to: (v: number) => v, from: (v: string | null) => (v === null ? null : Number(v)) },
  })
  @Field(() => Float, { description: 'Hours within which sales commits to follow up on an MQL.' })
  followUpHours: number;

  @Column({ name: 'monthly_mql_target', type: 'int' })
  @Field(() => Int, { description: 'MQLs marketing commits to deliver each calendar month.' })
  monthlyMqlTarget: number;

  @Column({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true, description: 'Free-text notes.' })
  notes: string | null;

  @Column({ name: 'proposed_by_id', type: 'bigint', nullable: true })
  proposedById: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  @Field({ description: 'When the agreement was proposed.' })
  createdAt: Date;

  @Column({ name: 'marketing_approved_by_id', type: 'bigint', nullable: true })
  marketingApprovedById: string | null;

  @Column({ name: 'marketing_approved_at', type: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true, description: 'When a marketing user approved it.' })
  marketingApprovedAt: Date | null;

  @Column({ name: 'sales_approved_by_id', type: 'bigint', nullable: true })
  salesApprovedById: string | null;

  @Column({ name: 'sales_approved_at', type: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true, description: 'When a sales user approved it.' })
  salesApprovedAt: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  @Field({ description: 'When the agreement was last changed, an approval included (kept by the database on every change; what `updatedAfter` filters on).' })
  updatedAt: Date;
}
