import 'reflect-metadata';
import { observeQueries } from '../../src/db/data-source';
import { toGlobalId } from '../../src/graphql/node';
import { createTestApp, TestApp } from '../helpers/app';
import type { TestDatabase } from '../helpers/db';
import { Fixtures } from './attribution-fixtures';

/*
 * The attribution queries and Campaign.performance through GraphQL: argument parsing and
 * defaults, enums, Money serialisation, coded errors, and batching across a list. The
 * queries run through the app's schema and GraphQL engine, as an ADMIN caller.
 *
 * Data (window 2024): campaigns 1..50 (EMAIL); a deal of 100.00 created 2024-03-10 and won
 * 2024-03-20 at an account whose lead touched campaign 1 (03-01), 2 (03-02) and 3 (03-03):
 * LINEAR gives 33.34 / 33.33 / 33.33 (the cent to the lowest id). Spend: campaign 1, 2024-03-01, 10.00.
 */
let db: TestDatabase;
let app: TestApp;
const ids: string[] = [];

const WINDOW = { from: '2024-01-01T00:00:00.000Z', to: '2025-01-01T00:00:00.000Z' };

beforeAll(async () => {
  app = await createTestApp();
  db = app.db;
  const f = new Fixtures(db);
  for (let i = 1; i <= 50; i++) ids.push(await f.campaign(`Campaign ${String(i).padStart(2, '0')}`));
  const account = await f.account();
  const lead = await f.lead(account);
  for (let i = 0; i < 3; i++) await f.touch(lead, ids[i]!, `2024-03-0${i + 1}T00:00:00Z`);
  await f.opportunity({ accountId: account, amount: '100.00', createdAt: '2024-03-10T00:00:00Z', closedAt: '2024-03-20T00:00:00Z' });
  await f.spend(ids[0]!, '2024-03-01', '10.00');
});
afterAll(() => app.close());

const PERFORMANCE = `query($input: CampaignPerformanceInput!) {
  campaignPerformance(input: $input) {
    model from to
    rows { campaign { id name } spend touches attributedPipeline attributedRevenue attributedWins roi roas costPerLead }
    totals { spend attributedRevenue roi }
    unattributedRevenue unattributedRevenueShare totalRevenue totalPipeline
  }
}`;

