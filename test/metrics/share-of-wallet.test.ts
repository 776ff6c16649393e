import { Segment, SortDirection } from '../../src/common/enums';
import { observeQueries } from '../../src/db/data-source';
import { AccountMetricsResolver } from '../../src/metrics/account-metrics.resolver';
import { walletPortfolio, walletSharePage } from '../../src/metrics/share-of-wallet.service';
import { WalletShareAccountsArgs, WalletShareSortField } from '../../src/metrics/share-of-wallet.types';
import type { Account } from '../../src/accounts/account.entity';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { insertAccount, insertOpportunity, metricsContext } from './fixtures';

let db: TestDatabase;
const ids: Record<'A' | 'B' | 'C' | 'D' | 'E', string> = { A: '', B: '', C: '', D: '', E: '' };
const nameOf = (id: string) => Object.entries(ids).find(([, v]) => v === id)?.[0];

// asOf 2025-01-01: Y = [2024-01-02, 2025-01-01) (2024 is a leap year: 365 days back is Jan 2),
// prior year = [2023-01-02, 2024-01-02)
const asOf = new Date('2025-01-01T00:00:00Z');

beforeAll(async () => {
  db = await createTestDatabase();
  ids.A = await insertAccount(db, '1000.00', 'MID_MARKET');
  ids.B = await insertAccount(db, '500.00', 'ENTERPRISE');
  ids.C = await insertAccount(db, null, 'MID_MARKET');
  ids.D = await insertAccount(db, '0.00', 'SMB');
  ids.E = await insertAccount(db, '2000.00', 'SMB');
  const won = (accountId: string, amount: string, closedAt: string, kind = 'NEW_BUSINESS') =>
    insertOpportunity(db, { accountId, kind, stage: 'CLOSED_WON', amount, createdAt: '2022-01-01T00:00:00Z', closedAt });

  // A: Y revenue 300.00 + 150.50 (EXPANSION) = 450.50; 100.00 won on Jan 1 2024 falls in the prior year;
  await won(ids.A, '300.00', '2024-03-01T00:00:00Z');
  await won(ids.A, '150.50', '2024-06-01T00:00:00Z', 'EXPANSION');
  await won(ids.A, '100.00', '2024-01-01T23:59:59Z');
  //    an EXPANSION won exactly at asOf is not revenue yet and still open at asOf (999.00),
  await insertOpportunity(db, { accountId: ids.A, kind: 'EXPANSION', stage: 'CLOSED_WON', amount: '999.00', createdAt: '2024-12-01T00:00:00Z', closedAt: '2025-01-01T00:00:00Z' });
  //    an open EXPANSION (200.00), a lost one (not open), one created after asOf (not open yet)
  await insertOpportunity(db, { accountId: ids.A, kind: 'EXPANSION', stage: 'PROPOSAL', amount: '200.00', createdAt: '2024-11-01T00:00:00Z' });
  await insertOpportunity(db, { accountId: ids.A, kind: 'EXPANSION', stage: 'CLOSED_LOST', amount: '70.00', createdAt: '2024-04-01T00:00:00Z', closedAt: '2024-05-01T00:00:00Z' });
  await insertOpportunity(db, { accountId: ids.A, kind: 'EXPANSION', stage: 'PROSPECTING', amount: '80.00', createdAt: '2025-01-15T00:00:00Z' });
  //    and an open NEW_BUSINESS deal, which is not expansion pipeline
  await insertOpportunity(db, { accountId: ids.A, kind: 'NEW_BUSINESS', stage: 'PROPOSAL', amount: '60.00', createdAt: '2024-11-01T00:00:00Z' });
  // B: Y revenue 600.00 > wallet 500.00; prior year RENEWAL 400.00
  await won(ids.B, '600.00', '2024-07-01T00:00:00Z');
  await won(ids.B, '400.00', '2023-06-01T00:00:00Z', 'RENEWAL');
  // C: no wallet size; Y 250.00 EXPANSION; prior year only a 0.00 win exactly at its start (won revenue 0.00,
  //    so not in the retention base), and 50.00 just before the prior year (outside both years)
  await won(ids.C, '250.00', '2024-09-01T00:00:00Z', 'EXPANSION');
  await won(ids.C, '0.00', '2023-01-02T00:00:00Z');
  await won(ids.C, '50.00', '2023-01-01T23:59:59Z');
  // D: wallet 0.00, nothing won. E: wallet 2000.00, won 300.00 in the prior year only (churned)
  await won(ids.E, '300.00', '2023-12-01T00:00:00Z');
});

