import { connect, Socket } from 'node:net';
import { Client } from 'pg';
import { Role } from '../../src/auth/roles';
import { observeQueries } from '../../src/db/data-source';
import { gid, insertAccount } from '../helpers/core-fixtures';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { GraphQLBody, HttpTestApp, startHttpApp } from '../helpers/http-app';

/*
 * No single caller may take the service down (issue 10, "Availability"): metric work is capped
 * per request and per caller so another key's interactive read always finds a connection, a
 * pool that runs dry says "busy, retry" while /health stays up, nothing of an unauthenticated
 * request's body is read, slow clients are cut off, and failed authentications are counted
 * per client address.
 */

const codes = (body: GraphQLBody) => (body.errors ?? []).map((e) => e.extensions?.code);

/** A raw HTTP/1.1 exchange: what the server wrote, and whether (and when) it closed the socket. */
function rawExchange(port: number, request: string, waitMs: number): Promise<{ text: string; closedAfterMs: number | null }> {
  return new Promise((done) => {
    const started = Date.now();
    const socket: Socket = connect(port, '127.0.0.1', () => socket.write(request));
    let text = '';
    let closedAfterMs: number | null = null;
    socket.on('data', (chunk) => (text += chunk.toString('utf8')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closedAfterMs = Date.now() - started;
      clearTimeout(timer);
      done({ text, closedAfterMs });
    });
    const timer = setTimeout(() => {
      socket.destroy();
      done({ text, closedAfterMs });
    }, waitMs);
  });
}

