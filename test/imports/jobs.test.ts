import type { AddressInfo } from 'node:net';
import { issueApiKey } from '../../src/auth/api-key.service';
import { Role } from '../../src/auth/roles';
import { loadConfig } from '../../src/config';
import { createApp } from '../../src/http/server';
import { createUploadingJob, queueUploadedJob, storeFileBytes } from '../../src/imports/jobs/job-upload';
import { contentOf } from '../../src/imports/jobs/job-service';
import { silentLogger } from '../helpers/app';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { startHttpApp, HttpTestApp } from '../helpers/http-app';
import { JobJson, pollUntilFinal } from './import-test-helpers';

/** A job stored as POST /imports would, then left as `state` says. */
async function storedJob(db: TestDatabase, csv: string, chunkBytes = 16): Promise<string> {
  const id = await createUploadingJob(db.ds, {
    format: 'csv',
    mode: 'UPSERT',
    atomic: false,
    actor: 'key:test',
    actorRole: 'REVENUE_OPS',
    files: [{ kind: 'accounts', preset: null, mapping: null }],
  });
  await storeFileBytes(db.ds, id, 0, contentOf(csv), { maxBytes: 10_000_000, chunkBytes });
  await queueUploadedJob(db.ds, id);
  return id;
}

const globalId = (id: string) => Buffer.from(`ImportJob:${id}`).toString('base64');
const self = (id: string) => `/imports/${encodeURIComponent(globalId(id))}`;

describe('import jobs across restarts', () => {
  let db: TestDatabase;
  let app: HttpTestApp | null = null;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await app?.close();
    await db.drop();
  });

  it('resumes on start a job whose replica died, leaves one with a live lease alone, and cancels that one once its lease runs out', async () => {
    // stored in chunks of 16 bytes: the file is read back across many chunks
    const dead = await storedJob(db, 'externalId,name,domain,segment\nres-1,Resumed One,res1.example,SMB\nres-2,Resumed Two,res2.example,ENTERPRISE\n');
    const live = await storedJob(db, 'externalId,name,domain,segment\nlive-1,Live One,live1.example,SMB\n');
    await db.sql(
      `UPDATE import_jobs SET state = 'RUNNING', attempts = 1, started_at = now() - interval '1 minute',
              lease_owner = CASE WHEN id = $1 THEN 'dead-replica' ELSE 'live-replica' END,
              lease_expires_at = now() + CASE WHEN id = $1 THEN interval '-1 second' ELSE interval '1 hour' END`,
      [dead],
    );
    app = await startHttpApp(() => undefined, db);
    const resumed = await pollUntilFinal(app, self(dead), app.adminKey);
    expect([resumed.state, resumed.attempts, resumed.processedRows, resumed.counts]).toEqual(['DONE', 2, 2, { created: 2, updated: 0, unchanged: 0, failed: 0 }]);
    expect(await db.sql(`SELECT state, lease_owner, attempts FROM import_jobs WHERE id = $1`, [live])).toEqual([
      { state: 'RUNNING', lease_owner: 'live-replica', attempts: 1 },
    ]);

    // a running job is only asked to stop: its replica stops it after the batch
    const cancel = await app.gql<{ cancelImport: { importJob: { state: string; cancelRequested: boolean } } }>(
      'mutation($id: ID!) { cancelImport(input: { id: $id }) { importJob { state cancelRequested } } }',
      { id: globalId(live) },
    );
    expect(cancel.body).toEqual({ data: { cancelImport: { importJob: { state: 'RUNNING', cancelRequested: true } } } });
    // its replica died: whoever takes it up next ends it CANCELLED without running it
    await db.sql(`UPDATE import_jobs SET lease_expires_at = now() - interval '1 second' WHERE id = $1`, [live]);
    const cancelled = await pollUntilFinal(app, self(live), app.adminKey);
    expect([cancelled.state, cancelled.counts.created]).toEqual(['CANCELLED', 0]);
    expect(await db.sql(`SELECT count(*)::int AS n FROM accounts WHERE external_id = 'live-1'`)).toEqual([{ n: 0 }]);
  });

  it('hands a job it is running back to the queue when the API stops, and the next start finishes it', async () => {
    const rows = Array.from({ length: 3_000 }, (_, i) => `stop-${i},Stop ${i},stop${i}.example,SMB`);
    const job = await storedJob(db, `externalId,name,domain,segment\n${rows.join('\n')}\n`, 16_384);
    const first = app ?? (await startHttpApp(() => undefined, db));
    app = null;
    // wait until it runs, then stop the API under it
    for (let i = 0; i < 300; i++) {
      const [row] = await db.sql<{ state: string }>(`SELECT state FROM import_jobs WHERE id = $1`, [job]);
      if (row?.state !== 'QUEUED') break;
      await new Promise((ok) => setTimeout(ok, 20));
    }
    await first.app.stop();
    const [after] = await db.sql<{ state: string }>(`SELECT state FROM import_jobs WHERE id = $1`, [job]);
    // it finished before the stop reached it, or went back to the queue: never left RUNNING
    expect(['QUEUED', 'DONE']).toContain(after?.state);
    app = await startHttpApp(() => undefined, db);
    const done = await pollUntilFinal(app, self(job), app.adminKey);
    expect([done.state, done.processedRows, done.counts.created + done.counts.unchanged, done.counts.failed]).toEqual(['DONE', 3_000, 3_000, 0]);
    expect(await db.sql(`SELECT count(*)::int AS n FROM accounts WHERE external_id LIKE 'stop-%'`)).toEqual([{ n: 3_000 }]);
  });
});

