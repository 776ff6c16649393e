import { insertAccount, insertCampaign, insertLead, insertTouch } from '../helpers/core-fixtures';
import { HttpTestApp, startHttpApp } from '../helpers/http-app';
import { getExport, jsonLines } from './support';

/** An export is held to the limits of the query it runs: the cost limit per page, the caller's rate limit per export. */
describe('export limits', () => {
  let http: HttpTestApp;
  const RATE_LIMIT = 5;
  const MAX_COST = 500;

  beforeAll(async () => {
    http = await startHttpApp((config) => {
      config.limits.maxCost = MAX_COST;
      config.limits.rateLimitPoints = RATE_LIMIT;
    });
    const lead = await insertLead(http.db, { accountId: await insertAccount(http.db) });
    const campaign = await insertCampaign(http.db);
    for (let i = 0; i < 13; i++) await insertTouch(http.db, lead, campaign, `2024-05-${String(i + 1).padStart(2, '0')}T00:00:00Z`);
  });
  afterAll(() => http.close());

  it('holds to the cost limit and the rate limit of the same GraphQL queries', async () => {
    // 1: a page of 100 touchpoints with every column costs far over 500; the export asks for
    // smaller pages, the same rows
    const touches = await getExport(http, 'touchpoints.jsonl');
    expect(touches.status).toBe(200);
    const lines = jsonLines(await touches.text());
    expect(lines.length).toBe(13);
    expect(lines.map((l) => l.occurred_at)).toEqual([...lines.map((l) => String(l.occurred_at))].sort());
    // 2, 3: a year of daily periods by campaign is over the limit, in GraphQL and in the export alike
    const input = { window: { from: '2024-01-01T00:00:00Z', to: '2025-01-01T00:00:00Z' }, grain: 'DAY', by: 'CAMPAIGN', model: 'LINEAR' };
    const gql = await http.gql(`query($input: RevenueTimeSeriesInput!) { revenueTimeSeries(input: $input) { rows { spend } } }`, { input });
    expect(gql.body.errors?.[0]?.extensions?.code).toBe('QUERY_REJECTED');
    const series = await getExport(http, `revenueTimeSeries.csv?input=${encodeURIComponent(JSON.stringify(input))}`);
    expect(series.status).toBe(400);
    const body = (await series.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('QUERY_REJECTED');
    expect(body.errors[0]!.message).toMatch(/^query cost \d+ exceeds the limit of 500/);
    // 4, 5: within the limit; 6: one request too many, refused as /graphql refuses it
    for (let i = 4; i <= RATE_LIMIT; i++) expect((await getExport(http, 'campaigns.csv')).status).toBe(200);
    const limited = await getExport(http, 'campaigns.csv');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await limited.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('RATE_LIMITED');
    const gqlLimited = await http.gql(`{ campaigns { totalCount } }`);
    expect(gqlLimited.status).toBe(429);
  });
});
