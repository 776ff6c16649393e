import { request } from 'node:http';
import { Role } from '../../src/auth/roles';
import { startHttpApp, HttpTestApp } from '../helpers/http-app';
import { getText, JobJson, originOf, pollUntilFinal } from './import-test-helpers';

const csv = (lines: string[]) => `${lines.join('\n')}\n`;

const ACCOUNTS = csv(['externalId,name,domain,segment', 'b-acc-1,Bundle One,bundle-one.example,SMB', 'b-acc-2,Bundle Two,bundle-two.example,ENTERPRISE']);
const CAMPAIGNS = csv(['externalId,name,channel,ownerTeam,startsOn', 'b-cmp-1,Bundle search,PAID_SEARCH,MARKETING,2024-02-01']);
const LEADS = csv([
  'externalId,email,firstName,accountDomain,createdAt',
  'b-lead-1,ana@bundle-one.example,Ana,bundle-one.example,2024-02-02T10:00:00Z',
  'b-lead-2,bo@bundle-one.example,Bo,bundle-one.example,2024-02-03T10:00:00Z',
  'b-lead-3,cy@bundle-two.example,Cy,bundle-two.example,2024-02-04T10:00:00Z',
]);
const TOUCHPOINTS = csv([
  'externalId,leadEmail,campaignExternalId,kind,occurredAt',
  'b-tp-1,ana@bundle-one.example,b-cmp-1,AD_CLICK,2024-02-05T09:30:00Z',
  'b-tp-2,bo@bundle-one.example,b-cmp-1,AD_CLICK,2024-02-06T09:30:00Z',
  'b-tp-3,cy@bundle-two.example,b-cmp-1,EMAIL_OPEN,2024-02-07T09:30:00Z',
  'b-tp-4,ana@bundle-one.example,b-cmp-1,EMAIL_CLICK,2024-02-08T09:30:00Z',
]);

interface FileJson {
  kind: string;
  preset: string | null;
  processedRows: number;
  counts: { created: number; updated: number; unchanged: number; failed: number };
}
type BundleJson = JobJson & { format: string; files: FileJson[] };
interface ErrorJson {
  errors: { message: string; extensions: { code: string; field?: string } }[];
}

/** A multipart body of files, each `[part name, filename, content]`, and fields `[name, value]`. */
function form(files: [string, string, string][], fields: [string, string][] = []): FormData {
  const body = new FormData();
  for (const [name, value] of fields) body.append(name, value);
  for (const [name, filename, content] of files) body.append(name, new Blob([content], { type: 'text/csv' }), filename);
  return body;
}

async function postBundle(app: HttpTestApp, query: string, body: FormData, key: string | null): Promise<{ status: number; body: unknown; headers: Headers }> {
  const response = await fetch(`${originOf(app)}/imports${query ? `?${query}` : ''}`, {
    method: 'POST',
    headers: key ? { authorization: `Bearer ${key}` } : {},
    body,
  });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as unknown, headers: response.headers };
}

const perFile = (job: BundleJson) => job.files.map((f) => ({ kind: f.kind, processed: f.processedRows, ...f.counts }));

