import { observeQueries } from '../../src/db/data-source';
import { Role } from '../../src/auth/roles';
import { toGlobalId } from '../../src/graphql/node';
import { createTestApp, TestApp } from '../helpers/app';
import { Fixtures } from './attribution-fixtures';

/*
 * Opportunity.attribution on hand-made journeys: each expected figure is worked out in the
 * comment beside it from docs/metrics.md ("Attribution", "Conventions": largest remainder).
 */
interface Touch {
  position: number;
  occurredAt: string;
  roles: string[];
  heldRoles: string[];
  weight: string;
  credit: string;
  campaign: { name: string };
  touchpoint: { id: string };
}
interface Attribution {
  model: string;
  measure: string;
  amount: string;
  unattributed: string;
  journeyEnd: string;
  touches: Touch[];
  campaigns: { credit: string; exactCredit: string; campaign: { name: string } }[];
}

const ATTRIBUTION = `query($id: ID!, $model: AttributionModel!, $measure: AttributionMeasure, $scope: JourneyScope, $lookback: Int, $halfLife: Float, $weights: RoleWeightsInput) {
  node(id: $id) { ... on Opportunity {
    attribution(model: $model, measure: $measure, journeyScope: $scope, lookbackDays: $lookback, halfLifeDays: $halfLife, roleWeights: $weights) {
      model measure amount unattributed journeyEnd
      touches { position occurredAt roles heldRoles weight credit campaign { name } touchpoint { id } }
      campaigns { credit exactCredit campaign { name } }
    }
  } }
}`;

