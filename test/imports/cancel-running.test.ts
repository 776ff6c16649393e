import { Client } from 'pg';
import { BATCH_ROWS } from '../../src/imports/kinds/batch';
import { HttpTestApp, startHttpApp } from '../helpers/http-app';
import { getJson, JobJson, upload } from './import-test-helpers';

/*
 * Cancelling a RUNNING import job through GraphQL's cancelImport (issue 11): the job stops after
 * the batch under way, ends CANCELLED, keeps the batches it committed, applies no row by half,
 * and the same file run again completes what is missing and changes nothing else.
 *
 * To cancel while it runs, whatever the engine's speed: the file is three batches long, and the
 * test holds a row lock on an account that the second batch updates (it exists, under another
 * name). The first batch commits and is reported; the second waits on the lock, the test asks
 * for the cancel, waits until the job's heartbeat has read it, and lets the second batch go.
 */
const ROWS = 3 * BATCH_ROWS;
/** The file's row of the account the test holds, in the middle of the second batch. */
const BLOCKER = BATCH_ROWS + BATCH_ROWS / 2;
const line = (i: number) => `run-${i},Running ${i},run${i}.example,${i % 2 ? 'SMB' : 'ENTERPRISE'}`;
const FILE = `externalId,name,domain,segment\n${Array.from({ length: ROWS }, (_, i) => line(i + 1)).join('\n')}\n`;

const JOB = `query($id: ID!) { import(id: $id) { state processedRows cancelRequested updatedAt } }`;
interface JobState {
  state: string;
  processedRows: number;
  cancelRequested: boolean;
  updatedAt: string;
}

