import { metricQuery } from '../db/metric-work';
import type { Context } from '../graphql/context';
import { resolveAsOf } from './metric-args';
import { SlaComplianceInput, SlaComplianceReport, SlaMonth, SlaResponseTimeBand } from './sla.types';

/**
 * SLA compliance: bi.sla_follow_up, bi.sla_response_times and bi.sla_months (sql/bi/sla.sql), the
 * one definition that SQL callers (BI roles) run too.
 */
export const SLA_FOLLOW_UP_SQL = `
SELECT mqls, within, breached, pending, no_agreement AS "noAgreement", responded,
       compliance_rate AS "complianceRate", median_response_hours AS "medianResponseHours"
FROM bi.sla_follow_up($1::timestamptz, $2::timestamptz, $3::timestamptz)`;

export const SLA_RESPONSE_TIMES_SQL = `
SELECT from_hours AS "fromHours", to_hours AS "toHours", leads
FROM bi.sla_response_times($1::timestamptz, $2::timestamptz, $3::timestamptz)`;

export const SLA_MONTHS_SQL = `
SELECT month_start AS "monthStart", period_from AS "periodFrom", period_to AS "periodTo", full_month AS "fullMonth",
       agreement_version AS "agreementVersion", monthly_mql_target AS "monthlyMqlTarget",
       mqls_delivered AS "mqlsDelivered", attainment
FROM bi.sla_months($1::timestamptz, $2::timestamptz, $3::timestamptz)`;

interface FollowUpRow {
  mqls: number;
  within: number;
  breached: number;
  pending: number;
  noAgreement: number;
  responded: number;
  complianceRate: number | null;
  medianResponseHours: number | null;
}

/** SLA compliance both ways for the MQLs of a window (three SQL statements). */
export async function slaComplianceReport(ctx: Pick<Context, 'ds'>, input: SlaComplianceInput): Promise<SlaComplianceReport> {
  const asOf = resolveAsOf(input.asOf);
  const params = [input.window.from, input.window.to, asOf];
  const [followUp, responseTimes, months] = await Promise.all([
    metricQuery(ctx, SLA_FOLLOW_UP_SQL, params) as Promise<FollowUpRow[]>,
    metricQuery(ctx, SLA_RESPONSE_TIMES_SQL, params) as Promise<SlaResponseTimeBand[]>,
    metricQuery(ctx, SLA_MONTHS_SQL, params) as Promise<SlaMonth[]>,
  ]);
  const totals = followUp[0];
  if (!totals) throw new Error('SLA follow-up query returned no row');
  return { from: input.window.from, to: input.window.to, asOf, ...totals, responseTimes, months };
}
