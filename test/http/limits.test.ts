import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { Role } from '../../src/auth/roles';
import { loadConfig } from '../../src/config';
import { createDataSource } from '../../src/db/data-source';
import { countRows, insertAccount } from '../helpers/core-fixtures';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { GraphQLBody, HttpTestApp, startHttpApp } from '../helpers/http-app';

type Errors = GraphQLBody['errors'];
const messages = (errors: Errors) => (errors ?? []).map((e) => e.message).join(' | ');
const codes = (errors: Errors) => (errors ?? []).map((e) => e.extensions?.code);

/**
 * `accounts { edges { node { leads { edges { node { account { leads ...` nested `levels` lists
 * deep; the innermost list asks for `edges { cursor }`. Each list is three levels (field, edges,
 * node), an `account` between two lists one more: 3 lists are depth 10, 4 lists depth 14.
 */
function deepQuery(levels: number): string {
  let inner = '';
  for (let i = levels; i >= 1; i--) {
    const list = i === 1 ? 'accounts' : 'leads';
    const node = inner ? `edges { node { ${list === 'leads' ? `account { ${inner} }` : inner} } }` : 'edges { cursor }';
    inner = `${list}(first: 1) { ${node} }`;
  }
  return `{ ${inner} }`;
}

describe('request limits over HTTP', () => {
  let db: TestDatabase;
  let api: HttpTestApp;
  const MAX_BODY = 20_000;
  beforeAll(async () => {
    db = await createTestDatabase();
    api = await startHttpApp((c) => {
      // the documented defaults, but a small body limit to test it cheaply
      c.limits.maxBodyBytes = MAX_BODY;
    }, db);
    await insertAccount(db);
  });
  afterAll(async () => {
    await api.close();
    await db.drop();
  });

  it('uses the documented defaults', () => {
    expect(api.config.limits).toMatchObject({ maxDepth: 15, maxAliases: 30, maxTokens: 5000, maxDirectives: 50, maxCost: 50_000 });
  });

  it('runs a query as deep as MAX_QUERY_DEPTH', async () => {
    // depth 13: accounts > edges > node > leads > edges > node > account > leads > ... > cursor
    const res = await api.gql(deepQuery(4));
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
  });

  it('refuses a query deeper than MAX_QUERY_DEPTH, naming the limit', async () => {
    const res = await api.gql(deepQuery(5)); // depth 16
    expect(res.body.data ?? null).toBeNull();
    expect(res.status).toBe(400);
    expect(messages(res.body.errors)).toMatch(/depth/i);
    expect(messages(res.body.errors)).toContain('15');
  });

  it('refuses a fragment cycle or fragments used to hide depth', async () => {
    const query = `fragment A on Lead { account { leads(first: 1) { edges { node { ...B } } } } }
      fragment B on Lead { account { leads(first: 1) { edges { node { ...C } } } } }
      fragment C on Lead { account { leads(first: 1) { edges { node { id } } } } }
      { leads(first: 1) { edges { node { ...A } } } }`;
    const res = await api.gql(query);
    expect(res.status).toBe(400);
    expect(messages(res.body.errors)).toMatch(/depth/i);
  });

  it('refuses more aliases than MAX_QUERY_ALIASES', async () => {
    const fields = Array.from({ length: 31 }, (_, i) => `u${i}: users(first: 1) { totalCount }`).join(' ');
    const res = await api.gql(`{ ${fields} }`);
    expect(res.status).toBe(400);
    expect(messages(res.body.errors)).toMatch(/alias/i);
    const ok = await api.gql(`{ ${fields.split(' u30:')[0]} }`);
    expect(ok.body.errors).toBeUndefined();
  });

  it('refuses more tokens than MAX_QUERY_TOKENS', async () => {
    // 5,100 one-letter names plus two braces: 5,102 tokens in 10 kB
    const res = await api.gql(`{ ${'a '.repeat(5_100)} }`);
    expect(res.status).toBe(400); // the client's fault: not a 500 a client would retry
    expect(codes(res.body.errors)).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect(messages(res.body.errors)).toMatch(/5000 tokens/i);
  });

  it('refuses more directives than MAX_QUERY_DIRECTIVES', async () => {
    const res = await api.gql(`{ __typename ${'@include(if: true) '.repeat(51)} }`);
    expect(res.status).toBe(400);
    expect(messages(res.body.errors)).toMatch(/directive/i);
  });

  it('refuses a query whose page sizes multiply past MAX_QUERY_COST, saying its cost', async () => {
    const query = `{ accounts(first: 100) { edges { node {
      leads(first: 100) { edges { node { touchpoints(first: 100) { edges { node { id } } } } } } } } } }`;
    const res = await api.gql(query);
    expect(res.status).toBe(400);
    expect(codes(res.body.errors)).toEqual(['QUERY_REJECTED']);
    // 100 × 100 × 100 touchpoints at least: a million, far over 50,000
    const [, cost] = /query cost (\d+) exceeds the limit of 50000/.exec(messages(res.body.errors)) ?? [];
    expect(Number(cost)).toBeGreaterThanOrEqual(1_000_000);
    // the same shape with small pages is fine
    const small = await api.gql(query.replace(/first: 100/g, 'first: 5'));
    expect(small.body.errors).toBeUndefined();
  });

  it('prices page sizes passed as variables too', async () => {
    const query = `query($n: Int) { accounts(first: $n) { edges { node { leads(first: $n) { edges { node {
      touchpoints(first: $n) { edges { node { id } } } } } } } } } }`;
    const res = await api.gql(query, { n: 100 });
    expect(codes(res.body.errors)).toEqual(['QUERY_REJECTED']);
    // the same document is priced for each set of variables, again and again (costs are remembered per variables)
    for (const n of [5, 100, 5, 100]) {
      const again = await api.gql(query, { n });
      expect(again.body.errors ? codes(again.body.errors) : []).toEqual(n === 100 ? ['QUERY_REJECTED'] : []);
    }
  });

  it('refuses a body over MAX_BODY_BYTES with 413, and keeps serving', async () => {
    const res = await api.post({ query: `{ __typename }`, padding: 'x'.repeat(MAX_BODY) }, { authorization: `Bearer ${api.adminKey}` });
    expect(res.status).toBe(413);
    expect((await api.gql('{ __typename }')).status).toBe(200);
  });

  it('refuses HTTP batching (a JSON array of operations) and runs none of them', async () => {
    const before = await countRows(db, 'accounts');
    const res = await api.post<unknown>(
      [
        { query: `mutation { createAccount(input: { name: "B1", domain: "batch-1.test", segment: SMB }) { account { id } } }` },
        { query: `mutation { createAccount(input: { name: "B2", domain: "batch-2.test", segment: SMB }) { account { id } } }` },
      ],
      { authorization: `Bearer ${api.adminKey}` },
    );
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toMatch(/batch/i);
    expect(await countRows(db, 'accounts')).toBe(before);
  });

  describe('CSRF prevention', () => {
    const get = (query: string, headers: Record<string, string> = {}) =>
      fetch(`${api.url}?query=${encodeURIComponent(query)}`, { headers: { authorization: `Bearer ${api.adminKey}`, ...headers } });

    it('refuses a mutation sent by GET', async () => {
      const before = await countRows(db, 'accounts');
      const res = await get(`mutation { createAccount(input: { name: "G", domain: "by-get.test", segment: SMB }) { account { id } } }`, {
        'apollo-require-preflight': 'true',
      });
      expect(res.status).toBe(405);
      expect(await countRows(db, 'accounts')).toBe(before);
    });

    it('refuses a GET without a preflight header (a browser could send it cross-site), and runs it with one', async () => {
      const bare = await get('{ users(first: 1) { totalCount } }');
      expect(bare.status).toBe(400);
      expect(await bare.text()).toMatch(/CSRF/);
      const preflighted = await get('{ users(first: 1) { totalCount } }', { 'apollo-require-preflight': 'true' });
      expect(preflighted.status).toBe(200);
    });

    it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])(
      'refuses a POST with the simple content type %s',
      async (contentType) => {
        const before = await countRows(db, 'accounts');
        const res = await api.post(
          { query: `mutation { createAccount(input: { name: "C", domain: "csrf.test", segment: SMB }) { account { id } } }` },
          { authorization: `Bearer ${api.adminKey}`, 'content-type': contentType },
        );
        expect(res.status).toBe(400);
        expect(await countRows(db, 'accounts')).toBe(before);
      },
    );
  });

  it('answers introspection and suggests field names outside production', async () => {
    const schema = await api.gql<{ __schema: { queryType: { name: string } } }>('{ __schema { queryType { name } } }');
    expect(schema.body.data?.__schema.queryType.name).toBe('Query');
    const typo = await api.gql('{ acounts { totalCount } }');
    expect(messages(typo.body.errors)).toMatch(/Did you mean "accounts"/);
  });
});

