import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { connectAndMigrate } from '../../src/db/data-source';
import { gid, insertAccount } from '../helpers/core-fixtures';
import { HttpTestApp, startHttpApp } from '../helpers/http-app';
import { PostgresProcess, startPostgresProcess } from './postgres-process';

/*
 * A database that stops answering without refusing (SIGSTOP: its sockets stay open, nothing
 * replies). Before, reads hung for as long as the client waited (70 s were seen): only the
 * server-side statement timeout existed, and a frozen server enforces nothing. Every statement
 * now has a client-side limit as well, and /health asks over a connection of its own.
 */

jest.setTimeout(90_000);

let dir: string;
let pg: PostgresProcess;
let ds: DataSource;
let api: HttpTestApp;
let frozen: number[] = [];

/** The postmaster (first line of postmaster.pid) and every process it started. */
function postgresProcesses(dataDir: string): number[] {
  const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        // "pid (comm) state ppid ...": the comm may hold spaces, so read after its closing parenthesis
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster;
      } catch {
        return false;
      }
    })
    .map(Number);
  return [postmaster, ...children];
}

function signal(pids: number[], name: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      // already gone
    }
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ra-frozen-'));
  chmodSync(dir, 0o755); // the server may run as its own OS user when we are root
  pg = await startPostgresProcess({ dataDir: join(dir, 'data'), persistent: false, port: 0 });
  ds = (await connectAndMigrate({ url: pg.url, poolSize: 4, statementTimeoutMs: 1_000, queryTimeoutMs: 1_500 })).ds;
  api = await startHttpApp(
    (config) => {
      config.limits.rateLimitPoints = 0;
    },
    { url: pg.url, ds, sql: (text, params) => ds.query(text, params), drop: async () => undefined },
  );
});

afterAll(async () => {
  signal(frozen, 'SIGCONT');
  await api?.app.stop().catch(() => undefined);
  await ds?.destroy().catch(() => undefined);
  await pg?.stop().catch(() => undefined);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('fails reads within the client-side timeout and reports the database down, then serves again once it thaws', async () => {
  const accountId = await insertAccount({ url: pg.url, ds, sql: (text, params) => ds.query(text, params), drop: async () => undefined });
  const query = `{ account(id: "${gid('Account', accountId)}") { id name } }`;
  expect((await api.gql(query)).status).toBe(200); // the key is looked up and cached, the pool holds connections

  frozen = postgresProcesses(join(dir, 'data'));
  signal(frozen, 'SIGSTOP');
  try {
    const started = Date.now();
    const [read, health] = await Promise.all([api.gql(query), fetch(api.url.replace('/graphql', '/health'))]);
    const readMs = Date.now() - started;
    expect(read.status).toBe(503);
    expect(read.headers.get('retry-after')).toBe('1');
    expect(read.body.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    // 1.5 s of client-side timeout (plus a new connection's 5 s at most), not "as long as it takes"
    expect(readMs).toBeLessThan(8_000);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: 'unavailable', database: 'down' });
  } finally {
    signal(frozen, 'SIGCONT');
    frozen = [];
  }

  // thawed: the connections cut on timeout are replaced, and the same app serves again
  let recovered = 0;
  for (let attempt = 0; attempt < 40 && recovered < 3; attempt++) {
    const res = await api.gql(query);
    recovered = res.status === 200 ? recovered + 1 : 0;
    if (recovered === 0) await new Promise((ok) => setTimeout(ok, 250));
  }
  expect(recovered).toBe(3);
  expect((await fetch(api.url.replace('/graphql', '/health'))).status).toBe(200);
});
