import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { SignJWT } from 'jose';
import * as ts from 'typescript';
import { Role } from '../../src/auth/roles';
import { gid, insertUser } from '../helpers/core-fixtures';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { HttpTestApp, startHttpApp } from '../helpers/http-app';

const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) {
  secret apiKey { id name role prefix createdBy lastUsedAt revokedAt } } }`;
const REVOKE_KEY = `mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { id revokedAt } } }`;
const KEYS = `{ apiKeys(first: 100) { edges { node { id name role prefix createdAt createdBy lastUsedAt revokedAt } } } }`;
const USERS = `{ users(first: 1) { totalCount } }`;

interface KeyNode {
  id: string;
  name: string;
  role: string;
  prefix: string;
  createdBy: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

describe('API keys over HTTP', () => {
  let api: HttpTestApp;
  beforeAll(async () => {
    api = await startHttpApp((c) => {
      c.apiKeyCacheMs = 0; // every request checks the database: a revocation shows at once
    });
  });
  afterAll(() => api.close());

  const createKey = async (input: Record<string, unknown>) => {
    const res = await api.gql<{ createApiKey: { secret: string; apiKey: KeyNode } }>(CREATE_KEY, { input });
    expect(res.body.errors).toBeUndefined();
    return res.body.data!.createApiKey;
  };

  it('shows the secret once, and stores only its SHA-256', async () => {
    const { secret, apiKey } = await createKey({ name: 'Looker sync', role: 'ANALYST' });
    expect(secret).toMatch(/^ra_[A-Za-z0-9_-]{43}$/); // 32 random bytes, base64url
    expect(apiKey).toMatchObject({ name: 'Looker sync', role: 'ANALYST', lastUsedAt: null, revokedAt: null });
    expect(secret.startsWith(apiKey.prefix)).toBe(true);
    expect(apiKey.prefix.length).toBeLessThan(12);

    const [row] = await api.db.sql<{ key_hash: Buffer; created_by: string; whole: string }>(
      `SELECT key_hash, created_by, to_jsonb(k)::text AS whole FROM api_keys k WHERE id = $1`,
      [apiKey.id],
    );
    expect(row!.key_hash.equals(sha256(secret))).toBe(true);
    const random = secret.slice(apiKey.prefix.length);
    expect(row!.whole).not.toContain(random);
    // nor anywhere else the write went (the audit trail drops the hash too)
    const [audit] = await api.db.sql<{ text: string }>(`SELECT coalesce(string_agg(to_jsonb(a)::text, ''), '') AS text FROM audit_log a`);
    expect(audit!.text).not.toContain(random);
    expect(audit!.text).not.toContain(sha256(secret).toString('hex'));
    // the creator is recorded as the admin key that made it
    expect(row!.created_by).toMatch(/^key:\d+$/);
    expect(apiKey.createdBy).toBe(row!.created_by);

    // the list never shows it again
    const list = await api.gql(KEYS);
    expect(JSON.stringify(list.body)).not.toContain(random);
  });

  it('authenticates with the key, and records when it was last used', async () => {
    const { secret, apiKey } = await createKey({ name: 'BI', role: 'ANALYST' });
    const res = await api.gql<{ users: { totalCount: number } }>(USERS, {}, { key: secret });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.users.totalCount).toEqual(expect.any(Number));
    // an ANALYST key is an ANALYST: no API keys for it
    const keys = await api.gql(KEYS, {}, { key: secret });
    expect(keys.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    let lastUsedAt: string | null = null;
    for (let i = 0; i < 50 && !lastUsedAt; i++) {
      // written in the background, after the answer
      const list = await api.gql<{ apiKeys: { edges: { node: KeyNode }[] } }>(KEYS);
      lastUsedAt = list.body.data!.apiKeys.edges.find((e) => e.node.id === apiKey.id)?.node.lastUsedAt ?? null;
      if (!lastUsedAt) await new Promise((ok) => setTimeout(ok, 20));
    }
    expect(lastUsedAt).not.toBeNull();
    expect(Math.abs(Date.parse(lastUsedAt!) - Date.now())).toBeLessThan(60_000);
  });

  it('refuses a revoked key from then on', async () => {
    const { secret, apiKey } = await createKey({ name: 'leaked', role: 'REVENUE_OPS' });
    expect((await api.gql(USERS, {}, { key: secret })).status).toBe(200);
    const revoked = await api.gql<{ revokeApiKey: { apiKey: { id: string; revokedAt: string | null } } }>(REVOKE_KEY, { id: apiKey.id });
    expect(revoked.body.errors).toBeUndefined();
    expect(revoked.body.data?.revokeApiKey.apiKey.revokedAt).not.toBeNull();
    const after = await api.gql(USERS, {}, { key: secret });
    expect(after.status).toBe(401);
    expect(after.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    // revoking twice is a conflict, an unknown id a bad input
    expect((await api.gql(REVOKE_KEY, { id: apiKey.id })).body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect((await api.gql(REVOKE_KEY, { id: '987654321' })).body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('binds a key to a user when asked', async () => {
    const user = await insertUser(api.db, 'MARKETING');
    const { apiKey } = await createKey({ name: 'Marketing ops', role: 'MARKETING', userId: gid('User', user) });
    const [row] = await api.db.sql<{ user_id: string }>(`SELECT user_id FROM api_keys WHERE id = $1`, [apiKey.id]);
    expect(row!.user_id).toBe(user);
  });

  it.each([
    ['no Authorization header', undefined],
    ['an empty header', ''],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['Bearer without a credential', 'Bearer'],
    ['a credential too short to be one', 'Bearer abc'],
    ['an unknown key', `Bearer ra_${'A'.repeat(43)}`],
    ['a key with a character changed', 'CHANGED'],
    ['a token that is no JWT (none configured)', 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl'],
  ])('refuses %s with 401 UNAUTHENTICATED and runs nothing', async (_what, header) => {
    let authorization = header;
    if (header === 'CHANGED') {
      const secret = api.adminKey;
      authorization = `Bearer ${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    }
    const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
    const before = (await api.db.sql<{ n: number }>(`SELECT count(*)::int AS n FROM accounts`))[0]!.n;
    const res = await api.post<{ data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] }>(
      { query: `mutation { createAccount(input: { name: "Sneaky", domain: "sneaky.test", segment: SMB }) { account { id } } }` },
      headers,
    );
    expect(res.status).toBe(401);
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors![0]!.extensions).toEqual({ code: 'UNAUTHENTICATED' });
    expect(res.body.data).toBeUndefined();
    expect((await api.db.sql<{ n: number }>(`SELECT count(*)::int AS n FROM accounts`))[0]!.n).toBe(before);
  });
});

