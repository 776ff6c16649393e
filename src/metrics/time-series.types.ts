import { Field, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { Campaign } from '../campaigns/campaign.entity';
import { Channel } from '../common/enums';
import { MoneyScalar } from '../graphql/scalars';
import { AttributionModel, FilteredAttributionSettingsInput } from './attribution.inputs';

export enum TimeGrain {
  DAY = 'DAY',
  WEEK = 'WEEK',
  MONTH = 'MONTH',
  QUARTER = 'QUARTER',
}

export enum TimeSeriesDimension {
  NONE = 'NONE',
  CHANNEL = 'CHANNEL',
  CAMPAIGN = 'CAMPAIGN',
}

registerEnumType(TimeGrain, {
  name: 'TimeGrain',
  description: 'Length of the periods of a time series, in UTC.',
  valuesConfig: {
    DAY: { description: 'Calendar days.' },
    WEEK: { description: 'Weeks starting Monday 00:00 UTC.' },
    MONTH: { description: 'Calendar months.' },
    QUARTER: { description: 'Calendar quarters (January, April, July, October).' },
  },
});
registerEnumType(TimeSeriesDimension, {
  name: 'TimeSeriesDimension',
  description: 'What the rows of each period are keyed by.',
  valuesConfig: {
    NONE: { description: 'One row per period: the totals.' },
    CHANNEL: { description: 'One row per period and channel with activity.' },
    CAMPAIGN: { description: 'One row per period and campaign with activity.' },
  },
});

@InputType('RevenueTimeSeriesInput', { description: 'Arguments of revenueTimeSeries.' })
export class RevenueTimeSeriesInput extends FilteredAttributionSettingsInput {
  @Field(() => TimeGrain, { description: 'Length of the periods.' })
  grain: TimeGrain;

  @Field(() => TimeSeriesDimension, { defaultValue: TimeSeriesDimension.NONE, description: 'What the rows of each period are keyed by.' })
  by: TimeSeriesDimension;
}

@ObjectType('RevenueTimeSeriesRow', { description: 'Spend and attributed amounts of one period (and campaign or channel).' })
export class RevenueTimeSeriesRow {
  @Field({ description: 'Start of the calendar period (UTC), possibly before the window starts.' })
  periodStart: Date;

  @Field({ description: 'Start of what this row measures: the period clipped to the window.' })
  from: Date;

  @Field({ description: 'End (excluded) of what this row measures: the period clipped to the window.' })
  to: Date;

  @Field(() => Campaign, { nullable: true, description: 'The campaign, for rows by CAMPAIGN.' })
  campaign: Campaign | null;

  @Field(() => Channel, { nullable: true, description: 'The channel, for rows by CHANNEL or CAMPAIGN.' })
  channel: Channel | null;

  @Field(() => MoneyScalar, { description: 'Spend entries dated in the period.' })
  spend: string;

  @Field(() => MoneyScalar, { nullable: true, description: 'Credit for opportunities created in the period; null under DATA_DRIVEN.' })
  attributedPipeline: string | null;

  @Field(() => MoneyScalar, { nullable: true, description: 'Credit for opportunities won in the period.' })
  attributedRevenue: string | null;

  @Field(() => MoneyScalar, { nullable: true, description: 'Pipeline created in the period with an empty journey (rows by NONE only).' })
  unattributedPipeline: string | null;

  @Field(() => MoneyScalar, { nullable: true, description: 'Revenue won in the period with an empty journey (rows by NONE only).' })
  unattributedRevenue: string | null;
}

@ObjectType('RevenueTimeSeries', { description: 'Spend vs attributed pipeline and revenue, period by period.' })
export class RevenueTimeSeries {
  @Field(() => TimeGrain, { description: 'Length of the periods.' })
  grain: TimeGrain;

  @Field(() => TimeSeriesDimension, { description: 'What the rows are keyed by.' })
  by: TimeSeriesDimension;

  @Field(() => AttributionModel, { description: 'The attribution model used.' })
  model: AttributionModel;

  @Field(() => [RevenueTimeSeriesRow], {
    description: 'By period, then campaign id or channel. By NONE every period has a row; otherwise only campaigns or channels with activity.',
  })
  rows: RevenueTimeSeriesRow[];
}
