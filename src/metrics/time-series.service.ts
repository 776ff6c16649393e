import { Channel } from '../common/enums';
import { TooLargeError } from '../graphql/errors';
import type { Context } from '../graphql/context';
import { AttributionQuery, rowFilters, settingsQuery, SqlGrain } from './attribution.params';
import { queryTimeSeries } from './attribution.service';
import { loadCampaigns } from './performance.service';
import { RevenueTimeSeries, RevenueTimeSeriesInput, RevenueTimeSeriesRow, TimeGrain, TimeSeriesDimension } from './time-series.types';

/** A period of a series: its calendar start and the part of it inside the window. */
export interface SeriesPeriod {
  periodStart: Date;
  from: Date;
  to: Date;
}

/** Validates the time-series arguments. */
export function timeSeriesQuery(field: string, input: RevenueTimeSeriesInput): AttributionQuery {
  return {
    ...settingsQuery(field, input),
    ...rowFilters(field, input),
    grain: input.grain.toLowerCase() as SqlGrain,
    rowKey: input.by,
    activity: 'SPEND', // the series shows spend, not touches, leads or MQLs
  };
}

/** Start of the UTC calendar period holding `t` (weeks start Monday). */
export function periodStartOf(t: Date, grain: TimeGrain): Date {
  const y = t.getUTCFullYear();
  const m = t.getUTCMonth();
  const d = t.getUTCDate();
  switch (grain) {
    case TimeGrain.DAY:
      return new Date(Date.UTC(y, m, d));
    case TimeGrain.WEEK:
      return new Date(Date.UTC(y, m, d - ((t.getUTCDay() + 6) % 7)));
    case TimeGrain.MONTH:
      return new Date(Date.UTC(y, m, 1));
    case TimeGrain.QUARTER:
      return new Date(Date.UTC(y, m - (m % 3), 1));
  }
}

function nextPeriodStart(start: Date, grain: TimeGrain): Date {
  const y = start.getUTCFullYear();
  const m = start.getUTCMonth();
  const d = start.getUTCDate();
  switch (grain) {
    case TimeGrain.DAY:
      return new Date(Date.UTC(y, m, d + 1));
    case TimeGrain.WEEK:
      return new Date(Date.UTC(y, m, d + 7));
    case TimeGrain.MONTH:
      return new Date(Date.UTC(y, m + 1, 1));
    case TimeGrain.QUARTER:
      return new Date(Date.UTC(y, m + 3, 1));
  }
}

/** The periods covering [from, to), the first and last clipped to the window. */
export function periodsOf(from: Date, to: Date, grain: TimeGrain): SeriesPeriod[] {
  const periods: SeriesPeriod[] = [];
  for (let start = periodStartOf(from, grain); start < to; start = nextPeriodStart(start, grain)) {
    const end = nextPeriodStart(start, grain);
    periods.push({ periodStart: start, from: start < from ? from : start, to: end > to ? to : end });
  }
  return periods;
}

/**
 * Spend and attributed amounts period by period, each period computed as campaign
 * performance over it: bi.time_series_report (sql/bi/time-series.sql), the definition SQL
 * callers use too (plus the transition counts under DATA_DRIVEN, whose chain is solved per period).
 */
export async function revenueTimeSeries(ctx: Context, q: AttributionQuery): Promise<RevenueTimeSeries> {
  const grain = (q.grain ?? 'day').toUpperCase() as TimeGrain;
  const by = q.rowKey as TimeSeriesDimension;
  const model = q.models[0]!.model;
  // one row more than the limit says that there are more: the request is refused, not cut short
  const maxRows = ctx.config.limits.maxSeriesRows;
  const records = await queryTimeSeries(ctx, q, maxRows + 1);
  if (records.length > maxRows) {
    throw new TooLargeError(
      'input',
      `the series has more than ${maxRows.toLocaleString('en-US')} rows (one per period${by === TimeSeriesDimension.NONE ? '' : ` and ${by.toLowerCase()}`}), the most one answer holds: ` +
        'ask for a coarser grain, a shorter window or fewer campaigns or channels (BI tools read any length from bi.revenue_time_series)',
    );
  }
  const campaigns = by === TimeSeriesDimension.CAMPAIGN ? await loadCampaigns(ctx, records.map((r) => r.campaignId ?? '')) : new Map();
  const rows = records.map((r) =>
    Object.assign(new RevenueTimeSeriesRow(), {
      periodStart: r.periodStart,
      from: r.from,
      to: r.to,
      campaign: r.campaignId === null ? null : (campaigns.get(r.campaignId) ?? null),
      channel: r.channel as Channel | null,
      spend: r.spend,
      attributedPipeline: r.attributedPipeline,
      attributedRevenue: r.attributedRevenue,
      unattributedPipeline: r.unattributedPipeline,
      unattributedRevenue: r.unattributedRevenue,
    }),
  );
  return Object.assign(new RevenueTimeSeries(), { grain, by, model, rows });
}
