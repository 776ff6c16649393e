import { metricQuery } from '../db/metric-work';
import type { Context } from '../graphql/context';
import { AcquisitionCostInput, AcquisitionCostReport } from './acquisition-cost.types';

/**
 * New customers: accounts whose first win ever closed in [$1, $2). Spend: entries whose day,
 * taken at 00:00 UTC, lies in the window. CAC keeps full precision until the final rounding.
 */
export const ACQUISITION_COST_SQL = `
WITH first_wins AS (
  SELECT o.account_id, min(o.closed_at) AS first_won_at
    FROM opportunities o
   WHERE o.stage = 'CLOSED_WON'
   GROUP BY o.account_id
),
new_customers AS (
  SELECT count(*)::int AS n FROM first_wins WHERE first_won_at >= $1 AND first_won_at < $2
),
window_spend AS (
  SELECT coalesce(sum(s.amount), 0) AS total
    FROM campaign_spend s
   WHERE s.spent_on >= ($1::timestamptz AT TIME ZONE 'UTC') AND s.spent_on < ($2::timestamptz AT TIME ZONE 'UTC')
)
SELECT nc.n AS "newCustomers",
       round(ws.total, 2)::text AS spend,
       round(ws.total / nullif(nc.n, 0), 2)::text AS cac
  FROM new_customers nc CROSS JOIN window_spend ws
`;

/** Customer acquisition cost of a window (one statement). */
export async function acquisitionCost(ctx: Pick<Context, 'ds'>, input: AcquisitionCostInput): Promise<AcquisitionCostReport> {
  const { from, to } = input.window;
  const [row]: Pick<AcquisitionCostReport, 'newCustomers' | 'spend' | 'cac'>[] = await metricQuery(ctx, ACQUISITION_COST_SQL, [from, to]);
  if (!row) throw new Error('acquisition cost query returned no row');
  return { from, to, ...row };
}
