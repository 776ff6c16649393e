import { Role } from '../../src/auth/roles';
import { observeQueries } from '../../src/db/data-source';
import { gid, insertAccount, insertCampaign, insertLead, insertTouch } from '../helpers/core-fixtures';
import { HttpTestApp, startHttpApp } from '../helpers/http-app';
import { csvRecords, getExport, jsonLines, readParquet } from './support';

interface TouchNode {
  id: string;
  externalId: string | null;
  kind: string;
  occurredAt: string;
  campaign: { id: string; name: string; channel: string };
  lead: { id: string; email: string };
}

const TOUCHES = `query($after: String, $filter: TouchpointFilter) { touchpoints(first: 5, after: $after, filter: $filter) {
  edges { node { id externalId kind occurredAt campaign { id name channel } lead { id email } } } pageInfo { hasNextPage endCursor } } }`;

/** Lists: walked page by page with the cursor, equal to the GraphQL list; arguments and callers refused as GraphQL refuses them. */
describe('list exports', () => {
  let http: HttpTestApp;
  let analystKey: string;
  const emails: string[] = [];

  beforeAll(async () => {
    // pages of 5: the 13 touchpoints take three pages (the export's own page size, and the API's)
    process.env.EXPORT_PAGE_SIZE = '5';
    http = await startHttpApp((config) => {
      config.maxPageSize = 5;
    });
    delete process.env.EXPORT_PAGE_SIZE;
    analystKey = (await http.newKey(Role.ANALYST)).secret;
    const account = await insertAccount(http.db, { name: 'Listed Co' });
    const campaigns = [await insertCampaign(http.db, { name: 'Spring, "quoted"', channel: 'EMAIL' }), await insertCampaign(http.db, { name: 'Webinar', channel: 'WEBINAR' })];
    const leads: string[] = [];
    for (let i = 0; i < 3; i++) {
      const email = `person${i}.${process.pid}@listed.test`;
      emails.push(email);
      leads.push(await insertLead(http.db, { email, accountId: account }));
    }
    for (let i = 0; i < 13; i++) {
      await insertTouch(http.db, leads[i % 3]!, campaigns[i % 2]!, `2024-03-${String(1 + i).padStart(2, '0')}T10:00:00.250Z`, i % 2 ? 'EMAIL_CLICK' : 'FORM_FILL');
    }
    await http.db.sql(`UPDATE touchpoints SET external_id = 'tp-' || id WHERE id % 2 = 0`);
  });
  afterAll(() => http.close());

  /** The whole list through GraphQL, page by page. */
  async function allTouches(key = http.adminKey, filter?: Record<string, unknown>): Promise<TouchNode[]> {
    const nodes: TouchNode[] = [];
    let after: string | null = null;
    for (;;) {
      const page: Awaited<ReturnType<typeof http.gql<{ touchpoints: { edges: { node: TouchNode }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } }>>> =
        await http.gql(TOUCHES, { after, filter }, { key });
      expect(page.body.errors).toBeUndefined();
      const { edges, pageInfo } = page.body.data!.touchpoints;
      nodes.push(...edges.map((e) => e.node));
      if (!pageInfo.hasNextPage) return nodes;
      after = pageInfo.endCursor;
    }
  }

  const columnsOf = (n: TouchNode) => ({
    id: n.id,
    external_id: n.externalId,
    kind: n.kind,
    occurred_at: n.occurredAt,
    campaign_id: n.campaign.id,
    campaign_name: n.campaign.name,
    campaign_channel: n.campaign.channel,
    lead_id: n.lead.id,
    lead_email: n.lead.email,
  });
  const pick = (record: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.map((k) => [k, record[k]]));

  it('JSON lines of a list of several pages equal the GraphQL list, row for row', async () => {
    const api = await allTouches();
    expect(api.length).toBe(13);
    // the pages the export reads: one statement of the touchpoints list each (5 + 5 + 3 rows),
    // answered in one statement (src/graphql/sql-pages.ts), no totalCount asked
    const pages: string[] = [];
    const stop = observeQueries((sql) => {
      if (/FROM "?touchpoints"? t\b/.test(sql) && /LIMIT/.test(sql) && !/count\(\*\)::int/.test(sql)) pages.push(sql);
    });
    let text: string;
    try {
      const response = await getExport(http, 'touchpoints.jsonl');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
      text = await response.text();
    } finally {
      stop();
    }
    expect(pages).toHaveLength(3);
    const lines = jsonLines(text);
    const keys = Object.keys(columnsOf(api[0]!));
    expect(lines.map((l) => pick(l, keys))).toEqual(api.map(columnsOf));
    // ids are the API's global ids, times ISO-8601 UTC
    const [first] = await http.db.sql<{ id: string }>(`SELECT id::text FROM touchpoints ORDER BY occurred_at, id LIMIT 1`);
    expect(lines[0]!.id).toBe(gid('Touchpoint', first!.id));
    expect(String(lines[0]!.occurred_at)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('CSV of a filtered list equals the GraphQL list, quoting texts with commas and quotes', async () => {
    const api = await allTouches(http.adminKey, { kinds: ['FORM_FILL'] });
    expect(api.length).toBe(7);
    const response = await getExport(http, 'touchpoints.csv?filter.kinds=FORM_FILL');
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text.split('\n')[0]).toContain('id,');
    const records = csvRecords(text);
    const keys = Object.keys(columnsOf(api[0]!));
    expect(records.map((r) => pick(r, keys))).toEqual(api.map((n) => ({ ...columnsOf(n), external_id: n.externalId ?? '' })));
    expect(records.some((r) => r.campaign_name === 'Spring, "quoted"')).toBe(true);
  });

  it('Parquet of a list reads back in DuckDB equal to the GraphQL list', async () => {
    const api = await allTouches();
    const response = await getExport(http, 'touchpoints.parquet');
    expect(response.status).toBe(200);
    const { rows, types } = await readParquet(new Uint8Array(await response.arrayBuffer()), `id, external_id, kind, CAST(epoch_ms(occurred_at) AS DOUBLE) AS occurred_at, campaign_id, campaign_name, lead_email`);
    expect(types.occurred_at).toMatch(/^TIMESTAMP/);
    expect(rows).toEqual(
      api.map((n) => ({ id: n.id, external_id: n.externalId, kind: n.kind, occurred_at: Date.parse(n.occurredAt), campaign_id: n.campaign.id, campaign_name: n.campaign.name, lead_email: n.lead.email })),
    );
  });

  it('an empty list is a header alone', async () => {
    const response = await getExport(http, `touchpoints.csv?filter.occurredAt.from=2030-01-01T00:00:00Z`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text.trim().split('\n')).toHaveLength(1);
    expect(text).toMatch(/^id,|,id,/);
  });

  it('ANALYST callers export with personal data masked exactly as GraphQL masks it', async () => {
    const api = await allTouches(analystKey);
    expect(api.every((n) => !emails.includes(n.lead.email))).toBe(true);
    const response = await getExport(http, 'touchpoints.jsonl', analystKey);
    expect(response.status).toBe(200);
    const lines = jsonLines(await response.text());
    expect(lines.map((l) => l.lead_email)).toEqual(api.map((n) => n.lead.email));
    expect(lines.every((l) => /^redacted-[0-9a-f]+@example\.invalid$/.test(String(l.lead_email)))).toBe(true);
    // the same export as ADMIN reads the real addresses
    const admin = jsonLines(await (await getExport(http, 'touchpoints.jsonl')).text());
    expect(new Set(admin.map((l) => l.lead_email))).toEqual(new Set(emails));
  });

  it('ANALYST exports of leads mask names and emails as GraphQL does', async () => {
    const gql = await http.gql<{ leads: { edges: { node: { id: string; email: string; firstName: string | null } }[] } }>(
      `{ leads(first: 5) { edges { node { id email firstName } } } }`,
      {},
      { key: analystKey },
    );
    expect(gql.body.errors).toBeUndefined();
    const lines = jsonLines(await (await getExport(http, 'leads.jsonl', analystKey)).text());
    expect(lines.map((l) => ({ id: l.id, email: l.email, firstName: l.first_name }))).toEqual(gql.body.data!.leads.edges.map((e) => e.node));
  });

  describe('refusals', () => {
    const error = async (response: Response) => {
      const body = (await response.json()) as { errors: { message: string; extensions: { code: string; field?: string } }[] };
      return body.errors[0]!;
    };

    it('an unknown export is 404, a bad format 400, each naming what is wrong', async () => {
      const unknown = await getExport(http, 'nothing.csv');
      expect(unknown.status).toBe(404);
      expect(await error(unknown)).toMatchObject({ extensions: { code: 'NOT_FOUND', field: 'export' } });
      const format = await getExport(http, 'touchpoints.xlsx');
      expect(format.status).toBe(400);
      expect(await error(format)).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'format' } });
      const path = await getExport(http, '../graphql.csv');
      expect([400, 404]).toContain(path.status);
    });

    it('an unknown argument, a field that is not there, bad JSON or a paging argument are 400 naming it', async () => {
      const cases: [string, string, RegExp][] = [
        ['touchpoints.csv?nope=1', 'nope', /not an argument/],
        ['touchpoints.csv?filter.nope=1', 'filter.nope', /not a field of TouchpointFilter/],
        ['touchpoints.csv?filter={broken', 'filter', /not valid JSON/],
        ['touchpoints.csv?first=10', 'first', /not an argument/],
        [`touchpoints.csv?filter=${encodeURIComponent('{"kinds":["FORM_FILL"]}')}&filter.kinds=EMAIL_CLICK`, 'filter.kinds', /given twice/],
        ['revenueTimeSeries.csv?input.grain=MONTH&input.grain=DAY', 'input.grain', /more than once/],
      ];
      for (const [path, field, reason] of cases) {
        const response = await getExport(http, path);
        expect(response.status).toBe(400);
        const e = await error(response);
        expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
        expect(e.message).toMatch(reason);
      }
    });

    it('a value GraphQL refuses is refused with the GraphQL error, the same field and message', async () => {
      const gql = await http.gql(`query($filter: TouchpointFilter) { touchpoints(filter: $filter) { totalCount } }`, { filter: { kinds: ['NOT_A_KIND'] } });
      const expected = gql.body.errors![0]!;
      const response = await getExport(http, 'touchpoints.csv?filter.kinds=NOT_A_KIND');
      expect(response.status).toBe(400);
      const e = await error(response);
      expect(e.extensions.code).toBe('BAD_USER_INPUT');
      expect(e.extensions.field).toBe(expected.extensions?.field);
      expect(e.message).toBe(expected.message);
      // a required argument left out
      const missing = await getExport(http, 'revenueTimeSeries.csv');
      expect(missing.status).toBe(400);
      expect((await error(missing)).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input' });
      // a resolver's own validation (a window that ends before it starts)
      const window = await getExport(http, 'revenueTimeSeries.csv?input.window.from=2024-02-01T00:00:00Z&input.window.to=2024-01-01T00:00:00Z&input.grain=MONTH&input.model=LINEAR');
      expect(window.status).toBe(400);
      expect((await error(window)).extensions.field).toMatch(/^input\.window/);
    });

    it('callers are refused as /graphql refuses them: no key, a bad key, a role without access', async () => {
      const gqlNoKey = await http.gql(`{ touchpoints { totalCount } }`, {}, { key: null });
      const noKey = await getExport(http, 'touchpoints.csv', null);
      expect(noKey.status).toBe(gqlNoKey.status);
      expect(noKey.status).toBe(401);
      expect(await noKey.json()).toEqual(gqlNoKey.body);
      const badKey = await getExport(http, 'touchpoints.csv', 'ra_live_not-a-real-key-000000');
      expect(badKey.status).toBe(401);
      expect((await error(badKey)).extensions.code).toBe('UNAUTHENTICATED');
      const gqlForbidden = await http.gql(`{ apiKeys { totalCount } }`, {}, { key: analystKey });
      const forbidden = await getExport(http, 'apiKeys.csv', analystKey);
      expect(forbidden.status).toBe(403);
      expect((await error(forbidden)).message).toBe(gqlForbidden.body.errors?.[0]?.message);
    });

    it('only GET is served', async () => {
      const base = http.url.replace(/\/graphql$/, '');
      const response = await fetch(`${base}/export/touchpoints.csv`, { method: 'POST', headers: { authorization: `Bearer ${http.adminKey}` } });
      expect(response.status).toBe(405);
    });
  });

  it('GET /export lists every export with its arguments and columns', async () => {
    const base = http.url.replace(/\/graphql$/, '');
    const response = await fetch(`${base}/export`, { headers: { authorization: `Bearer ${http.adminKey}` } });
    expect(response.status).toBe(200);
    const { exports } = (await response.json()) as { exports: { name: string; arguments: { name: string }[]; columns: { name: string; type: string }[] }[] };
    const touchpoints = exports.find((e) => e.name === 'touchpoints')!;
    expect(touchpoints.arguments.map((a) => a.name).sort()).toEqual(['after', 'filter', 'orderBy']);
    expect(touchpoints.columns).toEqual(expect.arrayContaining([{ name: 'campaign_external_id', type: 'STRING' }, { name: 'occurred_at', type: 'DATETIME' }]));
    expect(exports.map((e) => e.name)).toEqual(expect.arrayContaining(['revenueTimeSeries', 'campaignPerformance', 'funnel/groups/stages', 'leads', 'opportunities']));
  });
});
