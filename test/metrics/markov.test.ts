import { AttributionMeasure, AttributionModel } from '../../src/metrics/attribution.inputs';
import { JOURNEY_SOURCES } from '../../src/metrics/attribution.params';
import { queryMarkovTransitions } from '../../src/metrics/attribution.service';
import { CONVERSION, markovCreditFractions, NULL_STATE, parseTransitions, solveMarkov, START, TransitionCount, transitionCounts, transitionTable } from '../../src/metrics/markov';
import { campaignPerformance } from '../../src/metrics/performance.service';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { Fixtures, serviceContext, settings } from './attribution-fixtures';
import { mulberry32 } from './prng';

const t = (fromState: string, toState: string, transitions: number): TransitionCount => ({ fromState, toState, transitions });

/**
 * Hand example. Paths: START->A->B->CONV, START->A->NULL, START->B->CONV.
 * P(START->A) = 2/3, P(START->B) = 1/3, P(A->B) = 1/2, P(A->NULL) = 1/2, P(B->CONV) = 1.
 * x_B = 1, x_A = 1/2, P = 2/3 * 1/2 + 1/3 * 1 = 2/3.
 * Without A: START->A goes to NULL, P_-A = 1/3 * 1 = 1/3, RE(A) = 1 - (1/3)/(2/3) = 1/2.
 * Without B: every conversion passes B, P_-B = 0, RE(B) = 1.
 * Shares: A = (1/2)/(3/2) = 1/3, B = 1/(3/2) = 2/3.
 */
const HAND_EXAMPLE = [t(START, 'A', 2), t(START, 'B', 1), t('A', 'B', 1), t('A', NULL_STATE, 1), t('B', CONVERSION, 2)];

/** P(reach CONVERSION from START) by value iteration, with transitions into `removed` sent to NULL. */
function iterate(counts: TransitionCount[], removed?: string): number {
  const out = new Map<string, number>();
  for (const c of counts) out.set(c.fromState, (out.get(c.fromState) ?? 0) + c.transitions);
  const value = new Map<string, number>([[CONVERSION, 1]]);
  for (let round = 0; round < 5000; round++) {
    const next = new Map<string, number>([[CONVERSION, 1]]);
    for (const c of counts) {
      const target = c.toState === removed ? 0 : (value.get(c.toState) ?? 0);
      next.set(c.fromState, (next.get(c.fromState) ?? 0) + (c.transitions / out.get(c.fromState)!) * target);
    }
    value.clear();
    for (const [k, v] of next) value.set(k, v);
  }
  return value.get(START) ?? 0;
}

describe('Markov removal-effect solver', () => {
  it('solves the hand example exactly', () => {
    const { conversionProbability, removalEffects } = solveMarkov(HAND_EXAMPLE);
    expect(conversionProbability).toBeCloseTo(2 / 3, 14);
    expect(removalEffects.get('A')).toBeCloseTo(1 / 2, 14);
    expect(removalEffects.get('B')).toBeCloseTo(1, 14);
    const fractions = markovCreditFractions(HAND_EXAMPLE);
    expect(fractions.get('A')).toBeCloseTo(1 / 3, 14);
    expect(fractions.get('B')).toBeCloseTo(2 / 3, 14);
  });

  it('is not changed by self-transitions', () => {
    // START->A->A->CONV and START->A->NULL: P(A->A) = 1/3 changes nothing; removing A removes everything
    const fractions = markovCreditFractions([t(START, 'A', 2), t('A', 'A', 1), t('A', CONVERSION, 1), t('A', NULL_STATE, 1)]);
    expect(fractions.get('A')).toBeCloseTo(1, 14);
    expect(solveMarkov([t(START, 'A', 2), t('A', 'A', 1), t('A', CONVERSION, 1), t('A', NULL_STATE, 1)]).conversionProbability).toBeCloseTo(1 / 2, 14);
  });

  it('reads the steps as text into a compact table, and solves it as the list', () => {
    const text = HAND_EXAMPLE.map((c) => `${c.fromState} ${c.toState} ${c.transitions}`).join(' ');
    const table = parseTransitions(text);
    expect(transitionCounts(table)).toEqual(HAND_EXAMPLE);
    expect(transitionCounts(transitionTable(HAND_EXAMPLE))).toEqual(HAND_EXAMPLE);
    // states are numbered once each, however many steps name them
    expect(table.states.length).toBe(new Set(HAND_EXAMPLE.flatMap((c) => [c.fromState, c.toState])).size);
    expect(solveMarkov(table)).toEqual(solveMarkov(HAND_EXAMPLE));
    expect(transitionCounts(parseTransitions(''))).toEqual([]);
    expect(() => parseTransitions('START 12')).toThrow('not three per step');
    expect(() => parseTransitions('START 12 x')).toThrow('bad count in step 1');
  });

  it('gives no credit when nothing converts (P = 0)', () => {
    const counts = [t(START, 'A', 1), t('A', NULL_STATE, 1)];
    expect(solveMarkov(counts).conversionProbability).toBe(0);
    expect(solveMarkov(counts).removalEffects.get('A')).toBe(0);
    expect(markovCreditFractions(counts).size).toBe(0);
  });

  it('matches removal by value iteration on random chains, loops included', () => {
    const random = mulberry32(7);
    for (let trial = 0; trial < 25; trial++) {
      const campaigns = ['1', '2', '3', '4', '5'].slice(0, 2 + Math.floor(random() * 4));
      const counts: TransitionCount[] = [];
      for (let path = 0; path < 12; path++) {
        let from = START;
        const length = 1 + Math.floor(random() * 4);
        for (let i = 0; i < length; i++) {
          const to = campaigns[Math.floor(random() * campaigns.length)]!;
          counts.push(t(from, to, 1));
          from = to;
        }
        counts.push(t(from, random() < 0.5 ? CONVERSION : NULL_STATE, 1));
      }
      const { conversionProbability, removalEffects } = solveMarkov(counts);
      const p = iterate(counts);
      expect(conversionProbability).toBeCloseTo(p, 9);
      for (const c of new Set(counts.map((x) => x.toState).filter((s) => campaigns.includes(s)))) {
        const expected = p > 0 ? 1 - iterate(counts, c) / p : 0;
        expect(removalEffects.get(c)).toBeCloseTo(expected, 9);
      }
    }
  });
});

