import { get, IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { Role } from '../../src/auth/roles';
import { gid, insertAccount, insertCampaign, insertLead } from '../helpers/core-fixtures';
import { HttpTestApp, startHttpApp } from '../helpers/http-app';
import { getExport } from './support';

interface Outcome {
  outcome: 'end' | 'aborted';
  bytes: number;
  trailers: NodeJS.Dict<string>;
}

/**
 * An export's response, paused after its first chunk (the server is left waiting for the
 * client); `finish` reads the rest: 'end' for a whole body, 'aborted' when the server cut it.
 */
function openPaused(url: string, key: string): Promise<{ first: Buffer; destroy: () => void; finish: () => Promise<Outcome> }> {
  return new Promise((ok, fail) => {
    const req = get(url, { headers: { authorization: `Bearer ${key}` } }, (res: IncomingMessage) => {
      let bytes = 0;
      const done = new Promise<Outcome>((settle) => {
        res.once('end', () => settle({ outcome: res.complete ? 'end' : 'aborted', bytes, trailers: res.trailers }));
        res.once('aborted', () => settle({ outcome: 'aborted', bytes, trailers: res.trailers }));
        res.once('error', () => settle({ outcome: 'aborted', bytes, trailers: res.trailers }));
      });
      let first: Buffer | null = null;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (first) return;
        first = chunk;
        res.pause();
        ok({
          first,
          destroy: () => req.destroy(),
          finish: () => {
            res.resume();
            return done;
          },
        });
      });
    });
    req.once('error', fail);
  });
}

/**
 * A large list, streamed: one caller runs one export at a time (EXPORTS_PER_CALLER=1 here), a
 * client that goes away frees its place, and a failure after the first bytes cuts the connection
 * instead of ending a short file.
 */
describe('streamed exports', () => {
  let http: HttpTestApp;
  let otherKey: string;
  let smallCampaign: string;
  const saved = process.env.EXPORTS_PER_CALLER;
  const ROWS = 40_000;

  beforeAll(async () => {
    process.env.EXPORTS_PER_CALLER = '1';
    // a request (headers and body) must arrive within 1.5 s; the export's response may take longer
    http = await startHttpApp((config) => {
      config.limits.headersTimeoutMs = 1000;
      config.limits.requestTimeoutMs = 1500;
    });
    otherKey = (await http.newKey(Role.ANALYST)).secret;
    const account = await insertAccount(http.db);
    const lead = await insertLead(http.db, { accountId: account });
    const big = await insertCampaign(http.db, { name: 'Big' });
    const small = await insertCampaign(http.db, { name: 'Small' });
    smallCampaign = gid('Campaign', small);
    // far more than a socket buffers: the server has to wait for the client
    await http.db.sql(
      `INSERT INTO touchpoints (lead_id, campaign_id, kind, occurred_at)
       SELECT $1, $2, 'AD_CLICK', timestamptz '2024-01-01' + n * interval '1 second' FROM generate_series(1, $3) AS n`,
      [lead, big, ROWS],
    );
    await http.db.sql(`INSERT INTO touchpoints (lead_id, campaign_id, kind, occurred_at) VALUES ($1, $2, 'AD_CLICK', '2024-06-01')`, [lead, small]);
  });
  afterAll(async () => {
    await http.close();
    if (saved === undefined) delete process.env.EXPORTS_PER_CALLER;
    else process.env.EXPORTS_PER_CALLER = saved;
  });

  const url = (path: string) => `${http.url.replace(/\/graphql$/, '')}/export/${path}`;
  const small = () => getExport(http, `touchpoints.csv?filter.campaignId=${smallCampaign}`);

  it('a whole export ends with its trailer', async () => {
    const open = await openPaused(url(`touchpoints.csv?filter.campaignId=${smallCampaign}`), http.adminKey);
    const done = await open.finish();
    expect(done.outcome).toBe('end');
    expect(done.trailers['x-export-complete']).toBe('1 rows');
  });

  it('an HTTP/1.0 client gets the file without chunks or trailer, ended by the connection closing', async () => {
    const { port } = new URL(http.url);
    const raw = await new Promise<string>((ok, fail) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(`GET /export/touchpoints.csv?filter.campaignId=${encodeURIComponent(smallCampaign)} HTTP/1.0\r\nAuthorization: Bearer ${http.adminKey}\r\n\r\n`);
      });
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      socket.on('end', () => ok(text));
      socket.on('error', fail);
    });
    const [head = '', body = ''] = raw.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 200/);
    expect(head.toLowerCase()).not.toContain('transfer-encoding');
    expect(body.trim().split('\n')).toHaveLength(2);
  });

  it('a second export of the same caller waits its turn (429), another caller is served meanwhile', async () => {
    const running = await openPaused(url('touchpoints.csv'), http.adminKey);
    try {
      const second = await small();
      expect(second.status).toBe(429);
      expect(second.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await second.json()).toMatchObject({ errors: [{ extensions: { code: 'BUSY', scope: 'CALLER' } }] });
      const other = await getExport(http, `touchpoints.csv?filter.campaignId=${smallCampaign}`, otherKey);
      expect(other.status).toBe(200);
      expect((await other.text()).trim().split('\n')).toHaveLength(2);
    } finally {
      running.destroy();
    }
  });

  it('a client that disconnects midway stops the export and frees its place; the server goes on', async () => {
    const running = await openPaused(url('touchpoints.jsonl'), http.adminKey);
    expect(running.first.length).toBeGreaterThan(0);
    running.destroy();
    // the place is given back once the server notices the closed connection
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      const response = await small();
      status = response.status;
      await response.arrayBuffer();
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
    const health = await fetch(url('').replace(/\/export\/$/, '/health'));
    expect(health.status).toBe(200);
  });

  it('a long export is not cut off by the request timeout, and ends whole with every row', async () => {
    const running = await openPaused(url('touchpoints.csv'), http.adminKey);
    await new Promise((r) => setTimeout(r, 2500));
    const done = await running.finish();
    expect(done.outcome).toBe('end');
    expect(done.trailers['x-export-complete']).toBe(`${ROWS + 1} rows`);
  }, 120_000);

  it('a failure after the first bytes aborts the connection instead of ending a short file', async () => {
    const running = await openPaused(url('touchpoints.csv'), http.adminKey);
    // the next page the server asks for fails: the table is gone for a moment
    await http.db.sql(`ALTER TABLE touchpoints RENAME TO touchpoints_away`);
    try {
      const done = await running.finish();
      expect(done.outcome).toBe('aborted');
      expect(done.trailers['x-export-complete']).toBeUndefined();
    } finally {
      await http.db.sql(`ALTER TABLE touchpoints_away RENAME TO touchpoints`);
    }
    const after = await small();
    expect(after.status).toBe(200);
  });
});
