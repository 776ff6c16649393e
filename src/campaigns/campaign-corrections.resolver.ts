import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { DeletePayload } from '../common/corrections';
import type { Context } from '../graphql/context';
import { DeleteCampaignInput, DeleteSpendInput, DeleteTouchpointInput, UpdateSpendInput, UpdateSpendPayload, UpdateTouchpointInput, UpdateTouchpointPayload } from './campaign-corrections.types';
import { deleteCampaign, deleteSpend, deleteTouchpoint, updateSpend, updateTouchpoint } from './touchpoint-corrections';

/** Corrections of touchpoints and spend, and deletion of campaigns (README "Corrections and erasure"). */
@Resolver()
export class CampaignCorrectionsResolver {
  @Mutation(() => UpdateTouchpointPayload, {
    description: 'Corrects a touchpoint (lead, campaign, kind, time); every metric and cache reflects it at once. Roles that may not back-date only correct touchpoints of the last BACKDATE_TOLERANCE_MINUTES.',
  })
  async updateTouchpoint(@Ctx() ctx: Context, @Arg('input', () => UpdateTouchpointInput) input: UpdateTouchpointInput): Promise<UpdateTouchpointPayload> {
    return { touchpoint: await updateTouchpoint(ctx, input) };
  }

  @Mutation(() => DeletePayload, {
    description: 'Deletes a touchpoint recorded in error; roles that may not back-date only delete touchpoints of the last BACKDATE_TOLERANCE_MINUTES.',
  })
  deleteTouchpoint(@Ctx() ctx: Context, @Arg('input', () => DeleteTouchpointInput) input: DeleteTouchpointInput): Promise<DeletePayload> {
    return deleteTouchpoint(ctx, input);
  }

  @Mutation(() => UpdateSpendPayload, { description: 'Corrects a spend entry (campaign, day, amount).' })
  async updateSpend(@Ctx() ctx: Context, @Arg('input', () => UpdateSpendInput) input: UpdateSpendInput): Promise<UpdateSpendPayload> {
    return { spend: await updateSpend(ctx, input) };
  }

  @Mutation(() => DeletePayload, { description: 'Deletes a spend entry recorded in error.' })
  deleteSpend(@Ctx() ctx: Context, @Arg('input', () => DeleteSpendInput) input: DeleteSpendInput): Promise<DeletePayload> {
    return deleteSpend(ctx, input);
  }

  @Mutation(() => DeletePayload, {
    description: 'Deletes a campaign; one with touchpoints or spend entries is refused with CONFLICT naming them, unless `cascade: true`.',
  })
  deleteCampaign(@Ctx() ctx: Context, @Arg('input', () => DeleteCampaignInput) input: DeleteCampaignInput): Promise<DeletePayload> {
    return deleteCampaign(ctx, input);
  }
}
