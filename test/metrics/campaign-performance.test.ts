import { Campaign } from '../../src/campaigns/campaign.entity';
import { Channel } from '../../src/common/enums';
import { observeQueries } from '../../src/db/data-source';
import { toGlobalId } from '../../src/graphql/node';
import { AttributionComparisonInput, AttributionDimension, AttributionMeasure, AttributionModel } from '../../src/metrics/attribution.inputs';
import { JOURNEY_SOURCES } from '../../src/metrics/attribution.params';
import { attributionComparison, comparisonQuery } from '../../src/metrics/comparison.service';
import { campaignPerformance, channelPerformance, loadCampaignPerformance } from '../../src/metrics/performance.service';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { Fixtures, serviceContext, settings, settingsInput, SettingsOverrides } from './attribution-fixtures';

/*
 * Window [2024-01-01T12:00Z, 2024-02-01T00:00Z), LINEAR unless said otherwise.
 * Campaigns: A (EMAIL, id 1), B (EMAIL, id 2), C (EVENT, id 3), D (EVENT, id 4, idle).
 * Spend: A 01-01 100.00 (00:00 UTC is before 12:00: out), 01-02 40.00, 01-31 60.00, 02-01 999.00 (out) -> 100.00;
 *        B 01-15 50.00 -> 50.00; C none -> 0.00.
 * Leads and touches:
 *   L1 (X): A 2023-12-01 (first ever, before the window), B 01-10; mqlAt 01-11 -> an MQL of A
 *   L2 (X): A 01-05 (first ever, in the window: sourced by A), C 01-06; mqlAt 02-05 (out)
 *   L3 (Y): C and B both at 01-20T00:00, C's touch has the lower id -> sourced by C; mqlAt 01-25 -> MQL of C
 *   L4 (no account): A 01-01T11:00 (first ever, before the window opens); mqlAt 01-02 -> an MQL of A
 * touches in the window: A 1 (L2), B 2 (L1, L3), C 2 (L2, L3); leadsSourced: A 1, C 1; mqls: A 2, C 1.
 * Deals:
 *   O1 (X) 300.00 created 01-12, won 01-20: journey A(12-01) A(01-05) C(01-06) B(01-10), LINEAR 1/4 each,
 *      for pipeline and revenue alike -> A 150.00, C 75.00, B 75.00; wins A 0.5, C 0.25, B 0.25
 *   O2 (Y) 80.00 open, created 01-21: pipeline journey C, B (01-20) -> C 40.00, B 40.00
 *   O3 (Z, untouched) 20.00 created 01-03, won 01-04: unattributed pipeline and revenue
 * Pipeline: total 400.00 = A 150 + B 115 + C 115 + unattributed 20. Revenue: total 320.00 = A 150 + B 75 + C 75 + 20.
 * Every figure holds whether journeys are built from the touches or read from the cache.
 */
