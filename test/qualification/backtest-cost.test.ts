import { GraphQLField, GraphQLObjectType } from 'graphql';
import { metricEstimator } from '../../src/http/metric-cost';

/** What the query cost limit charges a backtest (README, "What a metric costs"). */
const price = (type: string, field: string, args: Record<string, unknown>) =>
  metricEstimator({
    type: { name: type } as GraphQLObjectType,
    field: { name: field } as GraphQLField<unknown, unknown>,
    args,
    childComplexity: 2,
    node: undefined as never,
  });

describe('the price of a backtest', () => {
  const year = { from: new Date('2025-01-01T00:00:00Z'), to: new Date('2026-01-01T00:00:00Z') };

  it('is 3 × (10 + days) + months, plus its selection', () => {
    // 3 × (10 + 365) + ceil(365 / 30.44) = 1,125 + 12, + 2 for the selection
    expect(price('Query', 'qualificationBacktest', year)).toBe(1139);
    expect(price('AlignmentAgreement', 'backtest', year)).toBe(1139);
  });

  it('doubles for two policies', () => {
    expect(price('Query', 'qualificationBacktestCompare', year)).toBe(2 * 1137 + 2);
    expect(price('AlignmentAgreement', 'backtestAgainstInForce', year)).toBe(2 * 1137 + 2);
  });

  it('prices a window it cannot read as ten years', () => {
    // 3 × (10 + 3,653) + ceil(3,653 / 30.44) = 10,989 + 121
    expect(price('Query', 'qualificationBacktest', { from: 'x', to: year.to })).toBe(11_112);
  });
});