afterAll(() => db.drop());

/*
 * | acct | wallet  | revenue12m | share  | whitespace | openExpansion | expansionRevenue12m |
 * | A    | 1000.00 | 450.50     | 0.4505 | 549.50     | 1199.00       | 150.50              |
 * | B    | 500.00  | 600.00     | 1.2    | 0.00       | 0.00          | 0.00                |
 * | C    | null    | 250.00     | null   | null       | 0.00          | 250.00              |
 * | D    | 0.00    | 0.00       | null   | 0.00       | 0.00          | 0.00                |
 * | E    | 2000.00 | 0.00       | 0      | 2000.00    | 0.00          | 0.00                |
 */
const EXPECTED = {
  A: { walletSize: '1000.00', revenue12m: '450.50', shareOfWallet: 0.4505, whitespace: '549.50', openExpansionPipeline: '1199.00', expansionRevenue12m: '150.50' },
  B: { walletSize: '500.00', revenue12m: '600.00', shareOfWallet: 1.2, whitespace: '0.00', openExpansionPipeline: '0.00', expansionRevenue12m: '0.00' },
  C: { walletSize: null, revenue12m: '250.00', shareOfWallet: null, whitespace: null, openExpansionPipeline: '0.00', expansionRevenue12m: '250.00' },
  D: { walletSize: '0.00', revenue12m: '0.00', shareOfWallet: null, whitespace: '0.00', openExpansionPipeline: '0.00', expansionRevenue12m: '0.00' },
  E: { walletSize: '2000.00', revenue12m: '0.00', shareOfWallet: 0, whitespace: '2000.00', openExpansionPipeline: '0.00', expansionRevenue12m: '0.00' },
};

const page = (args: WalletShareAccountsArgs, segment: Segment | null = null) =>
  walletSharePage(metricsContext(db), { asOf, segment }, args);
const order = (field: WalletShareSortField, direction: SortDirection) => ({ orderBy: { field, direction } });
const names = (connection: Awaited<ReturnType<typeof page>>) => connection.edges.map((e) => nameOf(e.node.id));

