import { Channel } from '../../src/common/enums';
import { AttributionModel } from '../../src/metrics/attribution.inputs';
import { JOURNEY_SOURCES } from '../../src/metrics/attribution.params';
import { campaignPerformance } from '../../src/metrics/performance.service';
import { periodsOf, periodStartOf, revenueTimeSeries, timeSeriesQuery } from '../../src/metrics/time-series.service';
import { TimeGrain, TimeSeriesDimension } from '../../src/metrics/time-series.types';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { Fixtures, serviceContext, settings, settingsInput, SettingsOverrides } from './attribution-fixtures';

const d = (iso: string) => new Date(iso);

describe('UTC periods', () => {
  it('starts weeks on Monday 00:00 UTC', () => {
    expect(periodStartOf(d('2024-01-07T23:59:59.999Z'), TimeGrain.WEEK)).toEqual(d('2024-01-01T00:00:00Z')); // a Sunday
    expect(periodStartOf(d('2024-01-08T00:00:00Z'), TimeGrain.WEEK)).toEqual(d('2024-01-08T00:00:00Z')); // a Monday
    expect(periodStartOf(d('2023-01-01T12:00:00Z'), TimeGrain.WEEK)).toEqual(d('2022-12-26T00:00:00Z')); // across a year
  });

  it('starts quarters in January, April, July and October', () => {
    expect(periodStartOf(d('2024-03-31T23:59:59.999Z'), TimeGrain.QUARTER)).toEqual(d('2024-01-01T00:00:00Z'));
    expect(periodStartOf(d('2024-04-01T00:00:00Z'), TimeGrain.QUARTER)).toEqual(d('2024-04-01T00:00:00Z'));
    expect(periodStartOf(d('2024-12-31T00:00:00Z'), TimeGrain.QUARTER)).toEqual(d('2024-10-01T00:00:00Z'));
  });

  it('clips the first and last period to the window', () => {
    expect(periodsOf(d('2024-01-31T10:00:00Z'), d('2024-03-01T00:00:00Z'), TimeGrain.MONTH)).toEqual([
      { periodStart: d('2024-01-01T00:00:00Z'), from: d('2024-01-31T10:00:00Z'), to: d('2024-02-01T00:00:00Z') },
      { periodStart: d('2024-02-01T00:00:00Z'), from: d('2024-02-01T00:00:00Z'), to: d('2024-03-01T00:00:00Z') },
    ]);
    expect(periodsOf(d('2024-02-28T00:00:00Z'), d('2024-03-01T06:00:00Z'), TimeGrain.DAY).map((p) => p.to)).toEqual([
      d('2024-02-29T00:00:00Z'), // 2024 is a leap year
      d('2024-03-01T00:00:00Z'),
      d('2024-03-01T06:00:00Z'),
    ]);
  });
});

/*
 * Week window [Wed 2024-01-03, Wed 2024-01-17). Campaigns A (EMAIL), B (EVENT); one touch per deal.
 * Spend: A 01-02 10.00 (out), 01-03 20.00 and Sun 01-07 30.00 (week of Mon 01-01), Mon 01-08 40.00 (week of 01-08),
 *        01-17 50.00 (out: the window ends at 00:00); B Tue 01-16 5.00 (week of 01-15).
 * D1: touch A 01-01, 100.00 created 01-02 (before the window: no pipeline), won Sun 01-07T23:59:59.999 -> week 01-01
 * D2: touch B Fri 01-05, 60.00 created Mon 01-08T00:00 -> pipeline week 01-08, won Mon 01-15T00:00 -> week 01-15
 * D3: untouched, 7.00 created 01-10, open -> unattributed pipeline in week 01-08
 * The same rows whether journeys are built from the touches or read from the cache.
 */
