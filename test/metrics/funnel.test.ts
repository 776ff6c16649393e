import { Channel, LeadStage } from '../../src/common/enums';
import { FunnelResolver } from '../../src/metrics/funnel.resolver';
import { funnelReport } from '../../src/metrics/funnel.service';
import { FunnelGroupBy, FunnelSegment } from '../../src/metrics/funnel.types';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { insertCampaign, insertLead, insertTouch, metricsContext } from './fixtures';

let db: TestDatabase;

const from = new Date('2024-01-01T00:00:00Z');
const to = new Date('2024-02-01T00:00:00Z');

/** [count, conversionRateToNext, medianDaysToNext] per stage, NEW..CUSTOMER. */
type Expected = [number, number | null, number | null][];

function expectSegment(segment: FunnelSegment | undefined, channel: Channel | null, expected: Expected) {
  expect(segment?.channel).toBe(channel);
  expect(segment?.stages.map((s) => s.stage)).toEqual([
    LeadStage.NEW, LeadStage.MQL, LeadStage.SAL, LeadStage.SQL, LeadStage.OPPORTUNITY, LeadStage.CUSTOMER,
  ]);
  segment?.stages.forEach((s, i) => {
    const [count, rate, median] = expected[i] ?? [];
    expect(s.count).toBe(count);
    if (rate === null) expect(s.conversionRateToNext).toBeNull();
    else expect(s.conversionRateToNext).toBeCloseTo(rate as number, 12);
    if (median === null) expect(s.medianDaysToNext).toBeNull();
    else expect(s.medianDaysToNext).toBeCloseTo(median as number, 9);
  });
}

beforeAll(async () => {
  db = await createTestDatabase();
  const email = await insertCampaign(db, 'EMAIL');
  const event = await insertCampaign(db, 'EVENT');

  // L1: first touch EMAIL (Dec 20, before the window: first touch EVER counts); goes all the way.
  //     steps: 2d, 1d, 2d, 4d, 10d
  const l1 = await insertLead(db, {
    createdAt: '2024-01-01T00:00:00Z', mqlAt: '2024-01-03T00:00:00Z', salAt: '2024-01-04T00:00:00Z',
    sqlAt: '2024-01-06T00:00:00Z', opportunityAt: '2024-01-10T00:00:00Z', customerAt: '2024-01-20T00:00:00Z',
  });
  await insertTouch(db, l1, email, '2023-12-20T00:00:00Z');
  await insertTouch(db, l1, event, '2024-01-02T00:00:00Z');
  // L2: first touch EVENT; NEW->MQL 4d, MQL->SAL 0.5d, stops at SAL.
  const l2 = await insertLead(db, { createdAt: '2024-01-02T00:00:00Z', mqlAt: '2024-01-06T00:00:00Z', salAt: '2024-01-06T12:00:00Z' });
  await insertTouch(db, l2, event, '2024-01-01T00:00:00Z');
  await insertTouch(db, l2, email, '2024-01-03T00:00:00Z');
  // L3: no touches; NEW->MQL 1d, stops at MQL.
  await insertLead(db, { createdAt: '2024-01-05T00:00:00Z', mqlAt: '2024-01-06T00:00:00Z' });
  // L4: two touches at the same instant: the lower id (EVENT, inserted first) is the first touch.
  const l4 = await insertLead(db, { createdAt: '2024-01-10T00:00:00Z' });
  await insertTouch(db, l4, event, '2024-01-11T00:00:00Z');
  await insertTouch(db, l4, email, '2024-01-11T00:00:00Z');
  // outside the half-open window: one microsecond before `from`, and exactly at `to`
  await insertLead(db, {
    createdAt: '2023-12-31T23:59:59.999999Z', mqlAt: '2024-01-01T00:00:00Z', salAt: '2024-01-01T00:00:00Z',
  });
  await insertLead(db, { createdAt: '2024-02-01T00:00:00Z', mqlAt: '2024-02-01T00:00:00Z' });
});

afterAll(() => db.drop());

describe('funnel', () => {
  it('counts the cohort, conversion rates and median days between stages', async () => {
    const report = await funnelReport(metricsContext(db), { window: { from, to } });
    // cohort L1..L4. NEW 4, MQL 3 (L1-L3), SAL 2 (L1, L2), SQL/OPP/CUSTOMER 1 (L1)
    // rates 3/4, 2/3, 1/2, 1/1, 1/1; medians: NEW->MQL {2,4,1} -> 2, MQL->SAL {1,0.5} -> 0.75, then L1 alone: 2, 4, 10
    expectSegment(report.total, null, [
      [4, 0.75, 2],
      [3, 2 / 3, 0.75],
      [2, 0.5, 2],
      [1, 1, 4],
      [1, 1, 10],
      [1, null, null],
    ]);
    expect(report.groupBy).toBe(FunnelGroupBy.NONE);
    expect(report.groups).toEqual([]);
  });

  it('groups by channel of the first touch ever, untouched leads last under null', async () => {
    const report = await funnelReport(metricsContext(db), { window: { from, to }, groupBy: FunnelGroupBy.CHANNEL });
    expect(report.groups.map((g) => g.channel)).toEqual([Channel.EMAIL, Channel.EVENT, null]);
    // EMAIL: L1 alone, rates 1, medians 2, 1, 2, 4, 10
    expectSegment(report.groups[0], Channel.EMAIL, [[1, 1, 2], [1, 1, 1], [1, 1, 2], [1, 1, 4], [1, 1, 10], [1, null, null]]);
    // EVENT: L2 and L4. NEW 2 -> MQL 1 (0.5, median 4d) -> SAL 1 (1, 0.5d) -> SQL 0 (0/1 = 0) -> nothing (null on 0)
    expectSegment(report.groups[1], Channel.EVENT, [[2, 0.5, 4], [1, 1, 0.5], [1, 0, null], [0, null, null], [0, null, null], [0, null, null]]);
    // no touch: L3. NEW 1 -> MQL 1 (1d) -> SAL 0
    expectSegment(report.groups[2], null, [[1, 1, 1], [1, 0, null], [0, null, null], [0, null, null], [0, null, null], [0, null, null]]);
    // the groups add up to the total
    const sum = [0, 1, 2, 3, 4, 5].map((i) => report.groups.reduce((n, g) => n + (g.stages[i]?.count ?? 0), 0));
    expect(sum).toEqual(report.total.stages.map((s) => s.count));
  });

  it('returns zero counts and null rates for an empty cohort', async () => {
    const report = await funnelReport(metricsContext(db), {
      window: { from: new Date('2030-01-01T00:00:00Z'), to: new Date('2030-02-01T00:00:00Z') }, groupBy: FunnelGroupBy.CHANNEL,
    });
    expectSegment(report.total, null, [[0, null, null], [0, null, null], [0, null, null], [0, null, null], [0, null, null], [0, null, null]]);
    expect(report.groups).toEqual([]);
  });

  it('rejects a window that ends before it starts, naming the field', async () => {
    await expect(new FunnelResolver().funnel({ window: { from: to, to: from } }, metricsContext(db))).rejects.toMatchObject({
      message: 'input.window.to: must be after from',
      extensions: { code: 'BAD_USER_INPUT', field: 'input.window.to' },
    });
  });
});
