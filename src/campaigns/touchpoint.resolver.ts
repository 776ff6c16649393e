import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { PageArgs } from '../graphql/connection';
import type { Context } from '../graphql/context';
import { byIdLoader } from '../graphql/entity-loaders';
import { toGlobalId } from '../graphql/node';
import { Lead } from '../leads/lead.entity';
import { CampaignSpend } from './campaign-spend.entity';
import { Campaign } from './campaign.entity';
import { recordTouchpoint } from './campaign.service';
import { CampaignSpendConnection, RecordTouchpointInput, RecordTouchpointPayload, TouchpointConnection, TouchpointFilter } from './campaign.types';
import { listCampaignSpend, listTouchpoints } from './touchpoint-list';
import { CampaignSpendFilter, CampaignSpendOrder, TouchpointOrder } from './touchpoint-list.types';
import { Touchpoint } from './touchpoint.entity';

@Resolver(() => Touchpoint)
export class TouchpointResolver {
  @FieldResolver(() => ID, { description: 'Globally unique id.' })
  id(@Root() touchpoint: Touchpoint): string {
    return toGlobalId('Touchpoint', touchpoint.id);
  }

  @Query(() => TouchpointConnection, { description: 'Touchpoints of every lead and campaign, filtered and ordered (in time order unless told otherwise).' })
  touchpoints(
    @Ctx() ctx: Context,
    @Args() page: PageArgs,
    @Arg('filter', () => TouchpointFilter, { nullable: true, description: 'Which touchpoints.' }) filter?: TouchpointFilter,
    @Arg('orderBy', () => TouchpointOrder, { nullable: true, description: 'Order; ties break on id.' }) orderBy?: TouchpointOrder,
  ) {
    return listTouchpoints(ctx, filter, orderBy, page);
  }

  @FieldResolver(() => Campaign, { description: 'The campaign touched.' })
  campaign(@Ctx() ctx: Context, @Root() touchpoint: Touchpoint) {
    return byIdLoader<Campaign>(ctx, Campaign).load(touchpoint.campaignId);
  }

  @FieldResolver(() => Lead, { description: 'The lead who interacted.' })
  lead(@Ctx() ctx: Context, @Root() touchpoint: Touchpoint) {
    return byIdLoader<Lead>(ctx, Lead).load(touchpoint.leadId);
  }

  @Mutation(() => RecordTouchpointPayload, { description: 'Records an interaction of a lead with a campaign.' })
  async recordTouchpoint(
    @Ctx() ctx: Context,
    @Arg('input', () => RecordTouchpointInput) input: RecordTouchpointInput,
  ): Promise<RecordTouchpointPayload> {
    return { touchpoint: await recordTouchpoint(ctx, input) };
  }
}

@Resolver(() => CampaignSpend)
export class CampaignSpendResolver {
  @FieldResolver(() => ID, { description: 'Globally unique id.' })
  id(@Root() spend: CampaignSpend): string {
    return toGlobalId('CampaignSpend', spend.id);
  }

  @Query(() => CampaignSpendConnection, { description: 'Spend entries of every campaign, filtered and ordered (by day unless told otherwise).' })
  campaignSpend(
    @Ctx() ctx: Context,
    @Args() page: PageArgs,
    @Arg('filter', () => CampaignSpendFilter, { nullable: true, description: 'Which spend entries.' }) filter?: CampaignSpendFilter,
    @Arg('orderBy', () => CampaignSpendOrder, { nullable: true, description: 'Order; ties break on id.' }) orderBy?: CampaignSpendOrder,
  ) {
    return listCampaignSpend(ctx, filter, orderBy, page);
  }

  @FieldResolver(() => Campaign, { description: 'The campaign the money was spent on.' })
  campaign(@Ctx() ctx: Context, @Root() spend: CampaignSpend) {
    return byIdLoader<Campaign>(ctx, Campaign).load(spend.campaignId);
  }
}
