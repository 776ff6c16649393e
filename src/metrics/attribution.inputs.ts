import { Field, Float, ID, InputType, Int, registerEnumType } from 'type-graphql';
import { Channel, OpportunityKind } from '../common/enums';
import { ReportWindowInput } from './metric-args';

export enum AttributionModel {
  FIRST_TOUCH = 'FIRST_TOUCH',
  LAST_TOUCH = 'LAST_TOUCH',
  LINEAR = 'LINEAR',
  TIME_DECAY = 'TIME_DECAY',
  POSITION_BASED = 'POSITION_BASED',
  W_SHAPED = 'W_SHAPED',
  FULL_PATH = 'FULL_PATH',
  CUSTOM = 'CUSTOM',
  DATA_DRIVEN = 'DATA_DRIVEN',
}

export enum JourneyScope {
  ACCOUNT = 'ACCOUNT',
  CONTACTS = 'CONTACTS',
}

export enum AttributionMeasure {
  PIPELINE = 'PIPELINE',
  REVENUE = 'REVENUE',
}

export enum AttributionDimension {
  CAMPAIGN = 'CAMPAIGN',
  CHANNEL = 'CHANNEL',
}

registerEnumType(AttributionModel, {
  name: 'AttributionModel',
  description: 'How the amount of an opportunity is shared among the touches of its journey (docs/metrics.md, section "Attribution").',
  valuesConfig: {
    FIRST_TOUCH: { description: 'All credit to the first touch.' },
    LAST_TOUCH: { description: 'All credit to the last touch.' },
    LINEAR: { description: 'Equal credit to every touch.' },
    TIME_DECAY: { description: 'Credit halves every halfLifeDays before the end of the journey.' },
    POSITION_BASED: { description: 'U-shaped: 40% first touch, 40% last touch, the rest shared by the others.' },
    W_SHAPED: { description: '30% each to first touch, lead conversion and opportunity creation, the rest shared by the others.' },
    FULL_PATH: { description: 'Z-shaped: 22.5% each to first touch, lead conversion, opportunity creation and close.' },
    CUSTOM: { description: 'Role weights given in roleWeights.' },
    DATA_DRIVEN: { description: 'First-order Markov chain, credit by removal effect; revenue only.' },
  },
});
registerEnumType(JourneyScope, {
  name: 'JourneyScope',
  description: 'Whose touches make up the journey of an opportunity.',
  valuesConfig: {
    ACCOUNT: { description: "Every lead at the opportunity's account." },
    CONTACTS: { description: "Only the opportunity's contact leads." },
  },
});
registerEnumType(AttributionMeasure, {
  name: 'AttributionMeasure',
  description: 'What is attributed: pipeline (opportunities created) or revenue (opportunities won).',
});
registerEnumType(AttributionDimension, { name: 'AttributionDimension', description: 'What the rows of a report are keyed by.' });

@InputType('RoleWeightsInput', { description: 'Weights of the journey roles for the CUSTOM model: each in [0, 1], summing to at most 1.' })
export class RoleWeightsInput {
  @Field(() => Float, { defaultValue: 0, description: 'Weight of the first touch.' })
  first: number;

  @Field(() => Float, { defaultValue: 0, description: 'Weight of the last touch at or before the earliest mqlAt of the journey.' })
  leadConversion: number;

  @Field(() => Float, { defaultValue: 0, description: 'Weight of the last touch at or before the opportunity was created.' })
  opportunityCreation: number;

  @Field(() => Float, { defaultValue: 0, description: 'Weight of the last touch at or before the close (revenue only).' })
  close: number;
}

/** What every attribution report shares: the window and how journeys are built. */
@InputType()
export abstract class AttributionScopeInput {
  @Field(() => ReportWindowInput, { description: 'Reporting window, half-open: from <= t < to (UTC).' })
  window: ReportWindowInput;

  @Field(() => RoleWeightsInput, { nullable: true, description: 'Role weights; required by the CUSTOM model.' })
  roleWeights?: RoleWeightsInput | null;

  @Field(() => Int, { defaultValue: 90, description: 'A journey starts this many days before the opportunity was created.' })
  lookbackDays: number;

  @Field(() => Float, { defaultValue: 7, description: 'Half-life of the TIME_DECAY model, in days.' })
  halfLifeDays: number;

  @Field(() => JourneyScope, { defaultValue: JourneyScope.ACCOUNT, description: 'Whose touches make up a journey.' })
  journeyScope: JourneyScope;

  @Field(() => [OpportunityKind], {
    defaultValue: [OpportunityKind.NEW_BUSINESS, OpportunityKind.EXPANSION, OpportunityKind.RENEWAL],
    description: 'Which kinds of opportunities are attributed (default: all).',
  })
  opportunityKinds: OpportunityKind[];
}

/** The scope plus the model and the measures to compute. */
@InputType()
export abstract class AttributionSettingsInput extends AttributionScopeInput {
  @Field(() => AttributionModel, { description: 'Attribution model.' })
  model: AttributionModel;

  @Field(() => [AttributionMeasure], {
    defaultValue: [AttributionMeasure.PIPELINE, AttributionMeasure.REVENUE],
    description: 'Measures to compute; the others are null. DATA_DRIVEN needs REVENUE (pipeline is null under it).',
  })
  measures: AttributionMeasure[];
}

/** The settings plus which rows to show. */
@InputType()
export abstract class FilteredAttributionSettingsInput extends AttributionSettingsInput {
  @Field(() => [ID], { nullable: true, description: 'Only rows of these campaigns (credits are still shared among all).' })
  campaignIds?: string[] | null;

  @Field(() => [Channel], { nullable: true, description: 'Only rows of campaigns in these channels.' })
  channels?: Channel[] | null;
}

@InputType('CampaignPerformanceInput', { description: 'Arguments of campaignPerformance.' })
export class CampaignPerformanceInput extends FilteredAttributionSettingsInput {}

@InputType('ChannelPerformanceInput', { description: 'Arguments of channelPerformance.' })
export class ChannelPerformanceInput extends FilteredAttributionSettingsInput {}

@InputType('CampaignMetricsInput', { description: 'Arguments of Campaign.performance.' })
export class CampaignMetricsInput extends AttributionSettingsInput {}

@InputType('AttributionComparisonInput', { description: 'Arguments of attributionComparison.' })
export class AttributionComparisonInput extends AttributionScopeInput {
  @Field(() => AttributionDimension, { defaultValue: AttributionDimension.CAMPAIGN, description: 'One row per campaign or per channel.' })
  by: AttributionDimension;

  @Field(() => [ID], { nullable: true, description: 'Only rows of these campaigns (credits are still shared among all).' })
  campaignIds?: string[] | null;

  @Field(() => [Channel], { nullable: true, description: 'Only rows of campaigns in these channels.' })
  channels?: Channel[] | null;
}
