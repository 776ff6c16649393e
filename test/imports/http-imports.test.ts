import { request } from 'node:http';
import { Role } from '../../src/auth/roles';
import { startHttpApp, HttpTestApp } from '../helpers/http-app';
import { getJson, getText, JobJson, originOf, pollUntilFinal, slowUpload, upload } from './import-test-helpers';

const ACCOUNTS = ['externalId,name,domain,segment', 'acc-1,Acme,acme.example,SMB', 'acc-2,Globex,globex.example,ENTERPRISE', 'acc-3,Initech,initech.example,MID_MARKET'];

describe('POST /imports', () => {
  let app: HttpTestApp;
  let revops: string;

  beforeAll(async () => {
    app = await startHttpApp();
    revops = (await app.newKey(Role.REVENUE_OPS)).secret;
  });
  afterAll(() => app.close());

  it('takes a CSV as the request body, answers 202 with the job, and imports it; the same file again changes nothing', async () => {
    const posted = await upload(app, 'kind=accounts&format=csv&mode=UPSERT', `${ACCOUNTS.join('\n')}\n`, revops);
    expect(posted.status).toBe(202);
    const job = posted.body as JobJson;
    expect(['QUEUED', 'RUNNING']).toContain(job.state);
    expect(posted.headers.get('location')).toBe(job.links.self);
    expect(job.links.errorsCsv).toBe(`${job.links.self}/errors.csv`);
    const done = await pollUntilFinal(app, job.links.self, revops);
    expect([done.state, done.message, done.processedRows, done.counts]).toEqual(['DONE', null, 3, { created: 3, updated: 0, unchanged: 0, failed: 0 }]);
    // a finished job keeps its counts and failed rows, not the file's bytes
    expect(await app.db.sql(`SELECT count(*)::int AS n FROM import_job_chunks`)).toEqual([{ n: 0 }]);
    expect(await app.db.sql(`SELECT external_id, name FROM accounts WHERE external_id LIKE 'acc-%' ORDER BY external_id`)).toEqual([
      { external_id: 'acc-1', name: 'Acme' },
      { external_id: 'acc-2', name: 'Globex' },
      { external_id: 'acc-3', name: 'Initech' },
    ]);

    const again = (await upload(app, 'kind=accounts', `${ACCOUNTS.join('\n')}\n`, revops)).body as JobJson;
    const rerun = await pollUntilFinal(app, again.links.self, revops);
    expect([rerun.state, rerun.counts]).toEqual(['DONE', { created: 0, updated: 0, unchanged: 3, failed: 0 }]);
  });

  it('reports a bad row as a CSV of errors that imports as is once fixed', async () => {
    const file = ['externalId,name,domain,segment', 'bad-1,Umbrella,umbrella.example,SMB', 'bad-2,Hooli,hooli.example,HUGE', 'bad-3,Stark,stark.example,ENTERPRISE'];
    const job = (await upload(app, 'kind=accounts', `${file.join('\r\n')}\r\n`, revops)).body as JobJson;
    const done = await pollUntilFinal(app, job.links.self, revops);
    expect([done.state, done.counts]).toEqual(['DONE', { created: 2, updated: 0, unchanged: 0, failed: 1 }]);

    const report = await getText(app, job.links.errorsCsv, revops);
    expect(report.status).toBe(200);
    expect(report.type).toBe('text/csv; charset=utf-8');
    // line 3 of the file (the header is line 1); the reason is the engine's
    const [header, row, ...rest] = report.text.split('\r\n');
    expect(header).toBe('externalId,name,domain,segment,_line,_column,_reason');
    expect(row).toBe('bad-2,Hooli,hooli.example,HUGE,3,segment,"""HUGE"" is not one of SMB, MID_MARKET, ENTERPRISE"');
    expect(rest).toEqual(['']);

    const fixed = report.text.replace(',HUGE,', ',SMB,');
    const reimport = (await upload(app, 'kind=accounts', fixed, revops)).body as JobJson;
    const redone = await pollUntilFinal(app, reimport.links.self, revops);
    expect([redone.state, redone.counts]).toEqual(['DONE', { created: 1, updated: 0, unchanged: 0, failed: 0 }]);
    expect(await app.db.sql(`SELECT segment FROM accounts WHERE external_id = 'bad-2'`)).toEqual([{ segment: 'SMB' }]);
  });

  it('with atomic=true, fails the job on a bad row and applies nothing of the file', async () => {
    const file = ['externalId,name,domain,segment', 'atom-1,Atom One,atom1.example,SMB', 'atom-2,Atom Two,atom2.example,GIANT'];
    const job = (await upload(app, 'kind=accounts&atomic=true', `${file.join('\n')}\n`, revops)).body as JobJson;
    const failed = await pollUntilFinal(app, job.links.self, revops);
    expect([failed.state, failed.message, failed.counts.created, failed.counts.failed > 0]).toEqual([
      'FAILED',
      `accounts: ${failed.counts.failed} of ${failed.processedRows} rows failed; atomic, so nothing of the file was applied`,
      0,
      true,
    ]);
    expect(await app.db.sql(`SELECT count(*)::int AS n FROM accounts WHERE external_id LIKE 'atom-%'`)).toEqual([{ n: 0 }]);
  });

  it('keeps nothing of an upload whose client went away mid-file', async () => {
    const before = await app.db.sql<{ n: number }>(`SELECT count(*)::int AS n FROM import_jobs`);
    const url = new URL(`${originOf(app)}/imports?kind=accounts`);
    await new Promise<void>((ok) => {
      const req = request({ host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method: 'POST', headers: { authorization: `Bearer ${revops}`, 'transfer-encoding': 'chunked' } });
      req.on('error', () => ok());
      req.write(`${ACCOUNTS.join('\n')}\n`);
      setTimeout(() => {
        req.destroy();
        ok();
      }, 300);
    });
    // the job row existed while the bytes came in (UPLOADING, shown to no one); it is gone
    for (let i = 0; i < 50; i++) {
      const [row] = await app.db.sql<{ n: number }>(`SELECT count(*)::int AS n FROM import_jobs`);
      if (row?.n === before[0]?.n) break;
      await new Promise((done) => setTimeout(done, 50));
    }
    expect(await app.db.sql(`SELECT count(*)::int AS n FROM import_jobs`)).toEqual(before);
    expect(await app.db.sql(`SELECT count(*)::int AS n FROM import_job_chunks c JOIN import_jobs j ON j.id = c.job_id WHERE j.state = 'UPLOADING'`)).toEqual([{ n: 0 }]);
  });

  it('runs createImport once for a retry with the same Idempotency-Key', async () => {
    const mutation = 'mutation($input: CreateImportInput!) { createImport(input: $input) { importJob { id } } }';
    const variables = { input: { files: [{ kind: 'ACCOUNTS', content: 'externalId,name,domain,segment\nidem-1,Idem,idem.example,SMB\n' }] } };
    const first = await app.gql<{ createImport: { importJob: { id: string } } }>(mutation, variables, { key: revops, headers: { 'idempotency-key': 'import-once' } });
    const retry = await app.gql<{ createImport: { importJob: { id: string } } }>(mutation, variables, { key: revops, headers: { 'idempotency-key': 'import-once' } });
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body.data?.createImport.importJob.id).toBe(first.body.data?.createImport.importJob.id);
    // one job holds the file, not two
    expect(await app.db.sql(`SELECT count(*)::int AS n FROM import_job_chunks WHERE data = $1`, [Buffer.from(variables.input.files[0]?.content ?? '')])).toEqual([{ n: 1 }]);
  });

  it('is for REVENUE_OPS and ADMIN: others are refused before the file is read', async () => {
    for (const role of [Role.MARKETING, Role.SALES, Role.EXECUTIVE, Role.ANALYST]) {
      const key = (await app.newKey(role)).secret;
      const refused = await upload(app, 'kind=accounts', ACCOUNTS.join('\n'), key);
      expect([role, refused.status, (refused.body as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code]).toEqual([
        role,
        403,
        'FORBIDDEN',
      ]);
    }
    expect((await upload(app, 'kind=accounts', ACCOUNTS.join('\n'), null)).status).toBe(401);
    const job = (await upload(app, 'kind=accounts', `${ACCOUNTS.join('\n')}\n`, app.adminKey)).body as JobJson;
    const marketing = (await app.newKey(Role.MARKETING)).secret;
    expect((await getJson(app, job.links.self, marketing)).status).toBe(403);
    expect((await getText(app, job.links.errorsCsv, marketing)).status).toBe(403);
    expect((await pollUntilFinal(app, job.links.self, app.adminKey)).state).toBe('DONE');
  });

  it('refuses bad parameters with 400 naming the parameter', async () => {
    const cases: [string, string][] = [
      ['format=csv', 'kind'],
      ['kind=widgets', 'kind'],
      ['kind=accounts&format=xml', 'format'],
      ['kind=accounts&mode=MERGE', 'mode'],
      ['kind=accounts&atomic=maybe', 'atomic'],
      ['kind=accounts&mapping=[1]', 'mapping'],
      ['kind=accounts&preset=../x', 'preset'],
      ['kind=accounts&colour=red', 'colour'],
      ['kind=accounts&kind=leads', 'kind'],
    ];
    for (const [query, parameter] of cases) {
      const refused = await upload(app, query, ACCOUNTS.join('\n'), revops);
      const error = (refused.body as { errors: { message: string; extensions: { code: string; field: string } }[] }).errors[0];
      expect([query, refused.status, error?.extensions]).toEqual([query, 400, { code: 'BAD_USER_INPUT', field: parameter }]);
      expect(error?.message.startsWith(`${parameter}: `)).toBe(true);
    }
  });

  it('answers 404 for a job that does not exist', async () => {
    const missing = await getJson(app, `/imports/${encodeURIComponent(Buffer.from('ImportJob:999999').toString('base64'))}`, revops);
    expect(missing.status).toBe(404);
    expect((await getJson(app, '/imports/not-an-id', revops)).status).toBe(404);
  });
});

