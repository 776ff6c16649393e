import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { issueApiKey } from '../src/auth/api-key.service';
import { Role } from '../src/auth/roles';
import { connectAndMigrate } from '../src/db/data-source';
import { EmbeddedServer, startEmbeddedPostgres } from '../src/db/embedded-postgres';
import { DemoSizeOption, loadDemoData } from '../src/seed/load-demo';

/** A fresh database for one bench run, dropped (and its embedded server stopped) at the end. */
export interface BenchDatabase {
  url: string;
  /** Where it lives: "embedded" or the host:port of DATABASE_URL. */
  where: string;
  serverVersion: string;
  /**
   * Another fresh, empty database on the same server (`<name>_<label>`), for a scenario that
   * needs one of its own; dropped by its own drop(), or at the latest by this one's.
   */
  another(label: string): Promise<ExtraDatabase>;
  drop(): Promise<void>;
}

export interface ExtraDatabase {
  url: string;
  drop(): Promise<void>;
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function adminQuery(url: string, text: string): Promise<string | undefined> {
  const client = new Client({ connectionString: url, application_name: 'bench' });
  await client.connect();
  try {
    const result = await client.query<Record<string, string>>(text);
    const first = result.rows[0];
    return first ? Object.values(first)[0] : undefined;
  } finally {
    await client.end();
  }
}

/**
 * Creates `ra_bench_<pid>_<time>` on the server of DATABASE_URL, or on a throw-away embedded
 * PostgreSQL (fsync off, as for the tests) when DATABASE_URL is not set.
 */
export async function createBenchDatabase(log: (line: string) => void): Promise<BenchDatabase> {
  let adminUrl = process.env.DATABASE_URL;
  let embedded: EmbeddedServer | undefined;
  let scratch: string | undefined;
  if (!adminUrl) {
    scratch = mkdtempSync(join(tmpdir(), 'ra-bench-pg-'));
    chmodSync(scratch, 0o755); // the server runs as its own OS user when we are root
    log('starting an embedded PostgreSQL');
    embedded = await startEmbeddedPostgres({ dataDir: join(scratch, 'data'), persistent: false });
    adminUrl = embedded.url;
  }
  const name = `ra_bench_${process.pid}_${Date.now().toString(36)}`;
  try {
    await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
  } catch (error) {
    await embedded?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    throw error;
  }
  const url = withDatabase(adminUrl, name);
  const serverVersion = (await adminQuery(url, `SELECT current_setting('server_version')`)) ?? 'unknown';
  const where = embedded ? 'embedded' : new URL(adminUrl).host;
  let dropped = false;
  const extras = new Set<ExtraDatabase>();
  return {
    url,
    where,
    serverVersion,
    async another(label: string) {
      if (!/^[a-z0-9_]{1,20}$/.test(label)) throw new Error(`a bench database label is a few of a-z, 0-9 and _, not "${label}"`);
      const extraName = `${name}_${label}`;
      await adminQuery(adminUrl, `CREATE DATABASE ${extraName}`);
      let gone = false;
      const extra: ExtraDatabase = {
        url: withDatabase(adminUrl, extraName),
        async drop() {
          if (gone) return;
          gone = true;
          extras.delete(extra);
          await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${extraName} WITH (FORCE)`);
        },
      };
      extras.add(extra);
      return extra;
    },
    async drop() {
      if (dropped) return;
      dropped = true;
      try {
        for (const extra of [...extras]) await extra.drop().catch(() => undefined);
        await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await embedded?.stop().catch(() => undefined);
        if (scratch) rmSync(scratch, { recursive: true, force: true });
      }
    },
  };
}

export interface LoadFigures {
  rows: Record<string, number>;
  totalRows: number;
  ms: number;
  rowsPerSecond: number;
  /** Building the attribution cache after the rows were committed. */
  cacheMs: number;
  steps: { step: string; ms: number }[];
  /** pg_database_size after the load and its VACUUM (absent in older reports). */
  databaseBytes?: number;
  /** The touchpoints table with its indexes and TOAST (pg_total_relation_size). */
  touchpointBytes?: number;
}

/** The database's size on disk and the touchpoints' share of it. */
export async function databaseSize(url: string): Promise<{ databaseBytes: number; touchpointBytes: number }> {
  const client = new Client({ connectionString: url, application_name: 'bench' });
  await client.connect();
  try {
    const { rows } = await client.query<{ db: string; tp: string }>(
      `SELECT pg_database_size(current_database())::text AS db, pg_total_relation_size('touchpoints')::text AS tp`,
    );
    return { databaseBytes: Number(rows[0]?.db ?? 0), touchpointBytes: Number(rows[0]?.tp ?? 0) };
  } finally {
    await client.end();
  }
}

/** Applies the migrations to the database of `url` (an empty one gets the whole schema). */
export async function migrate(url: string): Promise<void> {
  const { ds } = await connectAndMigrate({ url, poolSize: 1, applicationName: 'bench' });
  await ds.destroy();
}

/** Migrates, then loads the demo company of `size` with the project's generator (COPY). */
export async function migrateAndLoad(url: string, size: DemoSizeOption, log: (line: string) => void): Promise<LoadFigures> {
  await migrate(url);
  const client = new Client({ connectionString: url, application_name: 'bench-load' });
  await client.connect();
  const steps: { step: string; ms: number }[] = [];
  try {
    const result = await loadDemoData(client, { size, onStep: (step, ms) => steps.push({ step, ms }) });
    const totalRows = Object.values(result.rows).reduce((a, b) => a + b, 0);
    const rowsPerSecond = Math.round(totalRows / (result.ms / 1000));
    log(`loaded ${totalRows} rows in ${(result.ms / 1000).toFixed(1)} s (${rowsPerSecond} rows/s)`);
    log(`attribution cache built in ${(result.cacheMs / 1000).toFixed(1)} s after that`);
    return { rows: result.rows, totalRows, ms: result.ms, rowsPerSecond, cacheMs: result.cacheMs, steps };
  } finally {
    await client.end();
  }
}

/** An API key on the bench database (default: EXECUTIVE, which reads everything); returns its secret. */
export async function issueBenchKey(url: string, role: Role = Role.EXECUTIVE, name = 'bench'): Promise<string> {
  const { ds } = await connectAndMigrate({ url, poolSize: 1, applicationName: 'bench' });
  try {
    const { secret } = await issueApiKey(ds, { name, role, createdBy: 'bench' });
    return secret;
  } finally {
    await ds.destroy();
  }
}

/** `count` account ids spread evenly over the table (scenario (a) cycles through them). */
export async function sampleAccountIds(url: string, count: number): Promise<string[]> {
  const client = new Client({ connectionString: url, application_name: 'bench' });
  await client.connect();
  try {
    const result = await client.query<{ id: string }>(
      `SELECT id::text AS id FROM (
         SELECT id, row_number() OVER (ORDER BY id) AS n, count(*) OVER () AS total FROM accounts
       ) a WHERE (n - 1) % GREATEST(total / $1, 1) = 0 ORDER BY id LIMIT $1`,
      [count],
    );
    return result.rows.map((r) => r.id);
  } finally {
    await client.end();
  }
}

/**
 * Waits until no statement but ours runs on the bench database (the server finishing what a
 * load generator left behind); gives up after `timeoutMs`. Returns the milliseconds waited.
 */
export async function waitForIdleDatabase(url: string, timeoutMs: number): Promise<number> {
  const client = new Client({ connectionString: url, application_name: 'bench-idle' });
  await client.connect();
  const started = Date.now();
  try {
    let quietPolls = 0;
    while (quietPolls < 2 && Date.now() - started < timeoutMs) {
      const result = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()`,
      );
      quietPolls = (result.rows[0]?.n ?? 0) === 0 ? quietPolls + 1 : 0;
      if (quietPolls < 2) await new Promise((ok) => setTimeout(ok, 250));
    }
    return Date.now() - started;
  } finally {
    await client.end();
  }
}
