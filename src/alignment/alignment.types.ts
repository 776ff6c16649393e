import { ArrayMaxSize, IsOptional, Length, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { FeedbackDisposition, RejectionReason, SortDirection } from '../common/enums';
import { connectionTypes } from '../graphql/connection';
import { AlignmentAgreement } from './agreement.entity';
import { LeadFeedback } from './feedback.entity';
import { QualificationPolicyInput } from '../qualification/policy.types';
import { ScoringRuleInput } from './scoring-rule.type';

export const { ConnectionType: LeadFeedbackConnection } = connectionTypes(LeadFeedback, 'LeadFeedback', 'feedback entries');
export const { ConnectionType: AlignmentAgreementConnection } = connectionTypes(
  AlignmentAgreement,
  'AlignmentAgreement',
  'alignment agreements',
);

@InputType({ description: "Which feedback on a lead to list." })
export class LeadFeedbackFilter {
  @Field(() => Date, { nullable: true, description: 'Only feedback changed strictly after this time (`updatedAt > updatedAfter`): what a sync passes to pull only what changed.' })
  updatedAfter?: Date | null;
}

@InputType({ description: 'Which versions of the agreement to list.' })
export class AlignmentAgreementFilter {
  @Field(() => Date, { nullable: true, description: 'Only versions changed strictly after this time (`updatedAt > updatedAfter`): what a sync passes to pull only what changed.' })
  updatedAfter?: Date | null;
}

export enum AlignmentAgreementOrderField {
  VERSION = 'VERSION',
  UPDATED_AT = 'UPDATED_AT',
}
registerEnumType(AlignmentAgreementOrderField, { name: 'AlignmentAgreementOrderField', description: 'What to order agreement versions by.' });

@InputType({ description: 'Order of a list of agreement versions; ties break on id.' })
export class AlignmentAgreementOrder {
  @Field(() => AlignmentAgreementOrderField, { description: 'Field to order by.' })
  field: AlignmentAgreementOrderField;

  @Field(() => SortDirection, { nullable: true, defaultValue: SortDirection.ASC, description: 'Direction (default ASC).' })
  direction?: SortDirection | null;
}

@InputType({ description: "Sales' verdict on a lead marketing handed over (an MQL)." })
export class GiveLeadFeedbackInput {
  @Field(() => ID, { description: 'The lead; it must have reached MQL.' })
  leadId: string;

  @Field(() => FeedbackDisposition, { description: 'Accepted or rejected.' })
  disposition: FeedbackDisposition;

  @Field(() => RejectionReason, { nullable: true, description: 'Required exactly when rejected.' })
  reason?: RejectionReason | null;

  @Field(() => String, { nullable: true, description: 'Free-text note (at most 4,000 characters).' })
  @IsOptional()
  @MaxLength(4000)
  note?: string | null;

  @Field(() => ID, { nullable: true, description: 'User giving the feedback.' })
  givenById?: string | null;

  @Field(() => Date, { nullable: true, description: 'When it was given; defaults to now; more than BACKDATE_TOLERANCE_MINUTES before now only for ADMIN and REVENUE_OPS (back-dated loads).' })
  at?: Date | null;

  @Field(() => String, { nullable: true, description: 'Id in the source system; unique, for repeatable imports.' })
  @IsOptional()
  @Length(1, 200)
  externalId?: string | null;
}

@InputType({ description: 'A new version of the marketing–sales agreement; in force once both teams approve it.' })
export class ProposeAgreementInput {
  @Field({ description: 'From when it applies; may lie in the future, and more than BACKDATE_TOLERANCE_MINUTES before now only for ADMIN and REVENUE_OPS (back-dated loads).' })
  effectiveFrom: Date;

  @Field(() => Int, { description: 'Score at which a lead becomes an MQL.' })
  @Min(0)
  @Max(1_000_000)
  mqlThreshold: number;

  @Field(() => [ScoringRuleInput], { description: 'The lead-scoring rules in words, kept as notes beside `policy` (which is what computes).' })
  @ValidateNested({ each: true })
  @ArrayMaxSize(200)
  scoringRules: ScoringRuleInput[];

  @Field(() => QualificationPolicyInput, {
    nullable: true,
    description:
      'The structured qualification policy both teams approve with the agreement: fit and engagement rules, decay or window, caps and minimums; its threshold is mqlThreshold. Default: an empty policy (no rules: every score is 0).',
  })
  policy?: QualificationPolicyInput | null;

  @Field(() => Float, { description: 'Hours within which sales follows up on an MQL (> 0, at most 8,760).' })
  @Min(0.01)
  @Max(8760)
  followUpHours: number;

  @Field(() => Int, { description: 'MQLs marketing delivers each calendar month.' })
  @Min(0)
  @Max(100_000_000)
  monthlyMqlTarget: number;

  @Field(() => String, { nullable: true, description: 'Notes.' })
  @IsOptional()
  @MaxLength(4000)
  notes?: string | null;

  @Field(() => ID, { nullable: true, description: 'User proposing it.' })
  proposedById?: string | null;

  @Field(() => Date, { nullable: true, description: 'When it was proposed; defaults to now; more than BACKDATE_TOLERANCE_MINUTES before now only for ADMIN and REVENUE_OPS (back-dated loads).' })
  createdAt?: Date | null;
}

@InputType({ description: "One team's approval of an agreement." })
export class ApproveAgreementInput {
  @Field(() => ID, { description: 'The agreement.' })
  agreementId: string;

  @Field(() => ID, { description: 'The approving user: a MARKETING or a SALES user, approving for their team.' })
  approverId: string;

  @Field(() => Date, { nullable: true, description: 'When it was approved; defaults to now; more than BACKDATE_TOLERANCE_MINUTES before now only for ADMIN and REVENUE_OPS (back-dated loads).' })
  at?: Date | null;
}

@ObjectType({ description: 'Result of giveLeadFeedback.' })
export class GiveLeadFeedbackPayload {
  @Field(() => LeadFeedback, { description: 'The feedback recorded.' })
  feedback: LeadFeedback;
}

@ObjectType({ description: 'Result of proposeAgreement.' })
export class ProposeAgreementPayload {
  @Field(() => AlignmentAgreement, { description: 'The proposed agreement (not in force until approved by both teams).' })
  agreement: AlignmentAgreement;
}

@ObjectType({ description: 'Result of approveAgreement.' })
export class ApproveAgreementPayload {
  @Field(() => AlignmentAgreement, { description: 'The agreement with the new approval.' })
  agreement: AlignmentAgreement;
}