describe('cancelling a running import job', () => {
  let app: HttpTestApp;
  beforeAll(async () => {
    app = await startHttpApp();
  });
  afterAll(() => app.close());

  const jobState = async (id: string): Promise<JobState> => {
    const { body } = await app.gql<{ import: JobState }>(JOB, { id });
    if (!body.data?.import) throw new Error(JSON.stringify(body));
    return body.data.import;
  };
  async function waitFor(id: string, what: string, done: (job: JobState) => boolean): Promise<JobState> {
    const until = Date.now() + 120_000;
    for (;;) {
      const job = await jobState(id);
      if (done(job)) return job;
      if (Date.now() > until) throw new Error(`${what}: still ${JSON.stringify(job)} after 120 s`);
      await new Promise((ok) => setTimeout(ok, 50));
    }
  }
  /** The job once it ended (GET /imports/:id, with its counts); a run of the file may take longer than pollUntilFinal's 30 s. */
  async function ended(id: string): Promise<JobJson> {
    await waitFor(id, 'the end of the job', (job) => ['DONE', 'FAILED', 'CANCELLED'].includes(job.state));
    return (await getJson(app, `/imports/${encodeURIComponent(id)}`, app.adminKey)).body as JobJson;
  }
  /** The accounts of the file as stored: how many, and how many differ from their line of the file. */
  const stored = async () =>
    (
      await app.db.sql<{ rows: number; unlike: number; lines: number[] }>(
        `SELECT count(*)::int AS rows,
                count(*) FILTER (WHERE name <> 'Running ' || n OR domain <> 'run' || n || '.example'
                                    OR segment <> CASE WHEN n % 2 = 1 THEN 'SMB' ELSE 'ENTERPRISE' END)::int AS unlike,
                array[min(n), max(n)] AS lines
           FROM (SELECT a.*, substr(a.external_id, 5)::int AS n FROM accounts a WHERE a.external_id LIKE 'run-%') t`,
      )
    )[0]!;

  it('stops after the batch under way, keeps what committed, and a re-run completes the file idempotently', async () => {
    // the account of line BLOCKER exists under another name: the second batch updates it
    await app.db.sql(`INSERT INTO accounts (external_id, name, domain, segment) VALUES ($1, 'Before', $2, 'SMB')`, [`run-${BLOCKER}`, `run${BLOCKER}.example`]);
    const holder = new Client({ connectionString: app.db.url });
    await holder.connect();
    let holding = true;
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT id FROM accounts WHERE external_id = $1 FOR UPDATE`, [`run-${BLOCKER}`]);

      const posted = await upload(app, 'kind=accounts', FILE, app.adminKey);
      expect(posted.status).toBe(202);
      const id = (posted.body as JobJson).id;
      // the first batch committed and is reported; the second waits on the held row
      const running = await waitFor(id, 'the first batch', (job) => job.processedRows >= BATCH_ROWS);
      expect(running).toMatchObject({ state: 'RUNNING', processedRows: BATCH_ROWS, cancelRequested: false });
      expect(await stored()).toEqual({ rows: BATCH_ROWS + 1, unlike: 1, lines: [1, BLOCKER] });

      const cancel = await app.gql<{ cancelImport: { importJob: JobState } }>(
        `mutation($id: ID!) { cancelImport(input: { id: $id }) { importJob { state processedRows cancelRequested updatedAt } } }`,
        { id },
      );
      const asked = cancel.body.data?.cancelImport.importJob;
      expect(asked).toMatchObject({ state: 'RUNNING', cancelRequested: true });
      // the job's heartbeat (each second) wrote after the cancel: it read the request
      await waitFor(id, 'a heartbeat after the cancel', (job) => job.updatedAt > (asked?.updatedAt ?? ''));
      await new Promise((ok) => setTimeout(ok, 200));
      await holder.query('COMMIT');
      holding = false;

      const final = await ended(id);
      expect(final.state).toBe('CANCELLED');
      // the second batch went whole (or not at all); the third never started; no row by half
      const kept = await stored();
      expect([BATCH_ROWS, 2 * BATCH_ROWS]).toContain(final.processedRows);
      // the job counts what stays: the first batch created its rows; the second, if it went, updated the held one
      expect(final.counts).toEqual(
        final.processedRows === BATCH_ROWS
          ? { created: BATCH_ROWS, updated: 0, unchanged: 0, failed: 0 }
          : { created: 2 * BATCH_ROWS - 1, updated: 1, unchanged: 0, failed: 0 },
      );
      expect(kept).toEqual(
        final.processedRows === BATCH_ROWS
          ? { rows: BATCH_ROWS + 1, unlike: 1, lines: [1, BLOCKER] }
          : { rows: 2 * BATCH_ROWS, unlike: 0, lines: [1, 2 * BATCH_ROWS] },
      );
      const batches = await app.db.sql<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE mutation = 'import' AND request_id = $1`, [
        Buffer.from(id, 'base64').toString('utf8').split(':')[1],
      ]);
      expect(batches).toEqual([{ n: final.processedRows / BATCH_ROWS }]);
      expect(await app.db.sql(`SELECT count(*)::int AS n FROM import_job_chunks`)).toEqual([{ n: 0 }]);

      // the same file again: what is missing is created, what committed is unchanged
      const again = await upload(app, 'kind=accounts', FILE, app.adminKey);
      const rerun = await ended((again.body as JobJson).id);
      const blockerUpdated = final.processedRows === BATCH_ROWS ? 1 : 0;
      expect([rerun.state, rerun.processedRows, rerun.counts]).toEqual([
        'DONE',
        ROWS,
        { created: ROWS - final.processedRows - blockerUpdated, updated: blockerUpdated, unchanged: final.processedRows, failed: 0 },
      ]);
      expect(await stored()).toEqual({ rows: ROWS, unlike: 0, lines: [1, ROWS] });
      // and once more: nothing to do
      const third = await upload(app, 'kind=accounts', FILE, app.adminKey);
      const done = await ended((third.body as JobJson).id);
      expect([done.state, done.counts]).toEqual(['DONE', { created: 0, updated: 0, unchanged: ROWS, failed: 0 }]);
    } finally {
      if (holding) await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }
  }, 180_000);
});