describe('POST /imports with a multipart bundle', () => {
  let app: HttpTestApp;
  let revops: string;

  beforeAll(async () => {
    app = await startHttpApp();
    revops = (await app.newKey(Role.REVENUE_OPS)).secret;
  });
  afterAll(() => app.close());

  const BUNDLE: [string, string, string][] = [
    // sent out of dependency order: the job loads them in it
    ['touchpoints', 'touchpoints.csv', TOUCHPOINTS],
    ['leads', 'leads.csv', LEADS],
    ['campaigns', 'campaigns.csv', CAMPAIGNS],
    ['accounts', 'accounts.csv', ACCOUNTS],
  ];

  it('imports a bundle of files named by kind in dependency order; the same bundle again changes nothing', async () => {
    const posted = await postBundle(app, 'mode=UPSERT', form(BUNDLE), revops);
    expect(posted.status).toBe(202);
    const job = posted.body as BundleJson;
    expect(posted.headers.get('location')).toBe(job.links.self);
    expect([job.format, job.files.map((f) => f.kind)]).toEqual(['csv', ['accounts', 'campaigns', 'leads', 'touchpoints']]);
    const done = (await pollUntilFinal(app, job.links.self, revops)) as BundleJson;
    expect([done.state, done.message, done.processedRows, done.counts]).toEqual(['DONE', null, 10, { created: 10, updated: 0, unchanged: 0, failed: 0 }]);
    expect(perFile(done)).toEqual([
      { kind: 'accounts', processed: 2, created: 2, updated: 0, unchanged: 0, failed: 0 },
      { kind: 'campaigns', processed: 1, created: 1, updated: 0, unchanged: 0, failed: 0 },
      { kind: 'leads', processed: 3, created: 3, updated: 0, unchanged: 0, failed: 0 },
      { kind: 'touchpoints', processed: 4, created: 4, updated: 0, unchanged: 0, failed: 0 },
    ]);
    // the references resolved: leads by account domain, touchpoints by lead email
    expect(
      await app.db.sql(
        `SELECT t.external_id AS touch, l.external_id AS lead, a.external_id AS account
           FROM touchpoints t JOIN leads l ON l.id = t.lead_id JOIN accounts a ON a.id = l.account_id
          WHERE t.external_id LIKE 'b-tp-%' ORDER BY t.external_id`,
      ),
    ).toEqual([
      { touch: 'b-tp-1', lead: 'b-lead-1', account: 'b-acc-1' },
      { touch: 'b-tp-2', lead: 'b-lead-2', account: 'b-acc-1' },
      { touch: 'b-tp-3', lead: 'b-lead-3', account: 'b-acc-2' },
      { touch: 'b-tp-4', lead: 'b-lead-1', account: 'b-acc-1' },
    ]);
    expect(await app.db.sql(`SELECT count(*)::int AS n FROM import_job_chunks`)).toEqual([{ n: 0 }]);

    const again = (await postBundle(app, '', form(BUNDLE), revops)).body as BundleJson;
    const rerun = (await pollUntilFinal(app, again.links.self, revops)) as BundleJson;
    expect([rerun.state, rerun.counts]).toEqual(['DONE', { created: 0, updated: 0, unchanged: 10, failed: 0 }]);
    expect(perFile(rerun)).toEqual([
      { kind: 'accounts', processed: 2, created: 0, updated: 0, unchanged: 2, failed: 0 },
      { kind: 'campaigns', processed: 1, created: 0, updated: 0, unchanged: 1, failed: 0 },
      { kind: 'leads', processed: 3, created: 0, updated: 0, unchanged: 3, failed: 0 },
      { kind: 'touchpoints', processed: 4, created: 0, updated: 0, unchanged: 4, failed: 0 },
    ]);
  });

  it("reports a bad row in its own file's errors.csv (?kind=)", async () => {
    const accounts = csv(['externalId,name,domain,segment', 'e-acc-1,Err One,err-one.example,SMB']);
    const leads = csv(['externalId,email,accountDomain', 'e-lead-1,ed@err-one.example,err-one.example', 'e-lead-2,flo@err-one.example,nowhere.example']);
    const job = (await postBundle(app, '', form([['leads', 'leads.csv', leads], ['accounts', 'accounts.csv', accounts]]), revops)).body as BundleJson;
    const done = (await pollUntilFinal(app, job.links.self, revops)) as BundleJson;
    expect(done.state).toBe('DONE');
    expect(perFile(done)).toEqual([
      { kind: 'accounts', processed: 1, created: 1, updated: 0, unchanged: 0, failed: 0 },
      { kind: 'leads', processed: 2, created: 1, updated: 0, unchanged: 0, failed: 1 },
    ]);
    const report = await getText(app, `${job.links.errorsCsv}?kind=leads`, revops);
    expect(report.status).toBe(200);
    const [header, row, ...rest] = report.text.split('\r\n');
    expect(header).toBe('externalId,email,accountDomain,_line,_column,_reason');
    expect(row?.startsWith('e-lead-2,flo@err-one.example,nowhere.example,3,accountDomain,')).toBe(true);
    expect(rest).toEqual(['']);
    const clean = await getText(app, `${job.links.errorsCsv}?kind=accounts`, revops);
    expect([clean.status, clean.text.split('\r\n').filter((l) => l !== '' && !l.endsWith('_line,_column,_reason'))]).toEqual([200, []]);
    // a bundle's report needs the file named
    expect((await getText(app, job.links.errorsCsv, revops)).status).toBe(400);
  });

  it('takes a preset and a mapping per file (preset.<kind>, mapping.<kind>) and the format from the filename or the format parameter', async () => {
    const salesforce = csv(['Id,Name,Website,NumberOfEmployees', 'sf-acc-1,Sales Force One,https://www.sf-one.example/,50']);
    const leads = ['{"externalId":"j-lead-1","email":"jo@sf-one.example","accountDomain":"sf-one.example"}', ''].join('\n');
    const preset = await postBundle(app, '', form([['accounts', 'accounts.csv', salesforce]], [['preset.accounts', 'salesforce-accounts']]), revops);
    expect(preset.status).toBe(202);
    const presetJob = (await pollUntilFinal(app, (preset.body as BundleJson).links.self, revops)) as BundleJson;
    expect([presetJob.state, presetJob.files.map((f) => [f.kind, f.preset]), presetJob.counts.created]).toEqual(['DONE', [['accounts', 'salesforce-accounts']], 1]);
    expect(await app.db.sql(`SELECT domain, segment FROM accounts WHERE external_id = 'sf-acc-1'`)).toEqual([{ domain: 'sf-one.example', segment: 'SMB' }]);

    const mapped = csv(['externalId,Company,domain,segment', 'map-acc-1,Mapped Co,mapped.example,SMB']);
    const mapping = (await postBundle(app, '', form([['accounts', 'accounts.csv', mapped]], [['mapping.accounts', '{"Company":"name"}']]), revops)).body as BundleJson;
    expect((await pollUntilFinal(app, mapping.links.self, revops)).counts).toEqual({ created: 1, updated: 0, unchanged: 0, failed: 0 });
    expect(await app.db.sql(`SELECT name FROM accounts WHERE external_id = 'map-acc-1'`)).toEqual([{ name: 'Mapped Co' }]);

    const jsonl = (await postBundle(app, '', form([['leads', 'leads.jsonl', leads]]), revops)).body as BundleJson;
    expect(jsonl.format).toBe('jsonl');
    expect((await pollUntilFinal(app, jsonl.links.self, revops)).counts).toEqual({ created: 1, updated: 0, unchanged: 0, failed: 0 });
    const byParameter = (await postBundle(app, 'format=jsonl', form([['leads', 'leads.txt', leads]]), revops)).body as BundleJson;
    expect(byParameter.format).toBe('jsonl');
    expect((await pollUntilFinal(app, byParameter.links.self, revops)).counts).toEqual({ created: 0, updated: 0, unchanged: 1, failed: 0 });
  });

  it('is for REVENUE_OPS and ADMIN: others are refused before the body is read', async () => {
    for (const role of [Role.MARKETING, Role.SALES, Role.EXECUTIVE, Role.ANALYST]) {
      const key = (await app.newKey(role)).secret;
      const refused = await postBundle(app, '', form(BUNDLE), key);
      expect([role, refused.status, (refused.body as ErrorJson).errors[0]?.extensions.code]).toEqual([role, 403, 'FORBIDDEN']);
    }
    expect((await postBundle(app, '', form(BUNDLE), null)).status).toBe(401);
    const admin = await postBundle(app, '', form([['accounts', 'accounts.csv', ACCOUNTS]]), app.adminKey);
    expect(admin.status).toBe(202);
    expect((await pollUntilFinal(app, (admin.body as BundleJson).links.self, app.adminKey)).state).toBe('DONE');
  });

  it('refuses bad parameters and parts with 400 naming them, and keeps nothing of the upload', async () => {
    const before = await app.db.sql(`SELECT count(*)::int AS n FROM import_jobs`);
    const accounts: [string, string, string] = ['accounts', 'accounts.csv', ACCOUNTS];
    const cases: [string, string, FormData][] = [
      ['kind=accounts', 'kind', form([accounts])],
      ['preset=salesforce-accounts', 'preset', form([accounts])],
      ['mapping={}', 'mapping', form([accounts])],
      ['colour=red', 'colour', form([accounts])],
      ['format=xml', 'format', form([accounts])],
      ['mode=MERGE', 'mode', form([accounts])],
      ['atomic=maybe', 'atomic', form([accounts])],
      ['', 'widgets', form([accounts, ['widgets', 'widgets.csv', 'a\n1\n']])],
      ['', 'accounts', form([accounts, ['accounts', 'more-accounts.csv', ACCOUNTS]])],
      ['', 'format', form([['accounts', 'accounts.xlsx', ACCOUNTS]])],
      ['', 'format', form([accounts, ['leads', 'leads.jsonl', '{}\n']])],
      ['', 'preset.leads', form([accounts], [['preset.leads', 'hubspot-contacts']])],
      ['', 'preset.accounts', form([accounts], [['preset.accounts', '../x']])],
      ['', 'mapping.accounts', form([accounts], [['mapping.accounts', '[1]']])],
      ['', 'preset.widgets', form([accounts], [['preset.widgets', 'x']])],
      ['', 'note', form([accounts], [['note', 'hello']])],
      ['', 'accounts', form([], [['accounts', ACCOUNTS]])],
      ['', 'body', form([], [])],
    ];
    for (const [query, field, body] of cases) {
      const refused = await postBundle(app, query, body, revops);
      const error = (refused.body as ErrorJson).errors[0];
      expect([query, field, refused.status, error?.extensions]).toEqual([query, field, 400, { code: 'BAD_USER_INPUT', field }]);
      expect(error?.message.startsWith(`${field}: `)).toBe(true);
    }
    expect(await app.db.sql(`SELECT count(*)::int AS n FROM import_jobs`)).toEqual(before);
  });

  it('keeps nothing of a bundle whose client went away mid-body', async () => {
    const before = await app.db.sql(`SELECT count(*)::int AS n FROM import_jobs`);
    const url = new URL(`${originOf(app)}/imports`);
    const boundary = 'bundle-boundary-7d1f';
    const head = (name: string) => `--${boundary}\r\ncontent-disposition: form-data; name="${name}"; filename="${name}.csv"\r\ncontent-type: text/csv\r\n\r\n`;
    let midUpload: unknown;
    await new Promise<void>((ok) => {
      const req = request({
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { authorization: `Bearer ${revops}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'transfer-encoding': 'chunked' },
      });
      req.on('error', () => ok());
      // a whole first part, then half of the second
      req.write(`${head('accounts')}${ACCOUNTS}\r\n${head('leads')}${LEADS.slice(0, 60)}`);
      setTimeout(() => {
        void app.db
          .sql(`SELECT f.kind FROM import_job_files f JOIN import_jobs j ON j.id = f.job_id WHERE j.state = 'UPLOADING' ORDER BY f.file_no`)
          .then((rows) => {
            midUpload = rows;
            req.destroy();
            ok();
          });
      }, 300);
    });
    // while the body came in, the job held both parts (UPLOADING, shown to no one); it is gone
    expect(midUpload).toEqual([{ kind: 'accounts' }, { kind: 'leads' }]);
    for (let i = 0; i < 50; i++) {
      const rows = await app.db.sql<{ n: number }>(`SELECT count(*)::int AS n FROM import_jobs`);
      if (rows[0]?.n === (before[0] as { n: number }).n) break;
      await new Promise((done) => setTimeout(done, 50));
    }
    expect(await app.db.sql(`SELECT count(*)::int AS n FROM import_jobs`)).toEqual(before);
    expect(await app.db.sql(`SELECT count(*)::int AS n FROM import_job_files f LEFT JOIN import_jobs j ON j.id = f.job_id WHERE j.state = 'UPLOADING'`)).toEqual([{ n: 0 }]);
  });
});

describe('POST /imports bundle limits', () => {
  let app: HttpTestApp;

  beforeAll(async () => {
    process.env.IMPORT_MAX_BYTES = '700';
    try {
      app = await startHttpApp();
    } finally {
      delete process.env.IMPORT_MAX_BYTES;
    }
  });
  afterAll(() => app.close());

  it('bounds the whole body by IMPORT_MAX_BYTES (413), not each file, and keeps nothing of it', async () => {
    const small = await postBundle(app, '', form([['accounts', 'accounts.csv', ACCOUNTS]]), app.adminKey);
    expect(small.status).toBe(202);
    await pollUntilFinal(app, (small.body as BundleJson).links.self, app.adminKey);
    // each file is under the limit, the two together are not
    const half = `externalId,name,domain,segment\n${'x-1,X,x.example,SMB\n'.repeat(15)}`;
    expect(half.length).toBeLessThan(700);
    const tooLarge = await postBundle(app, '', form([['accounts', 'accounts.csv', half], ['leads', 'leads.csv', half]]), app.adminKey);
    expect([tooLarge.status, (tooLarge.body as ErrorJson).errors[0]?.extensions.code]).toEqual([413, 'BAD_USER_INPUT']);
    expect(await app.db.sql(`SELECT count(*)::int AS jobs FROM import_jobs`)).toEqual([{ jobs: 1 }]);
  });

  it('counts the bytes of a body sent without a length as they come', async () => {
    const boundary = 'limit-boundary-31c';
    const part = (name: string) => `--${boundary}\r\ncontent-disposition: form-data; name="${name}"; filename="${name}.csv"\r\n\r\nexternalId,name,domain,segment\n${'y-1,Y,y.example,SMB\n'.repeat(15)}\r\n`;
    const url = new URL(`${originOf(app)}/imports`);
    const answer = await new Promise<{ status: number; text: string }>((ok, fail) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: { authorization: `Bearer ${app.adminKey}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'transfer-encoding': 'chunked' },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => ok({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', fail);
      req.end(`${part('accounts')}${part('leads')}--${boundary}--\r\n`);
    });
    expect(answer.status).toBe(413);
    expect(await app.db.sql(`SELECT count(*)::int AS jobs FROM import_jobs`)).toEqual([{ jobs: 1 }]);
  });
});
