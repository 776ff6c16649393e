/**
 * (g) The backtest of a draft qualification policy over the 12 months of the other reports:
 * the heaviest path (the draft stored in a transaction, every cohort lead scored at every
 * evaluation time of the window with decay, outcomes, feedback, deals, months and bands read,
 * the transaction rolled back). Its target is the metric budget of (c)-(e): p50 <= 250 ms.
 */
import type { Scenario } from './scenarios';
import { AS_OF, WINDOW } from './scenarios';

/** A realistic draft: fit on segment and title, engagement on high-intent touches and on any touch, decayed. */
export const BACKTEST_DRAFT = {
  fitRules: [
    { attribute: 'account.segment', operator: 'IN', values: [{ type: 'TEXT', value: 'ENTERPRISE' }, { type: 'TEXT', value: 'MID_MARKET' }], points: 20 },
    { attribute: 'lead.jobTitle', operator: 'CONTAINS', values: [{ type: 'TEXT', value: 'vp' }, { type: 'TEXT', value: 'director' }, { type: 'TEXT', value: 'head' }], points: 15 },
  ],
  engagementRules: [
    { touchKinds: ['FORM_FILL', 'WEBINAR_ATTENDED', 'EVENT_ATTENDED', 'MEETING'], channels: [], points: 10 },
    { touchKinds: [], channels: [], points: 2 },
  ],
  engagementHalfLifeDays: 30,
  engagementCap: 60,
};

const BACKTEST_QUERY = `query Backtest($policy: QualificationBacktestPolicyInput!, $from: DateTime!, $to: DateTime!, $asOf: DateTime) {
  qualificationBacktest(policy: $policy, from: $from, to: $to, asOf: $asOf) {
    cohort cohortReachedSql cohortReachedCustomer
    predicted { leads reachedSal reachedSql reachedOpportunity reachedCustomer accepted rejected wonOpportunities wonRevenue }
    actual { leads reachedSql reachedCustomer wonRevenue }
    both { leads } predictedOnly { leads } actualOnly { leads }
    precisionSql recallSql precisionCustomer recallCustomer
    months { monthStart predictedMqls actualMqls attainment }
    scoreBands { scoreFrom leads sqlShare customerShare }
  }
}`;

export function backtestScenario(): Scenario {
  return {
    key: 'g',
    label: '(g) qualificationBacktest of a draft, 12 months',
    bodies: [
      JSON.stringify({
        query: BACKTEST_QUERY,
        variables: { policy: { draft: BACKTEST_DRAFT, mqlThreshold: 50, monthlyMqlTarget: 100 }, from: WINDOW.from, to: WINDOW.to, asOf: AS_OF },
      }),
    ],
    check: (data) => {
      const report = data.qualificationBacktest as { cohort?: number; months?: unknown[] } | undefined;
      if (!report?.cohort) return 'empty cohort';
      return report.months?.length === 12 ? null : `expected 12 months, got ${report.months?.length ?? 0}`;
    },
  };
}
