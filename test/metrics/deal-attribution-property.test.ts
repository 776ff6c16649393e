import { BadInputError } from '../../src/graphql/errors';
import { AttributionMeasure, AttributionModel, JourneyScope } from '../../src/metrics/attribution.inputs';
import { modelSpec } from '../../src/metrics/attribution.params';
import { dealAttributionQuery, DealAttributionQuery, queryDealAttributions } from '../../src/metrics/deal-attribution.service';
import { campaignPerformance } from '../../src/metrics/performance.service';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { Fixtures, serviceContext, settings } from './attribution-fixtures';
import { Data, generate, load } from './random-attribution-data';

/*
 * A deal's own credits against campaignPerformance, over random companies (seeded) and a
 * hand-made one, for every rule-based model, both journey scopes and both measures:
 *
 * - a deal's touch credits add up to its campaign credits, and those to its amount, exactly;
 * - a deal's credits are what campaignPerformance shows for a window holding that deal alone;
 * - over a window, the deals' exact (unrounded) credits per campaign, rounded as the report
 *   rounds (largest remainder with the unattributed amount, docs/metrics.md "Conventions"),
 *   are the report's attributed figures to the cent: both come from the same credits;
 * - the deals' rounded credits per campaign add up to the report's figure give or take less
 *   than a cent per deal, and no closer in general: the report rounds the campaigns' sums, a
 *   deal rounds its own shares, and the hand-made case below shows both cannot hold at once.
 */
const WINDOW = { from: '2024-02-01T00:00:00Z', to: '2024-11-01T00:00:00Z' };
const LOOKBACK = 60;
const HALF_LIFE = 5;
const CUSTOM = { first: 0.15, leadConversion: 0.25, opportunityCreation: 0.05, close: 0.35 };
const RULE_MODELS = Object.values(AttributionModel).filter((m) => m !== AttributionModel.DATA_DRIVEN);

// exact decimals as integers at 60 decimal places
const SCALE = 60n;
const ONE = 10n ** SCALE;
function exact(text: string): bigint {
  const [whole = '0', fraction = ''] = text.split('.');
  return BigInt(whole) * ONE + BigInt((fraction + '0'.repeat(Number(SCALE))).slice(0, Number(SCALE)) || '0');
}
const centsOf = (money: string | null) => Math.round(Number(money ?? '0') * 100);

/**
 * The report's rounding (docs/metrics.md, "Conventions"): shares at 12 decimals, floors to the
 * cent, the missing cents to the largest remainders, ties to the unattributed share, then the
 * lowest campaign id. Returns cents by campaign id.
 */
function largestRemainder(shares: Map<string, bigint>, unattributedCents: bigint, totalCents: bigint): Map<string, bigint> {
  const unit12 = 10n ** (SCALE - 12n);
  const rows = [
    { key: null as string | null, at12: unattributedCents * 10n ** 10n },
    ...[...shares].map(([key, share]) => ({ key: key as string | null, at12: (share + unit12 / 2n) / unit12 })),
  ].map((r) => ({ ...r, floor: r.at12 / 10n ** 10n, remainder: r.at12 % 10n ** 10n }));
  let missing = totalCents - rows.reduce((sum, r) => sum + r.floor, 0n);
  const order = [...rows].sort((a, b) =>
    a.remainder !== b.remainder ? (a.remainder > b.remainder ? -1 : 1) : a.key === null ? -1 : b.key === null ? 1 : Number(a.key) - Number(b.key),
  );
  const out = new Map<string, bigint>();
  for (const r of order) {
    const cent = missing > 0n ? 1n : 0n;
    missing -= cent;
    if (r.key !== null) out.set(r.key, r.floor + cent);
  }
  return out;
}

function query(model: AttributionModel, scope: JourneyScope, measure: AttributionMeasure): DealAttributionQuery {
  return {
    model: modelSpec('model', model, CUSTOM),
    measure,
    lookbackDays: LOOKBACK,
    halfLifeDays: HALF_LIFE,
    journeyScope: scope,
  };
}

function report(model: AttributionModel, scope: JourneyScope, measure: AttributionMeasure, from = WINDOW.from, to = WINDOW.to) {
  return settings({ from, to, model, roleWeights: CUSTOM, lookbackDays: LOOKBACK, halfLifeDays: HALF_LIFE, journeyScope: scope, measures: [measure] });
}

