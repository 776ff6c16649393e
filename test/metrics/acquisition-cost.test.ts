import { AcquisitionCostResolver } from '../../src/metrics/acquisition-cost.resolver';
import { acquisitionCost } from '../../src/metrics/acquisition-cost.service';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { insertAccount, insertCampaign, insertOpportunity, insertSpend, metricsContext } from './fixtures';

let db: TestDatabase;
const window = (from: string, to: string) => ({ window: { from: new Date(from), to: new Date(to) } });

beforeAll(async () => {
  db = await createTestDatabase();
  const campaign = await insertCampaign(db, 'PAID_SEARCH');
  const won = async (accountId: string, closedAt: string, stage = 'CLOSED_WON') =>
    insertOpportunity(db, { accountId, stage, amount: '1000.00', createdAt: '2020-01-01T00:00:00Z', closedAt });

  // window [2024-01-01 12:00, 2024-02-01 12:00): spend days compare at 00:00 UTC, so Jan 1 is out and Feb 1 is in
  await insertSpend(db, campaign, '2024-01-01', '1000.00'); // out
  await insertSpend(db, campaign, '2024-01-02', '100.00');
  await insertSpend(db, campaign, '2024-01-15', '333.33');
  await insertSpend(db, campaign, '2024-02-01', '66.67');
  await insertSpend(db, campaign, '2024-02-02', '5000.00'); // out
  const [a1, a2, a3, a4, a5, a6] = await Promise.all([1, 2, 3, 4, 5, 6].map(() => insertAccount(db, null)));
  await won(a1!, '2024-01-10T00:00:00Z'); // new
  await won(a1!, '2024-01-20T00:00:00Z'); // same customer, counted once
  await won(a2!, '2023-06-01T00:00:00Z'); // first win before the window: not new
  await won(a2!, '2024-01-15T00:00:00Z');
  await won(a3!, '2024-02-01T11:59:59Z'); // new, just inside
  await won(a4!, '2024-01-01T11:59:59Z'); // just before the window
  await won(a5!, '2024-01-05T00:00:00Z', 'CLOSED_LOST'); // a loss is no win
  await won(a5!, '2024-01-25T00:00:00Z'); // new
  await won(a6!, '2024-02-01T12:00:00Z'); // exactly at `to`: out

  // January 2025: 0.05 of spend over 2 new customers = 0.025 -> 0.03 (half away from zero)
  await insertSpend(db, campaign, '2025-01-10', '0.05');
  const [b1, b2] = await Promise.all([1, 2].map(() => insertAccount(db, null)));
  await won(b1!, '2025-01-03T00:00:00Z');
  await won(b2!, '2025-01-04T00:00:00Z');
});

afterAll(() => db.drop());

describe('acquisitionCost', () => {
  it('divides the spend of the window by the accounts first won in it', async () => {
    const report = await acquisitionCost(metricsContext(db), window('2024-01-01T12:00:00Z', '2024-02-01T12:00:00Z'));
    // spend 100.00 + 333.33 + 66.67 = 500.00; new customers a1, a3, a5 -> 500 / 3 = 166.666... -> 166.67
    expect(report).toMatchObject({ newCustomers: 3, spend: '500.00', cac: '166.67' });
  });

  it('rounds half away from zero only at the end', async () => {
    const report = await acquisitionCost(metricsContext(db), window('2025-01-01T00:00:00Z', '2025-02-01T00:00:00Z'));
    expect(report).toMatchObject({ newCustomers: 2, spend: '0.05', cac: '0.03' });
  });

  it('counts a first win wherever it falls, and gives a null CAC without new customers', async () => {
    const report = await acquisitionCost(metricsContext(db), window('2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z'));
    // spend of Jan 1 only; a4's first win (Jan 1 11:59:59) is new here
    expect(report).toMatchObject({ newCustomers: 1, spend: '1000.00', cac: '1000.00' });
    const empty = await acquisitionCost(metricsContext(db), window('2030-01-01T00:00:00Z', '2030-02-01T00:00:00Z'));
    expect(empty).toMatchObject({ newCustomers: 0, spend: '0.00', cac: null });
  });

  it('rejects a window that ends before it starts, naming the field', async () => {
    await expect(new AcquisitionCostResolver().acquisitionCost(window('2024-02-01T00:00:00Z', '2024-01-01T00:00:00Z'), metricsContext(db)))
      .rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.window.to' } });
  });
});
