import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Campaign } from '../campaigns/campaign.entity';
import type { Context } from '../graphql/context';
import { PageArgs } from '../graphql/connection';
import {
  listChannelRules,
  listEventKindMappings,
  listUtmCampaignMappings,
  mappingCampaign,
  removeChannelRule,
  removeEventKindMapping,
  removeUtmCampaignMapping,
  setChannelRule,
  setEventKindMapping,
  setUtmCampaignMapping,
} from './tracking-rules.service';
import {
  ChannelRuleConnection,
  ChannelRulePayload,
  EventKindMappingConnection,
  EventKindMappingPayload,
  RemoveChannelRuleInput,
  RemoveEventKindMappingInput,
  RemoveUtmCampaignMappingInput,
  SetChannelRuleInput,
  SetEventKindMappingInput,
  SetUtmCampaignMappingInput,
  UtmCampaignMapping,
  UtmCampaignMappingConnection,
  UtmCampaignMappingPayload,
} from './tracking-rules.types';

const REPLACES = 'Web events it concerns are placed again in the same transaction.';

/** The rules web events are placed by (MARKETING, REVENUE_OPS and ADMIN write them; every role reads them). */
@Resolver(() => UtmCampaignMapping)
export class TrackingRulesResolver {
  @Query(() => UtmCampaignMappingConnection, { description: 'utm_campaign values mapped to campaigns, in the order they were mapped.' })
  utmCampaignMappings(@Ctx() ctx: Context, @Args() page: PageArgs) {
    return listUtmCampaignMappings(ctx, page);
  }

  @Query(() => ChannelRuleConnection, { description: 'utm_source / utm_medium -> channel rules (defaults first), in the order they were made.' })
  channelRules(@Ctx() ctx: Context, @Args() page: PageArgs) {
    return listChannelRules(ctx, page);
  }

  @Query(() => EventKindMappingConnection, { description: 'Track event names that are touches, and their kinds (defaults first).' })
  eventKindMappings(@Ctx() ctx: Context, @Args() page: PageArgs) {
    return listEventKindMappings(ctx, page);
  }

  @FieldResolver(() => Campaign)
  campaign(@Ctx() ctx: Context, @Root() mapping: UtmCampaignMapping) {
    return mappingCampaign(ctx, mapping);
  }

  @Mutation(() => UtmCampaignMappingPayload, { description: `Maps a utm_campaign value to a campaign. ${REPLACES}` })
  setUtmCampaignMapping(@Ctx() ctx: Context, @Arg('input', () => SetUtmCampaignMappingInput) input: SetUtmCampaignMappingInput) {
    return setUtmCampaignMapping(ctx, input);
  }

  @Mutation(() => UtmCampaignMappingPayload, { description: `Removes the mapping of a utm_campaign value. ${REPLACES}` })
  removeUtmCampaignMapping(@Ctx() ctx: Context, @Arg('input', () => RemoveUtmCampaignMappingInput) input: RemoveUtmCampaignMappingInput) {
    return removeUtmCampaignMapping(ctx, input.utmCampaign);
  }

  @Mutation(() => ChannelRulePayload, { description: `Sets the channel of a utm_source / utm_medium pair. ${REPLACES}` })
  setChannelRule(@Ctx() ctx: Context, @Arg('input', () => SetChannelRuleInput) input: SetChannelRuleInput) {
    return setChannelRule(ctx, input);
  }

  @Mutation(() => ChannelRulePayload, { description: `Removes a utm_source / utm_medium rule. ${REPLACES}` })
  removeChannelRule(@Ctx() ctx: Context, @Arg('input', () => RemoveChannelRuleInput) input: RemoveChannelRuleInput) {
    return removeChannelRule(ctx, input);
  }

  @Mutation(() => EventKindMappingPayload, { description: `Maps a track event name to a touchpoint kind. ${REPLACES}` })
  setEventKindMapping(@Ctx() ctx: Context, @Arg('input', () => SetEventKindMappingInput) input: SetEventKindMappingInput) {
    return setEventKindMapping(ctx, input);
  }

  @Mutation(() => EventKindMappingPayload, { description: `Removes the mapping of a track event name. ${REPLACES}` })
  removeEventKindMapping(@Ctx() ctx: Context, @Arg('input', () => RemoveEventKindMappingInput) input: RemoveEventKindMappingInput) {
    return removeEventKindMapping(ctx, input.eventName);
  }
}
