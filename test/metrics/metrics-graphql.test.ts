import 'reflect-metadata';
import { createTestApp, TestApp } from '../helpers/app';
import type { TestDatabase } from '../helpers/db';
import { insertAccount, insertCampaign, insertFeedback, insertLead, insertOpportunity, insertSpend, insertTouch } from './fixtures';

/*
 * These resolvers through GraphQL (argument parsing, enums, Money serialisation, nested
 * field resolvers), through the app's schema and GraphQL engine, as an ADMIN caller.
 */
let db: TestDatabase;
let app: TestApp;

const WINDOW = { from: '2024-01-01T00:00:00.000Z', to: '2025-01-01T00:00:00.000Z' };

beforeAll(async () => {
  app = await createTestApp();
  db = app.db;
  const webinar = await insertCampaign(db, 'WEBINAR', 'MARKETING', 'Webinar One');
  const acme = await insertAccount(db, '1000.00');
  await insertAccount(db, null);
  await db.sql(`UPDATE accounts SET name = CASE WHEN id = $1 THEN 'Acme' ELSE 'Beta' END`, [acme]);
  // one lead: created Jan 2, MQL Jan 3, SAL Jan 4 (24h later), rejected BAD_FIT on Jan 5
  const lead = await insertLead(db, { createdAt: '2024-01-02T00:00:00Z', mqlAt: '2024-01-03T00:00:00Z', salAt: '2024-01-04T00:00:00Z', accountId: acme });
  await insertTouch(db, lead, webinar, '2024-01-01T00:00:00Z');
  await insertFeedback(db, lead, '2024-01-05T00:00:00Z', 'BAD_FIT');
  // Acme's first win: 250.00 EXPANSION on Jun 1; spend 99.99 on Jan 10
  await insertOpportunity(db, { accountId: acme, kind: 'EXPANSION', stage: 'CLOSED_WON', amount: '250.00', createdAt: '2024-05-01T00:00:00Z', closedAt: '2024-06-01T00:00:00Z' });
  await insertSpend(db, webinar, '2024-01-10', '99.99');
});

afterAll(() => app.close());

describe('metrics over GraphQL', () => {
  it('serves the funnel by channel', async () => {
    const data = await app.ok<{ funnel: { total: { stages: { stage: string; count: number; conversionRateToNext: number | null; medianDaysToNext: number | null }[] }; groups: { channel: string | null }[] } }>(
      `query ($window: ReportWindowInput!) { funnel(input: { window: $window, groupBy: CHANNEL }) {
         total { stages { stage count conversionRateToNext medianDaysToNext } } groups { channel } } }`,
      { window: WINDOW },
    );
    // NEW 1 -> MQL 1 (1 day) -> SAL 1 (1 day) -> SQL 0
    expect(data.funnel.total.stages.slice(0, 4)).toEqual([
      { stage: 'NEW', count: 1, conversionRateToNext: 1, medianDaysToNext: 1 },
      { stage: 'MQL', count: 1, conversionRateToNext: 1, medianDaysToNext: 1 },
      { stage: 'SAL', count: 1, conversionRateToNext: 0, medianDaysToNext: null },
      { stage: 'SQL', count: 0, conversionRateToNext: null, medianDaysToNext: null },
    ]);
    expect(data.funnel.groups).toEqual([{ channel: 'WEBINAR' }]);
  });

  it('names the bad field of a window', async () => {
    const result = await app.gql(`{ funnel(input: { window: { from: "2024-02-01T00:00:00Z", to: "2024-01-01T00:00:00Z" } }) { groupBy } }`);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.window.to' });
  });

  it('serves SLA compliance, feedback and acquisition cost', async () => {
    const data = await app.ok<{
      slaCompliance: { mqls: number; noAgreement: number; responded: number; medianResponseHours: number; complianceRate: number | null; months: { mqlsDelivered: number }[] };
      leadFeedbackSummary: { byCampaign: { campaign: { name: string } | null; rejectionRate: number; reasons: { reason: string; count: number }[] }[] };
      acquisitionCost: { newCustomers: number; spend: string; cac: string };
    }>(
      `query ($window: ReportWindowInput!) {
         slaCompliance(input: { window: $window, asOf: "2025-01-01T00:00:00Z" }) {
           mqls noAgreement responded medianResponseHours complianceRate months { mqlsDelivered } }
         leadFeedbackSummary(input: { window: $window }) { byCampaign { campaign { name } rejectionRate reasons { reason count } } }
         acquisitionCost(input: { window: $window }) { newCustomers spend cac } }`,
      { window: WINDOW },
    );
    // no agreement at all: the MQL is not judged; its response (SAL) came after 24h
    expect(data.slaCompliance).toMatchObject({ mqls: 1, noAgreement: 1, responded: 1, medianResponseHours: 24, complianceRate: null });
    expect(data.slaCompliance.months.map((m) => m.mqlsDelivered)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(data.leadFeedbackSummary.byCampaign).toHaveLength(1);
    expect(data.leadFeedbackSummary.byCampaign[0]).toMatchObject({ campaign: { name: 'Webinar One' }, rejectionRate: 1 });
    expect(data.leadFeedbackSummary.byCampaign[0]?.reasons).toContainEqual({ reason: 'BAD_FIT', count: 1 });
    expect(data.acquisitionCost).toEqual({ newCustomers: 1, spend: '99.99', cac: '99.99' });
  });

  it('serves share of wallet with a page of accounts and their Account.walletShare field', async () => {
    const data = await app.ok<{
      walletShare: {
        portfolio: { revenue12m: string; shareOfWallet: number; netRevenueRetention: number | null };
        accounts: {
          totalCount: number;
          pageInfo: { hasNextPage: boolean };
          edges: { node: { whitespace: string | null; shareOfWallet: number | null; account: { name: string; walletShare: { revenue12m: string } } } }[];
        };
      };
    }>(
      `{ walletShare(input: { asOf: "2025-01-01T00:00:00Z" }) {
           portfolio { revenue12m shareOfWallet netRevenueRetention }
           accounts(first: 5, orderBy: { field: WHITESPACE, direction: DESC }) {
             totalCount pageInfo { hasNextPage }
             edges { node { whitespace shareOfWallet account { name walletShare(asOf: "2024-06-01T00:00:00Z") { revenue12m } } } } } } }`,
    );
    // Acme: 250.00 of 1000.00 -> 0.25, whitespace 750.00; Beta: no wallet size (null, last). No prior year: NRR null.
    expect(data.walletShare.portfolio).toEqual({ revenue12m: '250.00', shareOfWallet: 0.25, netRevenueRetention: null });
    expect(data.walletShare.accounts.totalCount).toBe(2);
    expect(data.walletShare.accounts.pageInfo.hasNextPage).toBe(false);
    // as of Jun 1 the win closed exactly then is not revenue yet: [asOf - 365 days, asOf) excludes asOf
    expect(data.walletShare.accounts.edges.map((e) => e.node)).toEqual([
      { whitespace: '750.00', shareOfWallet: 0.25, account: { name: 'Acme', walletShare: { revenue12m: '0.00' } } },
      { whitespace: null, shareOfWallet: null, account: { name: 'Beta', walletShare: { revenue12m: '0.00' } } },
    ]);
  });
});
