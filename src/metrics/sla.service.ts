import { metricQuery } from '../db/metric-work';
import type { Context } from '../graphql/context';
import { resolveAsOf } from './metric-args';
import { SLA_FOLLOW_UP_SQL, SLA_MONTHS_SQL } from './sla.sql';
import { SlaComplianceInput, SlaComplianceReport, SlaMonth } from './sla.types';

interface FollowUpRow {
  mqls: number;
  within: number;
  breached: number;
  pending: number;
  noAgreement: number;
  responded: number;
  medianResponseHours: number | null;
}

/** SLA compliance both ways for the MQLs of a window (two SQL statements). */
export async function slaComplianceReport(ctx: Pick<Context, 'ds'>, input: SlaComplianceInput): Promise<SlaComplianceReport> {
  const asOf = resolveAsOf(input.asOf);
  const params = [input.window.from, input.window.to, asOf];
  const [followUp, months] = await Promise.all([
    metricQuery(ctx, SLA_FOLLOW_UP_SQL, params) as Promise<FollowUpRow[]>,
    metricQuery(ctx, SLA_MONTHS_SQL, params) as Promise<SlaMonth[]>,
  ]);
  const totals = followUp[0];
  if (!totals) throw new Error('SLA follow-up query returned no row');
  const judged = totals.within + totals.breached;
  return {
    from: input.window.from,
    to: input.window.to,
    asOf,
    ...totals,
    complianceRate: judged === 0 ? null : totals.within / judged,
    months,
  };
}
