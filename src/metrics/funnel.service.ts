import { metricQuery } from '../db/metric-work';
import { Channel, LeadStage } from '../common/enums';
import type { Context } from '../graphql/context';
import { FunnelGroupBy, FunnelInput, FunnelReport, FunnelSegment } from './funnel.types';

/**
 * The demand waterfall: bi.funnel (sql/bi/funnel.sql), the one definition that SQL callers
 * (BI roles) run too. One row per group and stage, the whole cohort first, then each channel
 * of first touch in name order and the untouched leads last; stages in order.
 */
export const FUNNEL_SQL = `
SELECT is_total AS "isTotal", channel, stage, count, conversion_rate_to_next AS "conversionRateToNext",
       median_days_to_next AS "medianDaysToNext"
FROM bi.funnel($1::timestamptz, $2::timestamptz, $3::text)`;

interface FunnelSqlRow {
  isTotal: boolean;
  channel: Channel | null;
  stage: LeadStage;
  count: number;
  conversionRateToNext: number | null;
  medianDaysToNext: number | null;
}

/** The demand waterfall of the leads created in the window (one SQL statement). */
export async function funnelReport(ctx: Pick<Context, 'ds'>, input: FunnelInput): Promise<FunnelReport> {
  const groupBy = input.groupBy ?? FunnelGroupBy.NONE;
  const rows: FunnelSqlRow[] = await metricQuery(ctx, FUNNEL_SQL, [input.window.from, input.window.to, groupBy]);
  const segments: (FunnelSegment & { isTotal: boolean })[] = [];
  for (const row of rows) {
    let last = segments[segments.length - 1];
    if (!last || last.isTotal !== row.isTotal || last.channel !== row.channel) {
      last = { isTotal: row.isTotal, channel: row.channel, stages: [] };
      segments.push(last);
    }
    last.stages.push({
      stage: row.stage,
      count: row.count,
      conversionRateToNext: row.conversionRateToNext,
      medianDaysToNext: row.medianDaysToNext,
    });
  }
  const [total, ...groups] = segments.map(({ isTotal: _isTotal, ...segment }) => segment);
  if (!total) throw new Error('bi.funnel returned no total');
  return { from: input.window.from, to: input.window.to, groupBy, total, groups };
}