describe('Opportunity.attribution', () => {
  let app: TestApp;
  let f: Fixtures;
  beforeAll(async () => {
    app = await createTestApp();
    f = new Fixtures(app.db);
  });
  afterAll(() => app.close());
  beforeEach(() => f.reset());

  async function attribution(opportunityId: string, variables: Record<string, unknown>, as: Role = Role.ADMIN): Promise<Attribution | null> {
    const data = await app.ok<{ node: { attribution: Attribution | null } }>(ATTRIBUTION, { id: toGlobalId('Opportunity', opportunityId), ...variables }, as);
    return data.node.attribution;
  }
  const credits = (a: Attribution | null) => a!.touches.map((t) => t.credit);
  const byCampaign = (a: Attribution | null) => Object.fromEntries(a!.campaigns.map((c) => [c.campaign.name, c.credit]));
  const cents = (values: string[]) => values.reduce((sum, v) => sum + Math.round(Number(v) * 100), 0);

  /** One account, one lead (mqlAt given), touches on the named campaigns (created in this order, so ids ascend) at the given times. */
  async function journey(touches: [string, string][], mqlAt: string | null = null): Promise<{ account: string; lead: string }> {
    const account = await f.account();
    const lead = await f.lead(account, mqlAt);
    const campaigns = new Map<string, string>();
    for (const [name] of touches) if (!campaigns.has(name)) campaigns.set(name, await f.campaign(name));
    for (const [name, at] of touches) await f.touch(lead, campaigns.get(name)!, at);
    return { account, lead };
  }

  it('splits odd cents three ways by largest remainder, the cent to the lowest campaign id', async () => {
    const { account } = await journey([['A', '2024-03-01T00:00:00Z'], ['B', '2024-03-02T00:00:00Z'], ['C', '2024-03-03T00:00:00Z']]);
    const deal = await f.opportunity({ accountId: account, amount: '100.00', createdAt: '2024-03-10T00:00:00Z', closedAt: '2024-03-20T00:00:00Z' });
    // LINEAR: 100.00 / 3 = 33.333...: floors 33.33 * 3 = 99.99, one cent missing, remainders tie: lowest campaign id (A)
    const linear = await attribution(deal, { model: 'LINEAR' });
    expect(linear).toMatchObject({ model: 'LINEAR', measure: 'REVENUE', amount: '100.00', unattributed: '0.00', journeyEnd: '2024-03-20T00:00:00.000Z' });
    expect(credits(linear)).toEqual(['33.34', '33.33', '33.33']);
    expect(linear!.touches.map((t) => t.weight)).toEqual(['0.333333333333', '0.333333333333', '0.333333333333']);
    expect(byCampaign(linear)).toEqual({ A: '33.34', B: '33.33', C: '33.33' });
    expect(linear!.campaigns[0]!.exactCredit).toMatch(/^33\.3333333333333333333333333333333333333\d*$/);
    // roles: first 1; creation = the last touch at or before 03-10 = 3 = last = close; no mqlAt: no lead conversion
    expect(linear!.touches.map((t) => t.roles)).toEqual([['FIRST'], [], ['LAST', 'OPPORTUNITY_CREATION', 'CLOSE']]);
    expect(linear!.touches.every((t) => t.heldRoles.length === 0)).toBe(true);

    // two cents over three: 0.00666... each, floors 0, two cents missing: A then B
    const tiny = await f.opportunity({ accountId: account, amount: '0.02', createdAt: '2024-03-10T00:00:00Z', closedAt: '2024-03-21T00:00:00Z' });
    expect(credits(await attribution(tiny, { model: 'LINEAR' }))).toEqual(['0.01', '0.01', '0.00']);
  });

  it("shares a campaign's cents among its own touches, the earlier touch first", async () => {
    const { account } = await journey([['A', '2024-03-01T00:00:00Z'], ['B', '2024-03-02T00:00:00Z'], ['A', '2024-03-03T00:00:00Z']]);
    const deal = await f.opportunity({ accountId: account, amount: '100.00', createdAt: '2024-03-10T00:00:00Z', closedAt: '2024-03-20T00:00:00Z' });
    // campaigns: A 66.666..., B 33.333...; floors 66.66 + 33.33 = 99.99, the cent to the larger remainder (A .00666 > B .00333): A 66.67
    // A's 66.67 over its two touches of 33.333... each: floors 33.33 + 33.33, the cent to the earlier (position 1)
    const linear = await attribution(deal, { model: 'LINEAR' });
    expect(byCampaign(linear)).toEqual({ A: '66.67', B: '33.33' });
    expect(credits(linear)).toEqual(['33.34', '33.33', '33.33']);
    expect(cents(credits(linear))).toBe(10000);
  });

  it('places the roles and weighs them under W_SHAPED, FULL_PATH, POSITION_BASED and CUSTOM (revenue and pipeline)', async () => {
    // mqlAt 03-05, created 03-10, closed 03-20; touches 03-01 (A), 03-05 (B), 03-15 (C)
    // roles: first = 1; lead conversion = last touch at or before 03-05 = 2; creation = last at or before 03-10 = 2; last = close = 3
    const { account } = await journey([['A', '2024-03-01T00:00:00Z'], ['B', '2024-03-05T00:00:00Z'], ['C', '2024-03-15T00:00:00Z']], '2024-03-05T00:00:00Z');
    const deal = await f.opportunity({ accountId: account, amount: '1000.01', createdAt: '2024-03-10T00:00:00Z', closedAt: '2024-03-20T00:00:00Z' });

    // W: 0.3 / 0.3 + 0.3 / rest 0.1 to the touch holding none: 300.003 / 600.006 / 100.001;
    // floors 300.00 + 600.00 + 100.00 = 1000.00, one cent to the largest remainder (B .006): 600.01
    const w = await attribution(deal, { model: 'W_SHAPED' });
    expect(w!.touches.map((t) => t.roles)).toEqual([['FIRST'], ['LEAD_CONVERSION', 'OPPORTUNITY_CREATION'], ['LAST', 'CLOSE']]);
    expect(w!.touches.map((t) => t.heldRoles)).toEqual([['FIRST'], ['LEAD_CONVERSION', 'OPPORTUNITY_CREATION'], []]);
    expect(w!.touches.map((t) => t.weight)).toEqual(['0.3', '0.6', '0.1']);
    expect(credits(w)).toEqual(['300.00', '600.01', '100.00']);

    // Z: 0.225 / 0.45 / 0.225 (close): every touch holds a role, so the rest 0.1 goes pro rata: / 0.9 = 0.25 / 0.5 / 0.25
    // 250.0025 / 500.005 / 250.0025: floors 250.00 + 500.00 + 250.00, one cent to B (.005)
    const z = await attribution(deal, { model: 'FULL_PATH' });
    expect(z!.touches.map((t) => t.heldRoles)).toEqual([['FIRST'], ['LEAD_CONVERSION', 'OPPORTUNITY_CREATION'], ['CLOSE']]);
    expect(z!.touches.map((t) => t.weight)).toEqual(['0.25', '0.5', '0.25']);
    expect(credits(z)).toEqual(['250.00', '500.01', '250.00']);

    // U: first 0.4, last 0.4, the middle 0.2: 400.004 / 200.002 / 400.004: floors 1000.00, the cent: A and C tie at .004, lowest id A
    expect(credits(await attribution(deal, { model: 'POSITION_BASED' }))).toEqual(['400.01', '200.00', '400.00']);

    // CUSTOM first 0.1, lead conversion 0.2, creation 0.3, close 0.1: touch 2 holds 0.5, touch 3 (close) 0.1; no touch is free,
    // so pro rata over 0.7: 1/7, 5/7, 1/7 = 142.858571..., 714.292857..., 142.858571...: floors 142.85 + 714.29 + 142.85 = 999.99,
    // two cents missing: A and C (.008571 each) before B (.002857)
    const custom = await attribution(deal, { model: 'CUSTOM', weights: { first: 0.1, leadConversion: 0.2, opportunityCreation: 0.3, close: 0.1 } });
    expect(custom!.touches.map((t) => t.weight)).toEqual(['0.142857142857', '0.714285714286', '0.142857142857']);
    expect(credits(custom)).toEqual(['142.86', '714.29', '142.86']);

    // pipeline: the journey ends at creation (03-10): touches A, B; W: first 0.3 (A), conversion + creation 0.6 (B) = all touches hold,
    // pro rata over 0.9: 1/3, 2/3 of 1000.01 = 333.336666..., 666.673333...: floors 333.33 + 666.67 = 1000.00
    const pipeline = await attribution(deal, { model: 'W_SHAPED', measure: 'PIPELINE' });
    expect(pipeline).toMatchObject({ measure: 'PIPELINE', journeyEnd: '2024-03-10T00:00:00.000Z' });
    expect(pipeline!.touches.map((t) => t.roles)).toEqual([['FIRST'], ['LAST', 'LEAD_CONVERSION', 'OPPORTUNITY_CREATION']]);
    expect(credits(pipeline)).toEqual(['333.34', '666.67']);
  });

  it('weighs TIME_DECAY by the half-life before the end of the journey', async () => {
    // closed 03-20; touches 03-13 (A, 7 days before the last touch) and 03-20 (B): r = 0.5, 1; w = 1/3, 2/3
    // 100.00: 33.333... / 66.666...: floors 99.99, the cent to B (.00666 > .00333)
    const { account } = await journey([['A', '2024-03-13T00:00:00Z'], ['B', '2024-03-20T00:00:00Z']]);
    const deal = await f.opportunity({ accountId: account, amount: '100.00', createdAt: '2024-03-10T00:00:00Z', closedAt: '2024-03-20T00:00:00Z' });
    const decay = await attribution(deal, { model: 'TIME_DECAY', halfLife: 7 });
    expect(decay!.touches.map((t) => t.weight)).toEqual(['0.333333333333', '0.666666666667']);
    expect(credits(decay)).toEqual(['33.33', '66.67']);
    // half-life 3.5: r = 0.25, 1: w = 0.2, 0.8
    expect(credits(await attribution(deal, { model: 'TIME_DECAY', halfLife: 3.5 }))).toEqual(['20.00', '80.00']);
  });

  it('builds the journey of the account or of the contacts only, within the lookback', async () => {
    const account = await f.account();
    const contact = await f.lead(account);
    const colleague = await f.lead(account);
    const a = await f.campaign('A');
    const b = await f.campaign('B');
    await f.touch(contact, a, '2024-03-01T00:00:00Z');
    await f.touch(colleague, b, '2024-03-02T00:00:00Z');
    await f.touch(colleague, b, '2023-11-01T00:00:00Z'); // 130 days before creation: outside a 90-day lookback
    const deal = await f.opportunity({ accountId: account, amount: '50.01', createdAt: '2024-03-10T00:00:00Z', closedAt: '2024-03-20T00:00:00Z', contacts: [contact] });
    // ACCOUNT: A, B, 25.005 each: floors 50.00, the cent to the lowest id (A)
    expect(byCampaign(await attribution(deal, { model: 'LINEAR' }))).toEqual({ A: '25.01', B: '25.00' });
    // CONTACTS: only A
    expect(byCampaign(await attribution(deal, { model: 'LINEAR', scope: 'CONTACTS' }))).toEqual({ A: '50.01' });
    // a 200-day lookback takes the old touch too: B, A, B: 16.67 each roughly: A 16.67, B 33.34 (exact 16.67, 33.34 = 50.01)
    const long = await attribution(deal, { model: 'LINEAR', lookback: 200 });
    expect(long!.touches.map((t) => t.campaign.name)).toEqual(['B', 'A', 'B']);
    expect(byCampaign(long)).toEqual({ A: '16.67', B: '33.34' });
  });

  it('reports an empty journey as unattributed, and no revenue for a deal not won', async () => {
    const account = await f.account();
    const won = await f.opportunity({ accountId: account, amount: '10.00', createdAt: '2024-03-10T00:00:00Z', closedAt: '2024-03-20T00:00:00Z' });
    expect(await attribution(won, { model: 'LINEAR' })).toMatchObject({ amount: '10.00', unattributed: '10.00', touches: [], campaigns: [] });
    const open = await f.opportunity({ accountId: account, amount: '20.00', createdAt: '2024-03-10T00:00:00Z' });
    expect(await attribution(open, { model: 'LINEAR' })).toBeNull();
    expect(await attribution(open, { model: 'LINEAR', measure: 'PIPELINE' })).toMatchObject({ amount: '20.00', unattributed: '20.00' });
    const lost = await f.opportunity({ accountId: account, amount: '30.00', createdAt: '2024-03-10T00:00:00Z', closedAt: '2024-03-20T00:00:00Z', stage: 'CLOSED_LOST' });
    expect(await attribution(lost, { model: 'FIRST_TOUCH' })).toBeNull();
  });

  it('refuses DATA_DRIVEN and bad settings with BAD_USER_INPUT naming the argument', async () => {
    const account = await f.account();
    const deal = await f.opportunity({ accountId: account, amount: '10.00', createdAt: '2024-03-10T00:00:00Z', closedAt: '2024-03-20T00:00:00Z' });
    const id = toGlobalId('Opportunity', deal);
    const cases: [Record<string, unknown>, string][] = [
      [{ model: 'DATA_DRIVEN' }, 'model'],
      [{ model: 'CUSTOM' }, 'roleWeights'],
      [{ model: 'CUSTOM', weights: { first: 0.6, close: 0.5 } }, 'roleWeights'],
      [{ model: 'CUSTOM', weights: { first: 1.5 } }, 'roleWeights.first'],
      [{ model: 'LINEAR', lookback: 0 }, 'lookbackDays'],
      [{ model: 'TIME_DECAY', halfLife: 0 }, 'halfLifeDays'],
    ];
    for (const [variables, field] of cases) {
      const result = await app.gql(ATTRIBUTION, { id, ...variables });
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });

  it('answers a page of 50 deals with their journeys in a fixed handful of statements', async () => {
    const QUERY = `{ opportunities(first: 50) { edges { node { attribution(model: W_SHAPED) {
      amount touches { credit campaign { name } touchpoint { occurredAt } } campaigns { credit campaign { channel } } } } } } }`;
    type Page = { opportunities: { edges: { node: { attribution: { amount: string; touches: { credit: string }[] } } }[] } };
    async function run(deals: number, touchesEach: number): Promise<{ statements: number; data: Page }> {
      await f.reset();
      for (let i = 0; i < deals; i++) {
        const touches: [string, string][] = Array.from({ length: touchesEach }, (_, t) => [`C${t % 3}`, `2024-03-0${t + 1}T00:00:00Z`]);
        const { account } = await journey(touches, '2024-03-02T00:00:00Z');
        await f.opportunity({ accountId: account, amount: '99.99', createdAt: '2024-03-10T00:00:00Z', closedAt: '2024-03-20T00:00:00Z' });
      }
      const statements: string[] = [];
      const stop = observeQueries((sql) => statements.push(sql));
      try {
        return { data: await app.ok<Page>(QUERY), statements: statements.length };
      } finally {
        stop();
      }
    }
    const small = await run(2, 1);
    const large = await run(50, 5);
    expect(large.data.opportunities.edges).toHaveLength(50);
    for (const { node } of large.data.opportunities.edges) {
      expect(node.attribution.touches).toHaveLength(5);
      expect(cents(node.attribution.touches.map((t) => t.credit))).toBe(9999);
    }
    expect(large.statements).toBe(small.statements);
    expect(large.statements).toBeLessThanOrEqual(6);
  });

  it("lists the deals behind a campaign's performance row, paginated, with the campaign's credit for each", async () => {
    // D1 100.00: A, B (LINEAR 50.00 / 50.00); D2 10.00: A; D3 0.03: A, B, C (0.01 each); all closed in March 2024
    const { account: a1 } = await journey([['A', '2024-03-01T00:00:00Z'], ['B', '2024-03-02T00:00:00Z']]);
    const [idA, idB] = (await app.db.sql<{ id: string }>(`SELECT id FROM campaigns ORDER BY id`)).map((r) => r.id);
    const a2 = await f.account();
    const l2 = await f.lead(a2);
    await f.touch(l2, idA!, '2024-03-03T00:00:00Z');
    const a3 = await f.account();
    const l3 = await f.lead(a3);
    const idC = await f.campaign('C');
    for (const [c, day] of [[idA!, '04'], [idB!, '05'], [idC, '06']] as const) await f.touch(l3, c, `2024-03-${day}T00:00:00Z`);
    const d1 = await f.opportunity({ accountId: a1, amount: '100.00', createdAt: '2024-03-10T00:00:00Z', closedAt: '2024-03-20T00:00:00Z' });
    const d2 = await f.opportunity({ accountId: a2, amount: '10.00', createdAt: '2024-03-10T00:00:00Z', closedAt: '2024-03-21T00:00:00Z' });
    const d3 = await f.opportunity({ accountId: a3, amount: '0.03', createdAt: '2024-03-10T00:00:00Z', closedAt: '2024-03-22T00:00:00Z' });
    const input = { window: { from: '2024-03-01T00:00:00Z', to: '2024-04-01T00:00:00Z' }, model: 'LINEAR', measures: ['REVENUE'] };
    type Deals = { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: { credit: string; exactCredit: string; opportunity: { id: string } } }[] };
    type Report = { campaignPerformance: { rows: { campaign: { name: string }; attributedRevenue: string; deals: Deals }[] } };
    const QUERY = `query($input: CampaignPerformanceInput!, $first: Int, $after: String) { campaignPerformance(input: $input) { rows {
      campaign { name } attributedRevenue
      deals(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { credit exactCredit opportunity { id } } } } } } }`;
    const page1 = await app.ok<Report>(QUERY, { input, first: 2 });
    const rowOf = (r: Report, name: string) => r.campaignPerformance.rows.find((x) => x.campaign.name === name)!;
    // A: 50.00 + 10.00 + 0.01 = 60.01; B: 50.00 + 0.01 = 50.01; C: 0.01
    expect(page1.campaignPerformance.rows.map((r) => [r.campaign.name, r.attributedRevenue])).toEqual([['A', '60.01'], ['B', '50.01'], ['C', '0.01']]);
    const deals = (r: Report, name: string) => rowOf(r, name).deals.edges.map((e) => [e.node.opportunity.id, e.node.credit]);
    expect(rowOf(page1, 'A').deals).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: true } });
    expect(deals(page1, 'A')).toEqual([[toGlobalId('Opportunity', d1), '50.00'], [toGlobalId('Opportunity', d2), '10.00']]);
    expect(deals(page1, 'B')).toEqual([[toGlobalId('Opportunity', d1), '50.00'], [toGlobalId('Opportunity', d3), '0.01']]);
    expect(rowOf(page1, 'C').deals).toMatchObject({ totalCount: 1, pageInfo: { hasNextPage: false } });
    const page2 = await app.ok<Report>(QUERY, { input, first: 2, after: rowOf(page1, 'A').deals.pageInfo.endCursor });
    expect(deals(page2, 'A')).toEqual([[toGlobalId('Opportunity', d3), '0.01']]);
    expect(rowOf(page2, 'A').deals.pageInfo.hasNextPage).toBe(false);
    // unrounded: 0.03 times a third carried to 40 decimals (0.333...3), which the report rounds at 12 decimals to 0.01
    expect(rowOf(page2, 'A').deals.edges[0]!.node.exactCredit).toBe(`0.00${'9'.repeat(40)}`);

    // batched: the deals of every row cost the same few statements as those of one row (find the pairs, attribute the deals, load them)
    const count = async (query: string, variables: Record<string, unknown>) => {
      const statements: string[] = [];
      const stop = observeQueries((sql) => statements.push(sql));
      try {
        await app.ok(query, variables);
      } finally {
        stop();
      }
      return statements.length;
    };
    const withoutDeals = await count(`query($input: CampaignPerformanceInput!) { campaignPerformance(input: $input) { rows { campaign { name } } } }`, { input });
    expect((await count(QUERY, { input, first: 2 })) - withoutDeals).toBeLessThanOrEqual(3);

    // Campaign.performance rows link to their deals too
    const nested = await app.ok<{ node: { performance: { attributedRevenue: string; deals: Deals } } }>(
      `query($id: ID!, $input: CampaignMetricsInput!) { node(id: $id) { ... on Campaign { performance(input: $input) {
        attributedRevenue deals { totalCount edges { node { credit opportunity { id } } } } } } } }`,
      { id: toGlobalId('Campaign', idB!), input },
    );
    expect(nested.node.performance).toMatchObject({ attributedRevenue: '50.01', deals: { totalCount: 2 } });

    // refusals name the argument
    const refusal = async (variables: Record<string, unknown>, deals = 'deals') =>
      (await app.gql(`query($input: CampaignPerformanceInput!) { campaignPerformance(input: $input) { rows { ${deals} { totalCount } } } }`, { input: { ...input, ...variables } })).errors?.[0]?.extensions;
    expect(await refusal({ model: 'DATA_DRIVEN' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.model' });
    expect(await refusal({}, 'deals(measure: PIPELINE)')).toMatchObject({ code: 'BAD_USER_INPUT', field: 'measure' });
    expect(await refusal({}, 'deals(first: 1000)')).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });

  it('shows ANALYST the figures of a journey but not the deal name', async () => {
    const { account } = await journey([['A', '2024-03-01T00:00:00Z']]);
    const deal = await f.opportunity({ accountId: account, amount: '10.00', createdAt: '2024-03-10T00:00:00Z', closedAt: '2024-03-20T00:00:00Z' });
    const data = await app.ok<{ node: { name: string; attribution: { touches: { credit: string; campaign: { name: string } }[] } } }>(
      `query($id: ID!) { node(id: $id) { ... on Opportunity { name attribution(model: LINEAR) { touches { credit campaign { name } } } } } }`,
      { id: toGlobalId('Opportunity', deal) },
      Role.ANALYST,
    );
    expect(data.node.name).toBe('[redacted]');
    expect(data.node.attribution.touches).toEqual([{ credit: '10.00', campaign: { name: 'A' } }]);
  });
});
