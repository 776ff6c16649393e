import type { QueryResultRow } from 'pg';
import type { PgClient } from './copy-loader';

/**
 * The caches the attribution reports read (migrations 1732510000000, 1732520000000 and 1732880000000): kept
 * current on write by statement-level triggers, which fire for COPY too. A bulk load would
 * recompute them table by table, partly while the loaded tables have no indexes; it is
 * faster to suspend those triggers and rebuild the caches once, after the indexes are back.
 */
export const CACHE_TABLES = [
  'attribution_journeys',
  'attribution_paths',
  'attribution_monthly',
  'attribution_model_monthly',
  'attribution_mask_monthly',
  'attribution_monthly_totals',
  'campaign_daily_touches',
  'lead_first_touches',
  'campaign_daily_sourcing',
  'opportunity_monthly_totals',
];

/** The cache triggers on `tables`, when the current role may alter them (only an owner may disable a trigger). */
const CACHE_TRIGGERS_SQL = `
  SELECT format('ALTER TABLE %s DISABLE TRIGGER %I', t.tgrelid::regclass, t.tgname) AS disable,
         format('ALTER TABLE %s ENABLE TRIGGER %I', t.tgrelid::regclass, t.tgname) AS enable
    FROM pg_trigger t
    JOIN pg_class c ON c.oid = t.tgrelid
   WHERE NOT t.tgisinternal AND t.tgname ~ '^(attribution_cache|campaign_activity|opportunity_totals)_'
     AND t.tgrelid = ANY ($1::regclass[]) AND pg_has_role(c.relowner, 'USAGE')
   ORDER BY 1`;

/**
 * Disables the cache triggers of `tables` for a bulk load in the current transaction; call
 * `restore()` once the loaded tables have their indexes back, still in that transaction: it
 * enables the triggers again, rebuilds the activity cache and the opportunity totals (seconds) and empties the attribution
 * cache, marked not ready, so that reports answer from the touches as soon as the load commits.
 * It returns whether the attribution cache must then be built (attribution_cache_rebuild, in a
 * transaction of its own). When the role may not alter the tables, the triggers stay in place
 * (slower, as correct), the caches are current at commit and `restore()` returns false.
 */
export async function suspendCacheTriggers(client: PgClient, tables: readonly string[]): Promise<{ restore(): Promise<boolean> }> {
  const triggers = (await client.query<{ disable: string; enable: string }>(CACHE_TRIGGERS_SQL, [tables])).rows;
  for (const { disable } of triggers) await client.query(disable);
  return {
    async restore() {
      if (triggers.length === 0) return false;
      for (const { enable } of triggers) await client.query(enable);
      // the first touches are joined from these: plan with their real sizes, not an empty table's
      await client.query('ANALYZE leads, touchpoints, opportunities');
      await client.query('SELECT campaign_activity_rebuild(), opportunity_totals_rebuild(), attribution_cache_invalidate()');
      return true;
    },
  };
}

/** Builds the attribution cache in a transaction of its own (no statement timeout: minutes on years of touches). */
export async function buildAttributionCacheNow(client: PgClient): Promise<void> {
  await inTransaction(client, 'SELECT attribution_cache_rebuild()');
}

/**
 * Stores every lead's score under the policy in force now (migration 1732800000000), in one
 * transaction (a bulk load has no writers to keep waiting); lists by score are exact without it,
 * and fast with it.
 */
export async function storeLeadScoresNow(client: PgClient): Promise<void> {
  await inTransaction(client, 'SELECT lead_scores_refresh(2147483647)');
}

/**
 * Builds the attribution cache when it is not ready (a load that stopped before building it,
 * or a database migrated with deals already in it); returns whether it did. The server runs
 * this in the background at start; reports read the touches until it is done.
 */
export async function ensureAttributionCache(client: PgClient): Promise<boolean> {
  const result = await inTransaction<{ built: boolean }>(client, 'SELECT attribution_cache_ensure() AS built');
  return result[0]?.built === true;
}

async function inTransaction<R extends QueryResultRow>(client: PgClient, sql: string): Promise<R[]> {
  await client.query('BEGIN');
  try {
    await client.query('SET LOCAL statement_timeout = 0');
    const { rows } = await client.query<R>(sql);
    await client.query('COMMIT');
    return rows;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
