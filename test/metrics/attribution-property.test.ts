import { AttributionModel, JourneyScope } from '../../src/metrics/attribution.inputs';
import { AttributionQuery, JOURNEY_SOURCES, modelSpec, ModelSpec } from '../../src/metrics/attribution.params';
import { queryJourneyWeights, queryMarkovTransitions } from '../../src/metrics/attribution.service';
import { markovCreditFractions } from '../../src/metrics/markov';
import { campaignPerformance, channelPerformance } from '../../src/metrics/performance.service';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { cacheJourneys, serviceContext, settings } from './attribution-fixtures';
import { Data, generate, load } from './random-attribution-data';

/*
 * Several hundred random opportunities (seeded, so every run sees the same data). For
 * every model and both journey scopes: credits + unattributed = total to the cent, rows add
 * up to the totals, totals match an independent sum, every weight is in [0, 1] and each
 * journey's weights sum to 1, and the rule-based credits agree with a straightforward
 * TypeScript re-implementation of the definitions (docs/metrics.md, section "Attribution") to within a cent.
 */
const DAY = 86_400_000;
const WINDOW = { from: '2024-02-01T00:00:00Z', to: '2024-11-01T00:00:00Z' };
const LOOKBACK = 60;
const HALF_LIFE = 5;
const CUSTOM = { first: 0.15, leadConversion: 0.25, opportunityCreation: 0.05, close: 0.35 };
/** The definitions of docs/metrics.md, read literally, one opportunity at a time: credits in cents (unrounded) per campaign. */
function referenceCredits(data: Data, spec: ModelSpec, scope: JourneyScope, measure: 'PIPELINE' | 'REVENUE'): Map<number, number> {
  const from = Date.parse(WINDOW.from);
  const to = Date.parse(WINDOW.to);
  const credits = new Map<number, number>();
  const leadById = new Map(data.leads.map((l) => [l.id, l]));
  for (const o of data.opps) {
    const end = measure === 'PIPELINE' ? o.createdAt : o.closedAt;
    if (end === null || end < from || end >= to || (measure === 'REVENUE' && o.stage !== 'CLOSED_WON')) continue;
    const leadIds = new Set(scope === JourneyScope.ACCOUNT ? data.leads.filter((l) => l.accountId === o.accountId).map((l) => l.id) : o.contacts);
    const journey = data.touches
      .filter((t) => leadIds.has(t.leadId) && t.at >= o.createdAt - LOOKBACK * DAY && t.at <= end)
      .sort((a, b) => a.at - b.at || a.id - b.id);
    const n = journey.length;
    if (n === 0) continue;
    let weights: number[];
    if (spec.family === 'DECAY') {
      const r = journey.map((t) => 0.5 ** ((end - t.at) / DAY / HALF_LIFE));
      const sum = r.reduce((a, b) => a + b, 0);
      weights = r.map((x) => x / sum);
    } else {
      const mqls = [...new Set(journey.map((t) => t.leadId))].map((id) => leadById.get(id)!.mqlAt).filter((m): m is number => m !== null);
      const conversionAt = mqls.length ? Math.min(...mqls) : null;
      const lastAtOrBefore = (t: number | null) => (t === null ? -1 : journey.map((x) => x.at <= t).lastIndexOf(true));
      const roles: [number, number][] = [
        [0, Number(spec.weights.first)],
        [n - 1, Number(spec.weights.last)],
        [lastAtOrBefore(conversionAt), Number(spec.weights.conversion)],
        [lastAtOrBefore(o.createdAt), Number(spec.weights.creation)],
        [measure === 'REVENUE' ? n - 1 : -1, Number(spec.weights.close)],
      ];
      const held = new Array<number>(n).fill(0);
      for (const [position, weight] of roles) if (position >= 0 && weight > 0) held[position]! += weight;
      const holding = held.reduce((a, b) => a + b, 0);
      const free = held.filter((w) => w === 0).length;
      weights = held.map((w) => (free === 0 ? w / holding : w > 0 ? w : (1 - holding) / free));
    }
    journey.forEach((t, i) => credits.set(t.campaignId, (credits.get(t.campaignId) ?? 0) + o.cents * weights[i]!));
  }
  return credits;
}

const cents = (money: string | null) => {
  if (money === null) throw new Error('unexpected null amount');
  const [whole = '0', fraction = '00'] = money.split('.');
  return BigInt(whole) * 100n + BigInt((fraction + '00').slice(0, 2));
};

