import { Field, Float, Int, ObjectType } from 'type-graphql';
import { Campaign } from '../campaigns/campaign.entity';
import { Channel } from '../common/enums';
import { MoneyScalar } from '../graphql/scalars';
import { AttributionDimension, AttributionModel } from './attribution.inputs';

/** The figures of a campaign, a channel or the totals (docs/metrics.md, section "Campaign performance"). */
@ObjectType()
export abstract class PerformanceFigures {
  @Field(() => MoneyScalar, { description: 'Spend entries dated in the window (compared at 00:00 UTC).' })
  spend: string;

  @Field(() => Int, { description: 'Touchpoints that occurred in the window.' })
  touches: number;

  @Field(() => Int, { description: 'Leads whose first touch ever is with the campaign and lies in the window.' })
  leadsSourced: number;

  @Field(() => Int, { description: 'Leads sourced by the campaign (first touch ever) that became MQL in the window.' })
  mqls: number;

  @Field(() => MoneyScalar, {
    nullable: true,
    description: 'Credit for opportunities created in the window; null under DATA_DRIVEN or when PIPELINE was not asked for.',
  })
  attributedPipeline: string | null;

  @Field(() => MoneyScalar, { nullable: true, description: 'Credit for opportunities won in the window; null when REVENUE was not asked for.' })
  attributedRevenue: string | null;

  @Field(() => Float, { nullable: true, description: 'The same credit applied to a count of 1 per won opportunity (fractional).' })
  attributedWins: number | null;

  @Field(() => Float, { nullable: true, description: '(attributedRevenue - spend) / spend; null when spend is 0.' })
  roi: number | null;

  @Field(() => Float, { nullable: true, description: 'attributedRevenue / spend; null when spend is 0.' })
  roas: number | null;

  @Field(() => Float, { nullable: true, description: 'spend / leadsSourced; null when no lead was sourced.' })
  costPerLead: number | null;

  @Field(() => Float, { nullable: true, description: 'spend / mqls; null when there is no MQL.' })
  costPerMql: number | null;
}

@ObjectType('CampaignPerformanceRow', { description: 'Performance of one campaign in the window.' })
export class CampaignPerformanceRow extends PerformanceFigures {
  @Field(() => Campaign, { description: 'The campaign.' })
  campaign: Campaign;
}

@ObjectType('ChannelPerformanceRow', { description: 'Performance of the campaigns of one channel, summed.' })
export class ChannelPerformanceRow extends PerformanceFigures {
  @Field(() => Channel, { description: 'The channel.' })
  channel: Channel;
}

@ObjectType('PerformanceTotals', { description: 'Sums of the rows; ratios from those sums.' })
export class PerformanceTotals extends PerformanceFigures {}

/** What both performance reports show besides their rows. */
@ObjectType()
export abstract class PerformanceReport {
  @Field({ description: 'Start of the window, included.' })
  from: Date;

  @Field({ description: 'End of the window, excluded.' })
  to: Date;

  @Field(() => AttributionModel, { description: 'The attribution model used.' })
  model: AttributionModel;

  @Field(() => PerformanceTotals, { description: 'The rows summed; the rows add up to it exactly.' })
  totals: PerformanceTotals;

  @Field(() => MoneyScalar, { nullable: true, description: 'Pipeline of opportunities with an empty journey (all campaigns, not only the rows).' })
  unattributedPipeline: string | null;

  @Field(() => MoneyScalar, { nullable: true, description: 'Revenue of won opportunities with an empty journey.' })
  unattributedRevenue: string | null;

  @Field(() => Float, { nullable: true, description: 'unattributedPipeline / totalPipeline; null when the total is 0.' })
  unattributedPipelineShare: number | null;

  @Field(() => Float, { nullable: true, description: 'unattributedRevenue / totalRevenue; null when the total is 0.' })
  unattributedRevenueShare: number | null;

  @Field(() => MoneyScalar, {
    nullable: true,
    description: 'Amount of the opportunities created in the window: the credits of all campaigns plus unattributedPipeline.',
  })
  totalPipeline: string | null;

  @Field(() => MoneyScalar, {
    nullable: true,
    description: 'Amount of the opportunities won in the window: the credits of all campaigns plus unattributedRevenue.',
  })
  totalRevenue: string | null;
}

@ObjectType('CampaignPerformanceReport', { description: 'Spend, leads and attributed pipeline and revenue per campaign.' })
export class CampaignPerformanceReport extends PerformanceReport {
  @Field(() => [CampaignPerformanceRow], {
    description: 'One row per campaign that spent, was touched, sourced a lead or MQL, or earned credit in the window; by campaign id.',
  })
  rows: CampaignPerformanceRow[];
}

@ObjectType('ChannelPerformanceReport', { description: 'Spend, leads and attributed pipeline and revenue per channel.' })
export class ChannelPerformanceReport extends PerformanceReport {
  @Field(() => [ChannelPerformanceRow], { description: 'One row per channel with an active campaign; by channel name.' })
  rows: ChannelPerformanceRow[];
}

@ObjectType('ModelRevenue', { description: 'One amount of revenue under every attribution model, side by side.' })
export class ModelRevenue {
  @Field(() => MoneyScalar, { description: 'Under FIRST_TOUCH.' })
  firstTouch: string;

  @Field(() => MoneyScalar, { description: 'Under LAST_TOUCH.' })
  lastTouch: string;

  @Field(() => MoneyScalar, { description: 'Under LINEAR.' })
  linear: string;

  @Field(() => MoneyScalar, { description: 'Under TIME_DECAY.' })
  timeDecay: string;

  @Field(() => MoneyScalar, { description: 'Under POSITION_BASED.' })
  positionBased: string;

  @Field(() => MoneyScalar, { description: 'Under W_SHAPED.' })
  wShaped: string;

  @Field(() => MoneyScalar, { description: 'Under FULL_PATH.' })
  fullPath: string;

  @Field(() => MoneyScalar, { nullable: true, description: 'Under CUSTOM; null unless roleWeights were given.' })
  custom: string | null;

  @Field(() => MoneyScalar, { description: 'Under DATA_DRIVEN.' })
  dataDriven: string;
}

@ObjectType('AttributionComparisonRow', { description: 'Attributed revenue of one campaign or channel under every model.' })
export class AttributionComparisonRow {
  @Field(() => Campaign, { nullable: true, description: 'The campaign (rows by CAMPAIGN); null for rows by CHANNEL.' })
  campaign: Campaign | null;

  @Field(() => Channel, { description: 'The channel (of the campaign, for rows by CAMPAIGN).' })
  channel: Channel;

  @Field(() => ModelRevenue, { description: 'Attributed revenue under each model.' })
  revenue: ModelRevenue;
}

@ObjectType('AttributionComparison', { description: 'Revenue won in the window, attributed under every model side by side.' })
export class AttributionComparison {
  @Field({ description: 'Start of the window, included.' })
  from: Date;

  @Field({ description: 'End of the window, excluded.' })
  to: Date;

  @Field(() => AttributionDimension, { description: 'What the rows are keyed by.' })
  by: AttributionDimension;

  @Field(() => [AttributionComparisonRow], { description: 'Campaigns or channels with credit under any model.' })
  rows: AttributionComparisonRow[];

  @Field(() => ModelRevenue, { description: 'The rows summed, per model.' })
  totals: ModelRevenue;

  @Field(() => ModelRevenue, { description: 'Revenue of won opportunities with an empty journey, per model.' })
  unattributed: ModelRevenue;

  @Field(() => MoneyScalar, { description: 'Revenue won in the window; under every model, all credits plus unattributed equal it.' })
  totalRevenue: string;
}
