import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { Campaign } from '../campaigns/campaign.entity';
import type { Context } from '../graphql/context';
import { byIdLoader } from '../graphql/entity-loaders';
import { leadFeedbackSummary } from './feedback.service';
import { CampaignLeadFeedback, LeadFeedbackSummary, LeadFeedbackSummaryInput } from './feedback.types';
import { validateWindow } from './metric-args';

@Resolver(() => LeadFeedbackSummary)
export class LeadFeedbackSummaryResolver {
  @Query(() => LeadFeedbackSummary, {
    description:
      "Closed-loop feedback: sales' accepted and rejected leads of a window, with rejection reasons and rates, by campaign and channel of the lead's first touch (docs/metrics.md, section \"Closed-loop feedback\").",
  })
  async leadFeedbackSummary(
    @Arg('input', () => LeadFeedbackSummaryInput, { description: 'Window on givenAt.' }) input: LeadFeedbackSummaryInput,
    @Ctx() ctx: Context,
  ): Promise<LeadFeedbackSummary> {
    validateWindow('input.window', input.window);
    return leadFeedbackSummary(ctx, input);
  }
}

@Resolver(() => CampaignLeadFeedback)
export class CampaignLeadFeedbackResolver {
  @FieldResolver(() => Campaign, { nullable: true, description: 'The first-touch campaign; null for leads without any touch.' })
  campaign(@Root() row: CampaignLeadFeedback, @Ctx() ctx: Context): Promise<Campaign | null> | null {
    return row.campaignId === null ? null : byIdLoader<Campaign>(ctx, Campaign).load(row.campaignId);
  }
}