describe.each(JOURNEY_SOURCES)('revenue time series (journeys: %s)', (source) => {
  let db: TestDatabase;
  const WEEKS = { from: '2024-01-03T00:00:00Z', to: '2024-01-17T00:00:00Z' };
  // the query the API builds from RevenueTimeSeriesInput, with the journeys' source forced
  const series = (grain: TimeGrain, by: TimeSeriesDimension, o: SettingsOverrides = {}) =>
    revenueTimeSeries(serviceContext(db), { ...timeSeriesQuery('input', { ...settingsInput({ ...WEEKS, ...o }), grain, by }), source });

  beforeAll(async () => {
    db = await createTestDatabase();
    const f = new Fixtures(db);
    const [a, b] = [await f.campaign('A', 'EMAIL'), await f.campaign('B', 'EVENT')];
    for (const [day, amount] of [['01-02', '10.00'], ['01-03', '20.00'], ['01-07', '30.00'], ['01-08', '40.00'], ['01-17', '50.00']]) {
      await f.spend(a, `2024-${day}`, amount!);
    }
    await f.spend(b, '2024-01-16', '5.00');
    const deal = async (campaign: string | null, touchAt: string, amount: string, createdAt: string, closedAt?: string) => {
      const account = await f.account();
      if (campaign) await f.touch(await f.lead(account), campaign, touchAt);
      await f.opportunity({ accountId: account, amount, createdAt, closedAt });
    };
    await deal(a, '2024-01-01T00:00:00Z', '100.00', '2024-01-02T00:00:00Z', '2024-01-07T23:59:59.999Z');
    await deal(b, '2024-01-05T00:00:00Z', '60.00', '2024-01-08T00:00:00Z', '2024-01-15T00:00:00Z');
    await deal(null, '', '7.00', '2024-01-10T00:00:00Z');
  });
  afterAll(() => db.drop());

  it('gives one row per week, Monday-based and clipped to the window', async () => {
    const { rows } = await series(TimeGrain.WEEK, TimeSeriesDimension.NONE);
    expect(rows.map((r) => [r.periodStart.toISOString().slice(0, 10), r.from.toISOString().slice(0, 10), r.to.toISOString().slice(0, 10)])).toEqual([
      ['2024-01-01', '2024-01-03', '2024-01-08'],
      ['2024-01-08', '2024-01-08', '2024-01-15'],
      ['2024-01-15', '2024-01-15', '2024-01-17'],
    ]);
    expect(rows.map((r) => [r.spend, r.attributedPipeline, r.unattributedPipeline, r.attributedRevenue, r.unattributedRevenue])).toEqual([
      ['50.00', '0.00', '0.00', '100.00', '0.00'],
      ['40.00', '60.00', '7.00', '0.00', '0.00'],
      ['5.00', '0.00', '0.00', '60.00', '0.00'],
    ]);
  });

  it('keys rows by campaign or channel', async () => {
    const byCampaign = await series(TimeGrain.WEEK, TimeSeriesDimension.CAMPAIGN);
    // rows for what the series shows, spend and credits: B's touch of 01-05 earns nothing in the first week, so no row
    expect(byCampaign.rows.map((r) => [r.periodStart.toISOString().slice(0, 10), r.campaign?.name, r.channel, r.spend, r.attributedPipeline, r.attributedRevenue])).toEqual([
      ['2024-01-01', 'A', 'EMAIL', '50.00', '0.00', '100.00'],
      ['2024-01-08', 'A', 'EMAIL', '40.00', '0.00', '0.00'],
      ['2024-01-08', 'B', 'EVENT', '0.00', '60.00', '0.00'],
      ['2024-01-15', 'B', 'EVENT', '5.00', '0.00', '60.00'],
    ]);
    const byChannel = await series(TimeGrain.WEEK, TimeSeriesDimension.CHANNEL);
    expect(byChannel.rows.map((r) => [r.channel, r.campaign, r.spend])).toEqual([
      [Channel.EMAIL, null, '50.00'],
      [Channel.EMAIL, null, '40.00'],
      [Channel.EVENT, null, '0.00'],
      [Channel.EVENT, null, '5.00'],
    ]);
  });

  it('answers at most MAX_SERIES_ROWS rows, and refuses a longer series whole, naming the input', async () => {
    const limited = (maxSeriesRows: number) => {
      const ctx = serviceContext(db);
      return { ...ctx, config: { ...ctx.config, limits: { ...ctx.config.limits, maxSeriesRows } } };
    };
    const q = { ...timeSeriesQuery('input', { ...settingsInput(WEEKS), grain: TimeGrain.WEEK, by: TimeSeriesDimension.CAMPAIGN }), source };
    // the four rows of the series by campaign above: four fit, three do not
    expect((await revenueTimeSeries(limited(4), q)).rows).toHaveLength(4);
    const refused = revenueTimeSeries(limited(3), q);
    await expect(refused).rejects.toMatchObject({
      message: expect.stringMatching(/^input: the series has more than 3 rows \(one per period and campaign\)/),
      extensions: { code: 'QUERY_REJECTED', field: 'input' },
    });
    expect(serviceContext(db).config.limits.maxSeriesRows).toBe(20_000);
  });

  it('cuts quarters at April 1st 00:00 UTC', async () => {
    // window [2024-01-05, 2024-07-10): D1's win (Jan 7) in Q1; D2 created Jan 8 in Q1, won Jan 15 in Q1
    const { rows } = await series(TimeGrain.QUARTER, TimeSeriesDimension.NONE, { from: '2024-01-05T00:00:00Z', to: '2024-07-10T00:00:00Z' });
    expect(rows.map((r) => [r.periodStart.toISOString().slice(0, 10), r.from.toISOString().slice(0, 10), r.to.toISOString().slice(0, 10), r.attributedRevenue])).toEqual([
      ['2024-01-01', '2024-01-05', '2024-04-01', '160.00'],
      ['2024-04-01', '2024-04-01', '2024-07-01', '0.00'],
      ['2024-07-01', '2024-07-01', '2024-07-10', '0.00'],
    ]);
  });

  it('computes each row as campaign performance over its period, DATA_DRIVEN included', async () => {
    for (const model of [AttributionModel.LINEAR, AttributionModel.DATA_DRIVEN]) {
      const { rows } = await series(TimeGrain.WEEK, TimeSeriesDimension.NONE, { model });
      for (const row of rows) {
        const report = await campaignPerformance(serviceContext(db), settings({ from: row.from.toISOString(), to: row.to.toISOString(), model, source }));
        expect([row.spend, row.attributedPipeline, row.attributedRevenue, row.unattributedRevenue]).toEqual([
          report.totals.spend,
          report.totals.attributedPipeline,
          report.totals.attributedRevenue,
          report.unattributedRevenue,
        ]);
      }
      if (model === AttributionModel.DATA_DRIVEN) expect(rows.map((r) => r.attributedPipeline)).toEqual([null, null, null]);
    }
  });
});