describe('walletShare accounts', () => {
  it('computes each account\'s figures', async () => {
    const result = await page({ first: 10 });
    expect(result.edges).toHaveLength(5);
    for (const { node } of result.edges) {
      const name = nameOf(node.id) as keyof typeof EXPECTED;
      const figures = Object.fromEntries(Object.keys(EXPECTED[name]).map((key) => [key, (node as unknown as Record<string, unknown>)[key]]));
      expect({ name, ...figures }).toEqual({ name, ...EXPECTED[name] });
      expect(node.account.id).toBe(node.id);
      expect(node.account.segment).toBeDefined();
    }
    expect(await result.totalCount).toBe(5);
  });

  it('sorts by each figure, nulls last, ties by id in the same direction', async () => {
    const W = WalletShareSortField;
    // whitespace: E 2000, A 549.50, B 0 / D 0 (tie: D has the higher id), C null
    expect(names(await page({}))).toEqual(['E', 'A', 'D', 'B', 'C']); // default WHITESPACE DESC
    expect(names(await page(order(W.WHITESPACE, SortDirection.ASC)))).toEqual(['B', 'D', 'A', 'E', 'C']);
    // share: B 1.2, A 0.4505, E 0, then C and D null
    expect(names(await page(order(W.SHARE_OF_WALLET, SortDirection.DESC)))).toEqual(['B', 'A', 'E', 'D', 'C']);
    expect(names(await page(order(W.SHARE_OF_WALLET, SortDirection.ASC)))).toEqual(['E', 'A', 'B', 'C', 'D']);
    // revenue: B 600, A 450.50, C 250, D 0 / E 0
    expect(names(await page(order(W.REVENUE_12M, SortDirection.DESC)))).toEqual(['B', 'A', 'C', 'E', 'D']);
    // wallet: D 0, B 500, A 1000, E 2000, C null
    expect(names(await page(order(W.WALLET_SIZE, SortDirection.ASC)))).toEqual(['D', 'B', 'A', 'E', 'C']);
  });

  it('pages forwards and backwards with exact cursors, across ties and nulls', async () => {
    const p1 = await page({ first: 2 });
    expect(names(p1)).toEqual(['E', 'A']);
    expect(p1.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const p2 = await page({ first: 2, after: p1.pageInfo.endCursor });
    expect(names(p2)).toEqual(['D', 'B']); // continues inside the tie at 0
    const p3 = await page({ first: 2, after: p2.pageInfo.endCursor });
    expect(names(p3)).toEqual(['C']); // the null whitespace comes last
    expect(p3.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const back = await page({ last: 2, before: p3.pageInfo.startCursor });
    expect(names(back)).toEqual(['D', 'B']);
    expect(back.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    expect(names(await page({ last: 2 }))).toEqual(['B', 'C']);
    // a cursor on a null value, and one on an unrounded ratio (0.4505 exactly), continue exactly
    const byShare = order(WalletShareSortField.SHARE_OF_WALLET, SortDirection.DESC);
    const all = await page({ ...byShare, first: 5 });
    expect(names(await page({ ...byShare, first: 5, after: all.edges[3]?.cursor }))).toEqual(['C']);
    expect(names(await page({ ...byShare, first: 5, after: all.edges[1]?.cursor }))).toEqual(['E', 'D', 'C']);
  });

  it('filters by segment', async () => {
    const result = await page({ first: 10 }, Segment.MID_MARKET);
    expect(names(result)).toEqual(['A', 'C']);
    expect(await result.totalCount).toBe(2);
  });

  it('rejects a cursor of another ordering and a page over the limit', async () => {
    const p1 = await page({ first: 1 });
    await expect(page({ ...order(WalletShareSortField.REVENUE_12M, SortDirection.DESC), after: p1.pageInfo.endCursor })).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'after' },
    });
    await expect(page({ first: 101 })).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'first' } });
  });
});

