import { metricQuery } from '../db/metric-work';
import { Channel, FUNNEL_STAGES, LeadStage } from '../common/enums';
import type { Context } from '../graphql/context';
import { FUNNEL_SQL } from './funnel.sql';
import { FunnelGroupBy, FunnelInput, FunnelReport, FunnelSegment } from './funnel.types';

/** One row of FUNNEL_SQL: `count_<STAGE>` and `days_<STAGE>` (median days to the next stage) per stage. */
interface FunnelSqlRow {
  isTotal: boolean;
  channel: Channel | null;
  [column: string]: unknown;
}

/** The six stages of one group, each with the step to the next. */
function segment(channel: Channel | null, row: FunnelSqlRow | undefined): FunnelSegment {
  const countOf = (stage: LeadStage | undefined): number => (stage && row ? Number(row[`count_${stage}`] ?? 0) : 0);
  return {
    channel,
    stages: FUNNEL_STAGES.map((stage, i) => {
      const next = FUNNEL_STAGES[i + 1];
      const count = countOf(stage);
      return {
        stage,
        count,
        conversionRateToNext: next === undefined || count === 0 ? null : countOf(next) / count,
        medianDaysToNext: next === undefined ? null : ((row?.[`days_${stage}`] as number | null | undefined) ?? null),
      };
    }),
  };
}

/** The demand waterfall of the leads created in the window (one SQL statement). */
export async function funnelReport(ctx: Pick<Context, 'ds'>, input: FunnelInput): Promise<FunnelReport> {
  const groupBy = input.groupBy ?? FunnelGroupBy.NONE;
  const rows: FunnelSqlRow[] = await metricQuery(ctx, FUNNEL_SQL, [input.window.from, input.window.to, groupBy === FunnelGroupBy.CHANNEL]);
  const total = rows.find((r) => r.isTotal);
  // the SQL orders channels by name with the untouched leads (null) last
  const groups = rows.filter((r) => !r.isTotal);
  return {
    from: input.window.from,
    to: input.window.to,
    groupBy,
    total: segment(null, total),
    groups: groupBy === FunnelGroupBy.CHANNEL ? groups.map((r) => segment(r.channel, r)) : [],
  };
}