describe('attribution through GraphQL', () => {
  it('answers campaignPerformance with defaults, Money strings and global ids', async () => {
    interface Row { campaign: { id: string; name: string }; spend: string; attributedRevenue: string; roi: number | null; costPerLead: number | null }
    const data = await app.ok<{ campaignPerformance: { model: string; rows: Row[]; totals: { spend: string; attributedRevenue: string; roi: number }; totalRevenue: string; unattributedRevenueShare: number } }>(
      PERFORMANCE,
      { input: { window: WINDOW, model: 'LINEAR' } },
    );
    const report = data.campaignPerformance;
    expect(report.model).toBe('LINEAR');
    // campaign 1: spend 10.00, revenue 33.34 -> roi (33.34 - 10) / 10 = 2.334; it sourced the only lead: 10 per lead.
    // campaigns 2 and 3: no spend (null roi), no lead sourced (null cost per lead)
    expect(report.rows.map((r) => [r.campaign.id, r.campaign.name, r.spend, r.attributedRevenue, r.roi, r.costPerLead])).toEqual([
      [toGlobalId('Campaign', ids[0]!), 'Campaign 01', '10.00', '33.34', 2.334, 10],
      [toGlobalId('Campaign', ids[1]!), 'Campaign 02', '0.00', '33.33', null, null],
      [toGlobalId('Campaign', ids[2]!), 'Campaign 03', '0.00', '33.33', null, null],
    ]);
    expect(report.totals).toEqual({ spend: '10.00', attributedRevenue: '100.00', roi: 9 });
    expect([report.totalRevenue, report.unattributedRevenueShare]).toEqual(['100.00', 0]);
  });

  it('filters by global campaign ids and refuses ids of another type', async () => {
    const data = await app.ok<{ campaignPerformance: { rows: { campaign: { name: string } }[] } }>(PERFORMANCE, {
      input: { window: WINDOW, model: 'FIRST_TOUCH', campaignIds: [toGlobalId('Campaign', ids[1]!)] },
    });
    expect(data.campaignPerformance.rows.map((r) => r.campaign.name)).toEqual(['Campaign 02']);
    const bad = await app.gql(PERFORMANCE, { input: { window: WINDOW, model: 'FIRST_TOUCH', campaignIds: [toGlobalId('Lead', '1')] } });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.campaignIds[0]' });
  });

  it('nulls pipeline under DATA_DRIVEN and refuses asking for pipeline alone', async () => {
    const data = await app.ok<{ campaignPerformance: { totalPipeline: string | null; rows: { attributedPipeline: string | null; attributedRevenue: string }[] } }>(
      PERFORMANCE,
      { input: { window: WINDOW, model: 'DATA_DRIVEN' } },
    );
    // one path START > 1 > 2 > 3 > CONVERSION: each removal kills it, 1/3 each
    expect(data.campaignPerformance.rows.map((r) => [r.attributedPipeline, r.attributedRevenue])).toEqual([
      [null, '33.34'],
      [null, '33.33'],
      [null, '33.33'],
    ]);
    expect(data.campaignPerformance.totalPipeline).toBeNull();
    const bad = await app.gql(PERFORMANCE, { input: { window: WINDOW, model: 'DATA_DRIVEN', measures: ['PIPELINE'] } });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.measures' });
    expect(bad.data).toBeNull();
  });

  it('refuses CUSTOM without role weights, naming the field', async () => {
    const bad = await app.gql(PERFORMANCE, { input: { window: WINDOW, model: 'CUSTOM' } });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.roleWeights' });
    const custom = await app.ok<{ campaignPerformance: { rows: { attributedRevenue: string }[] } }>(PERFORMANCE, {
      input: { window: WINDOW, model: 'CUSTOM', roleWeights: { close: 1 } }, // all to the last touch before the close
    });
    expect(custom.campaignPerformance.rows.map((r) => r.attributedRevenue)).toEqual(['0.00', '0.00', '100.00']);
  });

  it('answers channelPerformance, attributionComparison and revenueTimeSeries', async () => {
    const data = await app.ok<{
      channelPerformance: { rows: { channel: string; attributedRevenue: string }[] };
      attributionComparison: { rows: { campaign: { name: string }; revenue: { firstTouch: string; lastTouch: string; custom: string | null } }[]; totalRevenue: string };
      revenueTimeSeries: { rows: { periodStart: string; attributedRevenue: string; spend: string }[] };
    }>(
      `query($window: ReportWindowInput!) {
        channelPerformance(input: { window: $window, model: W_SHAPED }) { rows { channel attributedRevenue } }
        attributionComparison(input: { window: $window }) { rows { campaign { name } revenue { firstTouch lastTouch custom } } totalRevenue }
        revenueTimeSeries(input: { window: $window, model: LAST_TOUCH, grain: QUARTER }) { rows { periodStart attributedRevenue spend } }
      }`,
      { window: WINDOW },
    );
    expect(data.channelPerformance.rows).toEqual([{ channel: 'EMAIL', attributedRevenue: '100.00' }]);
    expect(data.attributionComparison.rows.map((r) => [r.campaign.name, r.revenue.firstTouch, r.revenue.lastTouch, r.revenue.custom])).toEqual([
      ['Campaign 01', '100.00', '0.00', null],
      ['Campaign 02', '0.00', '0.00', null],
      ['Campaign 03', '0.00', '100.00', null],
    ]);
    expect(data.revenueTimeSeries.rows).toEqual([
      { periodStart: '2024-01-01T00:00:00.000Z', attributedRevenue: '100.00', spend: '10.00' },
      { periodStart: '2024-04-01T00:00:00.000Z', attributedRevenue: '0.00', spend: '0.00' },
      { periodStart: '2024-07-01T00:00:00.000Z', attributedRevenue: '0.00', spend: '0.00' },
      { periodStart: '2024-10-01T00:00:00.000Z', attributedRevenue: '0.00', spend: '0.00' },
    ]);
  });

  it('resolves Campaign.performance for 50 campaigns with one attribution statement', async () => {
    const statements: string[] = [];
    const stop = observeQueries((sql) => statements.push(sql));
    const data = await app.ok<{ campaigns: { edges: { node: { name: string; performance: { attributedRevenue: string; spend: string } } }[] } }>(
      `query($input: CampaignMetricsInput!) {
        campaigns(first: 50) { edges { node { name performance(input: $input) { attributedRevenue spend } } } }
      }`,
      { input: { window: WINDOW, model: 'LINEAR', measures: ['REVENUE'] } },
    );
    stop();
    const nodes = data.campaigns.edges.map((e) => e.node);
    expect(nodes).toHaveLength(50);
    const byName = new Map(nodes.map((n) => [n.name, n.performance]));
    expect(byName.get('Campaign 01')).toEqual({ attributedRevenue: '33.34', spend: '10.00' });
    expect(byName.get('Campaign 03')).toEqual({ attributedRevenue: '33.33', spend: '0.00' });
    expect(byName.get('Campaign 50')).toEqual({ attributedRevenue: '0.00', spend: '0.00' });
    expect(statements.filter((sql) => sql.includes('declared_params'))).toHaveLength(1);
  });
});
