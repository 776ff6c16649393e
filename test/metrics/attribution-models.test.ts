import { AttributionModel, JourneyScope, RoleWeightsInput } from '../../src/metrics/attribution.inputs';
import { AttributionQuery, JOURNEY_SOURCES, modelSpec } from '../../src/metrics/attribution.params';
import { queryJourneyWeights } from '../../src/metrics/attribution.service';
import { campaignPerformance } from '../../src/metrics/performance.service';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { Fixtures, serviceContext, settings } from './attribution-fixtures';

const RULE_MODELS = [
  AttributionModel.FIRST_TOUCH,
  AttributionModel.LAST_TOUCH,
  AttributionModel.LINEAR,
  AttributionModel.TIME_DECAY,
  AttributionModel.POSITION_BASED,
  AttributionModel.W_SHAPED,
  AttributionModel.FULL_PATH,
  AttributionModel.CUSTOM,
];
/** CUSTOM weights of these tests: first 0.1, lead conversion 0.2, opportunity creation 0.3, close 0.1 (sum 0.7). */
const CUSTOM: RoleWeightsInput = { first: 0.1, leadConversion: 0.2, opportunityCreation: 0.3, close: 0.1 };

describe('rule-based attribution models', () => {
  let db: TestDatabase;
  let f: Fixtures;
  beforeAll(async () => {
    db = await createTestDatabase();
    f = new Fixtures(db);
  });
  afterAll(() => db.drop());
  beforeEach(() => f.reset());

  /** Every rule-based model at once, with the CUSTOM weights above. */
  function allModels(overrides: Parameters<typeof settings>[0] = {}): AttributionQuery {
    return { ...settings(overrides), models: RULE_MODELS.map((m) => modelSpec('input', m, CUSTOM)) };
  }

  /** weights[model][measure][opportunityId] = the weights of its touches in journey order. */
  async function weightsOf(q: AttributionQuery) {
    const rows = await queryJourneyWeights(serviceContext(db), q);
    const out: Record<string, Record<string, Record<string, number[]>>> = {};
    for (const r of rows) {
      const byMeasure = (out[r.model] ??= {});
      const byOpp = (byMeasure[r.measure] ??= {});
      (byOpp[r.opportunityId] ??= []).push(Number(r.weight));
    }
    return out;
  }

  const expectWeights = (actual: number[] | undefined, expected: number[]) => {
    expect(actual).toHaveLength(expected.length);
    expected.forEach((w, i) => expect(actual![i]).toBeCloseTo(w, 12));
  };

  /**
   * Four won deals, created 2024-03-10, closed 2024-03-20, each at its own account with
   * one lead (mqlAt 2024-03-05) whose touches, one campaign each, fall on these days:
   *   n=1: 03-05                          roles: first=conv=creation=close=1
   *   n=2: 03-05, 03-15                   first=conv=creation=1, close=2
   *   n=3: 03-01, 03-05, 03-15            first=1, conv=creation=2, close=3
   *   n=5: 03-01, 03-05, 03-10, 03-15, 03-20   first=1, conv=2, creation=3 (at creation), close=5 (at close)
   */
  async function journeysOf1235(): Promise<Record<number, string>> {
    const days: Record<number, string[]> = {
      1: ['03-05'],
      2: ['03-05', '03-15'],
      3: ['03-01', '03-05', '03-15'],
      5: ['03-01', '03-05', '03-10', '03-15', '03-20'],
    };
    const opps: Record<number, string> = {};
    for (const n of [1, 2, 3, 5]) {
      const account = await f.account();
      const lead = await f.lead(account, '2024-03-05T00:00:00Z');
      for (const day of days[n]!) await f.touch(lead, await f.campaign(`n${n} ${day}`), `2024-${day}T00:00:00Z`);
      opps[n] = await f.opportunity({ accountId: account, amount: '1000.00', createdAt: '2024-03-10T00:00:00Z', closedAt: '2024-03-20T00:00:00Z' });
    }
    return opps;
  }

  // TIME_DECAY, halfLifeDays 7, end = close 03-20: r = 0.5^(days before 03-20 / 7), w = r / sum r
  const decay = (daysBeforeEnd: number[]) => {
    const r = daysBeforeEnd.map((d) => 0.5 ** (d / 7));
    const sum = r.reduce((a, b) => a + b, 0);
    return r.map((x) => x / sum);
  };

  const EXPECTED_REVENUE: Record<string, Record<number, number[]>> = {
    FIRST_TOUCH: { 1: [1], 2: [1, 0], 3: [1, 0, 0], 5: [1, 0, 0, 0, 0] },
    LAST_TOUCH: { 1: [1], 2: [0, 1], 3: [0, 0, 1], 5: [0, 0, 0, 0, 1] },
    LINEAR: { 1: [1], 2: [0.5, 0.5], 3: [1 / 3, 1 / 3, 1 / 3], 5: [0.2, 0.2, 0.2, 0.2, 0.2] },
    // days before 03-20: n=2: 15, 5; n=3: 19, 15, 5; n=5: 19, 15, 10, 5, 0
    TIME_DECAY: { 1: [1], 2: decay([15, 5]), 3: decay([19, 15, 5]), 5: decay([19, 15, 10, 5, 0]) },
    // U: a lone touch holds both 0.4s, rest 0.2 pro rata -> 1; two touches 0.4+0.1 each;
    // three: 0.4, rest 0.2, 0.4; five: 0.4, 0.2/3 x3, 0.4
    POSITION_BASED: { 1: [1], 2: [0.5, 0.5], 3: [0.4, 0.2, 0.4], 5: [0.4, 0.2 / 3, 0.2 / 3, 0.2 / 3, 0.4] },
    // W: n=2: touch 1 holds first+conv+creation 0.9, touch 2 none -> rest 0.1;
    // n=3: 0.3, 0.6 (conv+creation), rest 0.1; n=5: 0.3, 0.3, 0.3, rest 0.1 / 2 each
    W_SHAPED: { 1: [1], 2: [0.9, 0.1], 3: [0.3, 0.6, 0.1], 5: [0.3, 0.3, 0.3, 0.05, 0.05] },
    // Z: n=2: 0.675 and 0.225, every touch holds a role -> rest pro rata: /0.9 -> 0.75, 0.25;
    // n=3: 0.225, 0.45, 0.225 -> /0.9 -> 0.25, 0.5, 0.25; n=5: 0.225 x3, rest 0.1 to touch 4, 0.225
    FULL_PATH: { 1: [1], 2: [0.75, 0.25], 3: [0.25, 0.5, 0.25], 5: [0.225, 0.225, 0.225, 0.1, 0.225] },
    // CUSTOM 0.1/0.2/0.3/0.1: n=2: 0.6 and 0.1, all hold -> /0.7 -> 6/7, 1/7;
    // n=3: 0.1, 0.5, 0.1 -> /0.7 -> 1/7, 5/7, 1/7; n=5: 0.1, 0.2, 0.3, rest 0.3 to touch 4, 0.1
    CUSTOM: { 1: [1], 2: [6 / 7, 1 / 7], 3: [1 / 7, 5 / 7, 1 / 7], 5: [0.1, 0.2, 0.3, 0.3, 0.1] },
  };

  it('weights journeys of 1, 2, 3 and 5 touches for revenue under every rule-based model', async () => {
    const opps = await journeysOf1235();
    const weights = await weightsOf(allModels());
    for (const model of RULE_MODELS) {
      for (const n of [1, 2, 3, 5]) expectWeights(weights[model]?.REVENUE?.[opps[n]!], EXPECTED_REVENUE[model]![n]!);
    }
  });

  it('weights pipeline journeys, which end at creation and have no close role', async () => {
    const opps = await journeysOf1235();
    const weights = await weightsOf(allModels());
    // pipeline journeys (touches up to 03-10 included): n=1: [03-05]; n=2: [03-05]; n=3: [03-01, 03-05];
    // n=5: [03-01, 03-05, 03-10]; the creation role is the last touch, close undefined.
    const w = (model: string, n: number) => weights[model]?.PIPELINE?.[opps[n]!];
    expectWeights(w('LINEAR', 3), [0.5, 0.5]);
    expectWeights(w('LINEAR', 5), [1 / 3, 1 / 3, 1 / 3]);
    // W, n=5: first 0.3, conv 0.3, creation 0.3, all hold -> 1/3 each
    expectWeights(w('W_SHAPED', 5), [1 / 3, 1 / 3, 1 / 3]);
    // Z, n=3: touch 1 first 0.225, touch 2 conv + creation 0.45 -> /0.675 -> 1/3, 2/3
    expectWeights(w('FULL_PATH', 3), [1 / 3, 2 / 3]);
    // CUSTOM, n=5: 0.1, 0.2, 0.3 (close undefined), all hold -> /0.6 -> 1/6, 1/3, 1/2
    expectWeights(w('CUSTOM', 5), [1 / 6, 1 / 3, 1 / 2]);
    // TIME_DECAY, n=3: days before creation 03-10: 9, 5
    const r = [0.5 ** (9 / 7), 0.5 ** (5 / 7)];
    expectWeights(w('TIME_DECAY', 3), [r[0]! / (r[0]! + r[1]!), r[1]! / (r[0]! + r[1]!)]);
  });

  it.each(JOURNEY_SOURCES)('turns weights into credits per campaign (n=5, 1000.00, W_SHAPED: 300/300/300/50/50; journeys: %s)', async (source) => {
    await journeysOf1235();
    const report = await campaignPerformance(serviceContext(db), settings({ model: AttributionModel.W_SHAPED, source }));
    const byName = new Map(report.rows.map((r) => [r.campaign.name, r.attributedRevenue]));
    expect(['03-01', '03-05', '03-10', '03-15', '03-20'].map((d) => byName.get(`n5 ${d}`))).toEqual([
      '300.00',
      '300.00',
      '300.00',
      '50.00',
      '50.00',
    ]);
    // the four deals: 4 x 1000.00, all explained
    expect(report.totals.attributedRevenue).toBe('4000.00');
    expect(report.totalRevenue).toBe('4000.00');
    expect(report.unattributedRevenue).toBe('0.00');
  });

  it.each(JOURNEY_SOURCES)('breaks ties on occurredAt by touch id (journeys: %s)', async (source) => {
    const account = await f.account();
    const lead = await f.lead(account);
    const [a, b] = [await f.campaign('A'), await f.campaign('B')];
    // same instant; B's touch has the lower id although it is inserted second
    await f.touch(lead, a, '2024-03-01T10:00:00Z', 902);
    await f.touch(lead, b, '2024-03-01T10:00:00Z', 901);
    await f.opportunity({ accountId: account, amount: '10.00', createdAt: '2024-03-10T00:00:00Z', closedAt: '2024-03-20T00:00:00Z' });
    const first = await campaignPerformance(serviceContext(db), settings({ model: AttributionModel.FIRST_TOUCH, source }));
    const last = await campaignPerformance(serviceContext(db), settings({ model: AttributionModel.LAST_TOUCH, source }));
    const credit = (r: typeof first, name: string) => r.rows.find((x) => x.campaign.name === name)?.attributedRevenue;
    expect([credit(first, 'B'), credit(first, 'A')]).toEqual(['10.00', '0.00']); // touch 901 (B) is first
    expect([credit(last, 'B'), credit(last, 'A')]).toEqual(['0.00', '10.00']); // touch 902 (A) is last
  });

  it('keeps touches from createdAt - lookbackDays through the end, and no others', async () => {
    const account = await f.account();
    const lead = await f.lead(account);
    const c = await f.campaign('C');
    // created 2024-04-30T00:00Z, closed 2024-05-10T00:00Z, lookback 30 days -> from 2024-03-31T00:00Z
    await f.touch(lead, c, '2024-03-30T23:59:59.999Z'); // 1 ms too early: out
    const atStart = await f.touch(lead, c, '2024-03-31T00:00:00Z'); // exactly at the lookback: in
    const atCreation = await f.touch(lead, c, '2024-04-30T00:00:00Z'); // at creation: in both journeys
    const afterCreation = await f.touch(lead, c, '2024-04-30T00:00:00.001Z'); // revenue journey only
    const atClose = await f.touch(lead, c, '2024-05-10T00:00:00Z'); // at the close: in
    await f.touch(lead, c, '2024-05-10T00:00:00.001Z'); // after the close: out
    const opp = await f.opportunity({ accountId: account, amount: '1.00', createdAt: '2024-04-30T00:00:00Z', closedAt: '2024-05-10T00:00:00Z' });
    const rows = await queryJourneyWeights(serviceContext(db), settings({ lookbackDays: 30 }));
    const touchesOf = (measure: string) => rows.filter((r) => r.measure === measure && r.opportunityId === opp).map((r) => r.touchId);
    expect(touchesOf('PIPELINE')).toEqual([atStart, atCreation]);
    expect(touchesOf('REVENUE')).toEqual([atStart, atCreation, afterCreation, atClose]);
  });

  it.each(JOURNEY_SOURCES)('reports opportunities with an empty journey as unattributed (journeys: %s)', async (source) => {
    const account = await f.account();
    const lead = await f.lead(account);
    const c = await f.campaign('C');
    await f.touch(lead, c, '2024-06-01T00:00:00Z');
    // explained: 70.00 won; unexplained: 30.00 won at an account nobody touched, 5.00 whose only touch is too old
    await f.opportunity({ accountId: account, amount: '70.00', createdAt: '2024-06-02T00:00:00Z', closedAt: '2024-06-03T00:00:00Z' });
    await f.opportunity({ accountId: await f.account('Quiet'), amount: '30.00', createdAt: '2024-06-02T00:00:00Z', closedAt: '2024-06-03T00:00:00Z' });
    await f.opportunity({ accountId: account, amount: '5.00', createdAt: '2024-12-01T00:00:00Z', closedAt: '2024-12-02T00:00:00Z' });
    for (const model of [...RULE_MODELS.filter((m) => m !== AttributionModel.CUSTOM), AttributionModel.DATA_DRIVEN]) {
      const report = await campaignPerformance(serviceContext(db), settings({ model, source }));
      expect([report.totals.attributedRevenue, report.unattributedRevenue, report.totalRevenue]).toEqual(['70.00', '35.00', '105.00']);
      expect(report.unattributedRevenueShare).toBeCloseTo(35 / 105, 12);
    }
  });

  it.each(JOURNEY_SOURCES)('builds journeys from the whole account or only the deal contacts (journeys: %s)', async (source) => {
    const account = await f.account();
    const other = await f.account('Elsewhere');
    const contact = await f.lead(account);
    const colleague = await f.lead(account); // same account, not on the deal
    const outsider = await f.lead(other); // on the deal, at another account
    const [a, b, c] = [await f.campaign('A'), await f.campaign('B'), await f.campaign('C')];
    await f.touch(contact, a, '2024-03-01T00:00:00Z');
    await f.touch(colleague, b, '2024-03-02T00:00:00Z');
    await f.touch(outsider, c, '2024-03-03T00:00:00Z');
    await f.opportunity({
      accountId: account,
      amount: '90.00',
      createdAt: '2024-03-10T00:00:00Z',
      closedAt: '2024-03-20T00:00:00Z',
      contacts: [contact, outsider],
    });
    const credits = async (journeyScope: JourneyScope) => {
      // the cache holds ACCOUNT journeys only: CONTACTS journeys are always built from the touches
      const from = journeyScope === JourneyScope.ACCOUNT ? source : 'DIRECT';
      const report = await campaignPerformance(serviceContext(db), settings({ model: AttributionModel.LINEAR, journeyScope, source: from }));
      return Object.fromEntries(report.rows.map((r) => [r.campaign.name, r.attributedRevenue]));
    };
    // ACCOUNT: the account's leads (contact, colleague) -> A and B 45.00 each; C's lead works elsewhere
    expect(await credits(JourneyScope.ACCOUNT)).toEqual({ A: '45.00', B: '45.00', C: '0.00' });
    // CONTACTS: the deal's contacts (contact, outsider) -> A and C 45.00 each
    expect(await credits(JourneyScope.CONTACTS)).toEqual({ A: '45.00', B: '0.00', C: '45.00' });
  });

  it('handles W-shaped and full-path journeys with missing and coinciding roles', async () => {
    const makeDeal = async (touchDays: string[], mqlAts: (string | null)[], createdDay: string) => {
      const account = await f.account();
      const leads = [];
      for (const mql of mqlAts) leads.push(await f.lead(account, mql));
      for (const [i, day] of touchDays.entries()) {
        await f.touch(leads[i % leads.length]!, await f.campaign(`t${i}`), `2024-${day}T00:00:00Z`);
      }
      return f.opportunity({ accountId: account, amount: '1.00', createdAt: `2024-${createdDay}T00:00:00Z`, closedAt: '2024-03-20T00:00:00Z' });
    };
    // no mqlAt: lead conversion undefined. Touches 03-01, 03-05, 03-15, created 03-10:
    // W: first 0.3, creation (03-05) 0.3, touch 3 holds none -> 0.4. Z: 0.225 first, creation, close -> 1/3 each.
    const noMql = await makeDeal(['03-01', '03-05', '03-15'], [null], '03-10');
    // every touch after creation (03-12, 03-15; created 03-10): creation undefined; mqlAt 03-13 -> conversion = touch 1.
    // W: touch 1 first + conv 0.6, touch 2 rest 0.4. Z: 0.45 and 0.225 (close), all hold -> 2/3, 1/3.
    const noCreation = await makeDeal(['03-12', '03-15'], ['2024-03-13T00:00:00Z'], '03-10');
    // mqlAt before every touch: conversion undefined, like noMql.
    const earlyMql = await makeDeal(['03-01', '03-05', '03-15'], ['2024-02-01T00:00:00Z'], '03-10');
    // two leads, touches alternate (lead 1: 03-01, 03-08; lead 2: 03-04); mqlAts 03-09 and 03-04:
    // the earliest, 03-04, picks touch 2 (03-04) for conversion; creation (03-10) = touch 3 (03-08).
    // W: 0.3, 0.3, 0.3, all hold -> 1/3 each. Z (close = touch 3 too): 0.225, 0.225, 0.45 -> 0.25, 0.25, 0.5.
    const earliestMql = await makeDeal(['03-01', '03-04', '03-08'], ['2024-03-09T00:00:00Z', '2024-03-04T00:00:00Z'], '03-10');
    const weights = await weightsOf(allModels());
    const w = (model: string, opp: string) => weights[model]?.REVENUE?.[opp];
    expectWeights(w('W_SHAPED', noMql), [0.3, 0.3, 0.4]);
    expectWeights(w('FULL_PATH', noMql), [1 / 3, 1 / 3, 1 / 3]);
    expectWeights(w('W_SHAPED', noCreation), [0.6, 0.4]);
    expectWeights(w('FULL_PATH', noCreation), [2 / 3, 1 / 3]);
    expectWeights(w('W_SHAPED', earlyMql), [0.3, 0.3, 0.4]);
    expectWeights(w('W_SHAPED', earliestMql), [1 / 3, 1 / 3, 1 / 3]);
    expectWeights(w('FULL_PATH', earliestMql), [0.25, 0.25, 0.5]);
  });

  it('gives the rest equally to role-less touches when custom weights are all zero (linear)', async () => {
    const opps = await journeysOf1235();
    const q = { ...settings(), models: [modelSpec('input', AttributionModel.CUSTOM, { first: 0, leadConversion: 0, opportunityCreation: 0, close: 0 })] };
    const weights = await weightsOf(q);
    expectWeights(weights.CUSTOM?.REVENUE?.[opps[5]!], [0.2, 0.2, 0.2, 0.2, 0.2]);
    // and a weight of exactly 1 on one role: first-touch
    const firstOnly = { ...settings(), models: [modelSpec('input', AttributionModel.CUSTOM, { first: 1, leadConversion: 0, opportunityCreation: 0, close: 0 })] };
    expectWeights((await weightsOf(firstOnly)).CUSTOM?.REVENUE?.[opps[3]!], [1, 0, 0]);
  });
});
