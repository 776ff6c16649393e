import { Role } from '../../src/auth/roles';
import { MetricWorkGate } from '../../src/db/metric-work';
import { withTransaction } from '../../src/db/with-transaction';
import { checkBacktestWindow } from '../../src/qualification/backtest.args';
import { qualificationBacktest } from '../../src/qualification/backtest.service';
import { insertPolicy } from '../../src/qualification/policy-store';
import type { QualificationPolicyInput } from '../../src/qualification/policy.types';
import { createTestApp, TestApp } from '../helpers/app';
import { gid } from '../helpers/core-fixtures';

/**
 * The backtest of a policy (docs/metrics.md, "Backtest of a policy") on a hand-worked history.
 * Window [Jan 15, Mar 1) 2024, asOf Apr 1 2024. Every figure below is worked out by hand in
 * the comments; leads that never became MQLs are DISQUALIFIED (the backtest ignores stages,
 * and no automatic qualification touches them).
 *
 * Policy P (agreement v2, proposed; and the same as a draft):
 *   fit: account.segment EQUALS "enterprise" +20; lead.jobTitle CONTAINS "student" -50
 *   engagement: FORM_FILL (any channel) 15; any kind on EMAIL 5; no decay, no window
 *   threshold 30, monthly target 4
 * Policy Q (agreement v1, approved, in force from Jan 1): any touch 10; threshold 20; target 3.
 */

let app: TestApp;
const ids: Record<string, string> = {};
let v1 = '';
let v2 = '';

const P: QualificationPolicyInput = {
  fitRules: [
    { attribute: 'account.segment', operator: 'EQUALS' as never, values: [{ type: 'TEXT' as never, value: 'enterprise' }], points: 20 },
    { attribute: 'lead.jobTitle', operator: 'CONTAINS' as never, values: [{ type: 'TEXT' as never, value: 'student' }], points: -50 },
  ],
  engagementRules: [
    { touchKinds: ['FORM_FILL' as never], channels: [], points: 15 },
    { touchKinds: [], channels: ['EMAIL' as never], points: 5 },
  ],
};
const Q: QualificationPolicyInput = { fitRules: [], engagementRules: [{ touchKinds: [], channels: [], points: 10 }] };

/** P as GraphQL input. */
const P_INPUT = {
  fitRules: [
    { attribute: 'account.segment', operator: 'EQUALS', values: [{ type: 'TEXT', value: 'enterprise' }], points: 20 },
    { attribute: 'lead.jobTitle', operator: 'CONTAINS', values: [{ type: 'TEXT', value: 'student' }], points: -50 },
  ],
  engagementRules: [
    { touchKinds: ['FORM_FILL'], channels: [], points: 15 },
    { touchKinds: [], channels: ['EMAIL'], points: 5 },
  ],
};

const WINDOW = { from: '2024-01-15T00:00:00.000Z', to: '2024-03-01T00:00:00.000Z', asOf: '2024-04-01T00:00:00.000Z' };
const day = (d: string) => `2024-${d}T00:00:00Z`;

async function one(sql: string, params: unknown[]): Promise<string> {
  const [row] = await app.db.sql<{ id: string }>(sql, params);
  if (!row) throw new Error('no row');
  return row.id;
}

interface LeadRow {
  name: string;
  account?: string | null;
  title?: string;
  stage: string;
  created: string;
  mql?: string;
  sal?: string;
  sql?: string;
  opp?: string;
  customer?: string;
}

