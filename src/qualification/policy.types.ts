import { Field, Float, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Channel, TouchpointKind } from '../common/enums';

/**
 * The structured lead-qualification policy of an agreement (docs/metrics.md, "Lead
 * qualification"): fit rules on lead and account attributes, engagement rules on touches,
 * decay or a window, caps and minimums. Stored in qualification_policies and
 * qualification_rules (migration 1732770000000); scored in SQL only.
 */

export enum AttributeType {
  TEXT = 'TEXT',
  NUMBER = 'NUMBER',
  BOOLEAN = 'BOOLEAN',
}
registerEnumType(AttributeType, {
  name: 'AttributeType',
  description: 'The type of an attribute value or a rule value: text, a number (exact decimal), or a boolean. Rules compare values of the same type only.',
});

export enum FitOperator {
  EQUALS = 'EQUALS',
  IN = 'IN',
  CONTAINS = 'CONTAINS',
  GTE = 'GTE',
  LTE = 'LTE',
  EXISTS = 'EXISTS',
}
registerEnumType(FitOperator, {
  name: 'FitOperator',
  description:
    'How a fit rule compares: EQUALS (one value) and IN (one or more; any matches) compare text trimmed and lower-cased, numbers and booleans exactly; CONTAINS (one or more text values; any matches) is a lower-cased substring test without trimming; GTE and LTE (one number); EXISTS (no value): the attribute is set and, for text, not blank.',
});

@ObjectType({ description: 'A typed value: of a custom attribute or of a fit rule.' })
export class TypedValue {
  @Field(() => AttributeType, { description: 'Text, number or boolean.' })
  type: AttributeType;

  @Field({ description: 'The value as text: a number as a decimal string ("1200", "0.5"), a boolean as "true" or "false".' })
  value: string;
}

@InputType({ description: 'A typed value: of a custom attribute or of a fit rule.' })
export class TypedValueInput {
  @Field(() => AttributeType, { description: 'Text, number or boolean.' })
  type: AttributeType;

  @Field({ description: 'The value as text: a number as a decimal string ("1200", "-0.5"), a boolean as "true" or "false"; text at most 1,000 characters.' })
  value: string;
}

@ObjectType({ description: 'A fit rule: when the condition on the attribute holds, the points count.' })
export class FitRule {
  @Field(() => Int, { description: 'Its place among the fit rules, from 1: the order of the explanation.' })
  position: number;

  @Field({
    description:
      'What is compared: lead.jobTitle, account.segment, account.industry, account.walletSize, lead.attributes.<key> or account.attributes.<key> (a custom attribute; keys are case-sensitive).',
  })
  attribute: string;

  @Field(() => FitOperator, { description: 'How it compares.' })
  operator: FitOperator;

  @Field(() => [TypedValue], { description: 'The values compared with (none for EXISTS).' })
  values: TypedValue[];

  @Field(() => Int, { description: 'Points when it holds; negative to subtract.' })
  points: number;
}

@InputType({ description: 'A fit rule: when the condition on the attribute holds, the points count.' })
export class FitRuleInput {
  @Field({
    description:
      'What is compared: lead.jobTitle, account.segment, account.industry, account.walletSize, lead.attributes.<key> or account.attributes.<key> (keys are case-sensitive, 1–100 characters).',
  })
  attribute: string;

  @Field(() => FitOperator, { description: 'How it compares.' })
  operator: FitOperator;

  @Field(() => [TypedValueInput], { defaultValue: [], description: 'The values compared with: one for EQUALS, GTE and LTE (a number for these two), one or more for IN and CONTAINS (text for CONTAINS), none for EXISTS.' })
  values: TypedValueInput[];

  @Field(() => Int, { description: 'Points when it holds (-1,000,000 to 1,000,000); negative to subtract.' })
  points: number;
}

@ObjectType({ description: 'An engagement rule: every touch of the lead of these kinds and channels counts the points (decayed by the half-life, if set).' })
export class EngagementRule {
  @Field(() => Int, { description: 'Its place among the engagement rules, from 1: the order of the explanation.' })
  position: number;

