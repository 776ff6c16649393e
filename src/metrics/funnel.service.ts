import { Channel, FUNNEL_STAGES, LeadStage } from '../common/enums';
import type { Context } from '../graphql/context';
import { FUNNEL_SQL } from './funnel.sql';
import { FunnelGroupBy, FunnelInput, FunnelReport, FunnelSegment, FunnelStageRow } from './funnel.types';

interface FunnelSqlRow {
  isTotal: boolean;
  channel: Channel | null;
  position: number;
  stage: LeadStage;
  reached: number;
  reachedNext: number;
  medianDaysToNext: number | null;
}

function stageRow(stage: LeadStage, row: FunnelSqlRow | undefined): FunnelStageRow {
  const isLast = stage === LeadStage.CUSTOMER;
  const count = row?.reached ?? 0;
  return {
    stage,
    count,
    conversionRateToNext: isLast || count === 0 ? null : (row?.reachedNext ?? 0) / count,
    medianDaysToNext: isLast ? null : (row?.medianDaysToNext ?? null),
  };
}

/** The six stages of one group, zero-filled for stages no row came back for. */
function segment(channel: Channel | null, rows: FunnelSqlRow[]): FunnelSegment {
  const byStage = new Map(rows.map((r) => [r.stage, r]));
  return { channel, stages: FUNNEL_STAGES.map((stage) => stageRow(stage, byStage.get(stage))) };
}

/** The demand waterfall of the leads created in the window (one SQL statement). */
export async function funnelReport(ctx: Pick<Context, 'ds'>, input: FunnelInput): Promise<FunnelReport> {
  const groupBy = input.groupBy ?? FunnelGroupBy.NONE;
  const rows: FunnelSqlRow[] = await ctx.ds.query(FUNNEL_SQL, [input.window.from, input.window.to, groupBy === FunnelGroupBy.CHANNEL]);
  const groups = new Map<Channel | null, FunnelSqlRow[]>();
  const totalRows: FunnelSqlRow[] = [];
  for (const row of rows) {
    if (row.isTotal) {
      totalRows.push(row);
      continue;
    }
    const list = groups.get(row.channel) ?? [];
    list.push(row);
    groups.set(row.channel, list);
  }
  return {
    from: input.window.from,
    to: input.window.to,
    groupBy,
    total: segment(null, totalRows),
    // the SQL orders channels with the untouched leads (null) last; Map keeps that order
    groups: groupBy === FunnelGroupBy.CHANNEL ? [...groups].map(([channel, list]) => segment(channel, list)) : [],
  };
}