describe.each(JOURNEY_SOURCES)('quarter boundary in SQL (journeys: %s)', (source) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    const f = new Fixtures(db);
    const c = await f.campaign('Q');
    const account = await f.account();
    await f.touch(await f.lead(account), c, '2024-03-01T00:00:00Z');
    // 1.00 won at the last millisecond of Q1, 2.00 at the first instant of Q2
    await f.opportunity({ accountId: account, amount: '1.00', createdAt: '2024-03-02T00:00:00Z', closedAt: '2024-03-31T23:59:59.999Z' });
    await f.opportunity({ accountId: account, amount: '2.00', createdAt: '2024-03-02T00:00:00Z', closedAt: '2024-04-01T00:00:00Z' });
    await f.spend(c, '2024-02-14', '9.00'); // before the window
    await f.spend(c, '2024-07-01', '4.00'); // first day of Q3
  });
  afterAll(() => db.drop());

  it('puts the last millisecond of March in Q1 and April 1st in Q2', async () => {
    const q = settings({ from: '2024-02-15T00:00:00Z', to: '2024-07-10T00:00:00Z', source });
    const { rows } = await revenueTimeSeries(serviceContext(db), { ...q, grain: 'quarter', rowKey: 'NONE' });
    expect(rows.map((r) => [r.periodStart.toISOString().slice(0, 10), r.attributedRevenue, r.spend])).toEqual([
      ['2024-01-01', '1.00', '0.00'],
      ['2024-04-01', '2.00', '0.00'],
      ['2024-07-01', '0.00', '4.00'],
    ]);
  });
});
