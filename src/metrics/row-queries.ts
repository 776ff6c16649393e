import type { AttributionQuery } from './attribution.params';
import type { CampaignPerformanceRow } from './attribution.types';

/**
 * The question each campaign performance row answers (window, model, settings), kept beside the
 * row rather than on it, so that rows compare and serialize as their figures alone: the deals
 * behind a row are found with it (campaign-deals.ts).
 */
const queries = new WeakMap<CampaignPerformanceRow, AttributionQuery>();

/** Remembers the query of `row`; returns the row. */
export function withRowQuery(row: CampaignPerformanceRow, q: AttributionQuery): CampaignPerformanceRow {
  queries.set(row, q);
  return row;
}

/** The query a row was computed for; undefined for a row made elsewhere. */
export function rowQuery(row: CampaignPerformanceRow): AttributionQuery | undefined {
  return queries.get(row);
}
