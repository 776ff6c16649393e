import type { AddressInfo } from 'node:net';
import type { DataSource } from 'typeorm';
import { issueApiKey } from '../../src/auth/api-key.service';
import { Role } from '../../src/auth/roles';
import { loadConfig } from '../../src/config';
import { connectAndMigrate, createDataSource } from '../../src/db/data-source';
import { App, createApp } from '../../src/http/server';
import { silentLogger } from '../helpers/app';
import { startStreamingPair, StreamingPair } from '../helpers/streaming-pair';

/**
 * DATABASE_READ_URL against a real hot standby streaming from the primary (test/helpers/
 * streaming-pair.ts): reads go to the standby, a caller reads its own writes, a standby that
 * falls behind or goes away sends reads to the primary, and the answers are the same on both.
 * The standby's replay is paused to make it fall behind on purpose.
 */
describe('a streaming replica behind DATABASE_READ_URL', () => {
  let pair: StreamingPair;
  let primary: DataSource;
  let standby: DataSource;
  let app: App;
  let base: string;
  let writerKey: string;
  let readerKey: string;
  const maxLagMs = 3000;

  beforeAll(async () => {
    pair = await startStreamingPair();
    const admin = createDataSource({ url: pair.primaryUrl('postgres'), poolSize: 1 });
    await admin.initialize();
    await admin.query('CREATE DATABASE ra_replica');
    await admin.destroy();
    primary = (await connectAndMigrate({ url: pair.primaryUrl('ra_replica'), poolSize: 5 })).ds;
    writerKey = (await issueApiKey(primary, { name: 'writer', role: Role.REVENUE_OPS, createdBy: 'test' })).secret;
    readerKey = (await issueApiKey(primary, { name: 'reader', role: Role.EXECUTIVE, createdBy: 'test' })).secret;
    await primary.query(`INSERT INTO accounts (name, domain, segment) VALUES ('First Co', 'first.test', 'SMB')`);
    await pair.caughtUp();
    standby = createDataSource({ url: pair.standbyUrl('ra_replica'), poolSize: 5 });
    await standby.initialize();
    // a long fixed window: every read of the writer that reaches the standby shows the WAL rule, not the window
    const config = { ...loadConfig(), readYourWritesMs: 600_000, replicaCheckMs: 50, replicaMaxLagMs: maxLagMs };
    app = await createApp({ ds: primary, readDs: standby, config, logger: silentLogger, runImports: false });
    await new Promise<void>((ok) => app.http.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(app.http.address() as AddressInfo).port}/graphql`;
  }, 120_000);
  afterAll(async () => {
    await app?.stop();
    await standby?.destroy().catch(() => undefined);
    await primary?.destroy();
    await pair?.stop();
  });

  async function post(key: string, query: string, headers: Record<string, string> = {}) {
    const response = await fetch(base, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers },
      body: JSON.stringify({ query }),
    });
    return { status: response.status, body: (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] } };
  }
  const names = async (key: string, headers?: Record<string, string>) => {
    const { status, body } = await post(key, '{ accounts(first: 50, orderBy: { field: NAME, direction: ASC }) { edges { node { name } } } }', headers);
    expect({ status, errors: body.errors }).toEqual({ status: 200, errors: undefined });
    return (body.data?.accounts as { edges: { node: { name: string } }[] }).edges.map((e) => e.node.name);
  };
  /** Polls until `probe` holds (the monitor checks every 50 ms); fails after 20 s. */
  async function eventually(probe: () => Promise<boolean>): Promise<void> {
    for (let attempt = 0; !(await probe()); attempt++) {
      if (attempt > 400) throw new Error('the condition never held');
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  /** A write made on the primary behind the API's back: only a read served by the primary sees it at once. */
  const writeBehindTheApi = (name: string) => primary.query(`INSERT INTO accounts (name, domain, segment) VALUES ($1, $2, 'SMB')`, [name, `${name.toLowerCase().replace(/\W+/g, '-')}.test`]);

  it('answers the same on the standby and on the primary, lists and metrics', async () => {
    await pair.caughtUp();
    const queries = [
      '{ accounts(first: 50) { totalCount edges { node { name domain segment } } } }',
      '{ walletShare(input: {}) { portfolio { accounts walletSize } } }',
    ];
    for (const query of queries) {
      const fromStandby = await post(readerKey, query);
      const fromPrimary = await post(readerKey, query, { 'x-read-consistency': 'primary' });
      expect(fromStandby.body.errors).toBeUndefined();
      expect(fromStandby.body).toEqual(fromPrimary.body);
    }
  });

  it('reads from the standby while it keeps up: a paused standby does not show a new row until it falls too far behind', async () => {
    await pair.caughtUp();
    await pair.pauseReplay();
    try {
      await writeBehindTheApi('Paused Co');
      // served by the standby, which has not replayed the insert
      expect(await names(readerKey)).not.toContain('Paused Co');
      expect(await names(readerKey, { 'x-read-consistency': 'primary' })).toContain('Paused Co');
      // past REPLICA_MAX_LAG_MS behind, reads go to the primary
      await eventually(async () => (await names(readerKey)).includes('Paused Co'));
    } finally {
      await pair.resumeReplay();
    }
    await pair.caughtUp();
    // caught up again: reads are back on the standby (a row written behind the API is not seen at once there)
    await eventually(async () => {
      await pair.pauseReplay();
      const name = `Probe ${Date.now()}`;
      await writeBehindTheApi(name);
      const served = await names(readerKey);
      await pair.resumeReplay();
      await pair.caughtUp();
      return !served.includes(name);
    });
  });

  it('lets a writer read its own write at once, and sends it back to the standby once the standby has replayed it', async () => {
    await pair.caughtUp();
    await pair.pauseReplay();
    try {
      const created = await post(writerKey, `mutation { createAccount(input: { name: "Written Co", domain: "written.test", segment: SMB }) { account { name } } }`);
      expect(created.body.errors).toBeUndefined();
      // the writer reads the primary, another caller the standby (not yet far enough behind to be left)
      expect(await names(writerKey)).toContain('Written Co');
      expect(await names(readerKey)).not.toContain('Written Co');
    } finally {
      await pair.resumeReplay();
    }
    await pair.caughtUp();
    // the standby has replayed the write: the writer's reads go there again (the 600 s window would keep it on the primary)
    await eventually(async () => {
      await pair.pauseReplay();
      const name = `Writer probe ${Date.now()}`;
      await writeBehindTheApi(name);
      const served = await names(writerKey);
      await pair.resumeReplay();
      await pair.caughtUp();
      return !served.includes(name);
    });
  });

  it('sends reads to the primary when the standby goes away, with no failed request, and back when it returns', async () => {
    await pair.caughtUp();
    await pair.stopStandby();
    try {
      await writeBehindTheApi('While Away Co');
      // every read answers (from the primary): a read cut by the lost standby runs again on the primary
      for (let i = 0; i < 5; i++) expect(await names(readerKey)).toContain('While Away Co');
    } finally {
      await pair.startStandby();
    }
    await pair.caughtUp();
    await eventually(async () => {
      await pair.pauseReplay();
      const name = `Back probe ${Date.now()}`;
      await writeBehindTheApi(name);
      const served = await names(readerKey);
      await pair.resumeReplay();
      await pair.caughtUp();
      return !served.includes(name);
    });
  });
});