async function lead(l: LeadRow): Promise<string> {
  const id = await one(
    `INSERT INTO leads (email, account_id, title, stage, created_at, mql_at, sal_at, sql_at, opportunity_at, customer_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
    [`${l.name}-${process.pid}@backtest.test`, l.account ?? null, l.title ?? null, l.stage, l.created, l.mql ?? null, l.sal ?? null, l.sql ?? null, l.opp ?? null, l.customer ?? null],
  );
  ids[l.name] = id;
  return id;
}

const touch = (leadId: string, campaignId: string, kind: string, at: string) =>
  one(`INSERT INTO touchpoints (lead_id, campaign_id, kind, occurred_at) VALUES ($1, $2, $3, $4) RETURNING id`, [leadId, campaignId, kind, at]);
const feedback = (leadId: string, disposition: 'ACCEPTED' | 'REJECTED', at: string) =>
  one(`INSERT INTO lead_feedback (lead_id, disposition, reason, given_at) VALUES ($1, $2, $3, $4) RETURNING id`, [
    leadId, disposition, disposition === 'REJECTED' ? 'BAD_TIMING' : null, at,
  ]);
async function deal(accountId: string, stage: string, amount: string, created: string, closed: string, contacts: string[]): Promise<string> {
  const id = await one(
    `INSERT INTO opportunities (account_id, name, kind, stage, amount, created_at, closed_at) VALUES ($1, 'Deal', 'NEW_BUSINESS', $2, $3, $4, $5) RETURNING id`,
    [accountId, stage, amount, created, closed],
  );
  for (const c of contacts) await app.db.sql('INSERT INTO opportunity_contacts (opportunity_id, lead_id) VALUES ($1, $2)', [id, c]);
  return id;
}

beforeAll(async () => {
  app = await createTestApp();
  const db = app.db;
  const user = await one(`INSERT INTO users (name, email, team) VALUES ('Rev Ops', $1, 'REVENUE_OPS') RETURNING id`, [`ops-${process.pid}@corp.test`]);
  const agreement = async (version: number, policy: QualificationPolicyInput, threshold: number, target: number, effective: string, approved: string | null) => {
    const policyId = await insertPolicy(db.ds.manager, threshold, policy);
    return one(
      `INSERT INTO alignment_agreements (version, effective_from, mql_threshold, follow_up_hours, monthly_mql_target, policy_id,
         marketing_approved_by_id, marketing_approved_at, sales_approved_by_id, sales_approved_at)
       VALUES ($1, $2, $3, 24, $4, $5, $6, $7, $8, $7) RETURNING id`,
      [version, effective, threshold, target, policyId, approved ? user : null, approved, approved ? user : null],
    );
  };
  v1 = await agreement(1, Q, 20, 3, '2024-01-01T00:00:00Z', '2023-12-20T00:00:00Z');
  v2 = await agreement(2, P, 30, 4, '2024-05-01T00:00:00Z', null);

  const ent = await one(`INSERT INTO accounts (name, domain, segment) VALUES ('Ent', $1, 'ENTERPRISE') RETURNING id`, [`ent${process.pid}.test`]);
  const mid = await one(`INSERT INTO accounts (name, domain, segment) VALUES ('Mid', $1, 'MID_MARKET') RETURNING id`, [`mid${process.pid}.test`]);
  const email = await one(`INSERT INTO campaigns (name, channel, owner_team, starts_on) VALUES ('Mail', 'EMAIL', 'MARKETING', '2023-01-01') RETURNING id`, []);
  const webinar = await one(`INSERT INTO campaigns (name, channel, owner_team, starts_on) VALUES ('Web', 'WEBINAR', 'MARKETING', '2023-01-01') RETURNING id`, []);

  // L1 (fit 20): FORM_FILL Jan 25 -> 35 >= 30: predicted Jan 25; mqlAt Jan 26: both, reference Jan 25
  const l1 = await lead({ name: 'L1', account: ent, stage: 'CUSTOMER', created: day('01-20'), mql: day('01-26'), sal: day('01-27'), sql: day('02-01'), opp: day('02-10'), customer: day('03-15') });
  await touch(l1, webinar, 'FORM_FILL', day('01-25'));
  await feedback(l1, 'ACCEPTED', day('01-28'));
  // L2 (fit 20, created before the window, mqlAt Dec 5 before it: not actual): EMAIL_CLICK Feb 5 -> 25;
  // FORM_FILL on EMAIL Feb 10 (15 + 5) -> 45: predicted Feb 10, predicted only
  const l2 = await lead({ name: 'L2', account: ent, stage: 'SQL', created: '2023-12-01T00:00:00Z', mql: '2023-12-05T00:00:00Z', sal: day('02-12'), sql: day('02-20') });
  await touch(l2, email, 'EMAIL_CLICK', day('02-05'));
  await touch(l2, email, 'FORM_FILL', day('02-10'));
  // two verdicts at the same instant: the higher id (REJECTED) is the latest
  await feedback(l2, 'ACCEPTED', day('02-11'));
  await feedback(l2, 'REJECTED', day('02-11'));
  // L3 (fit 0): FORM_FILL Jan 17 -> 15, never predicted; mqlAt Jan 18: actual only, reference Jan 18
  const l3 = await lead({ name: 'L3', account: mid, stage: 'CUSTOMER', created: day('01-16'), mql: day('01-18'), sal: day('01-19'), sql: day('01-25'), opp: day('01-30'), customer: day('03-15') });
  await touch(l3, webinar, 'FORM_FILL', day('01-17'));
  await feedback(l3, 'REJECTED', day('01-17')); // before its reference time: counts for nothing
  // L4 (fit 20, no touch): 20, never predicted; mqlAt Feb 20: actual only; accepted Feb 21
  const l4 = await lead({ name: 'L4', account: ent, stage: 'MQL', created: day('02-15'), mql: day('02-20') });
  await feedback(l4, 'ACCEPTED', day('02-21'));
  // L5 (no account, fit 0): two touches at the same instant Feb 1, FORM_FILL on EMAIL (20) and on
  // WEBINAR (15) -> 35 after both: predicted Feb 1; mqlAt Jan 22 is earlier: both, reference Jan 22
  // (so its SAL on Jan 23 counts)
  const l5 = await lead({ name: 'L5', account: null, stage: 'SAL', created: day('01-20'), mql: day('01-22'), sal: day('01-23') });
  await touch(l5, email, 'FORM_FILL', day('02-01'));
  await touch(l5, webinar, 'FORM_FILL', day('02-01'));
  await feedback(l5, 'REJECTED', day('01-25'));
  await feedback(l5, 'ACCEPTED', day('04-02')); // after asOf: not known yet
  // L6: reached SAL (Jan 10) before from: not in the cohort, though it would qualify
  const l6 = await lead({ name: 'L6', account: ent, stage: 'SAL', created: '2023-11-01T00:00:00Z', mql: '2023-12-01T00:00:00Z', sal: day('01-10') });
  await touch(l6, webinar, 'FORM_FILL', day('01-20'));
  // L7: created before the window, touched only before it: not in the cohort
  const l7 = await lead({ name: 'L7', account: ent, stage: 'DISQUALIFIED', created: '2023-10-01T00:00:00Z' });
  await touch(l7, webinar, 'FORM_FILL', '2023-12-01T00:00:00Z');
  // L8 (fit 0): FORM_FILL on EMAIL Feb 26 -> 20; FORM_FILL Mar 1 is at `to`: no evaluation time in
  // the window, and the score band at `to` counts only touches strictly before it -> 20
  const l8 = await lead({ name: 'L8', account: mid, stage: 'DISQUALIFIED', created: day('02-25') });
  await touch(l8, email, 'FORM_FILL', day('02-26'));
  await touch(l8, webinar, 'FORM_FILL', day('03-01'));
  // L9 (fit 20 - 50 = -30): a student at an enterprise, no touch
  await lead({ name: 'L9', account: ent, title: 'Graduate Student', stage: 'DISQUALIFIED', created: day('02-01') });
  // L10 (fit 20): FORM_FILL Jan 16, before its createdAt Jan 20, counts from the createdAt evaluation
  // on -> 35 at Jan 20: predicted Jan 20; mqlAt Mar 10 after the window: predicted only
  const l10 = await lead({ name: 'L10', account: ent, stage: 'SQL', created: day('01-20'), mql: day('03-10'), sal: day('03-20'), sql: day('03-25'), opp: day('04-05') });
  await touch(l10, webinar, 'FORM_FILL', day('01-16'));
  // L11 (fit 0, no touch): reaches SQL Mar 7 but is in neither set (mqlAt Mar 5 after the window)
  await lead({ name: 'L11', account: mid, stage: 'SQL', created: day('02-01'), mql: day('03-05'), sal: day('03-06'), sql: day('03-07') });

  // O1 won 1000.50 on Mar 15, contacts L1 and L3
  await deal(ent, 'CLOSED_WON', '1000.50', day('02-10'), day('03-15'), [l1, l3]);
  // O2 won 500.00 on Apr 2, after asOf
  await deal(mid, 'CLOSED_WON', '500.00', day('01-30'), day('04-02'), [l3]);
  // O3 won 200.00 on Mar 28, contacts L2 and L10 (once per set)
  await deal(ent, 'CLOSED_WON', '200.00', day('02-20'), day('03-28'), [l2, l10]);
  // O4 lost
  await deal(ent, 'CLOSED_LOST', '300.00', day('02-10'), day('03-10'), [l1]);
  // O5 won 999.99 on Jan 19: before L10's reference (Jan 20), after L3's (Jan 18)
  await deal(ent, 'CLOSED_WON', '999.99', day('01-17'), day('01-19'), [l10, l3]);
});

afterAll(() => app?.close());

const SET = 'leads reachedSal reachedSql reachedOpportunity reachedCustomer accepted rejected wonOpportunities wonRevenue';
const BACKTEST = `
  draft mqlThreshold monthlyMqlTarget from to asOf bandWidth agreement { version }
  cohort cohortReachedSql cohortReachedCustomer
  predicted { ${SET} } actual { ${SET} } both { ${SET} } predictedOnly { ${SET} } actualOnly { ${SET} }
  precisionSql recallSql precisionCustomer recallCustomer
  months { monthStart periodFrom periodTo fullMonth predictedMqls actualMqls monthlyMqlTarget attainment }
  scoreBands { scoreFrom scoreTo leads reachedSql reachedCustomer sqlShare customerShare }`;

const QUERY = `query Backtest($policy: QualificationBacktestPolicyInput!, $from: DateTime!, $to: DateTime!, $asOf: DateTime, $bandWidth: Int) {
  qualificationBacktest(policy: $policy, from: $from, to: $to, asOf: $asOf, bandWidth: $bandWidth) { ${BACKTEST} }
}`;

const set = (leads: number, sal: number, sql: number, opp: number, customer: number, accepted: number, rejected: number, won: number, revenue: string) => ({
  leads, reachedSal: sal, reachedSql: sql, reachedOpportunity: opp, reachedCustomer: customer, accepted, rejected, wonOpportunities: won, wonRevenue: revenue,
});

/** Every figure of P's backtest (bandWidth 10), worked out by hand. */
const P_FIGURES = {
  from: WINDOW.from,
  to: WINDOW.to,
  asOf: WINDOW.asOf,
  bandWidth: 10,
  mqlThreshold: 30,
  // cohort: L1 L2 L3 L4 L5 L8 L9 L10 L11 (not L6: SAL before from; not L7: nothing in the window)
  cohort: 9,
  // sqlAt in [Jan 15, Apr 1]: L1 Feb 1, L2 Feb 20, L3 Jan 25, L10 Mar 25, L11 Mar 7
  cohortReachedSql: 5,
  // customerAt in [Jan 15, Apr 1]: L1, L3
  cohortReachedCustomer: 2,
  // predicted = both + predicted only = L1 L5 + L2 L10; SAL: all four (L5's Jan 23 >= its Jan 22
  // reference); SQL: L1, L2, L10; opportunity: L1 (L10's Apr 5 is after asOf); customer: L1;
  // accepted: L1; rejected: L2 (the tie's higher id), L5 (Apr 2's acceptance is after asOf);
  // won: O1 (L1) + O3 (L2 and L10, once) = 1000.50 + 200.00; O5 closed before L10's reference
  predicted: set(4, 4, 3, 1, 1, 1, 2, 2, '1200.50'),
  // actual = both + actual only = L1 L5 + L3 L4; SAL: L1 L3 L5; SQL, opportunity, customer: L1 L3;
  // accepted: L1, L4; rejected: L5 (L3's rejection came before its reference);
  // won: O1 (L1 and L3, once) + O5 (L3, closed Jan 19 >= Jan 18) = 1000.50 + 999.99
  actual: set(4, 3, 2, 2, 2, 2, 1, 2, '2000.49'),
  // both: L1 (everything, accepted, O1), L5 (SAL, rejected)
  both: set(2, 2, 1, 1, 1, 1, 1, 1, '1000.50'),
  // predicted only: L2 (SAL, SQL, rejected), L10 (SAL, SQL); O3
  predictedOnly: set(2, 2, 2, 0, 0, 0, 1, 1, '200.00'),
  // actual only: L3 (everything, O1, O5), L4 (accepted); 1000.50 + 999.99. O1 is in both parts,
  // so both (1000.50) + actual only (2000.49) = 3000.99 > actual (2000.49)
  actualOnly: set(2, 1, 1, 1, 1, 1, 0, 2, '2000.49'),
  precisionSql: 3 / 4, // predicted reaching SQL / predicted
  recallSql: 3 / 5, // / cohortReachedSql
  precisionCustomer: 1 / 4,
  recallCustomer: 1 / 2,
  months: [
    // Jan, clipped to [Jan 15, Feb 1): predicted L10 (Jan 20), L1 (Jan 25); actual L3, L5, L1
    { monthStart: '2024-01-01T00:00:00.000Z', periodFrom: WINDOW.from, periodTo: '2024-02-01T00:00:00.000Z', fullMonth: false, predictedMqls: 2, actualMqls: 3 },
    // Feb: predicted L5 (Feb 1), L2 (Feb 10); actual L4
    { monthStart: '2024-02-01T00:00:00.000Z', periodFrom: '2024-02-01T00:00:00.000Z', periodTo: WINDOW.to, fullMonth: true, predictedMqls: 2, actualMqls: 1 },
  ],
  // scores at Mar 1, touches strictly before: L9 -30; L11 0; L3 15; L4 20, L8 20 (its Mar 1
  // touch left out); L1 35, L5 35, L10 35; L2 45. SQL by asOf: L11, L3, L1, L10, L2; customer: L3, L1
  scoreBands: [
    { scoreFrom: -30, scoreTo: -20, leads: 1, reachedSql: 0, reachedCustomer: 0, sqlShare: 0, customerShare: 0 },
    { scoreFrom: 0, scoreTo: 10, leads: 1, reachedSql: 1, reachedCustomer: 0, sqlShare: 1, customerShare: 0 },
    { scoreFrom: 10, scoreTo: 20, leads: 1, reachedSql: 1, reachedCustomer: 1, sqlShare: 1, customerShare: 1 },
    { scoreFrom: 20, scoreTo: 30, leads: 2, reachedSql: 0, reachedCustomer: 0, sqlShare: 0, customerShare: 0 },
    { scoreFrom: 30, scoreTo: 40, leads: 3, reachedSql: 2, reachedCustomer: 1, sqlShare: 2 / 3, customerShare: 1 / 3 },
    { scoreFrom: 40, scoreTo: 50, leads: 1, reachedSql: 1, reachedCustomer: 0, sqlShare: 1, customerShare: 0 },
  ],
};

/** P as agreement v2: target 4, so attainment 2 / 4 in both months. */
const P_AS_V2 = {
  ...P_FIGURES,
  draft: false,
  agreement: { version: 2 },
  monthlyMqlTarget: 4,
  months: P_FIGURES.months.map((m) => ({ ...m, monthlyMqlTarget: 4, attainment: 0.5 })),
};

/** Q (v1): every touch 10, threshold 20. */
const Q_AS_V1 = {
  draft: false,
  agreement: { version: 1 },
  mqlThreshold: 20,
  monthlyMqlTarget: 3,
  cohort: 9,
  cohortReachedSql: 5,
  cohortReachedCustomer: 2,
  // two touches by an evaluation time in the window: L2 (Feb 10), L5 (Feb 1); L8's second is at `to`
  // both: L5 (reference Jan 22: SAL, rejected); predicted only: L2 (SAL, SQL, rejected, O3 200.00)
  predicted: set(2, 2, 1, 0, 0, 0, 2, 1, '200.00'),
  actual: set(4, 3, 2, 2, 2, 2, 1, 2, '2000.49'),
  both: set(1, 1, 0, 0, 0, 0, 1, 0, '0.00'),
  predictedOnly: set(1, 1, 1, 0, 0, 0, 1, 1, '200.00'),
  // actual only: L1, L3, L4 (references their mqlAt: Jan 26, Jan 18, Feb 20); won: O1, O5
  actualOnly: set(3, 2, 2, 2, 2, 2, 0, 2, '2000.49'),
  precisionSql: 1 / 2,
  recallSql: 1 / 5,
  precisionCustomer: 0,
  recallCustomer: 0,
  months: [
    { monthStart: '2024-01-01T00:00:00.000Z', periodFrom: WINDOW.from, periodTo: '2024-02-01T00:00:00.000Z', fullMonth: false, predictedMqls: 0, actualMqls: 3, monthlyMqlTarget: 3, attainment: 0 },
    { monthStart: '2024-02-01T00:00:00.000Z', periodFrom: '2024-02-01T00:00:00.000Z', periodTo: WINDOW.to, fullMonth: true, predictedMqls: 2, actualMqls: 1, monthlyMqlTarget: 3, attainment: 2 / 3 },
  ],
  // scores at Mar 1 (10 a touch before it): L4 L9 L11 0; L1 L3 L8 L10 10; L2 L5 20
  scoreBands: [
    { scoreFrom: 0, scoreTo: 10, leads: 3, reachedSql: 1, reachedCustomer: 0, sqlShare: 1 / 3, customerShare: 0 },
    { scoreFrom: 10, scoreTo: 20, leads: 4, reachedSql: 3, reachedCustomer: 2, sqlShare: 3 / 4, customerShare: 2 / 4 },
    { scoreFrom: 20, scoreTo: 30, leads: 2, reachedSql: 1, reachedCustomer: 0, sqlShare: 1 / 2, customerShare: 0 },
  ],
};

const policyCounts = async () =>
  (await app.db.sql<{ p: number; r: number }>('SELECT (SELECT count(*)::int FROM qualification_policies) AS p, (SELECT count(*)::int FROM qualification_rules) AS r'))[0];

describe('qualificationBacktest', () => {
  it("answers every figure of a stored agreement's policy", async () => {
    const data = await app.ok<{ qualificationBacktest: unknown }>(QUERY, { policy: { agreementId: gid('AlignmentAgreement', v2) }, ...WINDOW });
    expect(data.qualificationBacktest).toEqual(P_AS_V2);
  });

  it('backtests a draft with its own target, and stores nothing of it', async () => {
    const before = await policyCounts();
    const data = await app.ok<{ qualificationBacktest: unknown }>(QUERY, {
      policy: { draft: P_INPUT, mqlThreshold: 30, monthlyMqlTarget: 0 },
      ...WINDOW,
    });
    // the same figures as v2 (the same policy); a target of 0 has no attainment
    expect(data.qualificationBacktest).toEqual({
      ...P_FIGURES,
      draft: true,
      agreement: null,
      monthlyMqlTarget: 0,
      months: P_FIGURES.months.map((m) => ({ ...m, monthlyMqlTarget: 0, attainment: null })),
    });
    expect(await policyCounts()).toEqual(before);
  });

  it('cuts score bands by bandWidth', async () => {
    const data = await app.ok<{ qualificationBacktest: { scoreBands: unknown[] } }>(QUERY, {
      policy: { agreementId: gid('AlignmentAgreement', v2) },
      ...WINDOW,
      bandWidth: 25,
    });
    // floor(score / 25): L9 -30 -> -2; L11 0, L3 15, L4 20, L8 20 -> 0; L1 L5 L10 35, L2 45 -> 1
    expect(data.qualificationBacktest.scoreBands).toEqual([
      { scoreFrom: -50, scoreTo: -25, leads: 1, reachedSql: 0, reachedCustomer: 0, sqlShare: 0, customerShare: 0 },
      // SQL: L11, L3; customer: L3
      { scoreFrom: 0, scoreTo: 25, leads: 4, reachedSql: 2, reachedCustomer: 1, sqlShare: 0.5, customerShare: 0.25 },
      // SQL: L1, L10, L2; customer: L1
      { scoreFrom: 25, scoreTo: 50, leads: 4, reachedSql: 3, reachedCustomer: 1, sqlShare: 0.75, customerShare: 0.25 },
    ]);
  });

  it('gives null ratios when nothing is predicted or reached', async () => {
    // Apr 2 .. Apr 3: no lead created or touched
    const data = await app.ok<{ qualificationBacktest: Record<string, unknown> }>(QUERY, {
      policy: { agreementId: gid('AlignmentAgreement', v1) },
      from: '2024-04-02T00:00:00Z',
      to: '2024-04-03T00:00:00Z',
      asOf: '2024-04-03T00:00:00Z',
    });
    expect(data.qualificationBacktest).toMatchObject({
      cohort: 0, cohortReachedSql: 0, precisionSql: null, recallSql: null, precisionCustomer: null, recallCustomer: null, scoreBands: [],
      predicted: set(0, 0, 0, 0, 0, 0, 0, 0, '0.00'),
      months: [{ monthStart: '2024-04-01T00:00:00.000Z', periodFrom: '2024-04-02T00:00:00.000Z', periodTo: '2024-04-03T00:00:00.000Z', fullMonth: false, predictedMqls: 0, actualMqls: 0, monthlyMqlTarget: 3, attainment: 0 }],
    });
  });
});

describe('qualificationBacktestCompare and the agreement fields', () => {
  it('puts a draft beside the agreement in force', async () => {
    const data = await app.ok<{ qualificationBacktestCompare: { a: unknown; b: unknown } }>(
      `query ($a: QualificationBacktestPolicyInput!, $b: QualificationBacktestPolicyInput!, $from: DateTime!, $to: DateTime!, $asOf: DateTime) {
        qualificationBacktestCompare(a: $a, b: $b, from: $from, to: $to, asOf: $asOf) { a { ${BACKTEST} } b { ${BACKTEST} } }
      }`,
      { a: { draft: P_INPUT, mqlThreshold: 30, monthlyMqlTarget: 4 }, b: { agreementId: gid('AlignmentAgreement', v1) }, ...WINDOW },
    );
    expect(data.qualificationBacktestCompare.a).toEqual({ ...P_AS_V2, draft: true, agreement: null });
    expect(data.qualificationBacktestCompare.b).toEqual({ ...Q_AS_V1, from: WINDOW.from, to: WINDOW.to, asOf: WINDOW.asOf, bandWidth: 10 });
  });

  it("shows a proposal's backtest beside the one in force at asOf", async () => {
    const data = await app.ok<{ alignmentAgreements: { edges: { node: { version: number; backtest: unknown; backtestAgainstInForce: { a: unknown; b: unknown } } }[] } }>(
      `query ($from: DateTime!, $to: DateTime!, $asOf: DateTime) {
        alignmentAgreements(first: 10) { edges { node { version
          backtest(from: $from, to: $to, asOf: $asOf) { ${BACKTEST} }
          backtestAgainstInForce(from: $from, to: $to, asOf: $asOf) { a { ${BACKTEST} } b { ${BACKTEST} } }
        } } }
      }`,
      WINDOW,
    );
    const byVersion = new Map(data.alignmentAgreements.edges.map((e) => [e.node.version, e.node]));
    const window = { from: WINDOW.from, to: WINDOW.to, asOf: WINDOW.asOf, bandWidth: 10 };
    expect(byVersion.get(2)?.backtest).toEqual(P_AS_V2);
    expect(byVersion.get(2)?.backtestAgainstInForce).toEqual({ a: P_AS_V2, b: { ...Q_AS_V1, ...window } });
    // v1 is itself the one in force
    expect(byVersion.get(1)?.backtestAgainstInForce).toEqual({ a: { ...Q_AS_V1, ...window }, b: { ...Q_AS_V1, ...window } });
  });

  it('has nothing in force before the first approval', async () => {
    const data = await app.ok<{ node: { backtestAgainstInForce: { a: { cohort: number }; b: unknown } } }>(
      `query ($id: ID!) { node(id: $id) { ... on AlignmentAgreement { backtestAgainstInForce(from: "2023-11-01T00:00:00Z", to: "2023-12-01T00:00:00Z", asOf: "2023-12-10T00:00:00Z") { a { cohort } b { cohort } } } } }`,
      { id: gid('AlignmentAgreement', v2) },
    );
    // v1 was approved on Dec 20; in Nov the cohort is L6 (created Nov 1)
    expect(data.node.backtestAgainstInForce).toEqual({ a: { cohort: 1 }, b: null });
  });
});

describe('errors', () => {
  const v2Policy = () => ({ agreementId: gid('AlignmentAgreement', v2) });
  const failure = async (variables: Record<string, unknown>, role: Role = Role.ADMIN) => {
    const result = await app.gql(QUERY, variables, role);
    return result.errors?.map((e) => [e.extensions?.code, e.extensions?.field]);
  };

  it('refuses asOf before to, also by default for a window ending in the future', async () => {
    expect(await failure({ policy: v2Policy(), ...WINDOW, asOf: '2024-02-29T23:59:59Z' })).toEqual([['BAD_USER_INPUT', 'asOf']]);
    const tomorrow = new Date(Date.now() + 86_400_000);
    expect(await failure({ policy: v2Policy(), from: WINDOW.from, to: tomorrow.toISOString() })).toEqual([['BAD_USER_INPUT', 'asOf']]);
    // asOf exactly at to is fine
    expect(await failure({ policy: v2Policy(), ...WINDOW, asOf: WINDOW.to })).toBeUndefined();
  });

  it('refuses an empty window and a band width of 0', async () => {
    expect(await failure({ policy: v2Policy(), ...WINDOW, to: WINDOW.from })).toEqual([['BAD_USER_INPUT', 'to']]);
    expect(await failure({ policy: v2Policy(), ...WINDOW, bandWidth: 0 })).toEqual([['BAD_USER_INPUT', 'bandWidth']]);
  });

  it('names the field of a bad draft, and stores nothing', async () => {
    const before = await policyCounts();
    const twoValues = { ...P_INPUT, fitRules: [{ ...P_INPUT.fitRules[0], values: [{ type: 'TEXT', value: 'a' }, { type: 'TEXT', value: 'b' }] }] };
    const result = await app.gql(QUERY, { policy: { draft: twoValues, mqlThreshold: 30, monthlyMqlTarget: 4 }, ...WINDOW });
    expect(result.errors?.map((e) => [e.extensions?.code, e.extensions?.field, e.message])).toEqual([
      ['BAD_USER_INPUT', 'policy.draft.fitRules[0].values', 'policy.draft.fitRules[0].values: EQUALS takes exactly one value'],
    ]);
    expect(await failure({ policy: { draft: P_INPUT, monthlyMqlTarget: 4 }, ...WINDOW })).toEqual([['BAD_USER_INPUT', 'policy.mqlThreshold']]);
    expect(await failure({ policy: { draft: P_INPUT, mqlThreshold: 30 }, ...WINDOW })).toEqual([['BAD_USER_INPUT', 'policy.monthlyMqlTarget']]);
    expect(await failure({ policy: { ...v2Policy(), draft: P_INPUT }, ...WINDOW })).toEqual([['BAD_USER_INPUT', 'policy']]);
    expect(await failure({ policy: {}, ...WINDOW })).toEqual([['BAD_USER_INPUT', 'policy']]);
    expect(await failure({ policy: { ...v2Policy(), mqlThreshold: 5 }, ...WINDOW })).toEqual([['BAD_USER_INPUT', 'policy.mqlThreshold']]);
    expect(await policyCounts()).toEqual(before);
  });

  it('names the side of a comparison at fault, and an unknown agreement', async () => {
    const compare = await app.gql(
      `query ($a: QualificationBacktestPolicyInput!, $b: QualificationBacktestPolicyInput!) {
        qualificationBacktestCompare(a: $a, b: $b, from: "2024-01-15T00:00:00Z", to: "2024-03-01T00:00:00Z", asOf: "2024-04-01T00:00:00Z") { a { cohort } }
      }`,
      { a: v2Policy(), b: { draft: { fitRules: [{ attribute: 'lead.shoeSize', operator: 'EXISTS', points: 1 }] }, mqlThreshold: 1, monthlyMqlTarget: 1 } },
    );
    expect(compare.errors?.map((e) => [e.extensions?.code, e.extensions?.field])).toEqual([['BAD_USER_INPUT', 'b.draft.fitRules[0].attribute']]);
    expect(await failure({ policy: { agreementId: gid('AlignmentAgreement', '987654321') }, ...WINDOW })).toEqual([['NOT_FOUND', 'policy.agreementId']]);
    expect(await failure({ policy: { agreementId: gid('Lead', ids.L1 ?? '1') }, ...WINDOW })).toEqual([['BAD_USER_INPUT', 'policy.agreementId']]);
  });
});

describe('roles', () => {
  it('lets every role backtest a stored agreement: only aggregates come back', async () => {
    for (const role of Object.values(Role)) {
      const data = await app.ok<{ qualificationBacktest: { cohort: number; predicted: { wonRevenue: string } } }>(
        QUERY,
        { policy: { agreementId: gid('AlignmentAgreement', v2) }, ...WINDOW },
        role,
      );
      expect([role, data.qualificationBacktest.cohort, data.qualificationBacktest.predicted.wonRevenue]).toEqual([role, 9, '1200.50']);
    }
  });

  it("refuses an ANALYST's draft rule on a lead's attributes, which would probe masked data", async () => {
    const result = await app.gql(QUERY, { policy: { draft: P_INPUT, mqlThreshold: 30, monthlyMqlTarget: 4 }, ...WINDOW }, Role.ANALYST);
    expect(result.errors?.map((e) => [e.extensions?.code, e.extensions?.field])).toEqual([['FORBIDDEN', 'policy.draft.fitRules[1].attribute']]);
    // rules on accounts and touches are fine: L1, L2, L10 qualify on fit 20 + a form fill, L5 on two
    const accountsOnly = { ...P_INPUT, fitRules: [P_INPUT.fitRules[0]] };
    const data = await app.ok<{ qualificationBacktest: { predicted: { leads: number } } }>(
      QUERY,
      { policy: { draft: accountsOnly, mqlThreshold: 30, monthlyMqlTarget: 4 }, ...WINDOW },
      Role.ANALYST,
    );
    expect(data.qualificationBacktest.predicted.leads).toBe(4);
  });
});

describe('the metric gate and transactions', () => {
  const w = () => checkBacktestWindow({ from: new Date(WINDOW.from), to: new Date(WINDOW.to), asOf: new Date(WINDOW.asOf), bandWidth: 10 });
  const draft = { kind: 'DRAFT' as const, draft: P, mqlThreshold: 30, monthlyMqlTarget: 4 };

  it("runs a draft's whole transaction on one of the request's metric connections, two backtests in turn", async () => {
    const gate = new MetricWorkGate({ connections: 1, perCaller: 1, perRequest: 1, queueMs: 30_000 });
    const ctx = { ds: app.db.ds, metricWork: gate.ticket('key:test') };
    const before = await policyCounts();
    const [a, b] = await Promise.all([
      qualificationBacktest(ctx, 'a', draft, w()),
      qualificationBacktest(ctx, 'b', { kind: 'AGREEMENT', agreementId: v2 }, w()),
    ]);
    expect([a.predicted, a.precisionSql, a.scoreBands]).toEqual([P_FIGURES.predicted, 0.75, P_FIGURES.scoreBands]);
    expect([b.predicted, b.agreementId]).toEqual([P_FIGURES.predicted, v2]);
    expect(await policyCounts()).toEqual(before);
  });

  it("runs a draft inside a caller's open transaction under a savepoint, and leaves the transaction usable", async () => {
    const before = await policyCounts();
    const inside = await withTransaction({ ds: app.db.ds }, async (tx, ctx) => {
      const result = await qualificationBacktest(ctx, 'policy', draft, w());
      const [row] = (await tx.query('SELECT count(*)::int AS n FROM qualification_policies')) as { n: number }[];
      return { cohort: result.cohort, wonRevenue: result.predicted.wonRevenue, policies: row?.n };
    });
    expect(inside).toEqual({ cohort: 9, wonRevenue: '1200.50', policies: before?.p });
    expect(await policyCounts()).toEqual(before);
  });
});

describe('proposing shows the numbers', () => {
  it("answers a new proposal's backtest beside the one in force, in the proposal's own payload", async () => {
    const data = await app.ok<{ proposeAgreement: { agreement: { version: number; backtestAgainstInForce: { a: unknown; b: unknown } } } }>(
      `mutation ($policy: QualificationPolicyInput!, $from: DateTime!, $to: DateTime!, $asOf: DateTime) {
        proposeAgreement(input: { effectiveFrom: "2024-06-01T00:00:00Z", mqlThreshold: 30, scoringRules: [], followUpHours: 24, monthlyMqlTarget: 4, policy: $policy }) {
          agreement { version backtestAgainstInForce(from: $from, to: $to, asOf: $asOf) { a { ${BACKTEST} } b { ${BACKTEST} } } }
        }
      }`,
      { policy: P_INPUT, ...WINDOW },
    );
    const { version, backtestAgainstInForce } = data.proposeAgreement.agreement;
    // the proposal carries P: every figure of P as v2, under its own version; v1 (Q) is in force
    expect(backtestAgainstInForce).toEqual({
      a: { ...P_AS_V2, agreement: { version } },
      b: { ...Q_AS_V1, from: WINDOW.from, to: WINDOW.to, asOf: WINDOW.asOf, bandWidth: 10 },
    });
  });
});
