import { metricQuery } from '../db/metric-work';
import type { Context } from '../graphql/context';
import { AcquisitionCostInput, AcquisitionCostReport } from './acquisition-cost.types';

/**
 * Customer acquisition cost: bi.acquisition_cost (sql/bi/acquisition-cost.sql), the one
 * definition that SQL callers (BI roles) run too.
 */
export const ACQUISITION_COST_SQL = `
SELECT new_customers AS "newCustomers", spend, cac FROM bi.acquisition_cost($1::timestamptz, $2::timestamptz)`;

/** Customer acquisition cost of a window (one statement). */
export async function acquisitionCost(ctx: Pick<Context, 'ds'>, input: AcquisitionCostInput): Promise<AcquisitionCostReport> {
  const { from, to } = input.window;
  const [row]: Pick<AcquisitionCostReport, 'newCustomers' | 'spend' | 'cac'>[] = await metricQuery(ctx, ACQUISITION_COST_SQL, [from, to]);
  if (!row) throw new Error('acquisition cost query returned no row');
  return { from, to, ...row };
}
