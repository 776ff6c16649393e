import { Length } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Campaign } from '../campaigns/campaign.entity';
import { Channel, TouchpointKind } from '../common/enums';
import { connectionTypes } from '../graphql/connection';

/** The rules web events are placed by (docs/events.md), as GraphQL reads and writes them. */

@ObjectType('UtmCampaignMapping', { description: 'A utm_campaign value and the campaign it stands for (web events are placed on it).' })
export class UtmCampaignMapping {
  /** Internal: the row's id (cursors). */
  id: string;

  @Field({ description: 'The utm_campaign value, as given; events match it without case, trimmed.' })
  utmCampaign: string;

  campaignId: string;

  @Field(() => Campaign, { description: 'The campaign.' })
  campaign?: Campaign;

  @Field({ description: 'When the mapping was made.' })
  createdAt: Date;

  @Field({ description: 'When the mapping last changed.' })
  updatedAt: Date;
}

@ObjectType('ChannelRule', {
  description:
    'utm_source / utm_medium -> channel, for web events whose utm_campaign names no campaign. A rule with source and medium wins over one with the medium alone, which wins over one with the source alone.',
})
export class ChannelRule {
  id: string;

  @Field(() => String, { nullable: true, description: 'utm_source (lower case, spaces and underscores as hyphens); null: any source.' })
  source: string | null;

  @Field(() => String, { nullable: true, description: 'utm_medium (lower case, spaces and underscores as hyphens); null: any medium.' })
  medium: string | null;

  @Field(() => Channel, { description: 'The channel such events come from.' })
  channel: Channel;

  @Field({ description: 'When the rule was made.' })
  createdAt: Date;

  @Field({ description: 'When the rule last changed.' })
  updatedAt: Date;
}

@ObjectType('EventKindMapping', { description: 'A track event name that is a touch, and the touchpoint kind it makes (page views are always WEB_VISIT or AD_CLICK).' })
export class EventKindMapping {
  id: string;

  @Field({ description: 'The event name, as given; events match it without case, trimmed.' })
  eventName: string;

  @Field(() => TouchpointKind, { description: 'The kind of the touchpoints such events make.' })
  kind: TouchpointKind;

  @Field({ description: 'When the mapping was made.' })
  createdAt: Date;

  @Field({ description: 'When the mapping last changed.' })
  updatedAt: Date;
}

export const { ConnectionType: UtmCampaignMappingConnection } = connectionTypes(UtmCampaignMapping, 'UtmCampaignMapping', 'UTM campaign mappings');
export const { ConnectionType: ChannelRuleConnection } = connectionTypes(ChannelRule, 'ChannelRule', 'channel rules');
export const { ConnectionType: EventKindMappingConnection } = connectionTypes(EventKindMapping, 'EventKindMapping', 'event kind mappings');

@InputType({ description: 'Maps a utm_campaign value to a campaign (replacing its mapping, if any).' })
export class SetUtmCampaignMappingInput {
  @Field({ description: 'The utm_campaign value (1 to 255 characters); compared without case, trimmed.' })
  @Length(1, 255)
  utmCampaign: string;

  @Field(() => ID, { description: 'The campaign it stands for.' })
  campaignId: string;
}

@InputType({ description: 'Removes the mapping of a utm_campaign value.' })
export class RemoveUtmCampaignMappingInput {
  @Field({ description: 'The utm_campaign value (compared without case, trimmed).' })
  @Length(1, 255)
  utmCampaign: string;
}

@InputType({ description: 'Sets the channel of a utm_source / utm_medium pair (replacing the rule of the same pair, if any). Give a source, a medium, or both.' })
export class SetChannelRuleInput {
  @Field(() => String, { nullable: true, description: 'utm_source (at most 255 characters); null or omitted: any source.' })
  source?: string | null;

  @Field(() => String, { nullable: true, description: 'utm_medium (at most 255 characters); null or omitted: any medium.' })
  medium?: string | null;

  @Field(() => Channel, { description: 'The channel.' })
  channel: Channel;
}

@InputType({ description: 'Removes the rule of a utm_source / utm_medium pair.' })
export class RemoveChannelRuleInput {
  @Field(() => String, { nullable: true, description: 'utm_source of the rule; null or omitted: the rule for any source.' })
  source?: string | null;

  @Field(() => String, { nullable: true, description: 'utm_medium of the rule; null or omitted: the rule for any medium.' })
  medium?: string | null;
}

@InputType({ description: 'Maps a track event name to a touchpoint kind (replacing its mapping, if any): such events become touches.' })
export class SetEventKindMappingInput {
  @Field({ description: 'The event name (1 to 255 characters); compared without case, trimmed.' })
  @Length(1, 255)
  eventName: string;

  @Field(() => TouchpointKind, { description: 'The kind of touchpoint.' })
  kind: TouchpointKind;
}

@InputType({ description: 'Removes the mapping of a track event name: such events are no touches any more.' })
export class RemoveEventKindMappingInput {
  @Field({ description: 'The event name (compared without case, trimmed).' })
  @Length(1, 255)
  eventName: string;
}

@ObjectType('UtmCampaignMappingPayload', { description: 'Result of setUtmCampaignMapping and removeUtmCampaignMapping.' })
export class UtmCampaignMappingPayload {
  @Field(() => UtmCampaignMapping, { nullable: true, description: 'The mapping as it is now; null once removed.' })
  mapping: UtmCampaignMapping | null;

  @Field(() => Int, { description: 'Web events placed again by the change, in its transaction (their touchpoints moved, made or removed).' })
  replacedEvents: number;
}

@ObjectType('ChannelRulePayload', { description: 'Result of setChannelRule and removeChannelRule.' })
export class ChannelRulePayload {
  @Field(() => ChannelRule, { nullable: true, description: 'The rule as it is now; null once removed.' })
  rule: ChannelRule | null;

  @Field(() => Int, { description: 'Web events placed again by the change, in its transaction (their touchpoints moved, made or removed).' })
  replacedEvents: number;
}

@ObjectType('EventKindMappingPayload', { description: 'Result of setEventKindMapping and removeEventKindMapping.' })
export class EventKindMappingPayload {
  @Field(() => EventKindMapping, { nullable: true, description: 'The mapping as it is now; null once removed.' })
  mapping: EventKindMapping | null;

  @Field(() => Int, { description: 'Web events placed again by the change, in its transaction (their touchpoints moved, made or removed).' })
  replacedEvents: number;
}
