import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../graphql/context';
import { byIdLoader } from '../graphql/entity-loaders';
import { toGlobalId } from '../graphql/node';
import { Lead } from '../leads/lead.entity';
import { CampaignSpend } from './campaign-spend.entity';
import { Campaign } from './campaign.entity';
import { recordTouchpoint } from './campaign.service';
import { RecordTouchpointInput, RecordTouchpointPayload } from './campaign.types';
import { Touchpoint } from './touchpoint.entity';

@Resolver(() => Touchpoint)
export class TouchpointResolver {
  @FieldResolver(() => ID, { description: 'Globally unique id.' })
  id(@Root() touchpoint: Touchpoint): string {
    return toGlobalId('Touchpoint', touchpoint.id);
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

  @FieldResolver(() => Campaign, { description: 'The campaign the money was spent on.' })
  campaign(@Ctx() ctx: Context, @Root() spend: CampaignSpend) {
    return byIdLoader<Campaign>(ctx, Campaign).load(spend.campaignId);
  }
}
