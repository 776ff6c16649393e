import { Max, Min } from 'class-validator';
import { Field, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Campaign } from '../campaigns/campaign.entity';
import { MoneyScalar } from '../graphql/scalars';
import { ReportWindowInput } from '../metrics/metric-args';

/** What the processing made of a web event (tracked_events.outcome), PENDING while it waits. */
export enum TrackedEventOutcome {
  TOUCHPOINT = 'TOUCHPOINT',
  ANONYMOUS = 'ANONYMOUS',
  DIRECT = 'DIRECT',
  UNPLACED = 'UNPLACED',
  NOT_A_TOUCH = 'NOT_A_TOUCH',
  IDENTITY = 'IDENTITY',
  PENDING = 'PENDING',
}

registerEnumType(TrackedEventOutcome, {
  name: 'TrackedEventOutcome',
  description: 'What the processing made of a web event (docs/events.md).',
  valuesConfig: {
    TOUCHPOINT: { description: 'A touchpoint of a lead.' },
    ANONYMOUS: { description: 'Would be a touchpoint; its person is not identified (yet, or it happened before the look-back).' },
    DIRECT: { description: 'A page view or conversion without campaign data (no UTM, click id or external referrer): counted, no touchpoint.' },
    UNPLACED: { description: 'Has campaign data that no rule places (unknown UTM values): no touchpoint until a rule places it.' },
    NOT_A_TOUCH: { description: 'A track event whose name maps to no touchpoint kind.' },
    IDENTITY: { description: 'identify, group or alias: who the person is, no touch.' },
    PENDING: { description: 'Not processed yet.' },
  },
});

@InputType('TrackingHealthInput', { description: 'Which web events to look at (by their time) and how many values to list.' })
export class TrackingHealthInput {
  @Field(() => ReportWindowInput, { description: 'Half-open window on the events\' time (and spend days): from <= t < to (UTC).' })
  window: ReportWindowInput;

  @Field(() => Int, { nullable: true, description: 'At most this many rows in each list (default 50, at most 500), most events (or spend) first.' })
  @Min(1)
  @Max(500)
  limit?: number | null;
}

@ObjectType('TrackedEventOutcomeCount', { description: 'Web events of the window with one outcome.' })
export class TrackedEventOutcomeCount {
  @Field(() => TrackedEventOutcome, { description: 'The outcome.' })
  outcome: TrackedEventOutcome;

  @Field(() => Int, { description: 'Events of the window with it.' })
  events: number;
}

@ObjectType('UnknownUtmCampaign', { description: 'A utm_campaign value that names no campaign (no mapping, no campaign external id).' })
export class UnknownUtmCampaign {
  @Field({ description: 'The value (its most frequent spelling; values compare without case). Personal for ANALYST: senders put ids in UTMs.' })
  value: string;

  @Field(() => Int, { description: 'Events of the window carrying it.' })
  events: number;

  @Field(() => Int, { description: 'Of those, the ones no rule placed at all (the others went to a channel catch-all campaign).' })
  unplacedEvents: number;

  @Field({ description: 'Time of the first such event of the window.' })
  firstSeenAt: Date;

  @Field({ description: 'Time of the last such event of the window.' })
  lastSeenAt: Date;
}

@ObjectType('UnknownSourceMedium', { description: 'A utm_source / utm_medium pair that no channel rule matches (on events whose utm_campaign names no campaign).' })
export class UnknownSourceMedium {
  @Field(() => String, { nullable: true, description: 'utm_source as the rules compare it (lower case, spaces and underscores as hyphens); null: none given.' })
  source: string | null;

  @Field(() => String, { nullable: true, description: 'utm_medium as the rules compare it; null: none given.' })
  medium: string | null;

  @Field(() => Int, { description: 'Events of the window carrying the pair.' })
  events: number;

  @Field({ description: 'Time of the first such event of the window.' })
  firstSeenAt: Date;

  @Field({ description: 'Time of the last such event of the window.' })
  lastSeenAt: Date;
}

@ObjectType('UntrackedCampaignSpend', { description: 'A campaign with spend in the window but no web event placed on it in the window.' })
export class UntrackedCampaignSpend {
  campaignId: string;

  @Field(() => Campaign, { description: 'The campaign.' })
  campaign?: Campaign;

  @Field(() => MoneyScalar, { description: 'Its spend on the days of the window.' })
  spend: string;
}

@ObjectType('TrackingHealthReport', { description: 'What the web event processing could not place, for a window.' })
export class TrackingHealthReport {
  @Field({ description: 'Start of the window, included.' })
  from: Date;

  @Field({ description: 'End of the window, excluded.' })
  to: Date;

  @Field(() => Int, { description: 'Web events of the window (by their time).' })
  events: number;

  @Field(() => [TrackedEventOutcomeCount], { description: 'Events of the window by outcome (outcomes without events omitted), in the enum order.' })
  outcomes: TrackedEventOutcomeCount[];

  @Field(() => [UnknownUtmCampaign], { description: 'utm_campaign values of the window that name no campaign, most events first.' })
  unknownUtmCampaigns: UnknownUtmCampaign[];

  @Field(() => [UnknownSourceMedium], { description: 'utm_source / utm_medium pairs of the window no channel rule matches, most events first.' })
  unknownSourceMedia: UnknownSourceMedium[];

  @Field(() => [UntrackedCampaignSpend], { description: 'Campaigns with spend in the window but no web event placed on them (touchpoint or anonymous), most spend first.' })
  campaignsWithoutTrackedTouches: UntrackedCampaignSpend[];

  @Field(() => MoneyScalar, { description: 'Their spend, all of them (not only the listed ones).' })
  untrackedSpend: string;

  @Field(() => Int, { description: 'Anonymous ids with events in the window that were never identified as a lead.' })
  anonymousIds: number;

  @Field(() => Int, { description: 'Events of the window those anonymous ids hold.' })
  anonymousIdEvents: number;

  @Field(() => Int, { description: 'Of those, the ones that would be touchpoints once identified (ANONYMOUS).' })
  anonymousTouches: number;

  @Field(() => Int, { description: 'Events waiting to be processed now (any time).' })
  backlog: number;

  @Field(() => Date, { nullable: true, description: 'When the oldest of them was received; null without backlog.' })
  oldestPendingReceivedAt: Date | null;
}
