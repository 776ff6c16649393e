import type { PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import { withoutQueryTimeout } from '../db/data-source';
import { withDeferredConstraints } from './bulk-load';
import { copyRows, PgClient } from './copy-loader';
import { buildAttributionCacheNow, CACHE_TABLES, storeLeadScoresNow, suspendCacheTriggers } from './derived-data';
import { DEMO_TABLES } from './demo-generator';
import { insertDemoPolicies } from './demo-policies';
import { createDemoPlan, DemoOptions } from './demo-plan';

export type { DemoOptions, DemoSize, DemoSizeOption } from './demo-plan';
export { parseDemoSize, resolveDemoSize } from './demo-plan';

export interface DemoLoadResult {
  /** Rows stored per table, in load order. */
  rows: Record<string, number>;
  /** Wall time until the rows are committed and analyzed: from then on every query answers. */
  ms: number;
  /** Wall time of building the attribution cache afterwards (reports read the touches meanwhile). */
  cacheMs: number;
}

export interface LoadDemoOptions extends DemoOptions {
  /** Told the wall time of each step as it ends (timing runs). */
  onStep?: (step: string, ms: number) => void;
}

/** The demo only goes into a database without business data. */
export class DemoDataError extends Error {
  override name = 'DemoDataError';
}

/** Tables that must be empty; users may exist already (e.g. an admin), demo users get ids after theirs. */
const DATA_TABLES = DEMO_TABLES.map((t) => t.table).filter((t) => t !== 'users');
const LOADED_TABLES = DEMO_TABLES.map((t) => t.table);
const TABLES_WITH_ID = DEMO_TABLES.filter((t) => t.columns.includes('id')).map((t) => t.table);

async function tablesWithRows(client: PgClient): Promise<string[]> {
  const probes = DATA_TABLES.map((t) => `SELECT '${t}' AS name WHERE EXISTS (SELECT 1 FROM ${t})`).join(' UNION ALL ');
  const result = await client.query<{ name: string }>(probes);
  return result.rows.map((r) => r.name);
}

/** True when no business table (accounts, leads, campaigns, ...) holds a row. */
export async function isDatabaseEmpty(client: PgClient): Promise<boolean> {
  return (await tablesWithRows(client)).length === 0;
}

/**
 * Generates the demo company for `options` and loads it with COPY, in one transaction (a
 * failed load leaves nothing behind), then moves every identity sequence past the loaded ids
 * so later inserts don't collide, and analyzes the tables. Then builds the attribution cache
 * in a transaction of its own (see suspendCacheTriggers). Throws DemoDataError when the
 * database already holds data.
 */
export async function loadDemoData(client: PgClient, options: LoadDemoOptions = {}): Promise<DemoLoadResult> {
  const started = performance.now();
  let stepStarted = started;
  const step = (name: string) => {
    const now = performance.now();
    options.onStep?.(name, Math.round(now - stepStarted));
    stepStarted = now;
  };
  const rows: Record<string, number> = {};
  let buildAttributionCache = false;
  await client.query('BEGIN');
  try {
    // a bulk load is not an API write: no audit trail row per loaded row (see the access-control migration)
    await client.query(`SELECT set_config('app.actor', '', true)`);
    await client.query('SET LOCAL statement_timeout = 0'); // a pool's limit is for API requests, not a bulk load
    // two instances starting at once: the second waits here, then finds the data
    await client.query(`LOCK TABLE ${LOADED_TABLES.join(', ')} IN SHARE ROW EXCLUSIVE MODE`);
    const filled = await tablesWithRows(client);
    if (filled.length > 0) {
      throw new DemoDataError(`refusing to load demo data: the database is not empty (${filled.join(', ')} already hold rows)`);
    }
    const maxUser = await client.query<{ max: string }>('SELECT COALESCE(max(id), 0)::text AS max FROM users');
    const plan = createDemoPlan(options, Number(maxUser.rows[0]?.max ?? 0));
    step('check and plan');
    const caches = await suspendCacheTriggers(client, LOADED_TABLES);
    await withDeferredConstraints(client, LOADED_TABLES, async () => {
      step('drop foreign keys and indexes');
      for (const table of DEMO_TABLES) {
        rows[table.table] = await copyRows(client, table.table, table.columns, table.rows(plan));
        step(`copy ${table.table}`);
      }
      // the agreements' structured policies (the COPY gave each an empty one)
      await insertDemoPolicies(client);
      step('qualification policies');
    });
    step('rebuild indexes and check foreign keys');
    buildAttributionCache = await caches.restore();
    step('rebuild the activity cache');
    for (const table of TABLES_WITH_ID) {
      await client.query(
        `SELECT setval(pg_get_serial_sequence('${table}', 'id'), COALESCE((SELECT max(id) FROM ${table}), 0) + 1, false)`,
      );
    }
    await client.query('COMMIT');
    step('reset sequences and commit');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  await client.query(`ANALYZE ${LOADED_TABLES.join(', ')}`);
  step('analyze');
  const ms = Math.round(performance.now() - started);
  // the rows answer now, attribution from the touches; the cache makes it fast once built
  if (buildAttributionCache) {
    await buildAttributionCacheNow(client);
    step('build the attribution cache');
  }
  // the stored lead scores under the policy in force (lists by score read them)
  if (buildAttributionCache) {
    await storeLeadScoresNow(client);
    step('store the lead scores');
  }
  await client.query(`VACUUM (ANALYZE) ${CACHE_TABLES.join(', ')}, lead_scores`);
  step('analyze the caches');
  return { rows, ms, cacheMs: Math.round(performance.now() - started) - ms };
}

/** Runs `work` on a connection of the pool behind a TypeORM data source. */
export async function withPgClient<T>(ds: DataSource, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const runner = ds.createQueryRunner();
  const client = (await runner.connect()) as PoolClient;
  try {
    // a job's statements (loads, cache builds) run as long as they must, as its statement_timeout says
    return await withoutQueryTimeout(client, () => work(client));
  } finally {
    await runner.release();
  }
}

/** `loadDemoData` on a connection of `ds` (what the server's start-up uses). */
export function loadDemoDataWithDataSource(ds: DataSource, options: DemoOptions = {}): Promise<DemoLoadResult> {
  return withPgClient(ds, (client) => loadDemoData(client, options));
}