describe.each(JOURNEY_SOURCES)('attribution properties on random data (journeys: %s)', (source) => {
  let db: TestDatabase;
  let data: Data;
  beforeAll(async () => {
    db = await createTestDatabase();
    data = generate(20240601);
    await load(db, data);
    await cacheJourneys(db, LOOKBACK, HALF_LIFE);
  });
  afterAll(() => db.drop());

  const models = Object.values(AttributionModel);
  // the cache holds ACCOUNT journeys only: CONTACTS journeys are always built from the touches
  const query = (model: AttributionModel, journeyScope: JourneyScope): AttributionQuery =>
    settings({
      ...WINDOW,
      model,
      journeyScope,
      lookbackDays: LOOKBACK,
      halfLifeDays: HALF_LIFE,
      roleWeights: model === AttributionModel.CUSTOM ? CUSTOM : null,
      source: journeyScope === JourneyScope.ACCOUNT ? source : 'DIRECT',
    });

  it('has several hundred opportunities, won, lost and open, with and without journeys', async () => {
    const [counts] = await db.sql<{ won: string; lost: string; open: string }>(
      `SELECT count(*) FILTER (WHERE stage = 'CLOSED_WON') AS won, count(*) FILTER (WHERE stage = 'CLOSED_LOST') AS lost,
              count(*) FILTER (WHERE closed_at IS NULL) AS open FROM opportunities`,
    );
    expect(Number(counts!.won) + Number(counts!.lost) + Number(counts!.open)).toBe(400);
    const report = await campaignPerformance(serviceContext(db), query(AttributionModel.LINEAR, JourneyScope.CONTACTS));
    expect(cents(report.unattributedRevenue)).toBeGreaterThan(0n);
    expect(cents(report.totals.attributedRevenue)).toBeGreaterThan(0n);
  });

  for (const scope of [JourneyScope.ACCOUNT, JourneyScope.CONTACTS]) {
    it(`reconciles to the cent under every model (${scope})`, async () => {
      const [expected] = await db.sql<{ pipeline: string; revenue: string }>(
        `SELECT coalesce(sum(amount) FILTER (WHERE created_at >= $1 AND created_at < $2), 0)::text AS pipeline,
                coalesce(sum(amount) FILTER (WHERE stage = 'CLOSED_WON' AND closed_at >= $1 AND closed_at < $2), 0)::text AS revenue
         FROM opportunities`,
        [WINDOW.from, WINDOW.to],
      );
      for (const model of models) {
        const q = query(model, scope);
        const report = await campaignPerformance(serviceContext(db), q);
        const rowRevenue = report.rows.reduce((sum, r) => sum + cents(r.attributedRevenue), 0n);
        expect(rowRevenue).toBe(cents(report.totals.attributedRevenue));
        expect(cents(report.totals.attributedRevenue) + cents(report.unattributedRevenue)).toBe(cents(report.totalRevenue));
        expect(cents(report.totalRevenue)).toBe(cents(expected!.revenue));
        expect(report.rows.every((r) => cents(r.attributedRevenue) >= 0n)).toBe(true);
        const wins = report.rows.reduce((sum, r) => sum + (r.attributedWins ?? 0), 0);
        expect(report.totals.attributedWins).toBeCloseTo(wins, 9);
        if (model !== AttributionModel.DATA_DRIVEN) {
          const rowPipeline = report.rows.reduce((sum, r) => sum + cents(r.attributedPipeline), 0n);
          expect(rowPipeline).toBe(cents(report.totals.attributedPipeline));
          expect(cents(report.totals.attributedPipeline) + cents(report.unattributedPipeline)).toBe(cents(report.totalPipeline));
          expect(cents(report.totalPipeline)).toBe(cents(expected!.pipeline));
        }
        const channels = await channelPerformance(serviceContext(db), q);
        expect(channels.totals).toEqual(report.totals);
      }
    });

    it(`agrees with a literal re-implementation of every rule-based model (${scope})`, async () => {
      for (const model of models.filter((m) => m !== AttributionModel.DATA_DRIVEN)) {
        const q = query(model, scope);
        const report = await campaignPerformance(serviceContext(db), q);
        for (const measure of ['PIPELINE', 'REVENUE'] as const) {
          const reference = referenceCredits(data, q.models[0]!, scope, measure);
          for (const row of report.rows) {
            const actual = Number(cents(measure === 'PIPELINE' ? row.attributedPipeline : row.attributedRevenue));
            // largest remainder moves a share by less than a cent; floats add a hair
            expect(Math.abs(actual - (reference.get(Number(row.campaign.id)) ?? 0))).toBeLessThan(1.000001);
          }
        }
      }
    });

    it(`keeps every weight in [0, 1], each journey summing to 1 (${scope})`, async () => {
      const q = { ...query(AttributionModel.LINEAR, scope), models: models.filter((m) => m !== AttributionModel.DATA_DRIVEN).map((m): ModelSpec => modelSpec('input', m, CUSTOM)) };
      const rows = await queryJourneyWeights(serviceContext(db), q);
      expect(rows.length).toBeGreaterThan(1000);
      const sums = new Map<string, number>();
      for (const r of rows) {
        const w = Number(r.weight);
        expect(w).toBeGreaterThanOrEqual(0);
        expect(w).toBeLessThanOrEqual(1);
        const key = `${r.model}/${r.measure}/${r.opportunityId}`;
        sums.set(key, (sums.get(key) ?? 0) + w);
      }
      for (const sum of sums.values()) expect(sum).toBeCloseTo(1, 12);
      const fractions = [...(await queryMarkovTransitions(serviceContext(db), q)).values()].flatMap((counts) => [...markovCreditFractions(counts).values()]);
      expect(fractions.length).toBeGreaterThan(0);
      for (const fraction of fractions) expect(fraction >= 0 && fraction <= 1).toBe(true);
      expect(fractions.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    });
  }
});
