import { AttributionModel } from '../../src/metrics/attribution.inputs';
import { LARGEST_REMAINDER } from '../../src/metrics/attribution.sql';
import { campaignPerformance } from '../../src/metrics/performance.service';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { Fixtures, serviceContext, settings } from './attribution-fixtures';

describe('largest-remainder rounding', () => {
  let db: TestDatabase;
  let f: Fixtures;
  beforeAll(async () => {
    db = await createTestDatabase();
    f = new Fixtures(db);
  });
  afterAll(() => db.drop());
  beforeEach(() => f.reset());

  /** Runs the production fragment on hand-made shares of one total; returns campaign (or 'unattributed') -> amount. */
  async function round(total: string, shares: [string | null, string][]): Promise<Record<string, string>> {
    const values = shares.map((_, i) => `('M', 'REVENUE', $1::timestamptz, $${2 * i + 3}::bigint, $${2 * i + 4}::numeric, NULL::numeric)`);
    const rows = await db.sql<{ campaign_id: string | null; amount: string }>(
      `WITH attribution_shares(model, measure, period_start, campaign_id, share, wins) AS (VALUES ${values.join(', ')}),
            share_totals(model, measure, period_start, total) AS (VALUES ('M', 'REVENUE', $1::timestamptz, $2::numeric)),
            ${LARGEST_REMAINDER}
       SELECT campaign_id, amount::text FROM rounded_shares`,
      [new Date('2024-01-01T00:00:00Z'), total, ...shares.flat()],
    );
    return Object.fromEntries(rows.map((r) => [r.campaign_id ?? 'unattributed', r.amount]));
  }

  it('rounds down, then gives the missing cents to the largest remainders', async () => {
    // 10.00 = 3.335 + 3.333 + 3.332: floors 3.33 x3 = 9.99, one cent missing; remainders .005, .003, .002 -> campaign 7
    expect(await round('10.00', [['5', '3.333'], ['6', '3.332'], ['7', '3.335']])).toEqual({ '5': '3.33', '6': '3.33', '7': '3.34' });
  });

  it('breaks ties on the remainder by the lowest campaign id', async () => {
    // 0.05 / 3 = 0.01666..: floors 0.01 x3 = 0.03, two cents missing, equal remainders -> ids 2 and 4
    const third = '0.016666666666666666666667';
    expect(await round('0.05', [['9', third], ['4', third], ['2', third]])).toEqual({ '2': '0.02', '4': '0.02', '9': '0.01' });
  });

  it('lets the unattributed share win a tie', async () => {
    // Real unattributed amounts are whole cents (sums of deal amounts), so this tie only
    // shows with hand-made shares: 1.00 = 0.335 + 0.335 + 0.33; one cent missing, tie at .005
    expect(await round('1.00', [['3', '0.335'], [null, '0.335'], ['4', '0.33']])).toEqual({ '3': '0.33', unattributed: '0.34', '4': '0.33' });
  });

  it('treats shares equal beyond 12 decimals as a tie, so truncated divisions cannot break one', async () => {
    // 1/3 and 1/6 + 1/6 of 100.00 computed with different truncations: both 33.3333..., a tie
    expect(await round('100.00', [['8', '33.33333333333333333334'], ['3', '33.33333333333333333333'], ['5', '33.33333333333333333333']])).toEqual({
      '3': '33.34',
      '5': '33.33',
      '8': '33.33',
    });
  });

  it('splits 100.00 three ways under LINEAR as 33.34 / 33.33 / 33.33, the cent to the lowest campaign id', async () => {
    const account = await f.account();
    const lead = await f.lead(account);
    // campaigns created C (id 1), B (id 2), A (id 3); touched in the order A, B, C
    const [c, b, a] = [await f.campaign('C'), await f.campaign('B'), await f.campaign('A')];
    for (const [i, campaign] of [a, b, c].entries()) await f.touch(lead, campaign, `2024-02-0${i + 1}T00:00:00Z`);
    await f.opportunity({ accountId: account, amount: '100.00', createdAt: '2024-02-10T00:00:00Z', closedAt: '2024-02-11T00:00:00Z' });
    const report = await campaignPerformance(serviceContext(db), settings({ model: AttributionModel.LINEAR }));
    expect(report.rows.map((r) => [r.campaign.name, r.attributedRevenue, r.attributedPipeline])).toEqual([
      ['C', '33.34', '33.34'],
      ['B', '33.33', '33.33'],
      ['A', '33.33', '33.33'],
    ]);
    expect(report.totals.attributedRevenue).toBe('100.00');
  });

  it('gives the cent to the largest remainder, not the lowest id, when remainders differ', async () => {
    const account = await f.account();
    const lead = await f.lead(account);
    const [c1, c2, c3] = [await f.campaign('C1'), await f.campaign('C2'), await f.campaign('C3')];
    // deal 1: 100.00 over C1, C2, C3 -> 33.333.. each; deal 2: 10.00 over C2, C3, C3 -> 3.333.. and 6.666..
    // C1 33.3333 (rem .0033), C2 36.6667 (rem .0067), C3 40.0000 (rem 0); floors 109.99, one cent -> C2
    const deal = async (campaigns: string[], day: string, amount: string) => {
      const acc = await f.account();
      const l = await f.lead(acc);
      for (const [i, c] of campaigns.entries()) await f.touch(l, c, `2024-${day}T0${i}:00:00Z`);
      await f.opportunity({ accountId: acc, amount, createdAt: `2024-${day}T12:00:00Z`, closedAt: `2024-${day}T13:00:00Z` });
    };
    await f.touch(lead, c1, '2023-01-01T00:00:00Z'); // outside every journey
    await deal([c1, c2, c3], '03-01', '100.00');
    await deal([c2, c3, c3], '04-01', '10.00');
    const report = await campaignPerformance(serviceContext(db), settings({ model: AttributionModel.LINEAR }));
    expect(report.rows.map((r) => [r.campaign.name, r.attributedRevenue])).toEqual([
      ['C1', '33.33'],
      ['C2', '36.67'],
      ['C3', '40.00'],
    ]);
    expect([report.totals.attributedRevenue, report.totalRevenue]).toEqual(['110.00', '110.00']);
  });
});