describe('deal attribution against campaignPerformance, random companies', () => {
  let db: TestDatabase;
  let data: Data;
  beforeAll(async () => {
    db = await createTestDatabase();
    data = generate(20261202);
    await load(db, data);
  });
  afterAll(() => db.drop());

  const inWindow = (measure: AttributionMeasure) => {
    const from = Date.parse(WINDOW.from);
    const to = Date.parse(WINDOW.to);
    return data.opps.filter((o) => {
      const end = measure === AttributionMeasure.PIPELINE ? o.createdAt : o.closedAt;
      return end !== null && end >= from && end < to && (measure === AttributionMeasure.PIPELINE || o.stage === 'CLOSED_WON');
    });
  };

  for (const scope of [JourneyScope.ACCOUNT, JourneyScope.CONTACTS]) {
    for (const measure of [AttributionMeasure.PIPELINE, AttributionMeasure.REVENUE]) {
      it(`reconciles every rule-based model with the report to the cent (${scope}, ${measure})`, async () => {
        const ctx = serviceContext(db);
        const opps = inWindow(measure);
        expect(opps.length).toBeGreaterThan(50);
        for (const model of RULE_MODELS) {
          const deals = await queryDealAttributions(ctx, query(model, scope, measure), opps.map((o) => String(o.id)));
          expect(deals.size).toBe(opps.length);
          const exactByCampaign = new Map<string, bigint>();
          const roundedByCampaign = new Map<string, number>();
          const dealsByCampaign = new Map<string, number>();
          let unattributed = 0n;
          let total = 0n;
          for (const o of opps) {
            const deal = deals.get(String(o.id))!;
            total += BigInt(o.cents);
            if (deal.touches.length === 0) {
              unattributed += BigInt(o.cents);
              continue;
            }
            // a deal's touches add up to its campaigns, its campaigns to its amount
            expect(deal.campaigns.reduce((s, c) => s + centsOf(c.credit), 0)).toBe(o.cents);
            for (const c of deal.campaigns) {
              const touches = deal.touches.filter((t) => t.campaignId === c.campaignId);
              expect(touches.reduce((s, t) => s + centsOf(t.credit), 0)).toBe(centsOf(c.credit));
              // each rounded credit is its exact share rounded down or up
              const exactCents = Number(exact(c.share) / 10n ** (SCALE - 2n));
              expect(centsOf(c.credit) - exactCents).toBeGreaterThanOrEqual(0);
              expect(centsOf(c.credit) - exactCents).toBeLessThanOrEqual(1);
              exactByCampaign.set(c.campaignId, (exactByCampaign.get(c.campaignId) ?? 0n) + exact(c.share));
              roundedByCampaign.set(c.campaignId, (roundedByCampaign.get(c.campaignId) ?? 0) + centsOf(c.credit));
              dealsByCampaign.set(c.campaignId, (dealsByCampaign.get(c.campaignId) ?? 0) + 1);
            }
          }
          const performance = await campaignPerformance(ctx, report(model, scope, measure));
          const figure = (row: (typeof performance.rows)[number]) => (measure === AttributionMeasure.PIPELINE ? row.attributedPipeline : row.attributedRevenue);
          const rounded = largestRemainder(exactByCampaign, unattributed, total);
          const unattributedFigure = measure === AttributionMeasure.PIPELINE ? performance.unattributedPipeline : performance.unattributedRevenue;
          expect(centsOf(unattributedFigure)).toBe(Number(unattributed));
          let credited = 0;
          for (const row of performance.rows) {
            const id = String(row.campaign.id);
            const cents = centsOf(figure(row));
            if (cents === 0 && !exactByCampaign.has(id)) continue;
            credited++;
            // the same credits, rounded as the report rounds: to the cent
            expect({ model, campaign: id, cents: Number(rounded.get(id) ?? 0n) }).toEqual({ model, campaign: id, cents });
            // the deals' own roundings, summed: within a cent per deal of the campaign
            expect(Math.abs((roundedByCampaign.get(id) ?? 0) - cents)).toBeLessThanOrEqual(dealsByCampaign.get(id) ?? 0);
          }
          expect(credited).toBe(exactByCampaign.size);
        }
      });
    }
  }

  it("gives a deal the credits campaignPerformance shows for a window holding only that deal's journey end", async () => {
    const ctx = serviceContext(db);
    for (const measure of [AttributionMeasure.PIPELINE, AttributionMeasure.REVENUE]) {
      const opps = inWindow(measure);
      const end = (o: (typeof opps)[number]) => (measure === AttributionMeasure.PIPELINE ? o.createdAt : o.closedAt!);
      // deals alone at their instant among all deals the measure counts (any time), with a journey
      const counted = data.opps.filter((o) => measure === AttributionMeasure.PIPELINE || (o.stage === 'CLOSED_WON' && o.closedAt !== null));
      const alone = opps.filter((o) => counted.filter((p) => end(p) === end(o)).length === 1).slice(0, 6);
      expect(alone.length).toBe(6);
      for (const model of RULE_MODELS) {
        for (const scope of [JourneyScope.ACCOUNT, JourneyScope.CONTACTS]) {
          const deals = await queryDealAttributions(ctx, query(model, scope, measure), alone.map((o) => String(o.id)));
          for (const o of alone) {
            const from = new Date(end(o)).toISOString();
            const to = new Date(end(o) + 1).toISOString();
            const performance = await campaignPerformance(ctx, report(model, scope, measure, from, to));
            const shown = Object.fromEntries(
              performance.rows
                .map((r) => [String(r.campaign.id), measure === AttributionMeasure.PIPELINE ? r.attributedPipeline : r.attributedRevenue] as const)
                .filter(([, money]) => centsOf(money) !== 0),
            );
            const own = Object.fromEntries(deals.get(String(o.id))!.campaigns.filter((c) => centsOf(c.credit) !== 0).map((c) => [c.campaignId, c.credit]));
            expect({ model, scope, deal: o.id, credits: own }).toEqual({ model, scope, deal: o.id, credits: shown });
          }
        }
      }
    }
  });

  it('refuses DATA_DRIVEN per deal, naming the model argument', () => {
    const args = { model: AttributionModel.DATA_DRIVEN, journeyScope: JourneyScope.ACCOUNT, lookbackDays: 90, halfLifeDays: 7, measure: AttributionMeasure.REVENUE };
    expect(() => dealAttributionQuery(args)).toThrow(BadInputError);
    expect(() => dealAttributionQuery(args)).toThrow(/^model: DATA_DRIVEN is not defined per deal/);
  });
});

