import type { DataSource } from 'typeorm';
import { withPgClient } from '../seed/load-demo';

/** Leads scored per transaction of a refresh: short, so that writers wait at most that long. */
export const STORED_SCORES_BATCH = 1_000;

export interface StoredScoresRefresh {
  /** Leads scored and stored. */
  refreshed: number;
  /** Batches skipped because writers were in flight (the next run retries). */
  busy: number;
}

/**
 * Brings the stored lead scores (migration 1732800000000) up to date: scores, in short
 * transactions of STORED_SCORES_BATCH leads, every lead without a fresh row under the policy in
 * force now (written to since, scored under another policy, a touch due or leaving the window),
 * until none is left, `budgetMs` has passed or `stopped()` says so. A batch never waits for writers: when one is in
 * flight it is skipped and counted in `busy`. Lists are exact either way (a lead without a fresh
 * row is computed when asked for); this only keeps them fast.
 */
export async function refreshStoredScores(
  ds: DataSource,
  options: { budgetMs?: number; batch?: number; stopped?: () => boolean } = {},
): Promise<StoredScoresRefresh> {
  const { budgetMs = 10_000, batch = STORED_SCORES_BATCH, stopped = () => false } = options;
  const started = Date.now();
  const result: StoredScoresRefresh = { refreshed: 0, busy: 0 };
  await withPgClient(ds, async (client) => {
    while (Date.now() - started < budgetMs && !stopped()) {
      await client.query('BEGIN');
      let n: number;
      try {
        await client.query(`SELECT set_config('statement_timeout', '0', true), set_config('lock_timeout', '2s', true)`);
        const { rows } = await client.query<{ n: number }>(`SELECT lead_scores_refresh($1) AS n`, [batch]);
        n = rows[0]?.n ?? 0;
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
      if (n < 0) {
        result.busy += 1;
        break;
      }
      result.refreshed += n;
      if (n < batch) break;
    }
  });
  return result;
}
