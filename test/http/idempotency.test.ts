import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { Role } from '../../src/auth/roles';
import { createDataSource } from '../../src/db/data-source';
import { countRows } from '../helpers/core-fixtures';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { HttpTestApp, startHttpApp } from '../helpers/http-app';

const CREATE = `mutation($input: CreateAccountInput!) { createAccount(input: $input) { account { id name domain createdAt } } }`;
const account = (domain: string, name = 'Idem Co') => ({ input: { name, domain, segment: 'SMB' } });

describe('Idempotency-Key over HTTP', () => {
  let db: TestDatabase;
  let api: HttpTestApp;
  beforeAll(async () => {
    db = await createTestDatabase();
    api = await startHttpApp(() => undefined, db);
  });
  afterAll(async () => {
    await api.close();
    await db.drop();
  });

  const send = (variables: Record<string, unknown>, key: string, secret = api.adminKey, query = CREATE) =>
    api.gql(query, variables, { key: secret, headers: { 'idempotency-key': key } });
  const accountsAt = (domain: string) => countRows(db, 'accounts', 'domain = $1', [domain]);

  it('answers a retry with the first response, marked as replayed, and writes once', async () => {
    const key = randomUUID();
    const first = await send(account('once.test'), key);
    expect(first.status).toBe(200);
    expect(first.body.errors).toBeUndefined();
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const retry = await send(account('once.test'), key);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body).toEqual(first.body); // the same id and createdAt: nothing ran again
    expect(await accountsAt('once.test')).toBe(1);
    expect(await countRows(db, 'audit_log', `mutation = 'createAccount' AND after->>'domain' = 'once.test'`)).toBe(1);
  });

  it('replays a refusal too (the request was answered, not lost)', async () => {
    const key = randomUUID();
    const bad = { input: { name: 'Bad', domain: 'not a domain', segment: 'SMB' } };
    const first = await send(bad, key);
    expect(first.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const retry = await send(bad, key);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body).toEqual(first.body);
  });

  it('refuses the same key with other input with 409 CONFLICT, and runs nothing', async () => {
    const key = randomUUID();
    expect((await send(account('first-input.test'), key)).status).toBe(200);
    const other = await send(account('other-input.test'), key);
    expect(other.status).toBe(409);
    expect(other.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(other.body.errors?.[0]?.message).toMatch(/different request/);
    expect(await accountsAt('other-input.test')).toBe(0);
    // another mutation under the same key is other input as well
    const rename = await send(
      { input: { id: 'QWNjb3VudDox', name: 'x' } },
      key,
      api.adminKey,
      `mutation($input: UpdateAccountInput!) { updateAccount(input: $input) { account { id } } }`,
    );
    expect(rename.status).toBe(409);
  });

  it('keeps the keys of different callers apart', async () => {
    const key = randomUUID();
    const ops = await api.newKey(Role.REVENUE_OPS);
    const a = await send(account('caller-a.test'), key);
    const b = await send(account('caller-b.test'), key, ops.secret);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
    expect(await accountsAt('caller-a.test')).toBe(1);
    expect(await accountsAt('caller-b.test')).toBe(1);
    // and the same input under one key for each caller runs once per caller
    const c = await send(account('caller-c.test'), `${key}-c`, ops.secret);
    const d = await send(account('caller-c.test'), `${key}-c`);
    expect(c.body.errors).toBeUndefined();
    expect(d.headers.get('idempotent-replayed')).toBeNull();
    expect(d.body.errors?.[0]?.extensions?.code).toBe('CONFLICT'); // the domain is taken: it really ran
  });

  it('ignores the header on queries', async () => {
    const key = randomUUID();
    const query = `{ accounts(first: 1) { totalCount } }`;
    const first = await send({}, key, api.adminKey, query);
    const second = await send({}, key, api.adminKey, query);
    expect(second.headers.get('idempotent-replayed')).toBeNull();
    expect(first.status).toBe(200);
    expect(await countRows(db, 'idempotency_keys', 'key = $1', [key])).toBe(0);
    // the key is still free for a mutation
    const write = await send(account('after-query.test'), key);
    expect(write.body.errors).toBeUndefined();
    expect(write.headers.get('idempotent-replayed')).toBeNull();
  });

  it('keeps a key 24 hours, then lets it be used again', async () => {
    const key = randomUUID();
    expect((await send(account('day-one.test'), key)).status).toBe(200);
    await db.sql(`UPDATE idempotency_keys SET created_at = now() - interval '23 hours' WHERE key = $1`, [key]);
    expect((await send(account('day-two.test'), key)).status).toBe(409);
    await db.sql(`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = $1`, [key]);
    const reused = await send(account('day-two.test'), key);
    expect(reused.status).toBe(200);
    expect(reused.body.errors).toBeUndefined();
    expect(reused.headers.get('idempotent-replayed')).toBeNull();
    expect(await accountsAt('day-two.test')).toBe(1);
  });

  it('refuses a key longer than 255 characters', async () => {
    const res = await send(account('long-key.test'), 'k'.repeat(256));
    expect(res.status).toBe(400);
    expect(await accountsAt('long-key.test')).toBe(0);
  });

  it('answers a retry that arrives while the first is still running with 409, then replays', async () => {
    const key = randomUUID();
    const blocker = new Client({ connectionString: db.url });
    await blocker.connect();
    let first: ReturnType<typeof send> | undefined;
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE');
      first = send(account('slow.test'), key);
      // wait until the first request holds the key: its transaction's advisory lock, in this test's
      // database (a shared server holds other files' locks too), held by a backend that then waits
      // for the table
      const holding = async () =>
        (
          await db.sql<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
              WHERE l.locktype = 'advisory' AND l.granted AND a.wait_event_type = 'Lock'
                AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
          )
        )[0]!.n;
      for (let i = 0; i < 100 && (await holding()) === 0; i++) {
        await new Promise((ok) => setTimeout(ok, 10));
      }
      const early = await send(account('slow.test'), key);
      expect(early.status).toBe(409);
      expect(early.body.errors?.[0]?.message).toMatch(/in progress/);
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }
    const done = await first!;
    expect(done.body.errors).toBeUndefined();
    const late = await send(account('slow.test'), key);
    expect(late.headers.get('idempotent-replayed')).toBe('true');
    expect(late.body).toEqual(done.body);
    expect(await accountsAt('slow.test')).toBe(1);
  });
});