describe('in production', () => {
  let api: HttpTestApp;
  beforeAll(async () => {
    api = await startHttpApp((c) => {
      c.production = true;
      c.limits.introspection = false;
    });
  });
  afterAll(() => api.close());

  it.each([
    ['__schema', '{ __schema { types { name } } }'],
    ['__type', '{ __type(name: "Lead") { fields { name } } }'],
    ['__schema in a fragment', 'query { ...F } fragment F on Query { __schema { queryType { name } } }'],
  ])('refuses introspection through %s', async (_what, query) => {
    const res = await api.gql(query);
    expect(res.body.data ?? null).toBeNull();
    expect(res.body.errors?.length).toBeGreaterThan(0);
    expect(JSON.stringify(res.body)).not.toMatch(/"fields"\s*:\s*\[/);
    expect(messages(res.body.errors)).toMatch(/introspection/i);
  });

  it.each([
    ['a misspelled field', '{ acounts { totalCount } }'],
    ['a misspelled argument', '{ accounts(frist: 1) { totalCount } }'],
    ['a misspelled type', 'query($f: AcountFilter) { accounts(filter: $f) { totalCount } }'],
    ['a misspelled input field', '{ accounts(filter: { serch: "x" }) { totalCount } }'],
    ['a misspelled enum value', '{ accounts(filter: { segments: [SMBB] }) { totalCount } }'],
  ])('gives no "Did you mean" hint for %s', async (_what, query) => {
    const res = await api.gql(query);
    expect(res.body.errors?.length).toBeGreaterThan(0);
    const text = JSON.stringify(res.body);
    expect(text).not.toMatch(/did you mean/i);
    expect(text).not.toMatch(/"accounts"|\\"search\\"|MID_MARKET|frist.*first/);
  });

  it('still runs ordinary queries', async () => {
    const res = await api.gql('{ users(first: 1) { totalCount } }');
    expect(res.body.errors).toBeUndefined();
  });
});

describe('rate limit per caller', () => {
  const USERS = '{ users(first: 1) { totalCount } }';

  async function expectLimitedOnFourth(send: (i: number) => Promise<{ status: number; headers: Headers; body: GraphQLBody }>) {
    for (let i = 0; i < 3; i++) expect((await send(i)).status).toBe(200);
    const limited = await send(3);
    expect(limited.status).toBe(429);
    expect(codes(limited.body.errors)).toEqual(['RATE_LIMITED']);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.body.errors?.[0]?.extensions?.retryAfterSeconds).toBe(retryAfter);
  }

  it('refuses the 4th request of a minute with 429 RATE_LIMITED and Retry-After (in memory)', async () => {
    const api = await startHttpApp((c) => {
      c.limits.rateLimitPoints = 3;
    });
    try {
      const { secret } = await api.newKey(Role.ANALYST);
      const before = await countRows(api.db, 'accounts');
      await expectLimitedOnFourth(() => api.gql(USERS, {}, { key: secret }));
      // a limited mutation does not run
      const write = await api.gql(`mutation { createAccount(input: { name: "L", domain: "limited.test", segment: SMB }) { account { id } } }`, {}, {
        key: secret,
      });
      expect(write.status).toBe(429);
      expect(await countRows(api.db, 'accounts')).toBe(before);
      // other callers have their own allowance
      expect((await api.gql(USERS)).status).toBe(200);
    } finally {
      await api.close();
    }
  });

  it('shares the count between replicas through Redis (REDIS_URL)', async () => {
    const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
    const answered = await redis.connect().then(
      () => redis.ping(),
      () => null,
    );
    if (answered !== 'PONG') {
      redis.disconnect();
      console.warn(`SKIPPED the Redis rate-limit case: no Redis answers at ${redisUrl}`);
      return;
    }
    // our own prefix: other runs and deployments on this Redis are neither touched nor counted
    const prefix = `ra-rate-test-${randomBytes(6).toString('hex')}`;
    const db = await createTestDatabase();
    const configure = (c: ReturnType<typeof loadConfig>) => {
      c.limits.rateLimitPoints = 3;
      c.redisUrl = redisUrl;
      c.redisKeyPrefix = prefix;
    };
    const replicaA = await startHttpApp(configure, db);
    const replicaB = await startHttpApp(configure, db);
    try {
      const { secret } = await replicaA.newKey(Role.EXECUTIVE);
      // requests alternate between the two replicas, as behind a load balancer
      await expectLimitedOnFourth((i) => (i % 2 ? replicaB : replicaA).gql(USERS, {}, { key: secret }));
      expect(await redis.keys(`${prefix}:*`)).toHaveLength(1);
    } finally {
      await replicaA.close();
      await replicaB.close();
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
      await db.drop();
    }
  });
});