describe('revocation with the key cache on', () => {
  let api: HttpTestApp;
  beforeAll(async () => {
    api = await startHttpApp((c) => {
      c.apiKeyCacheMs = 60_000;
    });
  });
  afterAll(() => api.close());

  it('is immediate on the replica that revoked the key (the README promises it)', async () => {
    const { id, secret } = await api.newKey(Role.SALES);
    expect((await api.gql(USERS, {}, { key: secret })).status).toBe(200); // now cached as valid
    const revoked = await api.gql(REVOKE_KEY, { id });
    expect(revoked.body.errors).toBeUndefined();
    expect((await api.gql(USERS, {}, { key: secret })).status).toBe(401);
  });
});

describe('JWTs of the identity provider (HS256)', () => {
  const SECRET = 'a shared secret of at least thirty-two bytes!';
  const ENV = {
    JWT_ISSUER: 'https://idp.example.test/',
    JWT_AUDIENCE: 'revenue-api',
    JWT_SECRET: SECRET,
    JWT_ROLE_CLAIM: 'groups',
    JWT_ROLE_MAP: 'okta-bi=ANALYST,okta-revops=REVENUE_OPS',
  };
  const saved: Record<string, string | undefined> = {};
  let api: HttpTestApp;
  beforeAll(async () => {
    for (const [name, value] of Object.entries(ENV)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    try {
      api = await startHttpApp(); // reads the JWT_* settings when it is created
    } finally {
      for (const name of Object.keys(ENV)) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    }
  });
  afterAll(() => api.close());

  const sign = (claims: Record<string, unknown>, o: { aud?: string; iss?: string; exp?: number; sub?: string | null; secret?: string } = {}) => {
    let jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(o.iss ?? ENV.JWT_ISSUER)
      .setAudience(o.aud ?? ENV.JWT_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(o.exp ?? Math.floor(Date.now() / 1000) + 300);
    if (o.sub !== null) jwt = jwt.setSubject(o.sub ?? 'alice@corp.test');
    return jwt.sign(new TextEncoder().encode(o.secret ?? SECRET));
  };

  it('maps a claim value to a role through JWT_ROLE_MAP', async () => {
    const token = await sign({ groups: ['everyone', 'okta-bi'] });
    const read = await api.gql<{ users: { totalCount: number } }>(USERS, {}, { key: token });
    expect(read.status).toBe(200);
    expect(read.body.errors).toBeUndefined();
    // it is an ANALYST: reads, but writes nothing
    const write = await api.gql(`mutation { createAccount(input: { name: "X", domain: "x-jwt.test", segment: SMB }) { account { id } } }`, {}, { key: token });
    expect(write.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('accepts a role named directly, and records the subject as the writer', async () => {
    const token = await sign({ groups: 'REVENUE_OPS' }, { sub: 'rita@corp.test' });
    const res = await api.gql<{ createAccount: { account: { id: string } } }>(
      `mutation { createAccount(input: { name: "Via JWT", domain: "via-jwt.test", segment: SMB }) { account { id } } }`,
      {},
      { key: token },
    );
    expect(res.body.errors).toBeUndefined();
    const rows = await api.db.sql(`SELECT actor, actor_role FROM audit_log WHERE object_type = 'accounts' AND after->>'domain' = 'via-jwt.test'`);
    expect(rows).toEqual([{ actor: 'jwt:rita@corp.test', actor_role: 'REVENUE_OPS' }]);
  });

  it.each([
    ['the wrong audience', () => sign({ groups: 'okta-bi' }, { aud: 'another-api' })],
    ['the wrong issuer', () => sign({ groups: 'okta-bi' }, { iss: 'https://evil.test/' })],
    ['an expired token', () => sign({ groups: 'okta-bi' }, { exp: Math.floor(Date.now() / 1000) - 120 })],
    ['an unknown role', () => sign({ groups: ['okta-everyone', 'superuser'] })],
    ['no role claim', () => sign({ role: 'ADMIN' })],
    ['another signing secret', () => sign({ groups: 'okta-bi' }, { secret: 'not the shared secret, but as long as it' })],
    ['no subject', () => sign({ groups: 'okta-bi' }, { sub: null })],
  ])('refuses %s with 401 UNAUTHENTICATED', async (_what, token) => {
    const res = await api.gql(USERS, {}, { key: await token() });
    expect(res.status).toBe(401);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('still accepts API keys', async () => {
    expect((await api.gql(USERS)).status).toBe(200);
  });
});

/**
 * Builds the CLI as `npm run apikey` would run it, but into a scratch folder (the shared dist/
 * is left alone) and without type checking, which `npx tsc --noEmit` does: only the modules it
 * imports, in a second or two rather than a minute.
 */
function buildCli(): string {
  const root = resolve(__dirname, '..', '..');
  const out = mkdtempSync(join(tmpdir(), 'ra-cli-'));
  const parsed = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.build.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  const pending = [join(root, 'src', 'auth', 'apikey.cli.ts')];
  const done = new Set<string>();
  while (pending.length) {
    const file = pending.pop()!;
    if (done.has(file)) continue;
    done.add(file);
    const source = readFileSync(file, 'utf8');
    for (const [, spec] of source.matchAll(/(?:from|import)\s+'(\.{1,2}\/[^']+)'/g)) {
      const base = resolve(dirname(file), spec!);
      pending.push(existsSync(`${base}.ts`) ? `${base}.ts` : join(base, 'index.ts'));
    }
    const { outputText } = ts.transpileModule(source, { compilerOptions: parsed!.options, fileName: file });
    const target = join(out, relative(root, file).replace(/\.ts$/, '.js'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
  symlinkSync(join(root, 'node_modules'), join(out, 'node_modules'), 'dir');
  return out;
}

describe('the apikey CLI', () => {
  let db: TestDatabase;
  let api: HttpTestApp;
  let cliDir: string;
  const run = (...args: string[]) =>
    promisify(execFile)(process.execPath, [join(cliDir, 'src', 'auth', 'apikey.cli.js'), ...args], {
      env: { ...process.env, DATABASE_URL: db.url },
      timeout: 30_000,
    });

  beforeAll(async () => {
    db = await createTestDatabase();
    api = await startHttpApp(() => undefined, db);
    cliDir = buildCli();
  });
  afterAll(async () => {
    await api.close();
    await db.drop();
    rmSync(cliDir, { recursive: true, force: true });
  });

  it('creates a key that works, lists it without its secret, and revokes it', async () => {
    const created = await run('create', '--role', 'ANALYST', '--name', 'nightly export');
    const [, id] = /created API key (\d+) \(ANALYST\)/.exec(created.stdout) ?? [];
    const secret = created.stdout.trim().split('\n').pop()!;
    expect(id).toBeDefined();
    expect(secret).toMatch(/^ra_[A-Za-z0-9_-]{43}$/);

    const res = await api.gql<{ users: { totalCount: number } }>(USERS, {}, { key: secret });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();

    const listed = await run('list');
    const rows = listed.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows.find((r) => String(r.id) === id)).toMatchObject({ name: 'nightly export', role: 'ANALYST', revoked_at: null });
    expect(listed.stdout).not.toContain(secret.slice(8));

    expect((await run('revoke', '--id', id!)).stdout).toContain(`revoked API key ${id}`);
    const [row] = await db.sql<{ revoked: boolean }>(`SELECT revoked_at IS NOT NULL AS revoked FROM api_keys WHERE id = $1`, [id]);
    expect(row!.revoked).toBe(true);

    // both writes are in the audit log, under the CLI's name
    const audit = await db.sql(`SELECT actor, mutation, action FROM audit_log WHERE object_type = 'api_keys' AND object_id = $1 ORDER BY id`, [id]);
    expect(audit).toEqual([
      { actor: 'cli', mutation: 'createApiKey', action: 'INSERT' },
      { actor: 'cli', mutation: 'revokeApiKey', action: 'UPDATE' },
    ]);
  });

  it('refuses an unknown role with usage help and exit code 2', async () => {
    await expect(run('create', '--role', 'GOD')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('--role must be one of') });
  });
});