describe('POST /imports limits', () => {
  let app: HttpTestApp;

  beforeAll(async () => {
    process.env.IMPORT_MAX_BYTES = '300';
    try {
      app = await startHttpApp((config) => {
        config.limits.requestTimeoutMs = 1000;
        config.limits.headersTimeoutMs = 500;
        config.limits.maxBodyBytes = 50;
      });
    } finally {
      delete process.env.IMPORT_MAX_BYTES;
    }
  });
  afterAll(() => app.close());

  it('has its own byte limit (IMPORT_MAX_BYTES), not MAX_BODY_BYTES, and keeps nothing of a file too large', async () => {
    // 120 bytes: over MAX_BODY_BYTES (50), within IMPORT_MAX_BYTES (300)
    const ok = await upload(app, 'kind=accounts', `${ACCOUNTS.join('\n')}\n`, app.adminKey);
    expect(ok.status).toBe(202);
    const tooLarge = await upload(app, 'kind=accounts', `${ACCOUNTS[0]}\n${'x,y,z.example,SMB\n'.repeat(20)}`, app.adminKey);
    expect(tooLarge.status).toBe(413);
    await pollUntilFinal(app, (ok.body as JobJson).links.self, app.adminKey);
    expect(await app.db.sql(`SELECT count(*)::int AS jobs FROM import_jobs`)).toEqual([{ jobs: 1 }]);
  });

  it('lets an upload take longer than HTTP_REQUEST_TIMEOUT_MS while a slow GraphQL request is still cut off', async () => {
    const parts = [`${ACCOUNTS[0]}\n`, 'slow-1,Slow One,slow1.example,SMB\n', 'slow-2,Slow Two,slow2.example,SMB\n', 'slow-3,Slow Three,slow3.example,SMB\n'];
    const started = Date.now();
    const answer = await slowUpload(app, 'kind=accounts', parts, 700, app.adminKey);
    expect(Date.now() - started).toBeGreaterThan(2000);
    expect(answer.status).toBe(202);
    const job = JSON.parse(answer.text) as JobJson;
    expect((await pollUntilFinal(app, job.links.self, app.adminKey)).counts).toEqual({ created: 3, updated: 0, unchanged: 0, failed: 0 });

    const url = new URL(`${originOf(app)}/graphql`);
    const graphql = await new Promise<number>((ok, fail) => {
      const req = request(
        { host: url.hostname, port: url.port, path: '/graphql', method: 'POST', headers: { authorization: `Bearer ${app.adminKey}`, 'content-type': 'application/json', 'content-length': '40' } },
        (res) => {
          res.resume();
          ok(res.statusCode ?? 0);
        },
      );
      req.on('error', fail);
      req.write('{"query":');
      // never finishes the body
    });
    expect(graphql).toBe(408);
  });
});
