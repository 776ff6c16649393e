import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { loadChildConnection } from '../db/list-query';
import { PageArgs } from '../graphql/connection';
import type { Context } from '../graphql/context';
import { byIdLoader } from '../graphql/entity-loaders';
import { fromGlobalId, toGlobalId } from '../graphql/node';
import { LocalDateScalar } from '../graphql/scalars';
import { Campaign } from './campaign.entity';
import { createCampaign, listCampaigns, recordSpend, spendListSpec, touchpointListSpec, updateCampaign } from './campaign.service';
import {
  CampaignConnection,
  CampaignFilter,
  CampaignOrder,
  CampaignSpendConnection,
  CreateCampaignInput,
  CreateCampaignPayload,
  RecordSpendInput,
  RecordSpendPayload,
  TouchpointConnection,
  TouchpointFilter,
  UpdateCampaignInput,
  UpdateCampaignPayload,
} from './campaign.types';
import { CampaignSpendFilter } from './touchpoint-list.types';

@Resolver(() => Campaign)
export class CampaignResolver {
  @FieldResolver(() => ID, { description: 'Globally unique id.' })
  id(@Root() campaign: Campaign): string {
    return toGlobalId('Campaign', campaign.id);
  }

  @Query(() => Campaign, { nullable: true, description: 'One campaign by id; null when there is none.' })
  campaign(@Ctx() ctx: Context, @Arg('id', () => ID, { description: 'Global id of the campaign.' }) id: string) {
    const decoded = fromGlobalId(id);
    return decoded?.type === 'Campaign' ? byIdLoader<Campaign>(ctx, Campaign).load(decoded.id) : null;
  }

  @Query(() => CampaignConnection, { description: 'Campaigns, filtered and ordered (by name unless told otherwise).' })
  campaigns(
    @Ctx() ctx: Context,
    @Args() page: PageArgs,
    @Arg('filter', () => CampaignFilter, { nullable: true, description: 'Which campaigns.' }) filter?: CampaignFilter,
    @Arg('orderBy', () => CampaignOrder, { nullable: true, description: 'Order; ties break on id.' }) orderBy?: CampaignOrder,
  ) {
    return listCampaigns(ctx, filter, orderBy, page);
  }

  @FieldResolver(() => CampaignSpendConnection, { description: 'Spend entries of the campaign, by day.' })
  spend(
    @Ctx() ctx: Context,
    @Root() campaign: Campaign,
    @Args() page: PageArgs,
    @Arg('from', () => LocalDateScalar, { nullable: true, description: 'First day included.' }) from?: string,
    @Arg('to', () => LocalDateScalar, { nullable: true, description: 'First day excluded.' }) to?: string,
    @Arg('filter', () => CampaignSpendFilter, { nullable: true, description: 'Which spend entries (with from and to).' }) filter?: CampaignSpendFilter,
  ) {
    return loadChildConnection(ctx, spendListSpec({ from, to }, filter), 'campaign_id', campaign.id, page);
  }

  @FieldResolver(() => TouchpointConnection, { description: 'Touchpoints of the campaign, in time order.' })
  touchpoints(
    @Ctx() ctx: Context,
    @Root() campaign: Campaign,
    @Args() page: PageArgs,
    @Arg('filter', () => TouchpointFilter, { nullable: true, description: 'Which touchpoints.' }) filter?: TouchpointFilter,
  ) {
    return loadChildConnection(ctx, touchpointListSpec(filter), 'campaign_id', campaign.id, page);
  }

  @Mutation(() => CreateCampaignPayload, { description: 'Creates a campaign.' })
  async createCampaign(@Ctx() ctx: Context, @Arg('input', () => CreateCampaignInput) input: CreateCampaignInput): Promise<CreateCampaignPayload> {
    return { campaign: await createCampaign(ctx, input) };
  }

  @Mutation(() => UpdateCampaignPayload, { description: 'Changes a campaign; pass `version` to refuse concurrent edits.' })
  async updateCampaign(@Ctx() ctx: Context, @Arg('input', () => UpdateCampaignInput) input: UpdateCampaignInput): Promise<UpdateCampaignPayload> {
    return { campaign: await updateCampaign(ctx, input) };
  }

  @Mutation(() => RecordSpendPayload, { description: 'Records money spent on a campaign on a day.' })
  async recordSpend(@Ctx() ctx: Context, @Arg('input', () => RecordSpendInput) input: RecordSpendInput): Promise<RecordSpendPayload> {
    return { spend: await recordSpend(ctx, input) };
  }
}