describe('import jobs over GraphQL', () => {
  let app: HttpTestApp;

  beforeAll(async () => {
    app = await startHttpApp();
  });
  afterAll(() => app.close());

  const JOB = `id state format mode atomic processedRows attempts statusUrl errorsCsvUrl
    counts { created updated unchanged failed }
    files { kind preset bytes done processedRows counts { created failed } }
    errors(first: 10) { totalCount edges { node { kind line column reason values { name value } } } }`;

  async function pollGraphQL(id: string): Promise<Record<string, unknown>> {
    for (let i = 0; i < 300; i++) {
      const { body } = await app.gql<{ import: Record<string, unknown> }>(`query($id: ID!) { import(id: $id) { ${JOB} } }`, { id });
      const job = body.data?.import;
      if (job && ['DONE', 'FAILED', 'CANCELLED'].includes(String(job.state))) return job;
      await new Promise((ok) => setTimeout(ok, 100));
    }
    throw new Error('the job did not finish');
  }

  it('imports a bundle given inline in dependency order, and lists the failed rows with their values', async () => {
    const accounts = 'externalId,name,domain,segment,ownerEmail\nb-acc-1,Bundle Co,bundle.example,SMB,owner@bundle.example\nb-acc-2,Broken Co,broken.example,TINY,\n';
    const users = 'externalId,name,email,team\nb-user-1,Olive Owner,owner@bundle.example,SALES\n';
    const created = await app.gql<{ createImport: { importJob: { id: string; state: string; files: { kind: string }[] } } }>(
      `mutation($input: CreateImportInput!) { createImport(input: $input) { importJob { id state files { kind } } } }`,
      { input: { files: [{ kind: 'ACCOUNTS', content: accounts }, { kind: 'USERS', content: users }] } },
    );
    const job = created.body.data?.createImport.importJob;
    expect(job?.files).toEqual([{ kind: 'USERS' }, { kind: 'ACCOUNTS' }]);
    const done = await pollGraphQL(job?.id ?? '');
    expect(done).toEqual({
      id: job?.id,
      state: 'DONE',
      format: 'CSV',
      mode: 'UPSERT',
      atomic: false,
      processedRows: 3,
      attempts: 1,
      statusUrl: `/imports/${encodeURIComponent(job?.id ?? '')}`,
      errorsCsvUrl: `/imports/${encodeURIComponent(job?.id ?? '')}/errors.csv`,
      counts: { created: 2, updated: 0, unchanged: 0, failed: 1 },
      files: [
        { kind: 'USERS', preset: null, bytes: Buffer.byteLength(users), done: true, processedRows: 1, counts: { created: 1, failed: 0 } },
        { kind: 'ACCOUNTS', preset: null, bytes: Buffer.byteLength(accounts), done: true, processedRows: 2, counts: { created: 1, failed: 1 } },
      ],
      errors: {
        totalCount: 1,
        edges: [
          {
            node: {
              kind: 'ACCOUNTS',
              line: 3,
              column: 'segment',
              reason: '"TINY" is not one of SMB, MID_MARKET, ENTERPRISE',
              values: [
                { name: 'externalId', value: 'b-acc-2' },
                { name: 'name', value: 'Broken Co' },
                { name: 'domain', value: 'broken.example' },
                { name: 'segment', value: 'TINY' },
                { name: 'ownerEmail', value: '' },
              ],
            },
          },
        ],
      },
    });
    // the account's owner is the user of the same bundle: users loaded first
    expect(await app.db.sql(`SELECT u.external_id FROM accounts a JOIN users u ON u.id = a.owner_id WHERE a.external_id = 'b-acc-1'`)).toEqual([
      { external_id: 'b-user-1' },
    ]);
    const listed = await app.gql<{ imports: { totalCount: number; edges: { node: { id: string } }[] } }>(
      `{ done: imports(filter: { states: [DONE], kinds: [USERS] }) { totalCount edges { node { id } } }
         none: imports(filter: { states: [FAILED] }) { totalCount } }`,
    );
    expect(listed.body.data).toEqual({ done: { totalCount: 1, edges: [{ node: { id: job?.id } }] }, none: { totalCount: 0 } });
  });

  it('is for REVENUE_OPS and ADMIN only, node(id) included', async () => {
    const created = await app.gql<{ createImport: { importJob: { id: string } } }>(
      `mutation { createImport(input: { files: [{ kind: ACCOUNTS, content: "externalId,name,domain,segment\\n" }] }) { importJob { id } } }`,
    );
    const id = created.body.data?.createImport.importJob.id ?? '';
    for (const role of [Role.MARKETING, Role.SALES, Role.EXECUTIVE, Role.ANALYST]) {
      const key = (await app.newKey(role)).secret;
      const read = await app.gql(`query($id: ID!) { import(id: $id) { id } }`, { id }, { key });
      const list = await app.gql(`{ imports { totalCount } }`, undefined, { key });
      const create = await app.gql(`mutation { createImport(input: { files: [{ kind: USERS, content: "" }] }) { importJob { id } } }`, undefined, { key });
      const node = await app.gql<{ node: unknown }>(`query($id: ID!) { node(id: $id) { id } }`, { id }, { key });
      expect([role, read.body.errors?.[0]?.extensions?.code, list.body.errors?.[0]?.extensions?.code, create.body.errors?.[0]?.extensions?.code, node.body.data]).toEqual([
        role,
        'FORBIDDEN',
        'FORBIDDEN',
        'FORBIDDEN',
        { node: null },
      ]);
    }
    const revops = (await app.newKey(Role.REVENUE_OPS)).secret;
    const node = await app.gql<{ node: { id: string } }>(`query($id: ID!) { node(id: $id) { id ... on ImportJob { format } } }`, { id }, { key: revops });
    expect(node.body.data).toEqual({ node: { id, format: 'CSV' } });
  });

  it('refuses two files of one kind, and cancelling a finished job', async () => {
    const twice = await app.gql(
      `mutation { createImport(input: { files: [{ kind: USERS, content: "a" }, { kind: USERS, content: "b" }] }) { importJob { id } } }`,
    );
    expect(twice.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.files[1].kind' });
    const created = await app.gql<{ createImport: { importJob: { id: string } } }>(
      `mutation { createImport(input: { files: [{ kind: USERS, content: "externalId,name,email,team\\n" }] }) { importJob { id } } }`,
    );
    const id = created.body.data?.createImport.importJob.id ?? '';
    expect((await pollGraphQL(id)).state).toBe('DONE');
    const late = await app.gql(`mutation($id: ID!) { cancelImport(input: { id: $id }) { importJob { state } } }`, { id });
    expect(late.body.errors?.[0]).toMatchObject({ message: 'input.id: the job is already DONE', extensions: { code: 'CONFLICT', field: 'input.id' } });
  });
});

describe('a queued job', () => {
  it('is cancelled at once and never runs', async () => {
    const db = await createTestDatabase();
    const config = { ...loadConfig(), production: false };
    // a replica that takes uploads but runs no jobs (others do)
    const app = await createApp({ ds: db.ds, config, logger: silentLogger, runImports: false });
    await new Promise<void>((ok) => app.http.listen(0, '127.0.0.1', ok));
    try {
      const { port } = app.http.address() as AddressInfo;
      const { secret } = await issueApiKey(db.ds, { name: 'test', role: Role.ADMIN, userId: null, createdBy: 'test' });
      const headers = { authorization: `Bearer ${secret}` };
      const posted = await fetch(`http://127.0.0.1:${port}/imports?kind=accounts`, { method: 'POST', headers, body: 'externalId,name,domain,segment\nq-1,Q,q.example,SMB\n' });
      const job = (await posted.json()) as JobJson;
      expect(job.state).toBe('QUEUED');
      const cancel = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'mutation($id: ID!) { cancelImport(input: { id: $id }) { importJob { state finishedAt } } }', variables: { id: job.id } }),
      });
      const body = (await cancel.json()) as { data: { cancelImport: { importJob: { state: string; finishedAt: string | null } } } };
      expect(body.data.cancelImport.importJob.state).toBe('CANCELLED');
      expect(body.data.cancelImport.importJob.finishedAt).not.toBeNull();
      expect(await db.sql(`SELECT state, attempts FROM import_jobs`)).toEqual([{ state: 'CANCELLED', attempts: 0 }]);
      expect(await db.sql(`SELECT count(*)::int AS n FROM import_job_chunks`)).toEqual([{ n: 0 }]);
    } finally {
      await app.stop();
      await db.drop();
    }
  });
});
