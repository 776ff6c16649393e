import type { AddressInfo } from 'node:net';
import { issueApiKey } from '../../src/auth/api-key.service';
import { Role } from '../../src/auth/roles';
import { loadConfig } from '../../src/config';
import { App, createApp } from '../../src/http/server';
import { silentLogger } from '../helpers/app';
import { createTestDatabase, TestDatabase } from '../helpers/db';

/**
 * DATABASE_READ_URL: two databases stand for the primary and its replica. They hold different
 * accounts, so each answer shows which one served it.
 */
describe('read replica', () => {
  let primary: TestDatabase;
  let replica: TestDatabase;
  let app: App;
  let base: string;
  let writerKey: string;
  let readerKey: string;

  beforeAll(async () => {
    primary = await createTestDatabase();
    replica = await createTestDatabase();
    await primary.sql(`INSERT INTO accounts (name, domain, segment) VALUES ('Primary Co', 'primary.test', 'SMB')`);
    await replica.sql(`INSERT INTO accounts (name, domain, segment) VALUES ('Replica Co', 'replica.test', 'SMB')`);
    writerKey = (await issueApiKey(primary.ds, { name: 'writer', role: Role.REVENUE_OPS, createdBy: 'test' })).secret;
    readerKey = (await issueApiKey(primary.ds, { name: 'reader', role: Role.EXECUTIVE, createdBy: 'test' })).secret;
    const config = { ...loadConfig(), readYourWritesMs: 60_000 };
    app = await createApp({ ds: primary.ds, readDs: replica.ds, config, logger: silentLogger });
    await new Promise<void>((ok) => app.http.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(app.http.address() as AddressInfo).port}/graphql`;
  });
  afterAll(async () => {
    await app.stop();
    await primary.drop();
    await replica.drop();
  });

  async function post(key: string, query: string, headers: Record<string, string> = {}) {
    const response = await fetch(base, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers },
      body: JSON.stringify({ query }),
    });
    return (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
  }
  const accountNames = async (key: string, headers?: Record<string, string>) => {
    const body = await post(key, '{ accounts { edges { node { name } } } }', headers);
    return (body.data?.accounts as { edges: { node: { name: string } }[] }).edges.map((e) => e.node.name);
  };

  it('sends list and metric reads to the replica', async () => {
    expect(await accountNames(readerKey)).toEqual(['Replica Co']);
    const metrics = await post(readerKey, `{ walletShare(input: {}) { portfolio { accounts } } }`);
    expect(metrics.errors).toBeUndefined();
  });

  it('writes to the primary, and the writer then reads its own writes there', async () => {
    const created = await post(writerKey, `mutation { createAccount(input: { name: "New Co", domain: "new.test", segment: SMB }) { account { name } } }`);
    expect(created.errors).toBeUndefined();
    const [row] = await primary.sql<{ n: number }>(`SELECT count(*)::int AS n FROM accounts WHERE domain = 'new.test'`);
    expect(row?.n).toBe(1);
    expect(await accountNames(writerKey)).toEqual(['New Co', 'Primary Co']);
    // a caller that did not write keeps reading the replica, unless it asks for the primary
    expect(await accountNames(readerKey)).toEqual(['Replica Co']);
    expect(await accountNames(readerKey, { 'x-read-consistency': 'primary' })).toEqual(['New Co', 'Primary Co']);
  });
});
