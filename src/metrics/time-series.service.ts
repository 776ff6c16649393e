import { Channel } from '../common/enums';
import type { Context } from '../graphql/context';
import { AttributionQuery, rowFilters, settingsQuery, SqlGrain } from './attribution.params';
import { PerformanceRecord, queryPerformance } from './attribution.service';
import { compareIds, loadCampaigns, zeroTotalRecord } from './performance.service';
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
 * performance over it; one statement for the whole series (plus the transition
 * counts under DATA_DRIVEN, whose chain is solved per period).
 */
export async function revenueTimeSeries(ctx: Context, q: AttributionQuery): Promise<RevenueTimeSeries> {
  const grain = (q.grain ?? 'day').toUpperCase() as TimeGrain;
  const by = q.rowKey as TimeSeriesDimension;
  const model = q.models[0]!.model;
  const periods = periodsOf(q.from, q.to, grain);
  const periodOf = new Map(periods.map((p) => [p.periodStart.getTime(), p]));
  const records = await queryPerformance(ctx, q);
  const row = (period: SeriesPeriod, r: PerformanceRecord): RevenueTimeSeriesRow =>
    Object.assign(new RevenueTimeSeriesRow(), {
      ...period,
      campaign: null,
      channel: null,
      spend: r.spend,
      attributedPipeline: r.attributedPipeline,
      attributedRevenue: r.attributedRevenue,
      unattributedPipeline: r.unattributedPipeline,
      unattributedRevenue: r.unattributedRevenue,
    });

  if (by === TimeSeriesDimension.NONE) {
    const totals = new Map(records.filter((r) => r.rowKind === 'TOTAL').map((r) => [r.periodStart.getTime(), r]));
    const rows = periods.map((p) => row(p, totals.get(p.periodStart.getTime()) ?? zeroTotalRecord(q, model, p.periodStart)));
    return Object.assign(new RevenueTimeSeries(), { grain, by, model, rows });
  }

  const keyed = records
    .filter((r) => r.rowKind === 'ROW')
    .sort(
      (a, b) =>
        a.periodStart.getTime() - b.periodStart.getTime() ||
        (by === TimeSeriesDimension.CAMPAIGN ? compareIds(a.rowKey ?? '', b.rowKey ?? '') : (a.rowKey ?? '').localeCompare(b.rowKey ?? '')),
    );
  const campaigns = by === TimeSeriesDimension.CAMPAIGN ? await loadCampaigns(ctx, keyed.map((r) => r.rowKey ?? '')) : new Map();
  const rows = keyed.map((r) => {
    const period = periodOf.get(r.periodStart.getTime());
    if (!period) throw new Error(`period ${r.periodStart.toISOString()} is outside the series`);
    const campaign = by === TimeSeriesDimension.CAMPAIGN ? (campaigns.get(r.rowKey ?? '') ?? null) : null;
    return Object.assign(row(period, r), {
      campaign,
      channel: campaign ? campaign.channel : (r.rowKey as Channel),
      unattributedPipeline: null,
      unattributedRevenue: null,
    });
  });
  return Object.assign(new RevenueTimeSeries(), { grain, by, model, rows });
}
