import { Client } from 'pg';
import { checkBacktestWindow } from '../../src/qualification/backtest.args';
import { qualificationBacktest } from '../../src/qualification/backtest.service';
import { insertPolicy } from '../../src/qualification/policy-store';
import type { QualificationPolicyInput } from '../../src/qualification/policy.types';
import { loadDemoData } from '../../src/seed/load-demo';
import { BACKTEST_DRAFT } from '../../bench/backtest-scenario';
import { createTestDatabase, TestDatabase } from '../helpers/db';

/**
 * The backtest finds its predicted MQLs in one pass of its own (the rules matched per kind and
 * channel, double-precision running sums, the exact sums near a bar): on the demo company (size
 * S) they must be exactly the leads and times of the definition, qualification_qualifying_at
 * over the cohort, month by month, under decay, windows, caps and minimums, with ties on a bar
 * (integer points without decay, whole points at a touch's own instant under decay, an
 * engagement at its cap: all decided exactly without the exact sums) and a half-life so short
 * that the estimate gives up (more than 900 half-lives after createdAt: the exact sums).
 */

jest.setTimeout(180_000);
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  const client = new Client({ connectionString: db.url });
  await client.connect();
  try {
    await loadDemoData(client, { size: 'S' });
  } finally {
    await client.end();
  }
});
afterAll(() => db?.drop());

const asOf = '2026-11-01T00:00:00Z';

/** The definition's predicted MQLs of the cohort (the backtest's cohort, restated), by month. */
async function definition(policyId: string, from: string, to: string) {
  const rows = await db.sql<{ month: string; predicted: number; both: number }>(
    `WITH cohort AS (
       SELECT l.id, l.mql_at FROM leads l
        WHERE (l.sal_at IS NULL OR l.sal_at >= $2)
          AND ((l.created_at >= $2 AND l.created_at < $3)
               OR EXISTS (SELECT 1 FROM touchpoints t WHERE t.lead_id = l.id AND t.occurred_at >= $2 AND t.occurred_at < $3)))
     SELECT to_char(date_trunc('month', q.at AT TIME ZONE 'UTC'), 'YYYY-MM') AS month, count(*)::int AS predicted,
            count(*) FILTER (WHERE c.mql_at >= $2 AND c.mql_at < $3)::int AS both
       FROM qualification_qualifying_at($1, ARRAY(SELECT id FROM cohort), $2, $3) q
       JOIN cohort c ON c.id = q.lead_id
      GROUP BY 1 ORDER BY 1`,
    [policyId, from, to],
  );
  return {
    months: rows.map((r) => ({ month: r.month, predicted: r.predicted })),
    predicted: rows.reduce((n, r) => n + r.predicted, 0),
    both: rows.reduce((n, r) => n + r.both, 0),
  };
}

const year = { from: '2025-11-01T00:00:00Z', to: '2026-11-01T00:00:00Z' };
const quarter = { from: '2026-08-01T00:00:00Z', to: '2026-11-01T00:00:00Z' };

const policies: [string, QualificationPolicyInput, number, { from: string; to: string }][] = [
  ['the bench draft: 30-day half-life, engagement cap 60', BACKTEST_DRAFT as unknown as QualificationPolicyInput, 50, year],
  [
    'a 7-day half-life inside a 90-day window, fit cap 25, negative points',
    {
      fitRules: [
        { attribute: 'account.segment', operator: 'EQUALS' as never, values: [{ type: 'TEXT' as never, value: 'ENTERPRISE' }], points: 30 },
        { attribute: 'account.industry', operator: 'EXISTS' as never, values: [], points: -3 },
      ],
      engagementRules: [{ touchKinds: [], channels: [], points: 7 }, { touchKinds: [], channels: ['EMAIL' as never], points: 1 }],
      engagementHalfLifeDays: 7,
      engagementWindowDays: 90,
      fitCap: 25,
    },
    20,
    year,
  ],
  [
    'no decay, a 14.5-day window, integer points: many times exactly on the bar',
    {
      fitRules: [],
      engagementRules: [{ touchKinds: [], channels: [], points: 5 }, { touchKinds: ['CALL' as never], channels: [], points: 0 }],
      engagementWindowDays: 14.5,
    },
    25,
    year,
  ],
  [
    'kinds on channels, minimums and an engagement cap, no decay',
    {
      fitRules: [{ attribute: 'lead.jobTitle', operator: 'CONTAINS' as never, values: [{ type: 'TEXT' as never, value: 'vp' }], points: 10 }],
      engagementRules: [
        { touchKinds: ['FORM_FILL' as never, 'MEETING' as never], channels: ['EVENT' as never, 'WEBINAR' as never, 'PAID_SEARCH' as never], points: 5 },
        { touchKinds: ['WEB_VISIT' as never], channels: [], points: 1 },
        { touchKinds: [], channels: ['EMAIL' as never], points: 3 },
      ],
      minFit: 0,
      minEngagement: 6,
      engagementCap: 40,
    },
    12,
    year,
  ],
  [
    'a 30-day half-life with whole points: on the bar at a touch’s own instant (decided exactly)',
    {
      fitRules: [{ attribute: 'account.segment', operator: 'EQUALS' as never, values: [{ type: 'TEXT' as never, value: 'ENTERPRISE' }], points: 20 }],
      engagementRules: [{ touchKinds: [], channels: [], points: 10 }],
      engagementHalfLifeDays: 30,
    },
    30,
    year,
  ],
  [
    'a 30-day half-life with the engagement capped at 10: on the bar at the cap (decided exactly)',
    {
      fitRules: [{ attribute: 'account.segment', operator: 'EQUALS' as never, values: [{ type: 'TEXT' as never, value: 'ENTERPRISE' }], points: 20 }],
      engagementRules: [{ touchKinds: [], channels: [], points: 6 }],
      engagementHalfLifeDays: 30,
      engagementCap: 10,
    },
    30,
    year,
  ],
  [
    'a 1.2-hour half-life: past 900 half-lives after createdAt the estimate gives up',
    { fitRules: [], engagementRules: [{ touchKinds: [], channels: [], points: 20 }], engagementHalfLifeDays: 0.05 },
    12,
    quarter,
  ],
];

describe.each(policies)('predicted MQLs under %s', (_name, policy, threshold, window) => {
  it('are the definition’s, month by month', async () => {
    const policyId = await insertPolicy(db.ds.manager, threshold, policy);
    try {
      const w = checkBacktestWindow({ from: new Date(window.from), to: new Date(window.to), asOf: new Date(asOf), bandWidth: 10 });
      const report = await qualificationBacktest({ ds: db.ds }, 'policy', { kind: 'DRAFT', draft: policy, mqlThreshold: threshold, monthlyMqlTarget: 1 }, w);
      const exact = await definition(policyId, window.from, window.to);
      expect(exact.predicted).toBeGreaterThan(10);
      expect(report.predicted.leads).toBe(exact.predicted);
      expect(report.both.leads).toBe(exact.both);
      const months = report.months.filter((m) => m.predictedMqls > 0).map((m) => ({ month: m.monthStart.toISOString().slice(0, 7), predicted: m.predictedMqls }));
      expect(months).toEqual(exact.months);
    } finally {
      await db.sql('DELETE FROM qualification_policies WHERE id = $1', [policyId]);
    }
  });
});
