import fc from 'fast-check';
import { Role } from '../../src/auth/roles';
import { insertAccount, insertCampaign, insertLead, insertOpportunity, insertTouch, insertUser } from '../helpers/core-fixtures';
import { HttpTestApp, startHttpApp } from '../helpers/http-app';
import { csvRecords, getExport, jsonLines, readParquet } from './support';

interface Catalogue {
  exports: { name: string; paged: boolean; arguments: { name: string; type: string }[]; columns: { name: string; type: string }[] }[];
}

const WINDOW = { from: '2024-01-01T00:00:00Z', to: '2024-07-01T00:00:00Z' };
const POLICY = JSON.stringify({ draft: { fitRules: [], engagementRules: [{ touchKinds: [], channels: [], points: 5 }] }, mqlThreshold: 5, monthlyMqlTarget: 2 });

/** Arguments that make each export's query valid, by the arguments' GraphQL types. */
function argumentsOf(args: { name: string; type: string }[]): string {
  const params = new URLSearchParams();
  for (const { name, type } of args) {
    const input = type.replace(/!$/, '');
    if (name === 'input' && input !== 'WalletShareInput') {
      params.set('input.window.from', WINDOW.from);
      params.set('input.window.to', WINDOW.to);
      if (input === 'RevenueTimeSeriesInput') params.set('input.grain', 'MONTH');
      if (['RevenueTimeSeriesInput', 'CampaignPerformanceInput', 'ChannelPerformanceInput'].includes(input)) params.set('input.model', 'LINEAR');
    }
    if (name === 'from') params.set('from', WINDOW.from);
    if (name === 'to') params.set('to', WINDOW.to);
    if (name === 'bandWidth') params.set('bandWidth', '10');
    if (input === 'QualificationBacktestPolicyInput') params.set(name, POLICY);
  }
  return params.toString();
}