describe('Idempotency-Key after a failure of the server', () => {
  let db: TestDatabase;
  let ds: ReturnType<typeof createDataSource>;
  let api: HttpTestApp;
  let blocker: Client;
  beforeAll(async () => {
    db = await createTestDatabase();
    // statements give up after 200 ms: a lock held by `blocker` makes a request fail on the server's side
    ds = createDataSource({ url: db.url, poolSize: 3, statementTimeoutMs: 200 });
    await ds.initialize();
    api = await startHttpApp(() => undefined, { ...db, ds, drop: async () => undefined });
  });
  beforeEach(async () => {
    blocker = new Client({ connectionString: db.url });
    await blocker.connect();
  });
  afterEach(() => blocker.end());
  afterAll(async () => {
    await api.close();
    await ds.destroy();
    await db.drop();
  });

  it('runs the retry instead of replaying a failure that was not the request’s fault', async () => {
    {
      const key = randomUUID();
      const send = () => api.gql(CREATE, account('transient.test'), { headers: { 'idempotency-key': key } });
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE');
      const failed = await send(); // times out waiting for the lock: TIMEOUT, not the request's fault
      expect(failed.body.errors?.[0]?.extensions?.code).toBe('TIMEOUT');
      await blocker.query('ROLLBACK');
      const retry = await send();
      expect(retry.headers.get('idempotent-replayed')).toBeNull();
      expect(retry.body.errors).toBeUndefined();
      expect(await countRows(db, 'accounts', `domain = 'transient.test'`)).toBe(1);
      // and from now on it is replayed
      expect((await send()).headers.get('idempotent-replayed')).toBe('true');
    }
  });

  it('keeps the response once a mutation committed, even if a later one failed, so nothing runs twice', async () => {
    const [{ id }] = (await db.sql<{ id: string }>(
      `INSERT INTO accounts (name, domain, segment) VALUES ('Locked', 'locked.test', 'SMB') RETURNING id`,
    )) as [{ id: string }];
    const twoWrites = `mutation($locked: ID!) {
      first: createAccount(input: { name: "Committed", domain: "committed.test", segment: SMB }) { account { id } }
      second: updateAccount(input: { id: $locked, name: "Never" }) { account { id } } }`;
    const key = randomUUID();
    const send = () =>
      api.gql(twoWrites, { locked: Buffer.from(`Account:${id}`).toString('base64') }, { headers: { 'idempotency-key': key } });
    await blocker.query('BEGIN');
    await blocker.query('SELECT id FROM accounts WHERE id = $1 FOR UPDATE', [id]);
    const failed = await send(); // the first commits, the second times out waiting for the row
    await blocker.query('ROLLBACK');
    expect(failed.body.errors?.map((e) => e.extensions?.code)).toEqual(['TIMEOUT']);
    expect(await countRows(db, 'accounts', `domain = 'committed.test'`)).toBe(1);
    const retry = await send();
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body).toEqual(failed.body);
    expect(await countRows(db, 'accounts', `domain = 'committed.test'`)).toBe(1);
  });
});
