import { ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { join, resolve } from 'node:path';
import { issueApiKey } from '../../src/auth/api-key.service';
import { Role } from '../../src/auth/roles';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { HttpTestApp, startHttpApp } from '../helpers/http-app';
import { builtMain, freePort } from '../helpers/built-service';

/*
 * Shutdown under load. Clients keep creating accounts while the service stops: every write
 * the service acknowledged (200 with data) must be in the database, and a request that comes
 * after the stop must be refused at the door (connection refused), not half-processed: a
 * request the server turned away left no trace. Each request opens its own connection. Twice: app.stop() in
 * this process, and SIGTERM to the built service (node dist/src/main.js).
 */

jest.setTimeout(180_000);

type Outcome =
  | { kind: 'acknowledged'; domain: string }
  /**
   * Turned away without being run: connection refused, a connection the stopping server closed
   * before answering (accepted just before the listener closed), or 503 "shutting down".
   */
  | { kind: 'refused'; domain: string; detail: string }
  /** Anything else: an error response, a timeout. None is expected. */
  | { kind: 'other'; domain: string; detail: string };

/** POSTs one createAccount on a fresh connection; reports how it ended. Never throws. */
function createAccountOnce(port: number, key: string, domain: string): Promise<Outcome> {
  const body = JSON.stringify({
    query: `mutation ($d: String!) { createAccount(input: { name: "Shutdown", domain: $d, segment: SMB }) { account { domain } } }`,
    variables: { d: domain },
  });
  return new Promise((done) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/graphql',
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'content-length': Buffer.byteLength(body) },
        timeout: 30_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          try {
            const parsed = JSON.parse(text) as { data?: { createAccount?: { account: { domain: string } } } | null };
            if (res.statusCode === 200 && parsed.data?.createAccount?.account.domain === domain) done({ kind: 'acknowledged', domain });
            else if (res.statusCode === 503 && /shutting down/.test(text)) done({ kind: 'refused', domain, detail: '503' });
            else done({ kind: 'other', domain, detail: `${res.statusCode}: ${text.slice(0, 300)}` });
          } catch {
            done({ kind: 'other', domain, detail: `${res.statusCode}: ${text.slice(0, 300)}` });
          }
        });
        res.on('error', (error) => done({ kind: 'other', domain, detail: String(error) }));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) =>
      done(
        error.code === 'ECONNREFUSED' || error.code === 'ECONNRESET'
          ? { kind: 'refused', domain, detail: String(error.code) }
          : { kind: 'other', domain, detail: `${error.code}: ${error.message}` },
      ),
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 30 s')));
    req.end(body);
  });
}

/** `workers` clients creating accounts back to back until `until()`; `outcomes` fills as they end. */
function writeLoad(port: number, key: string, prefix: string, workers: number, until: () => boolean): { outcomes: Outcome[]; done: Promise<Outcome[]> } {
  const outcomes: Outcome[] = [];
  let n = 0;
  const worker = async () => {
    while (!until()) {
      outcomes.push(await createAccountOnce(port, key, `${prefix}-${++n}.test`));
      if (outcomes[outcomes.length - 1]?.kind === 'refused') await new Promise((ok) => setTimeout(ok, 20));
    }
  };
  return { outcomes, done: Promise.all(Array.from({ length: workers }, worker)).then(() => outcomes) };
}

