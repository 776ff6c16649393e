import { Client } from 'pg';
import { checkBacktestWindow } from '../../src/qualification/backtest.args';
import { qualificationBacktest } from '../../src/qualification/backtest.service';
import { insertPolicy } from '../../src/qualification/policy-store';
import type { QualificationPolicyInput } from '../../src/qualification/policy.types';
import { loadDemoData } from '../../src/seed/load-demo';
import { BACKTEST_DRAFT } from '../../bench/backtest-scenario';
import { createTestDatabase, TestDatabase } from '../helpers/db';

/**
 * The score bands place most leads by a double-precision estimate and only those near a band
 * edge by their exact score: on the demo company (size S), with decay, a window and caps, they
 * must be exactly the bands of the exact scores (qualification_scores, strict) of the cohort;
 * without decay (whole points) the estimate is the exact score.
 */

jest.setTimeout(120_000);
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

const from = '2025-11-01T00:00:00Z';
const to = '2026-11-01T00:00:00Z';

/** The bands of the exact scores of the cohort (the backtest's cohort definition, restated). */
async function exactBands(policyId: string, bandWidth: number) {
  return db.sql<{ scoreFrom: number; leads: number }>(
    `WITH cohort AS (
       SELECT l.id FROM leads l
        WHERE (l.sal_at IS NULL OR l.sal_at >= $2)
          AND ((l.created_at >= $2 AND l.created_at < $3)
               OR EXISTS (SELECT 1 FROM touchpoints t WHERE t.lead_id = l.id AND t.occurred_at >= $2 AND t.occurred_at < $3)))
     SELECT (floor(s.score / $4) * $4)::float8 AS "scoreFrom", count(*)::int AS leads
       FROM qualification_scores($1, ARRAY(SELECT id FROM cohort), $3, true) s
      GROUP BY 1 ORDER BY 1`,
    [policyId, from, to, bandWidth],
  );
}

const policies: [string, QualificationPolicyInput, number][] = [
  ['the bench draft: 30-day half-life, engagement cap 60', BACKTEST_DRAFT as unknown as QualificationPolicyInput, 50],
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
  ],
  [
    'a 30-day half-life with the engagement capped at 10: capped scores on band edges, exact',
    {
      fitRules: [
        { attribute: 'account.segment', operator: 'EQUALS' as never, values: [{ type: 'TEXT' as never, value: 'ENTERPRISE' }], points: 20 },
        { attribute: 'lead.jobTitle', operator: 'CONTAINS' as never, values: [{ type: 'TEXT' as never, value: 'vp' }], points: 25 },
      ],
      engagementRules: [{ touchKinds: [], channels: [], points: 6 }],
      engagementHalfLifeDays: 30,
      engagementCap: 10,
    },
    30,
  ],
  [
    'no decay, a 60.5-day window: whole points, the estimate exact',
    { fitRules: [], engagementRules: [{ touchKinds: [], channels: [], points: 10 }, { touchKinds: ['CALL' as never], channels: [], points: 3 }], engagementWindowDays: 60.5 },
    25,
  ],
];

describe.each(policies)('score bands under %s', (_name, policy, threshold) => {
  it.each([1, 3, 10, 25])('equal the exact scores’ bands, %i points wide', async (bandWidth) => {
    const policyId = await insertPolicy(db.ds.manager, threshold, policy);
    try {
      const w = checkBacktestWindow({ from: new Date(from), to: new Date(to), asOf: new Date(to), bandWidth });
      const report = await qualificationBacktest({ ds: db.ds }, 'policy', { kind: 'DRAFT', draft: policy, mqlThreshold: threshold, monthlyMqlTarget: 1 }, w);
      const exact = await exactBands(policyId, bandWidth);
      expect(exact.length).toBeGreaterThan(2);
      expect(report.scoreBands.map((b) => ({ scoreFrom: b.scoreFrom, leads: b.leads }))).toEqual(exact);
      expect(report.scoreBands.reduce((n, b) => n + b.leads, 0)).toBe(report.cohort);
    } finally {
      await db.sql('DELETE FROM qualification_policies WHERE id = $1', [policyId]);
    }
  });
});
