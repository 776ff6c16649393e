import { GraphQLField, GraphQLObjectType } from 'graphql';
import { DEAL_ATTRIBUTION_COST, metricEstimator } from '../../src/http/metric-cost';

/** What the query cost limit charges a deal's attribution and the deals behind a campaign's row. */
const price = (type: string, field: string, args: Record<string, unknown>) =>
  metricEstimator({
    type: { name: type } as GraphQLObjectType,
    field: { name: field } as GraphQLField<unknown, unknown>,
    args,
    childComplexity: 3,
    node: undefined as never,
  });

describe('the price of deal attribution', () => {
  it('charges a journey per deal, per 90 days of lookback, plus its selection', () => {
    expect(DEAL_ATTRIBUTION_COST).toBe(2);
    // 2 × ceil(90 / 90) + 3
    expect(price('Opportunity', 'attribution', { lookbackDays: 90 })).toBe(5);
    // 2 × ceil(365 / 90) = 2 × 5, + 3
    expect(price('Opportunity', 'attribution', { lookbackDays: 365 })).toBe(13);
    // the longest lookback, 3,650 days: 2 × 41 + 3
    expect(price('Opportunity', 'attribution', { lookbackDays: 3650 })).toBe(85);
  });

  it("charges the deals behind a campaign's row by the page", () => {
    // 5 + 2 × 20 (default page) + 3
    expect(price('CampaignPerformanceRow', 'deals', {})).toBe(48);
    expect(price('CampaignPerformanceRow', 'deals', { first: 100 })).toBe(208);
  });
});