/** Waits until the load has had `count` writes acknowledged (however slow the machine is). */
async function acknowledgedWrites(outcomes: Outcome[], count: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (outcomes.filter((o) => o.kind === 'acknowledged').length < count && Date.now() < deadline) {
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

/** Checks the outcomes against the database: acknowledged ⇒ stored, refused ⇒ not stored, nothing else. */
async function expectNoLostOrHalfDoneWrite(db: TestDatabase, outcomes: Outcome[]): Promise<void> {
  const acknowledged = outcomes.filter((o) => o.kind === 'acknowledged').map((o) => o.domain);
  const refused = outcomes.filter((o) => o.kind === 'refused').map((o) => o.domain);
  // the load really ran across the stop: writes before it, connections refused after it
  expect(acknowledged.length).toBeGreaterThan(20);
  expect(outcomes.filter((o) => o.kind === 'refused' && o.detail === 'ECONNREFUSED').length).toBeGreaterThan(5);
  expect(outcomes.filter((o) => o.kind === 'other')).toEqual([]);
  const stored = await db.sql<{ domain: string }>(`SELECT domain FROM accounts WHERE domain = ANY($1::text[])`, [[...acknowledged, ...refused]]);
  const storedSet = new Set(stored.map((r) => r.domain));
  expect(acknowledged.filter((d) => !storedSet.has(d))).toEqual([]);
  // a request turned away was not run at all: no half-processed write
  expect(refused.filter((d) => storedSet.has(d))).toEqual([]);
}

describe('app.stop() under load', () => {
  let http: HttpTestApp;
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
    http = await startHttpApp((config) => {
      config.limits.rateLimitPoints = 0;
    }, db);
  });

  afterAll(() => db.drop());

  it('keeps every acknowledged write and refuses the requests that come after the stop', async () => {
    const port = Number(new URL(http.url).port);
    let stopped = false;
    let finished = false;
    const load = writeLoad(port, http.adminKey, 'inproc', 8, () => finished);
    await acknowledgedWrites(load.outcomes, 25);
    const stopping = http.app.stop().then(() => (stopped = true));
    // keep sending while it drains and after it stopped
    await stopping;
    expect(stopped).toBe(true);
    await new Promise((ok) => setTimeout(ok, 500));
    finished = true;
    await expectNoLostOrHalfDoneWrite(db, await load.done);
  });
});


const ROOT = resolve(__dirname, '../..');

describe('SIGTERM to the built service under load', () => {
  let db: TestDatabase;
  let main: string;
  let child: ChildProcess | null = null;

  beforeAll(async () => {
    db = await createTestDatabase();
    // the production build (tsc -p tsconfig.build.json), made once per run (test/helpers/built-service.ts)
    main = await builtMain();
  }, 180_000);

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await db.drop();
  });

  it('drains, stores every acknowledged write, refuses later requests and exits 0 with "stopped"', async () => {
    const { secret } = await issueApiKey(db.ds, { name: 'shutdown', role: Role.ADMIN, createdBy: 'test' });
    const port = await freePort();
    const service = spawn(process.execPath, [main], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_PATH: join(ROOT, 'node_modules'),
        DATABASE_URL: db.url,
        SEED_DEMO: 'false',
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        RATE_LIMIT_PER_MINUTE: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = service;
    let logs = '';
    service.stdout?.on('data', (chunk: Buffer) => (logs += chunk.toString('utf8')));
    service.stderr?.on('data', (chunk: Buffer) => (logs += chunk.toString('utf8')));
    const exited = new Promise<number | null>((ok) => service.on('exit', (code) => ok(code)));
    const deadline = Date.now() + 60_000;
    while (!logs.includes('API ready') && Date.now() < deadline && service.exitCode === null) await new Promise((ok) => setTimeout(ok, 100));
    expect(logs).toContain('API ready');

    let finished = false;
    const load = writeLoad(port, secret, 'sigterm', 8, () => finished);
    await acknowledgedWrites(load.outcomes, 25);
    service.kill('SIGTERM');
    const code = await exited;
    await new Promise((ok) => setTimeout(ok, 500));
    finished = true;

    expect(code).toBe(0);
    const lines = logs
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg?: string; level?: number });
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['shutting down: draining requests', 'stopped']));
    // nothing failed on the way down
    expect(lines.filter((l) => (l.level ?? 0) >= 50)).toEqual([]);
    await expectNoLostOrHalfDoneWrite(db, await load.done);
  });
});