describe.each(JOURNEY_SOURCES)('DATA_DRIVEN attribution (journeys: %s)', (source) => {
  let db: TestDatabase;
  let f: Fixtures;
  beforeAll(async () => {
    db = await createTestDatabase();
    f = new Fixtures(db);
  });
  afterAll(() => db.drop());
  beforeEach(() => f.reset());

  /** The hand example as deals: A then B won 300.00, A lost, B won 600.00, plus 50.00 won untouched. */
  async function handExample() {
    const [a, b] = [await f.campaign('A'), await f.campaign('B')];
    const deal = async (campaigns: string[], amount: string, stage: string) => {
      const account = await f.account();
      const lead = await f.lead(account);
      for (const [i, c] of campaigns.entries()) await f.touch(lead, c, `2024-05-0${i + 1}T00:00:00Z`);
      await f.opportunity({ accountId: account, amount, createdAt: '2024-05-10T00:00:00Z', closedAt: '2024-05-20T00:00:00Z', stage });
    };
    await deal([a, b], '300.00', 'CLOSED_WON');
    await deal([a], '999.00', 'CLOSED_LOST');
    await deal([b], '600.00', 'CLOSED_WON');
    await deal([], '50.00', 'CLOSED_WON');
    return { a, b };
  }

  it('counts the transitions of every closed path in SQL', async () => {
    const { a, b } = await handExample();
    const byPeriod = await queryMarkovTransitions(serviceContext(db), settings({ model: AttributionModel.DATA_DRIVEN, source }));
    const counts = [...byPeriod.values()].flatMap(transitionCounts).map((c) => `${c.fromState}>${c.toState}:${c.transitions}`);
    expect(counts.sort()).toEqual(
      [`START>${a}:2`, `START>${b}:1`, `${a}>${b}:1`, `${a}>NULL:1`, `${b}>CONVERSION:2`].sort(),
    );
  });

  it('shares the won amount with non-empty journeys by removal effect', async () => {
    await handExample();
    const report = await campaignPerformance(serviceContext(db), settings({ model: AttributionModel.DATA_DRIVEN, source }));
    // 900.00 won with journeys: A 1/3 -> 300.00, B 2/3 -> 600.00; wins: 2 x 1/3 and 2 x 2/3
    expect(report.rows.map((r) => [r.campaign.name, r.attributedRevenue, r.attributedPipeline])).toEqual([
      ['A', '300.00', null],
      ['B', '600.00', null],
    ]);
    expect(report.rows[0]!.attributedWins).toBeCloseTo(2 / 3, 9);
    expect(report.rows[1]!.attributedWins).toBeCloseTo(4 / 3, 9);
    expect([report.unattributedRevenue, report.totalRevenue, report.totals.attributedRevenue]).toEqual(['50.00', '950.00', '900.00']);
    // pipeline is not defined under DATA_DRIVEN
    expect([report.totals.attributedPipeline, report.unattributedPipeline, report.totalPipeline]).toEqual([null, null, null]);
  });

  it('refuses DATA_DRIVEN for pipeline alone', () => {
    expect(() => settings({ model: AttributionModel.DATA_DRIVEN, measures: [AttributionMeasure.PIPELINE] })).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'input.measures' }) }),
    );
  });
});