describe('metric work cannot starve other callers', () => {
  let db: TestDatabase;
  let api: HttpTestApp;
  let accountId: string;
  let analyst: string;
  let executive: string;
  /** Holds an exclusive lock on `leads`, so every funnel statement waits on it while holding its connection. */
  let locker: Client;

  beforeAll(async () => {
    db = await createTestDatabase(); // a pool of 5 connections
    api = await startHttpApp((c) => {
      c.limits.rateLimitPoints = 0;
      c.metricWork = { connections: 3, perCaller: 2, perRequest: 2, queueMs: 30_000 };
    }, db);
    accountId = await insertAccount(db);
    analyst = (await api.newKey(Role.ANALYST)).secret;
    executive = (await api.newKey(Role.EXECUTIVE)).secret;
  });
  afterAll(async () => {
    await locker?.end().catch(() => undefined);
    await api.close();
    await db.drop();
  });

  const funnels = (n: number) =>
    `{ ${Array.from({ length: n }, (_, i) => `f${i}: funnel(input: { window: { from: "2025-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z" } }) { total { channel } }`).join(' ')} }`;

  it("keeps another key's account(id) and /health fast while one key floods reports", async () => {
    // the other key is known before the flood (its lookup is cached as any busy client's is)
    const warm = await api.gql(`{ account(id: "${gid('Account', accountId)}") { id } }`, {}, { key: executive });
    expect(warm.body.errors).toBeUndefined();
    locker = new Client({ connectionString: db.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE leads IN ACCESS EXCLUSIVE MODE');

    // 4 connections of one ANALYST key, 3 aliased funnels each: 12 statements that cannot finish
    const flood = Array.from({ length: 4 }, () => api.gql(funnels(3), {}, { key: analyst }));
    await new Promise((ok) => setTimeout(ok, 500)); // let the flood take what it may

    const waiting = await db.sql<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    // the caller's share: 2 connections; without the cap every connection of the pool would wait here
    expect(waiting[0]!.n).toBe(2);

    const started = Date.now();
    const read = await api.gql<{ account: { id: string } }>(`{ account(id: "${gid('Account', accountId)}") { id } }`, {}, { key: executive });
    expect(read.status).toBe(200);
    expect(read.body.data?.account.id).toBe(gid('Account', accountId));
    expect(Date.now() - started).toBeLessThan(2_000);
    const health = await fetch(api.url.replace('/graphql', '/health'));
    expect(health.status).toBe(200);

    await locker.query('ROLLBACK');
    const results = await Promise.all(flood);
    // once the lock is gone every report of the flood completes: queued, not dropped
    for (const result of results) {
      expect(result.status).toBe(200);
      expect(result.body.errors).toBeUndefined();
    }
  });

  it('answers BUSY (429, Retry-After) when a caller waits past its turn, and nothing else', async () => {
    const tight = await startHttpApp((c) => {
      c.limits.rateLimitPoints = 0;
      c.metricWork = { connections: 3, perCaller: 1, perRequest: 1, queueMs: 300 };
    }, db);
    try {
      const key = (await tight.newKey(Role.ANALYST)).secret;
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE leads IN ACCESS EXCLUSIVE MODE');
      const first = tight.gql(funnels(1), {}, { key });
      await new Promise((ok) => setTimeout(ok, 200));
      const second = await tight.gql(funnels(1), {}, { key });
      expect(second.status).toBe(429);
      expect(second.headers.get('retry-after')).toBe('1');
      expect(codes(second.body)).toEqual(['BUSY']);
      expect(second.body.errors?.[0]?.message).toMatch(/busy/);
      await locker.query('ROLLBACK');
      expect((await first).status).toBe(200);
    } finally {
      await tight.app.stop();
    }
  });

  it('says "busy, retry" (503 BUSY) when the pool runs dry, while /health stays up', async () => {
    // metric work may take the whole pool here: the pool itself runs out
    const open = await startHttpApp((c) => {
      c.limits.rateLimitPoints = 0;
      c.metricWork = { connections: 100, perCaller: 100, perRequest: 100, queueMs: 60_000 };
    }, db);
    try {
      const key = (await open.newKey(Role.ANALYST)).secret;
      const reader = (await open.newKey(Role.EXECUTIVE)).secret;
      expect((await open.gql(`{ account(id: "${gid('Account', accountId)}") { id } }`, {}, { key: reader })).status).toBe(200);
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE leads IN ACCESS EXCLUSIVE MODE');
      const flood = open.gql(funnels(5), {}, { key });
      await new Promise((ok) => setTimeout(ok, 300));
      const [read, health] = await Promise.all([
        open.gql(`{ account(id: "${gid('Account', accountId)}") { id } }`, {}, { key: reader }),
        fetch(open.url.replace('/graphql', '/health')),
      ]);
      expect(health.status).toBe(200);
      expect(read.status).toBe(503);
      expect(read.headers.get('retry-after')).toBe('1');
      expect(codes(read.body)).toEqual(['BUSY']);
      await locker.query('ROLLBACK');
      await flood;
    } finally {
      await open.app.stop();
    }
  });
});

describe('requests that are not authenticated, or are slow', () => {
  let api: HttpTestApp;
  let port: number;
  beforeAll(async () => {
    api = await startHttpApp((c) => {
      c.limits.headersTimeoutMs = 500;
      c.limits.requestTimeoutMs = 1_000;
      c.limits.failedAuthPerMinute = 6;
    });
    port = Number(new URL(api.url).port);
  });
  afterAll(() => api.close());

  it('refuses a request without credentials at once, without reading its body, and closes the connection', async () => {
    // a body of 900 kB is announced but never sent: the answer cannot wait for it
    const { text, closedAfterMs } = await rawExchange(
      port,
      'POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 900000\r\n\r\n{"query":',
      3_000,
    );
    expect(text).toMatch(/^HTTP\/1\.1 401/);
    expect(text).toMatch(/UNAUTHENTICATED/);
    expect(closedAfterMs).not.toBeNull();
    expect(closedAfterMs!).toBeLessThan(1_000);
  });

  it('closes a connection whose headers do not arrive in time', async () => {
    const { closedAfterMs, text } = await rawExchange(port, 'POST /graphql HTTP/1.1\r\nhost: x\r\n', 5_000);
    expect(closedAfterMs).not.toBeNull();
    expect(closedAfterMs!).toBeLessThan(3_000);
    expect(text === '' || /^HTTP\/1\.1 408/.test(text)).toBe(true);
  });

  it('closes an authenticated request whose body trickles past the request time', async () => {
    const { closedAfterMs, text } = await rawExchange(
      port,
      `POST /graphql HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${api.adminKey}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{`,
      6_000,
    );
    expect(closedAfterMs).not.toBeNull();
    expect(closedAfterMs!).toBeLessThan(4_000);
    expect(text === '' || /^HTTP\/1\.1 408/.test(text)).toBe(true);
  });

  it('refuses a credential that is not of the shape of a key without looking it up', async () => {
    let lookups = 0;
    const stop = observeQueries((sql) => {
      if (/FROM api_keys WHERE key_hash/.test(sql)) lookups++;
    });
    try {
      const res = await api.gql(`{ users(first: 1) { totalCount } }`, {}, { key: `ra_${'x'.repeat(200)}` });
      expect(res.status).toBe(401);
    } finally {
      stop();
    }
    expect(lookups).toBe(0);
  });

  it('stops looking up keys from an address that keeps failing', async () => {
    let lookups = 0;
    const stop = observeQueries((sql) => {
      if (/FROM api_keys WHERE key_hash/.test(sql)) lookups++;
    });
    const statuses: number[] = [];
    try {
      for (let i = 0; i < 12; i++) {
        const random = `ra_${Buffer.from(String(Math.random())).toString('base64url').padEnd(43, 'x').slice(0, 43)}`;
        statuses.push((await api.gql(`{ users(first: 1) { totalCount } }`, {}, { key: random })).status);
      }
    } finally {
      stop();
    }
    // one failure (the ill-shaped key above) was counted: five more are looked up and answered 401,
    // from then on the address is refused at once
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(new Set(statuses.slice(5))).toEqual(new Set([429]));
    expect(lookups).toBe(5);
    const refused = await api.gql(`{ users(first: 1) { totalCount } }`, {}, { key: 'ra_nonsense_nonsense' });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('variables a caller cannot turn into memory or a crash', () => {
  let api: HttpTestApp;
  beforeAll(async () => {
    api = await startHttpApp((c) => {
      c.limits.rateLimitPoints = 0;
      c.limits.costCacheBytes = 20_000;
    });
  });
  afterAll(() => api.close());

  it('refuses variables nested thousands deep with 400 naming them, not a 500', async () => {
    const deep = `{"query":"query($f: AccountFilter) { accounts(first: 1, filter: $f) { totalCount } }","variables":{"f":${'['.repeat(5000)}${']'.repeat(5000)}}}`;
    const res = await api.post<GraphQLBody>(deep, { authorization: `Bearer ${api.adminKey}` });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.message).toMatch(/^variables: nest deeper than 32 levels/);
  });

  it('keeps the query-cost memo within its bytes whatever the variables hold', async () => {
    const memo = api.app.costMemo;
    const query = 'query($f: AccountFilter) { accounts(first: 1, filter: $f) { totalCount } }';
    for (let i = 0; i < 150; i++) {
      // a new, large variables object each time (50 kB that no operation even declares)
      const res = await api.gql(query, { f: null, junk: `${i}`.padEnd(50_000, 'y') });
      expect(res.status).toBe(200);
    }
    expect(memo.size).toBeGreaterThan(10);
    expect(memo.bytes).toBeLessThanOrEqual(memo.maxBytes);
    expect(memo.size).toBeLessThan(150);
  });
});

describe('metric fields cost their window, rows and models', () => {
  let api: HttpTestApp;
  beforeAll(async () => {
    api = await startHttpApp((c) => {
      c.limits.rateLimitPoints = 0;
    });
  });
  afterAll(() => api.close());

  const series = (model: string, grain: string, by: string, from: string, to: string, alias = 's') =>
    `${alias}: revenueTimeSeries(input: { window: { from: "${from}", to: "${to}" }, grain: ${grain}, by: ${by}, model: ${model} }) { grain }`;
  const YEAR = ['2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z'] as const;

  it('prices a year by month and channel, and DATA_DRIVEN five times over', async () => {
    // 365 days: reading them costs 10 + 365 = 375; 365 / 30.44 -> 12 months × 11 channels = 132 rows;
    // LINEAR: 375 + 132 = 507, DATA_DRIVEN: 5 × 507 = 2535; the selected `grain` adds 1
    const tight = await startHttpApp((c) => {
      c.limits.rateLimitPoints = 0;
      c.limits.maxCost = 2535;
    }, api.db);
    try {
      const linear = await tight.gql(`{ ${series('LINEAR', 'MONTH', 'CHANNEL', ...YEAR)} }`);
      expect(linear.body.errors).toBeUndefined();
      const driven = await tight.gql(`{ ${series('DATA_DRIVEN', 'MONTH', 'CHANNEL', ...YEAR)} }`);
      expect(driven.status).toBe(400);
      expect(codes(driven.body)).toEqual(['QUERY_REJECTED']);
      expect(driven.body.errors?.[0]?.message).toMatch(/^query cost 2536 exceeds the limit of 2535/);
    } finally {
      await tight.app.stop();
    }
  });

  it('refuses ten aliased ten-year daily series by campaign, which cost 1 each before', async () => {
    // each: 10 + 3653 days + 3653 days × 50 campaigns = 186,313, + 1 for `grain`; ten of them
    const aliases = Array.from({ length: 10 }, (_, i) => series('LINEAR', 'DAY', 'CAMPAIGN', '2016-01-01T00:00:00Z', '2026-01-01T00:00:00Z', `s${i}`));
    const res = await api.gql(`{ ${aliases.join(' ')} }`, {}, { key: (await api.newKey(Role.ANALYST)).secret });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.message).toMatch(/^query cost 1863140 exceeds the limit of 50000/);
  });
});