/** Every export of the catalogue, in every format, as ADMIN and as ANALYST: a file or a typed refusal, never a server error. */
describe('every export', () => {
  let http: HttpTestApp;
  let analystKey: string;
  let catalogue: Catalogue['exports'];

  beforeAll(async () => {
    http = await startHttpApp();
    analystKey = (await http.newKey(Role.ANALYST)).secret;
    const owner = await insertUser(http.db, 'SALES');
    const account = await insertAccount(http.db, { ownerId: owner, walletSize: '50000.00' });
    const campaign = await insertCampaign(http.db, { channel: 'WEBINAR' });
    const lead = await insertLead(http.db, { accountId: account, createdAt: '2024-01-15T00:00:00Z', stage: 'MQL', mqlAt: '2024-02-01T00:00:00Z' });
    await insertTouch(http.db, lead, campaign, '2024-01-20T00:00:00Z', 'WEBINAR_ATTENDED');
    await insertOpportunity(http.db, { accountId: account, amount: '1234.56', createdAt: '2024-02-10T00:00:00Z', stage: 'CLOSED_WON', closedAt: '2024-03-01T00:00:00Z' });
    await http.db.sql(`INSERT INTO campaign_spend (campaign_id, spent_on, amount) VALUES ($1, '2024-01-05', '99.99')`, [campaign]);
    const base = http.url.replace(/\/graphql$/, '');
    const response = await fetch(`${base}/export`, { headers: { authorization: `Bearer ${http.adminKey}` } });
    catalogue = ((await response.json()) as Catalogue).exports;
  });
  afterAll(() => http.close());

  it('lists the lists and metrics of the schema', () => {
    expect(catalogue.length).toBeGreaterThan(30);
    expect(catalogue.filter((e) => e.paged).map((e) => e.name)).toEqual(expect.arrayContaining(['accounts', 'leads', 'campaigns', 'campaignSpend', 'touchpoints', 'opportunities', 'users']));
  });

  it('ADMIN gets every export in every format, the three formats agreeing on the rows', async () => {
    for (const entry of catalogue) {
      const query = argumentsOf(entry.arguments);
      // one after the other: a caller runs two exports at once at most
      const csv = await getExport(http, `${entry.name}.csv?${query}`);
      const jsonl = await getExport(http, `${entry.name}.jsonl?${query}`);
      const parquet = await getExport(http, `${entry.name}.parquet?${query}`);
      const statuses = [csv.status, jsonl.status, parquet.status];
      if (statuses.some((s) => s !== 200)) throw new Error(`${entry.name}: ${statuses.join(' ')} ${await csv.text()}`);
      const records = csvRecords(await csv.text());
      const lines = jsonLines(await jsonl.text());
      const { rows, types } = await readParquet(new Uint8Array(await parquet.arrayBuffer()), 'count(*) AS n');
      expect({ name: entry.name, csv: records.length, parquet: Number(rows[0]!.n) }).toEqual({ name: entry.name, csv: lines.length, parquet: lines.length });
      expect(Object.keys(types)).toEqual(entry.columns.map((c) => c.name));
      for (const column of entry.columns.filter((c) => c.type === 'MONEY')) expect(types[column.name]).toBe('DECIMAL(18,2)');
    }
  });

  it('ANALYST gets each export or the refusal GraphQL gives, never a server error', async () => {
    const refused: string[] = [];
    for (const entry of catalogue) {
      const response = await getExport(http, `${entry.name}.csv?${argumentsOf(entry.arguments)}`, analystKey);
      const text = await response.text();
      if (response.status === 403) {
        expect(JSON.parse(text)).toMatchObject({ errors: [{ extensions: { code: 'FORBIDDEN' } }] });
        refused.push(entry.name);
      } else if (response.status !== 200) throw new Error(`${entry.name}: ${response.status} ${text}`);
    }
    // keys and the audit log are ADMIN's; the metrics and lists of the domain are the analyst's to read
    expect(refused).toEqual(expect.arrayContaining(['apiKeys']));
    expect(refused).not.toContain('revenueTimeSeries');
    expect(refused).not.toContain('touchpoints');
  });

  it('hostile parameters get a typed refusal or a file, never a server error', async () => {
    const names = ['input', 'input.window', 'input.window.from', 'input.grain', 'input.by', 'input.model', 'input.channels', 'filter', 'filter.kinds', 'orderBy', 'orderBy.field', 'after', 'dense', 'first', '', '.', 'input..x', '__proto__', 'input.__proto__.x', 'constructor'];
    const values = fc.oneof(
      fc.constantFrom('MONTH', 'LINEAR', 'CHANNEL', 'true', 'null', '[]', '{}', '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]', '{"__proto__":{"x":1}}', '1e400', '-0', '2024-01-01T00:00:00Z', 'eyJzIjoiYSIsInYiOiIxIiwiaWQiOiIxIn0', '\u0000'),
      fc.string({ maxLength: 40 }),
      fc.json({ maxDepth: 4 }),
    );
    const targets = ['revenueTimeSeries.csv', 'touchpoints.jsonl', 'funnel/groups/stages.parquet', 'campaignPerformance/report.csv'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...targets), fc.array(fc.tuple(fc.constantFrom(...names), values), { maxLength: 6 }), async (target, pairs) => {
        const params = new URLSearchParams(pairs);
        const response = await getExport(http, `${target}?${params.toString()}`);
        const text = await response.text();
        if (response.status === 200) return;
        expect([400, 403, 404]).toContain(response.status);
        const body = JSON.parse(text) as { errors: { message: string; extensions: { code: string } }[] };
        expect(typeof body.errors[0]!.message).toBe('string');
        expect(['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED', 'QUERY_REJECTED', 'FORBIDDEN', 'NOT_FOUND']).toContain(body.errors[0]!.extensions.code);
      }),
      { numRuns: 150, seed: 13 },
    );
  });
});
