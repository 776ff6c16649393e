import { Arg, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { Campaign } from '../campaigns/campaign.entity';
import type { Context } from '../graphql/context';
import { CampaignMetricsInput } from './attribution.inputs';
import { settingsQuery } from './attribution.params';
import { CampaignPerformanceRow } from './attribution.types';
import { loadCampaignPerformance } from './performance.service';

/** Metrics fields of Campaign; batched, so a list of campaigns costs one statement. */
@Resolver(() => Campaign)
export class CampaignMetricsResolver {
  @FieldResolver(() => CampaignPerformanceRow, { description: "The campaign's performance row over a window, as in campaignPerformance." })
  performance(
    @Root() campaign: Campaign,
    @Ctx() ctx: Context,
    @Arg('input', () => CampaignMetricsInput, { description: 'Window and model.' }) input: CampaignMetricsInput,
  ): Promise<CampaignPerformanceRow> {
    return loadCampaignPerformance(ctx, settingsQuery('input', input), campaign);
  }
}