describe.each(JOURNEY_SOURCES)('campaign and channel performance (journeys: %s)', (source) => {
  let db: TestDatabase;
  const ids: Record<string, string> = {};
  const WINDOW = { from: '2024-01-01T12:00:00Z', to: '2024-02-01T00:00:00Z' };
  const q = (o: SettingsOverrides = {}) => settings({ ...WINDOW, source, ...o });

  beforeAll(async () => {
    db = await createTestDatabase();
    const f = new Fixtures(db);
    for (const [name, channel] of [['A', 'EMAIL'], ['B', 'EMAIL'], ['C', 'EVENT'], ['D', 'EVENT']] as const) {
      ids[name] = await f.campaign(name, channel);
    }
    const [a, b, c] = [ids.A!, ids.B!, ids.C!];
    await f.spend(a, '2024-01-01', '100.00');
    await f.spend(a, '2024-01-02', '40.00');
    await f.spend(a, '2024-01-31', '60.00');
    await f.spend(a, '2024-02-01', '999.00');
    await f.spend(b, '2024-01-15', '50.00');
    const [x, y, z] = [await f.account('X'), await f.account('Y'), await f.account('Z')];
    const l1 = await f.lead(x, '2024-01-11T00:00:00Z');
    await f.touch(l1, a, '2023-12-01T00:00:00Z');
    await f.touch(l1, b, '2024-01-10T00:00:00Z');
    const l2 = await f.lead(x, '2024-02-05T00:00:00Z');
    await f.touch(l2, a, '2024-01-05T00:00:00Z');
    await f.touch(l2, c, '2024-01-06T00:00:00Z');
    const l3 = await f.lead(y, '2024-01-25T00:00:00Z');
    await f.touch(l3, b, '2024-01-20T00:00:00Z', 501);
    await f.touch(l3, c, '2024-01-20T00:00:00Z', 500);
    const l4 = await f.lead(null, '2024-01-02T00:00:00Z');
    await f.touch(l4, a, '2024-01-01T11:00:00Z');
    await f.opportunity({ accountId: x, amount: '300.00', createdAt: '2024-01-12T00:00:00Z', closedAt: '2024-01-20T00:00:00Z' });
    await f.opportunity({ accountId: y, amount: '80.00', createdAt: '2024-01-21T00:00:00Z' });
    await f.opportunity({ accountId: z, amount: '20.00', createdAt: '2024-01-03T00:00:00Z', closedAt: '2024-01-04T00:00:00Z' });
  });
  afterAll(() => db.drop());

  it('reports spend, touches, leads, MQLs, credits and ratios per campaign, nulls on zero denominators', async () => {
    const report = await campaignPerformance(serviceContext(db), q());
    const row = (name: string) => {
      const r = report.rows.find((x) => x.campaign.name === name)!;
      return [r.spend, r.touches, r.leadsSourced, r.mqls, r.attributedPipeline, r.attributedRevenue, r.attributedWins, r.roi, r.roas, r.costPerLead, r.costPerMql];
    };
    expect(report.rows.map((r) => r.campaign.name)).toEqual(['A', 'B', 'C']); // D had no activity
    // A: roi (150-100)/100, roas 150/100, per lead 100/1, per MQL 100/2
    expect(row('A')).toEqual(['100.00', 1, 1, 2, '150.00', '150.00', 0.5, 0.5, 1.5, 100, 50]);
    // B: no lead sourced, no MQL -> null costs
    expect(row('B')).toEqual(['50.00', 2, 0, 0, '115.00', '75.00', 0.25, 0.5, 1.5, null, null]);
    // C: no spend -> null roi and roas; costs 0 / 1 = 0
    expect(row('C')).toEqual(['0.00', 2, 1, 1, '115.00', '75.00', 0.25, null, null, 0, 0]);
    const t = report.totals;
    // totals: spend 150, roi (300-150)/150 = 1, roas 2, per lead 150/2, per MQL 150/3
    expect([t.spend, t.touches, t.leadsSourced, t.mqls, t.attributedPipeline, t.attributedRevenue, t.attributedWins, t.roi, t.roas, t.costPerLead, t.costPerMql]).toEqual(
      ['150.00', 5, 2, 3, '380.00', '300.00', 1, 1, 2, 75, 50],
    );
    expect([report.unattributedPipeline, report.totalPipeline, report.unattributedRevenue, report.totalRevenue]).toEqual(['20.00', '400.00', '20.00', '320.00']);
    expect(report.unattributedPipelineShare).toBeCloseTo(20 / 400, 12);
    expect(report.unattributedRevenueShare).toBeCloseTo(20 / 320, 12);
  });

  it('sums campaigns per channel', async () => {
    const report = await channelPerformance(serviceContext(db), q());
    const rows = report.rows.map((r) => [r.channel, r.spend, r.touches, r.leadsSourced, r.mqls, r.attributedPipeline, r.attributedRevenue, r.roi, r.costPerLead]);
    // EMAIL = A + B: spend 150, roi (225-150)/150 = 0.5, per lead 150/1; EVENT = C
    expect(rows).toEqual([
      ['EMAIL', '150.00', 3, 1, 2, '265.00', '225.00', 0.5, 150],
      ['EVENT', '0.00', 2, 1, 1, '115.00', '75.00', null, 0],
    ]);
    expect([report.totals.attributedRevenue, report.unattributedRevenue, report.totalRevenue]).toEqual(['300.00', '20.00', '320.00']);
  });

  it('filters rows by campaign or channel without changing the shares', async () => {
    const onlyB = await campaignPerformance(serviceContext(db), q({ campaignIds: [toGlobalId('Campaign', ids.B!)] }));
    expect(onlyB.rows.map((r) => [r.campaign.name, r.attributedRevenue])).toEqual([['B', '75.00']]);
    // totals cover the rows shown; unattributed and total amounts cover every campaign
    expect([onlyB.totals.attributedRevenue, onlyB.totals.spend, onlyB.unattributedRevenue, onlyB.totalRevenue]).toEqual(['75.00', '50.00', '20.00', '320.00']);
    const events = await campaignPerformance(serviceContext(db), { ...q(), channels: [Channel.EVENT] });
    expect(events.rows.map((r) => r.campaign.name)).toEqual(['C']);
  });

  it('leaves out the measures not asked for', async () => {
    const report = await campaignPerformance(serviceContext(db), q({ measures: [AttributionMeasure.REVENUE] }));
    expect(report.rows.every((r) => r.attributedPipeline === null)).toBe(true);
    expect([report.totals.attributedPipeline, report.totalPipeline, report.unattributedPipeline, report.totals.attributedRevenue]).toEqual([null, null, null, '300.00']);
  });

  it('batches Campaign.performance: four campaigns, one statement, the same figures', async () => {
    const ctx = serviceContext(db);
    const campaigns = await db.ds.getRepository(Campaign).find({ order: { id: 'ASC' } });
    const statements: string[] = [];
    const stop = observeQueries((sql) => statements.push(sql));
    const rows = await Promise.all(campaigns.map((c) => loadCampaignPerformance(ctx, q(), c)));
    stop();
    expect(statements).toHaveLength(1);
    expect(rows.map((r) => [r.campaign.name, r.spend, r.attributedRevenue, r.mqls, r.roi])).toEqual([
      ['A', '100.00', '150.00', 2, 0.5],
      ['B', '50.00', '75.00', 0, 0.5],
      ['C', '0.00', '75.00', 1, null],
      ['D', '0.00', '0.00', 0, null],
    ]);
  });

  it('compares every model side by side', async () => {
    const input: AttributionComparisonInput = { ...settingsInput(WINDOW), by: AttributionDimension.CAMPAIGN };
    const comparison = await attributionComparison(serviceContext(db), { ...comparisonQuery('input', input), source });
    const of = (name: string) => comparison.rows.find((r) => r.campaign?.name === name)!.revenue;
    // O1's journey: A(12-01) A(01-05) C(01-06) B(01-10); mqlAt 01-11 and creation 01-12 both pick B (touch 4), close too.
    // FIRST: A. LAST: B. U: 0.4+0.1 / 0.1 / 0.4. W: 0.3+0.05 / 0.05 / 0.6. Z: 0.225+0.05 / 0.05 / 0.675.
    // DATA_DRIVEN: one path START>A>A>C>B>CONV; removing any campaign kills it: 1/3 each.
    expect(of('A')).toMatchObject({ firstTouch: '300.00', lastTouch: '0.00', linear: '150.00', positionBased: '150.00', wShaped: '105.00', fullPath: '82.50', dataDriven: '100.00', custom: null });
    expect(of('B')).toMatchObject({ firstTouch: '0.00', lastTouch: '300.00', linear: '75.00', positionBased: '120.00', wShaped: '180.00', fullPath: '202.50', dataDriven: '100.00' });
    expect(of('C')).toMatchObject({ firstTouch: '0.00', lastTouch: '0.00', linear: '75.00', positionBased: '30.00', wShaped: '15.00', fullPath: '15.00', dataDriven: '100.00' });
    // TIME_DECAY: days before the close 01-20: A 50 and 15, C 14, B 10
    const r = { A: 0.5 ** (50 / 7) + 0.5 ** (15 / 7), C: 0.5 ** (14 / 7), B: 0.5 ** (10 / 7) };
    const sum = r.A + r.B + r.C;
    for (const name of ['A', 'B', 'C'] as const) expect(Math.abs(Number(of(name).timeDecay) - (300 * r[name]) / sum)).toBeLessThanOrEqual(0.0051);
    for (const model of ['firstTouch', 'lastTouch', 'linear', 'timeDecay', 'positionBased', 'wShaped', 'fullPath', 'dataDriven'] as const) {
      expect([comparison.totals[model], comparison.unattributed[model]]).toEqual(['300.00', '20.00']);
    }
    expect(comparison.totals.custom).toBeNull();
    expect(comparison.totalRevenue).toBe('320.00');
  });

  it('compares by channel, with CUSTOM when role weights are given', async () => {
    const input: AttributionComparisonInput = {
      ...settingsInput({ ...WINDOW, roleWeights: { first: 1 } }),
      by: AttributionDimension.CHANNEL,
    };
    const comparison = await attributionComparison(serviceContext(db), { ...comparisonQuery('input', input), source });
    // CUSTOM with first = 1 is first-touch: all 300.00 to A (EMAIL)
    expect(comparison.rows.map((r) => [r.channel, r.revenue.custom, r.revenue.linear])).toEqual([
      ['EMAIL', '300.00', '225.00'],
      ['EVENT', '0.00', '75.00'],
    ]);
  });

  describe('refuses bad arguments naming the field', () => {
    const refuses = (o: SettingsOverrides, field: string) =>
      expect(() => settings({ ...WINDOW, ...o })).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field }) }));

    it('window, lookback and half-life', () => {
      refuses({ to: WINDOW.from }, 'input.window.to');
      refuses({ from: '2000-01-01T00:00:00Z', to: '2010-01-02T00:00:00Z' }, 'input.window.to');
      refuses({ lookbackDays: 0 }, 'input.lookbackDays');
      refuses({ lookbackDays: 3651 }, 'input.lookbackDays');
      refuses({ lookbackDays: 1.5 }, 'input.lookbackDays');
      refuses({ halfLifeDays: 0 }, 'input.halfLifeDays');
      refuses({ halfLifeDays: 4000 }, 'input.halfLifeDays');
      refuses({ opportunityKinds: [] }, 'input.opportunityKinds');
    });

    it('role weights', () => {
      refuses({ model: AttributionModel.CUSTOM }, 'input.roleWeights');
      refuses({ model: AttributionModel.CUSTOM, roleWeights: { first: 1.5 } }, 'input.roleWeights.first');
      refuses({ model: AttributionModel.CUSTOM, roleWeights: { close: -0.1 } }, 'input.roleWeights.close');
      refuses({ model: AttributionModel.CUSTOM, roleWeights: { first: 0.5, leadConversion: 0.5, close: 0.01 } }, 'input.roleWeights');
      // 0.1 + 0.2 + 0.3 + 0.4 is 1.0000000000000002 in floats but exactly 1 as sent: accepted
      expect(() => settings({ model: AttributionModel.CUSTOM, roleWeights: { first: 0.1, leadConversion: 0.2, opportunityCreation: 0.3, close: 0.4 } })).not.toThrow();
    });

    it('measures and campaign ids', () => {
      refuses({ measures: [] }, 'input.measures');
      refuses({ model: AttributionModel.DATA_DRIVEN, measures: [AttributionMeasure.PIPELINE] }, 'input.measures');
      refuses({ campaignIds: [toGlobalId('Lead', '1')] }, 'input.campaignIds[0]');
    });
  });
});