describe('deal attribution against campaignPerformance, by hand', () => {
  let db: TestDatabase;
  let f: Fixtures;
  beforeAll(async () => {
    db = await createTestDatabase();
    f = new Fixtures(db);
  });
  afterAll(() => db.drop());

  it('cannot match both the deal amounts and the report to the cent: two 100.00 deals over three campaigns each', async () => {
    // campaigns 1..6; deal X: touches on 1, 2, 3; deal Y: touches on 4, 5, 6; LINEAR: every share is 33.333...
    const campaigns: string[] = [];
    for (let i = 1; i <= 6; i++) campaigns.push(await f.campaign(`C${i}`));
    const deals: string[] = [];
    for (const [k, day] of [[0, '10'], [3, '11']] as const) {
      const account = await f.account();
      const lead = await f.lead(account);
      for (let i = 0; i < 3; i++) await f.touch(lead, campaigns[k + i]!, `2024-03-0${i + 1}T00:00:00Z`);
      deals.push(await f.opportunity({ accountId: account, amount: '100.00', createdAt: '2024-03-05T00:00:00Z', closedAt: `2024-03-${day}T00:00:00Z` }));
    }
    const ctx = serviceContext(db);
    const own = await queryDealAttributions(ctx, query(AttributionModel.LINEAR, JourneyScope.ACCOUNT, AttributionMeasure.REVENUE), deals);
    // each deal alone: 33.34 / 33.33 / 33.33, the cent to its lowest campaign id
    expect(own.get(deals[0]!)!.campaigns.map((c) => c.credit)).toEqual(['33.34', '33.33', '33.33']);
    expect(own.get(deals[1]!)!.campaigns.map((c) => c.credit)).toEqual(['33.34', '33.33', '33.33']);
    // the report of March: six shares of 33.333..., floors 199.98, two cents missing, all remainders tie: campaigns 1 and 2
    const performance = await campaignPerformance(ctx, report(AttributionModel.LINEAR, JourneyScope.ACCOUNT, AttributionMeasure.REVENUE, '2024-03-01T00:00:00Z', '2024-04-01T00:00:00Z'));
    expect(performance.rows.map((r) => r.attributedRevenue)).toEqual(['33.34', '33.34', '33.33', '33.33', '33.33', '33.33']);
    // so campaign 2 shows 33.34 in the report and 33.33 on its only deal, and campaign 4 the other way round: deal X's
    // credits would have to add up to 100.01 to match the report. The exact credits reconcile instead:
    const shares = new Map<string, bigint>();
    for (const deal of own.values()) for (const c of deal.campaigns) shares.set(c.campaignId, (shares.get(c.campaignId) ?? 0n) + exact(c.share));
    expect([...largestRemainder(shares, 0n, 20000n).values()].map(Number)).toEqual([3334, 3334, 3333, 3333, 3333, 3333]);
  });
});
