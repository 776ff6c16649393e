import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { connectAndMigrate } from '../../src/db/data-source';
import { HttpTestApp, startHttpApp } from '../helpers/http-app';
import { PostgresProcess, startPostgresProcess } from './postgres-process';
import { leakProblems } from './support';

/*
 * The database goes away under load and comes back. A PostgreSQL of its own (startEmbeddedPostgres
 * in a child process, persistent, on a fixed port so the restart is at the same address), the real HTTP server on it, requests in a
 * loop. While it is down every request must fail fast with a clear SERVICE_UNAVAILABLE (503,
 * no stack), and /health must say the database is down; once it is back the same app serves
 * again on its own, and no acknowledged write was lost.
 */

jest.setTimeout(120_000);

let dir: string;
/** 0 until the first start picks a free port (findFreePort); the restart reuses it. */
let port = 0;
let pg: PostgresProcess | null = null;
let ds: DataSource;
let http: HttpTestApp;

/** How long a request may take while the database is down: no hanging until a client gives up. */
const FAST_FAIL_MS = 7_000;

async function startDatabase(): Promise<PostgresProcess> {
  pg = await startPostgresProcess({ dataDir: join(dir, 'data'), persistent: true, port });
  port = pg.port;
  return pg;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ra-faults-'));
  chmodSync(dir, 0o755); // the server may run as its own OS user when we are root
  const server = await startDatabase();
  ds = (await connectAndMigrate({ url: server.url, poolSize: 10 })).ds;
  http = await startHttpApp(
    (config) => {
      config.limits.rateLimitPoints = 0;
      // the key is looked up again while the database is down, as it would be after the cache expires
      config.apiKeyCacheMs = 200;
    },
    { url: server.url, ds, sql: (text, params) => ds.query(text, params), drop: async () => undefined },
  );
});

afterAll(async () => {
  await http?.app.stop().catch(() => undefined);
  await ds?.destroy().catch(() => undefined);
  await pg?.stop().catch(() => undefined);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Sample {
  startedAt: number;
  ms: number;
  status: number;
  code: string | null;
  problems: string[];
  /** The domain of an acknowledged createAccount. */
  created: string | null;
}

let serial = 0;

/** One request of the load: every third a createAccount, the others a query. Never throws. */
async function oneRequest(): Promise<Sample> {
  const startedAt = Date.now();
  const n = ++serial;
  const domain = `fault-${n}.test`;
  const write = n % 3 === 0;
  const body = write
    ? { query: `mutation ($d: String!) { createAccount(input: { name: "Fault", domain: $d, segment: SMB }) { account { domain } } }`, variables: { d: domain } }
    : { query: `{ accounts(first: 5) { totalCount edges { node { id name } } } }` };
  try {
    const response = await fetch(http.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${http.adminKey}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    const parsed = JSON.parse(text) as { data?: { createAccount?: { account: { domain: string } } } | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
    const code = parsed.errors?.[0]?.extensions?.code;
    return {
      startedAt,
      ms: Date.now() - startedAt,
      status: response.status,
      code: typeof code === 'string' ? code : null,
      problems: leakProblems({ status: 200, body: parsed }, body),
      created: parsed.data?.createAccount?.account.domain ?? null,
    };
  } catch (error) {
    return { startedAt, ms: Date.now() - startedAt, status: 0, code: null, problems: [`no answer: ${String(error)}`], created: null };
  }
}

/** `workers` clients sending requests back to back until `until()` says stop. */
function load(workers: number, until: () => boolean): Promise<Sample[]> {
  const samples: Sample[] = [];
  const worker = async () => {
    while (!until()) {
      samples.push(await oneRequest());
      await new Promise((ok) => setTimeout(ok, 10));
    }
  };
  return Promise.all(Array.from({ length: workers }, worker)).then(() => samples);
}

async function health(): Promise<{ status: number; body: Record<string, unknown>; ms: number }> {
  const started = Date.now();
  const response = await fetch(http.url.replace(/\/graphql$/, '/health'), { signal: AbortSignal.timeout(30_000) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, ms: Date.now() - started };
}

async function waitFor<T>(probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!ok(last) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    last = await probe();
  }
  return last;
}

describe('the database stops under load and comes back', () => {
  it('fails fast and clearly while it is down, and serves again on its own when it is back', async () => {
    expect(await health()).toMatchObject({ status: 200, body: { status: 'ok', database: 'up' } });

    let phase: 'up' | 'down' | 'back' | 'done' = 'up';
    const running = load(8, () => phase === 'done');
    await new Promise((ok) => setTimeout(ok, 1_000));

    // stop PostgreSQL (a fast shutdown: open connections are cut) while requests are in flight
    const stoppedAt = Date.now();
    phase = 'down';
    await (pg as PostgresProcess).stop();
    pg = null;
    const downHealth = await waitFor(health, (h) => h.status === 503, 10_000);
    expect(downHealth).toMatchObject({ status: 503, body: { status: 'unavailable', database: 'down' } });
    expect(downHealth.ms).toBeLessThan(3_000);
    // the probe says the database is down without naming where it lives
    expect(JSON.stringify(downHealth.body)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|:\d{4,5}/);
    await new Promise((ok) => setTimeout(ok, 3_000));

    // the same address again: the app must reconnect by itself
    const restartedAt = Date.now();
    await startDatabase();
    phase = 'back';
    const upHealth = await waitFor(health, (h) => h.status === 200, 15_000);
    expect(upHealth).toMatchObject({ status: 200, body: { status: 'ok', database: 'up' } });
    await new Promise((ok) => setTimeout(ok, 2_000));
    phase = 'done';
    const samples = await running;

    // (requests in flight at the moment it stopped may go either way, but never with a 500)
    const before = samples.filter((s) => s.startedAt + s.ms < stoppedAt);
    const whileDown = samples.filter((s) => s.startedAt > stoppedAt + 500 && s.startedAt + s.ms < restartedAt);
    const recovered = samples.filter((s) => s.startedAt > Date.now() - 1_500);
    expect(before.length).toBeGreaterThan(10);
    expect(whileDown.length).toBeGreaterThan(10);
    expect(recovered.length).toBeGreaterThan(5);

    // never a stack or an internal error, whatever the moment
    expect(samples.flatMap((s) => s.problems)).toEqual([]);
    // while down: every request answered quickly with 503 SERVICE_UNAVAILABLE
    expect(whileDown.filter((s) => s.ms > FAST_FAIL_MS)).toEqual([]);
    expect(whileDown.filter((s) => s.status !== 503 || s.code !== 'SERVICE_UNAVAILABLE')).toEqual([]);
    // before and after: served
    expect(before.filter((s) => s.status !== 200 || s.code !== null)).toEqual([]);
    expect(recovered.filter((s) => s.status !== 200 || s.code !== null)).toEqual([]);

    // every write the clients were told succeeded is there after the restart
    const acknowledged = samples.flatMap((s) => (s.created ? [s.created] : []));
    expect(acknowledged.length).toBeGreaterThan(5);
    const stored = await ds.query(`SELECT domain FROM accounts WHERE domain = ANY($1::text[])`, [acknowledged]);
    expect(stored).toHaveLength(acknowledged.length);
  });
});