  @Field(() => [TouchpointKind], { description: 'The touch kinds it counts; empty: any.' })
  touchKinds: TouchpointKind[];

  @Field(() => [Channel], { description: "The channels (of the touch's campaign) it counts; empty: any." })
  channels: Channel[];

  @Field(() => Int, { description: 'Points per matching touch (>= 0).' })
  points: number;
}

@InputType({ description: 'An engagement rule: every touch of the lead of these kinds and channels counts the points.' })
export class EngagementRuleInput {
  @Field(() => [TouchpointKind], { defaultValue: [], description: 'The touch kinds it counts; empty: any.' })
  touchKinds: TouchpointKind[];

  @Field(() => [Channel], { defaultValue: [], description: "The channels (of the touch's campaign) it counts; empty: any." })
  channels: Channel[];

  @Field(() => Int, { description: 'Points per matching touch (0 to 1,000,000).' })
  points: number;
}

@ObjectType({ description: 'The shared lead definition of an agreement, as rules that compute: a lead qualifies when fit >= minFit, engagement >= minEngagement (each where set) and fit + engagement >= mqlThreshold.' })
export class QualificationPolicy {
  @Field(() => Int, { description: 'Score at which a lead qualifies (the agreement’s mqlThreshold).' })
  mqlThreshold: number;

  @Field(() => [FitRule], { description: 'Fit rules, in order.' })
  fitRules: FitRule[];

  @Field(() => [EngagementRule], { description: 'Engagement rules, in order.' })
  engagementRules: EngagementRule[];

  @Field(() => Float, { nullable: true, description: 'A touch counts half after this many days, a quarter after twice as many, ...; null: no decay.' })
  engagementHalfLifeDays: number | null;

  @Field(() => Float, { nullable: true, description: 'Only touches at most this many days old count; null: all history.' })
  engagementWindowDays: number | null;

  @Field(() => Int, { nullable: true, description: 'Fit counts at most this much; null: no cap.' })
  fitCap: number | null;

  @Field(() => Int, { nullable: true, description: 'Engagement counts at most this much; null: no cap.' })
  engagementCap: number | null;

  @Field(() => Int, { nullable: true, description: 'A lead qualifies only with at least this fit; null: no minimum.' })
  minFit: number | null;

  @Field(() => Float, { nullable: true, description: 'A lead qualifies only with at least this engagement; null: no minimum.' })
  minEngagement: number | null;
}

@InputType({ description: 'The shared lead definition, as rules that compute (docs/metrics.md, "Lead qualification"). The threshold is the agreement’s mqlThreshold.' })
export class QualificationPolicyInput {
  @Field(() => [FitRuleInput], { defaultValue: [], description: 'Fit rules, in order (at most 100).' })
  fitRules: FitRuleInput[];

  @Field(() => [EngagementRuleInput], { defaultValue: [], description: 'Engagement rules, in order (at most 100).' })
  engagementRules: EngagementRuleInput[];

  @Field(() => Float, { nullable: true, description: 'Half-life of a touch’s points in days (> 0, at most 3,650); null: no decay.' })
  engagementHalfLifeDays?: number | null;

  @Field(() => Float, { nullable: true, description: 'Only touches at most this many days old count (> 0, at most 36,500); null: all history.' })
  engagementWindowDays?: number | null;

  @Field(() => Int, { nullable: true, description: 'Fit counts at most this much (>= 0); null: no cap.' })
  fitCap?: number | null;

  @Field(() => Int, { nullable: true, description: 'Engagement counts at most this much (>= 0); null: no cap.' })
  engagementCap?: number | null;

  @Field(() => Int, { nullable: true, description: 'Minimum fit to qualify; null: none.' })
  minFit?: number | null;

  @Field(() => Float, { nullable: true, description: 'Minimum engagement to qualify; null: none.' })
  minEngagement?: number | null;
}
