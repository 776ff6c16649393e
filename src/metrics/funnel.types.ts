import { Field, Float, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Channel, LeadStage } from '../common/enums';
import { ReportWindowInput } from './metric-args';

export enum FunnelGroupBy {
  NONE = 'NONE',
  CHANNEL = 'CHANNEL',
}

registerEnumType(FunnelGroupBy, {
  name: 'FunnelGroupBy',
  description: 'How to split the funnel cohort.',
  valuesConfig: {
    NONE: { description: 'One funnel for the whole cohort.' },
    CHANNEL: { description: "One funnel per channel of each lead's first touch ever; leads without touches under a null channel." },
  },
});

@InputType('FunnelInput', { description: 'The cohort of the demand waterfall: leads created in a half-open window.' })
export class FunnelInput {
  @Field(() => ReportWindowInput, { description: 'Half-open window on leads created: from <= t < to (UTC).' })
  window: ReportWindowInput;

  @Field(() => FunnelGroupBy, { defaultValue: FunnelGroupBy.NONE, description: 'Split the cohort by channel of first touch.' })
  groupBy?: FunnelGroupBy;
}

@ObjectType('FunnelStageRow', { description: 'One stage of the waterfall and the step from it to the next stage.' })
export class FunnelStageRow {
  @Field(() => LeadStage, { description: 'The stage; NEW stands for "created" and counts the whole cohort.' })
  stage: LeadStage;

  @Field(() => Int, { description: 'Leads of the cohort that reached this stage (its timestamp is set).' })
  count: number;

  @Field(() => Float, {
    nullable: true,
    description: 'Leads that reached the next stage / leads that reached this one; null for CUSTOMER or when this count is 0.',
  })
  conversionRateToNext: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Median fractional days from this stage to the next, over the leads that reached both; null when none did.',
  })
  medianDaysToNext: number | null;
}

@ObjectType('FunnelSegment', { description: 'The waterfall of one group of the cohort (or of all of it).' })
export class FunnelSegment {
  @Field(() => Channel, {
    nullable: true,
    description: "Channel of the leads' first touch. In `groups`, null means leads without any touch; in `total` it is null.",
  })
  channel: Channel | null;

  @Field(() => [FunnelStageRow], { description: 'The six stages in order: NEW (created), MQL, SAL, SQL, OPPORTUNITY, CUSTOMER.' })
  stages: FunnelStageRow[];
}

@ObjectType('FunnelReport', { description: 'Demand waterfall of the leads created in a window: counts, conversion and velocity.' })
export class FunnelReport {
  @Field({ description: 'Start of the window (included).' })
  from: Date;

  @Field({ description: 'End of the window (excluded).' })
  to: Date;

  @Field(() => FunnelGroupBy, { description: 'How `groups` splits the cohort.' })
  groupBy: FunnelGroupBy;

  @Field(() => FunnelSegment, { description: 'The whole cohort.' })
  total: FunnelSegment;

  @Field(() => [FunnelSegment], {
    description: 'One waterfall per channel (channel order, leads without touches last) when grouped; empty for NONE. Counts add up to `total`.',
  })
  groups: FunnelSegment[];
}
