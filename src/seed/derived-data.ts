import type { PgClient } from './copy-loader';

/**
 * The caches the attribution reports read (migrations 1732510000000 and 1732520000000): kept
 * current on write by statement-level triggers, which fire for COPY too. A bulk load would
 * recompute them table by table, partly while the loaded tables have no indexes; it is
 * faster to suspend those triggers and rebuild the caches once, after the indexes are back.
 */
export const CACHE_TABLES = [
  'attribution_journeys',
  'attribution_paths',
  'attribution_monthly',
  'attribution_monthly_totals',
  'campaign_daily_touches',
  'lead_first_touches',
];

/** The cache triggers on `tables`, when the current role may alter them (only an owner may disable a trigger). */
const CACHE_TRIGGERS_SQL = `
  SELECT format('ALTER TABLE %s DISABLE TRIGGER %I', t.tgrelid::regclass, t.tgname) AS disable,
         format('ALTER TABLE %s ENABLE TRIGGER %I', t.tgrelid::regclass, t.tgname) AS enable
    FROM pg_trigger t
    JOIN pg_class c ON c.oid = t.tgrelid
   WHERE NOT t.tgisinternal AND t.tgname ~ '^(attribution_cache|campaign_activity)_'
     AND t.tgrelid = ANY ($1::regclass[]) AND pg_has_role(c.relowner, 'USAGE')
   ORDER BY 1`;

/**
 * Disables the cache triggers of `tables` for a bulk load in the current transaction; call
 * `rebuild()` once the loaded tables have their indexes back: it enables the triggers again
 * and rebuilds the caches from the loaded rows. When the role may not alter the tables, the
 * triggers stay in place (slower, as correct) and `rebuild()` does nothing.
 */
export async function suspendCacheTriggers(client: PgClient, tables: readonly string[]): Promise<{ rebuild(): Promise<void> }> {
  const triggers = (await client.query<{ disable: string; enable: string }>(CACHE_TRIGGERS_SQL, [tables])).rows;
  for (const { disable } of triggers) await client.query(disable);
  return {
    async rebuild() {
      if (triggers.length === 0) return;
      for (const { enable } of triggers) await client.query(enable);
      // the journeys are joined from these: plan with their real sizes, not an empty table's
      await client.query('ANALYZE leads, touchpoints, opportunities');
      await client.query('SELECT attribution_cache_rebuild(), campaign_activity_rebuild()');
    },
  };
}
