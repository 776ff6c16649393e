import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../graphql/context';
import { AttributionComparisonInput, CampaignPerformanceInput, ChannelPerformanceInput } from './attribution.inputs';
import { rowFilters, settingsQuery } from './attribution.params';
import { AttributionComparison, CampaignPerformanceReport, ChannelPerformanceReport } from './attribution.types';
import { attributionComparison, comparisonQuery } from './comparison.service';
import { campaignPerformance, channelPerformance } from './performance.service';
import { revenueTimeSeries, timeSeriesQuery } from './time-series.service';
import { RevenueTimeSeries, RevenueTimeSeriesInput } from './time-series.types';

/** Attribution reports: performance by campaign and channel, the model comparison and the time series. */
@Resolver()
export class AttributionResolver {
  @Query(() => CampaignPerformanceReport, {
    description: 'Spend, touches, leads, MQLs and attributed pipeline and revenue per campaign over a window (docs/metrics.md, section "Campaign performance").',
  })
  campaignPerformance(
    @Ctx() ctx: Context,
    @Arg('input', () => CampaignPerformanceInput, { description: 'Window, model and filters.' }) input: CampaignPerformanceInput,
  ): Promise<CampaignPerformanceReport> {
    return campaignPerformance(ctx, { ...settingsQuery('input', input), ...rowFilters('input', input) });
  }

  @Query(() => ChannelPerformanceReport, { description: 'Campaign performance summed per channel (docs/metrics.md, section "Campaign performance").' })
  channelPerformance(
    @Ctx() ctx: Context,
    @Arg('input', () => ChannelPerformanceInput, { description: 'Window, model and filters.' }) input: ChannelPerformanceInput,
  ): Promise<ChannelPerformanceReport> {
    return channelPerformance(ctx, { ...settingsQuery('input', input), ...rowFilters('input', input) });
  }

  @Query(() => AttributionComparison, { description: 'Revenue won in a window attributed under every model, side by side (docs/metrics.md, section "Attribution comparison").' })
  attributionComparison(
    @Ctx() ctx: Context,
    @Arg('input', () => AttributionComparisonInput, { description: 'Window, journey settings and rows.' }) input: AttributionComparisonInput,
  ): Promise<AttributionComparison> {
    return attributionComparison(ctx, comparisonQuery('input', input));
  }

  @Query(() => RevenueTimeSeries, { description: 'Spend vs attributed pipeline and revenue by day, week, month or quarter, UTC (docs/metrics.md, section "Revenue time series").' })
  revenueTimeSeries(
    @Ctx() ctx: Context,
    @Arg('input', () => RevenueTimeSeriesInput, { description: 'Window, grain, model and rows.' }) input: RevenueTimeSeriesInput,
  ): Promise<RevenueTimeSeries> {
    return revenueTimeSeries(ctx, timeSeriesQuery('input', input));
  }
}
