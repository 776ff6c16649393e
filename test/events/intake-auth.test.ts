import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueApiKey } from '../../src/auth/api-key.service';
import { Role } from '../../src/auth/roles';
import { transpile, ROOT } from '../helpers/built-service';
import { countRows } from '../helpers/core-fixtures';
import { basic, IntakeApp, startIntakeApp } from './intake-support';

/*
 * Write keys: a key kind of its own that sends events to /v1/* and nothing else, while API keys
 * send nothing there. Managed by ADMINs over GraphQL (like API keys) and from the shell.
 */

let api: IntakeApp;
beforeAll(async () => {
  api = await startIntakeApp();
});
afterAll(async () => {
  await api.close();
});

const event = { anonymousId: 'auth-test', event: 'Auth' };

async function gql<T>(query: string, variables: Record<string, unknown>, authorization: string) {
  const res = await fetch(`${api.base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] } };
}

const CREATE = `mutation($name: String!) { createEventSource(input: { name: $name }) { writeKey eventSource { id name prefix createdBy revokedAt } } }`;
const REVOKE = `mutation($id: ID!) { revokeEventSource(input: { id: $id }) { eventSource { id revokedAt } } }`;
const LIST = `{ eventSources(first: 50) { totalCount edges { cursor node { id name prefix lastUsedAt revokedAt } } pageInfo { hasNextPage } } }`;

interface Created {
  createEventSource: { writeKey: string; eventSource: { id: string; name: string; prefix: string; createdBy: string; revokedAt: string | null } };
}

describe('write keys on /v1/*', () => {
  it('authenticates by HTTP Basic (the key as user name, empty password), or by writeKey in the body', async () => {
    expect((await api.sendAs(api.writeKey, '/v1/track', event)).status).toBe(200);
    expect((await api.send('/v1/track', { ...event, writeKey: api.writeKey })).status).toBe(200);
    expect((await api.send('/v1/batch', { writeKey: api.writeKey, batch: [{ type: 'track', ...event }] })).status).toBe(200);
  });

  it('refuses a request without a write key, or with one it does not know, with 401', async () => {
    const none = await api.send('/v1/track', event);
    expect([none.status, none.body.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect(none.body.message).toMatch(/HTTP Basic/);
    const unknown = await api.sendAs(`wk_${'A'.repeat(43)}`, '/v1/track', event);
    expect([unknown.status, unknown.body.message]).toEqual([401, 'the write key is not valid (unknown or revoked)']);
    const inBody = await api.send('/v1/track', { ...event, writeKey: 'wk_nope' });
    expect(inBody.status).toBe(401);
  });

  it('checks the header before reading the body: a refused key is answered 401 while the body is still on its way', async () => {
    const answer = await new Promise<{ status: number; body: string }>((ok, fail) => {
      const req = request(`${api.base}/v1/batch`, {
        method: 'POST',
        headers: { authorization: basic(`wk_${'B'.repeat(43)}`), 'content-type': 'application/json', 'content-length': '100000' },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => {
          ok({ status: res.statusCode ?? 0, body });
          req.destroy();
        });
      });
      req.on('error', fail);
      // 10 of the 100,000 bytes announced, and no more: the answer cannot wait for the rest
      req.write('{"batch": [');
    });
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toMatchObject({ success: false, code: 'UNAUTHENTICATED' });
  });

  it('refuses API keys on /v1/*, as Bearer or as Basic user name', async () => {
    const bearer = await api.send('/v1/track', event, { authorization: `Bearer ${api.adminKey}` });
    expect([bearer.status, bearer.body.message]).toEqual([
      401,
      'API keys cannot send events: /v1/* takes a write key (HTTP Basic with the write key as user name and an empty password)',
    ]);
    const asBasic = await api.send('/v1/track', event, { authorization: basic(api.adminKey) });
    expect(asBasic.status).toBe(401);
  });

  it('refuses write keys everywhere else: GraphQL, imports, exports', async () => {
    const asBearer = await gql('{ __typename }', {}, `Bearer ${api.writeKey}`);
    expect(asBearer.status).toBe(401);
    expect(asBearer.body.errors?.[0]?.message).toBe('a write key can only send events to /v1/*; use an API key (Authorization: Bearer <API key>) here');
    const asBasic = await gql('{ __typename }', {}, basic(api.writeKey));
    expect(asBasic.status).toBe(401);
    for (const path of ['/imports', '/export/touchpoints.csv']) {
      const res = await fetch(`${api.base}${path}`, { headers: { authorization: `Bearer ${api.writeKey}` } });
      expect([path, res.status]).toEqual([path, 401]);
    }
    // the API key still works there
    expect((await gql('{ __typename }', {}, `Bearer ${api.adminKey}`)).status).toBe(200);
  });
});

describe('event sources over GraphQL (ADMIN only)', () => {
  it('creates a source whose write key is shown once and works at once; lists it without the key; revokes it at once', async () => {
    const created = await gql<Created>(CREATE, { name: '  marketing site  ' }, `Bearer ${api.adminKey}`);
    expect(created.body.errors).toBeUndefined();
    const { writeKey, eventSource } = created.body.data!.createEventSource;
    expect(writeKey).toMatch(/^wk_[A-Za-z0-9_-]{43}$/);
    expect(eventSource).toMatchObject({ name: 'marketing site', prefix: writeKey.slice(0, 9), revokedAt: null });
    expect(eventSource.createdBy).toMatch(/^key:/);
    expect((await api.sendAs(writeKey, '/v1/page', { anonymousId: 'a' })).status).toBe(200);

    const list = await gql<{ eventSources: { totalCount: number; edges: { node: Record<string, unknown> }[] } }>(LIST, {}, `Bearer ${api.adminKey}`);
    const node = list.body.data!.eventSources.edges.find((e) => e.node.id === eventSource.id)!.node;
    expect(node).toMatchObject({ name: 'marketing site', prefix: writeKey.slice(0, 9), revokedAt: null });
    expect(JSON.stringify(list.body)).not.toContain(writeKey);
    // newest first
    expect(list.body.data!.eventSources.edges[0]!.node.id).toBe(eventSource.id);
    // no secret is stored, only its hash
    expect(await countRows(api.db, 'event_sources', 'key_hash = sha256(convert_to($1, $2))', [writeKey, 'UTF8'])).toBe(1);

    const revoked = await gql<{ revokeEventSource: { eventSource: { revokedAt: string | null } } }>(REVOKE, { id: eventSource.id }, `Bearer ${api.adminKey}`);
    expect(revoked.body.data!.revokeEventSource.eventSource.revokedAt).not.toBeNull();
    // refused at once in the process that revoked it, though the key was cached
    const after = await api.sendAs(writeKey, '/v1/page', { anonymousId: 'a' });
    expect([after.status, after.body.code]).toEqual([401, 'UNAUTHENTICATED']);
    const again = await gql(REVOKE, { id: eventSource.id }, `Bearer ${api.adminKey}`);
    expect(again.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const unknown = await gql(REVOKE, { id: '999999' }, `Bearer ${api.adminKey}`);
    expect(unknown.body.errors?.[0]).toMatchObject({ message: 'input.id: no event source with id "999999"', extensions: { code: 'BAD_USER_INPUT' } });
    // audited as the mutations that did them
    const audit = await api.db.sql<{ mutation: string; action: string }>(
      `SELECT mutation, action FROM audit_log WHERE object_type = 'event_sources' AND object_id = $1 ORDER BY id`,
      [eventSource.id],
    );
    expect(audit).toEqual([
      { mutation: 'createEventSource', action: 'INSERT' },
      { mutation: 'revokeEventSource', action: 'UPDATE' },
    ]);
  });

  it('refuses an empty name, and every role but ADMIN', async () => {
    const empty = await gql(CREATE, { name: '   ' }, `Bearer ${api.adminKey}`);
    expect(empty.body.errors?.[0]).toMatchObject({ message: 'input.name: must not be empty', extensions: { code: 'BAD_USER_INPUT' } });
    const { secret } = await issueApiKey(api.db.ds, { name: 'marketing', role: Role.MARKETING, createdBy: 'test' });
    for (const [query, variables] of [[CREATE, { name: 'x' }], [LIST, {}], [REVOKE, { id: api.sourceId }]] as const) {
      const res = await gql(query, variables, `Bearer ${secret}`);
      expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });
});

describe('npm run write-key', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ra-write-key-cli-'));
    transpile(['src/events/write-key.cli.ts'], dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // asynchronously: a blocked event loop would let the HTTP client reuse sockets the server closed meanwhile
  const cli = (...args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((ok) => {
      execFile(
        process.execPath,
        [join(dir, 'src/events/write-key.cli.js'), ...args],
        { cwd: ROOT, env: { ...process.env, DATABASE_URL: api.db.url, NODE_PATH: join(ROOT, 'node_modules') }, encoding: 'utf8' },
        (error, stdout, stderr) => ok({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
      );
    });

  it('creates, lists and revokes sources; the printed key sends events until revoked', async () => {
    const created = await cli('create', '--name', 'cli site');
    expect(created.status).toBe(0);
    const [, id, key] = /created event source (\d+) \(cli site\); its write key is shown only this once:\n(wk_\S+)\n/.exec(created.stdout) ?? [];
    expect(key).toMatch(/^wk_[A-Za-z0-9_-]{43}$/);
    const listed = await cli('list');
    expect(listed.stdout).toContain(`"name":"cli site"`);
    expect(listed.stdout).not.toContain(key);
    expect((await cli('revoke', '--id', id!)).stdout).toBe(`revoked event source ${id}\n`);
    expect((await api.sendAs(key!, '/v1/page', { anonymousId: 'a' })).status).toBe(401);
    const twice = await cli('revoke', '--id', id!);
    expect([twice.status, twice.stderr]).toEqual([1, `no active event source with id ${id}\n`]);
    expect((await cli('create')).status).toBe(2);
  });
});