describe('walletShare portfolio', () => {
  it('sums the accounts and computes net revenue retention over the base year', async () => {
    const portfolio = await walletPortfolio(metricsContext(db), { asOf, segment: null });
    // sized accounts A, B, D, E: wallet 3500.00, their revenue 1050.50 -> share 1050.50 / 3500
    // NRR base (prior-year won revenue above 0): A (prior 100.00), B (400.00), E (300.00) = 800.00;
    //   their Y revenue 450.50 + 600 + 0 = 1050.50. C (prior 0.00) is not in the base.
    expect(portfolio).toEqual({
      accounts: 5,
      accountsWithWalletSize: 4,
      walletSize: '3500.00',
      revenue12m: '1300.50',
      shareOfWallet: expect.closeTo(1050.5 / 3500, 12),
      whitespace: '2549.50', // 549.50 + 0 + 0 + 2000
      openExpansionPipeline: '1199.00',
      expansionRevenue12m: '400.50', // A 150.50 + C 250
      retentionBaseAccounts: 3,
      retentionBasePriorRevenue: '800.00',
      retentionBaseRevenue12m: '1050.50',
      netRevenueRetention: expect.closeTo(1050.5 / 800, 12),
    });
  });

  it('limits the portfolio and the retention base to the segment', async () => {
    const smb = await walletPortfolio(metricsContext(db), { asOf, segment: Segment.SMB });
    // D and E; base E only: prior 300.00, Y 0 -> NRR 0; share 0 / 2000
    expect(smb).toMatchObject({ accounts: 2, walletSize: '2000.00', shareOfWallet: 0, retentionBaseAccounts: 1, netRevenueRetention: 0 });
    const mid = await walletPortfolio(metricsContext(db), { asOf, segment: Segment.MID_MARKET });
    // A and C; share over A only: 450.50 / 1000; base A only (C's prior year is a 0.00 win): 450.50 / 100
    expect(mid.shareOfWallet).toBeCloseTo(0.4505, 12);
    expect(mid).toMatchObject({ retentionBaseAccounts: 1, retentionBasePriorRevenue: '100.00', retentionBaseRevenue12m: '450.50' });
    expect(mid.netRevenueRetention).toBeCloseTo(4.505, 12);
  });

  it('leaves out of the retention base an account whose prior-year wins add up to 0.00', async () => {
    // F (SMB, no wallet size): prior year only a 0.00 win (2023-06-01); Y: 500.00 won (2024-06-01).
    // With F counted, the SMB base would be E + F: (0 + 500.00) / (300.00 + 0.00) = 1.666..; without it
    // the base is E alone: 0 / 300.00 = 0, as before F existed.
    const f = await insertAccount(db, null, 'SMB');
    const won = (amount: string, closedAt: string) =>
      insertOpportunity(db, { accountId: f, stage: 'CLOSED_WON', amount, createdAt: '2022-01-01T00:00:00Z', closedAt });
    await won('0.00', '2023-06-01T00:00:00Z');
    await won('500.00', '2024-06-01T00:00:00Z');
    try {
      const smb = await walletPortfolio(metricsContext(db), { asOf, segment: Segment.SMB });
      expect(smb).toMatchObject({
        accounts: 3,
        revenue12m: '500.00', // F's win is revenue of the last 12 months all the same
        retentionBaseAccounts: 1,
        retentionBasePriorRevenue: '300.00',
        retentionBaseRevenue12m: '0.00',
        netRevenueRetention: 0,
      });
      // a positive win beside the 0.00 one puts F in the base: (0 + 500.00) / (300.00 + 0.00 + 25.00)
      await won('25.00', '2023-07-01T00:00:00Z');
      const withWin = await walletPortfolio(metricsContext(db), { asOf, segment: Segment.SMB });
      expect(withWin).toMatchObject({ retentionBaseAccounts: 2, retentionBasePriorRevenue: '325.00', retentionBaseRevenue12m: '500.00' });
      expect(withWin.netRevenueRetention).toBeCloseTo(500 / 325, 12);
    } finally {
      await db.sql('DELETE FROM opportunities WHERE account_id = $1', [f]);
      await db.sql('DELETE FROM accounts WHERE id = $1', [f]);
    }
  });

  it('returns null ratios when nothing divides', async () => {
    const early = await walletPortfolio(metricsContext(db), { asOf: new Date('2020-01-01T00:00:00Z'), segment: null });
    expect(early).toMatchObject({ revenue12m: '0.00', shareOfWallet: 0, retentionBaseAccounts: 0, netRevenueRetention: null });
    const unsized = await walletPortfolio(metricsContext(db), { asOf, segment: Segment.ENTERPRISE });
    expect(unsized.netRevenueRetention).toBeCloseTo(600 / 400, 12);
    await db.sql('UPDATE accounts SET wallet_size = NULL WHERE id = $1', [ids.B]);
    try {
      const none = await walletPortfolio(metricsContext(db), { asOf, segment: Segment.ENTERPRISE });
      expect(none).toMatchObject({ accountsWithWalletSize: 0, walletSize: '0.00', shareOfWallet: null, whitespace: '0.00' });
    } finally {
      await db.sql('UPDATE accounts SET wallet_size = 500.00 WHERE id = $1', [ids.B]);
    }
  });
});

describe('Account.walletShare', () => {
  it('computes the row of each account, all accounts of a request in one statement', async () => {
    const ctx = metricsContext(db);
    const resolver = new AccountMetricsResolver();
    const statements: string[] = [];
    const stop = observeQueries((sql) => statements.push(sql));
    try {
      const rows = await Promise.all(
        (['A', 'B', 'C', 'D', 'E'] as const).map((name) => resolver.walletShare({ id: ids[name] } as Account, ctx, asOf)),
      );
      expect(rows.map(({ account, ...figures }) => ({ ...figures, accountId: account.id }))).toEqual(
        (['A', 'B', 'C', 'D', 'E'] as const).map((name) => ({ id: ids[name], accountId: ids[name], ...EXPECTED[name] })),
      );
    } finally {
      stop();
    }
    expect(statements).toHaveLength(1);
  });
});