describe('statement timeout', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('cancels a statement that runs past STATEMENT_TIMEOUT_MS', async () => {
    const ds = createDataSource({ url: db.url, poolSize: 1, statementTimeoutMs: 100 });
    await ds.initialize();
    try {
      const started = Date.now();
      await expect(ds.query('SELECT pg_sleep(2)')).rejects.toMatchObject({ driverError: { code: '57014' } });
      expect(Date.now() - started).toBeLessThan(1500);
      // the connection is fine afterwards
      expect(await ds.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await ds.destroy();
    }
  });

  it('turns a statement that waits too long in the API into a typed TIMEOUT error, not a hang nor an internal error', async () => {
    const ds = createDataSource({ url: db.url, poolSize: 2, statementTimeoutMs: 200 });
    await ds.initialize();
    const api = await startHttpApp(() => undefined, { ...db, ds, drop: async () => undefined });
    // another session holds the accounts table: every read of it waits
    const blocker = new Client({ connectionString: db.url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE');
      const started = Date.now();
      const res = await api.gql('{ accounts(first: 5) { totalCount edges { node { name } } } }');
      expect(Date.now() - started).toBeLessThan(3000);
      expect(res.status).toBe(200);
      expect(res.body.data ?? null).toBeNull();
      expect(codes(res.body.errors)).toEqual(['TIMEOUT']);
      expect(res.body.errors?.[0]?.message).toMatch(/statement time limit/);
      const text = JSON.stringify(res.body);
      expect(text).not.toMatch(/statement timeout|canceling|SELECT|accounts"? t|stack/i);
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
      await api.close();
      await ds.destroy();
    }
  });
});

describe('settings', () => {
  const VARS: [string, string, (c: ReturnType<typeof loadConfig>) => unknown, unknown][] = [
    ['MAX_QUERY_DEPTH', '7', (c) => c.limits.maxDepth, 7],
    ['MAX_QUERY_ALIASES', '8', (c) => c.limits.maxAliases, 8],
    ['MAX_QUERY_TOKENS', '900', (c) => c.limits.maxTokens, 900],
    ['MAX_QUERY_DIRECTIVES', '9', (c) => c.limits.maxDirectives, 9],
    ['MAX_QUERY_COST', '1234', (c) => c.limits.maxCost, 1234],
    ['MAX_BODY_BYTES', '2048', (c) => c.limits.maxBodyBytes, 2048],
    ['MAX_PAGE_SIZE', '50', (c) => c.maxPageSize, 50],
    ['STATEMENT_TIMEOUT_MS', '2500', (c) => c.limits.statementTimeoutMs, 2500],
    ['RATE_LIMIT_PER_MINUTE', '0', (c) => c.limits.rateLimitPoints, 0],
    ['GRAPHQL_INTROSPECTION', 'false', (c) => c.limits.introspection, false],
    ['REDIS_URL', 'redis://cache:6379', (c) => c.redisUrl, 'redis://cache:6379'],
    ['REDIS_KEY_PREFIX', 'staging-rate', (c) => c.redisKeyPrefix, 'staging-rate'],
    ['API_KEY_CACHE_MS', '0', (c) => c.apiKeyCacheMs, 0],
  ];

  function withEnv<T>(vars: Record<string, string>, read: () => T): T {
    const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
    Object.assign(process.env, vars);
    try {
      return read();
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  }

  it.each(VARS)('%s=%s sets the limit', (name, value, read, expected) => {
    expect(read(withEnv({ [name]: value }, loadConfig))).toEqual(expected);
  });

  it('turns introspection off by default in production only', () => {
    expect(withEnv({ NODE_ENV: 'production' }, loadConfig).limits.introspection).toBe(false);
    expect(withEnv({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true' }, loadConfig).limits.introspection).toBe(true);
    expect(withEnv({ NODE_ENV: 'development' }, loadConfig).limits.introspection).toBe(true);
  });

  it('refuses a malformed value instead of guessing', () => {
    expect(() => withEnv({ MAX_QUERY_DEPTH: 'ten' }, loadConfig)).toThrow(/MAX_QUERY_DEPTH/);
    expect(() => withEnv({ RATE_LIMIT_PER_MINUTE: '-1' }, loadConfig)).toThrow(/RATE_LIMIT_PER_MINUTE/);
    expect(() => withEnv({ GRAPHQL_INTROSPECTION: 'maybe' }, loadConfig)).toThrow(/GRAPHQL_INTROSPECTION/);
  });
});
