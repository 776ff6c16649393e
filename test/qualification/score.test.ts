import { observeQueries } from '../../src/db/data-source';
import { createTestApp, TestApp } from '../helpers/app';
import { exactSum } from './exact-sum';
import { firstError, gid, insertAccount, insertCampaign, insertLead, insertTouch, insertUser } from '../helpers/core-fixtures';

/**
 * Lead.score and its explanation on hand-worked fixtures (docs/metrics.md, "Lead
 * qualification"): every operator, decay, window, caps, negative points, ties at one touch time,
 * leads without account or attributes, validation naming the rule and field, batching.
 */

const PROPOSE = `mutation($input: ProposeAgreementInput!) { proposeAgreement(input: $input) { agreement { id version
  policy { mqlThreshold engagementHalfLifeDays engagementWindowDays fitCap engagementCap minFit minEngagement
    fitRules { position attribute operator values { type value } points } engagementRules { position touchKinds channels points } } } } }`;

const SCORE = `query($id: ID!, $asOf: DateTime, $agreementId: ID) { node(id: $id) { ... on Lead {
  score(asOf: $asOf, agreementId: $agreementId) { agreement { version } asOf fit engagement total qualifies
    explanation { kind rulePosition touchAt ageDays points touchpoint { kind } } } } } }`;

interface Line {
  kind: string;
  rulePosition: number | null;
  touchAt: string | null;
  ageDays: string | null;
  points: string;
  touchpoint: { kind: string } | null;
}
interface Score {
  agreement: { version: number };
  asOf: string;
  fit: string;
  engagement: string;
  total: string;
  qualifies: boolean;
  explanation: Line[];
}

const text = (value: string) => ({ type: 'TEXT', value });
const number = (value: string) => ({ type: 'NUMBER', value });
const bool = (value: string) => ({ type: 'BOOLEAN', value });

describe('Lead.score', () => {
  let app: TestApp;
  let l1: string; // VP of Sales at an enterprise account with attributes
  let l2: string; // a Director without account or attributes
  let l3: string; // no title, no account: engagement only
  const agreements: Record<string, string> = {};

  async function propose(name: string, mqlThreshold: number, policy: Record<string, unknown>): Promise<string> {
    const data = await app.ok<{ proposeAgreement: { agreement: { id: string } } }>(PROPOSE, {
      input: { effectiveFrom: '2024-01-01T00:00:00Z', createdAt: '2023-12-01T00:00:00Z', mqlThreshold, scoringRules: [], followUpHours: 24, monthlyMqlTarget: 10, policy },
    });
    agreements[name] = data.proposeAgreement.agreement.id;
    return data.proposeAgreement.agreement.id;
  }

  async function score(lead: string, agreement: string | null, asOf: string | null = '2024-03-11T00:00:00Z'): Promise<Score | null> {
    const data = await app.ok<{ node: { score: Score | null } }>(SCORE, { id: gid('Lead', lead), asOf, agreementId: agreement });
    return data.node.score;
  }

  beforeAll(async () => {
    app = await createTestApp();
    const account = await insertAccount(app.db, { segment: 'ENTERPRISE', walletSize: '50000.00' });
    await app.db.sql(
      `UPDATE accounts SET industry = ' Software ', attributes = '{"tier": "Gold", "employees": 1200, "partner": true, "blank": "  "}' WHERE id = $1`,
      [account],
    );
    l1 = await insertLead(app.db, { accountId: account, createdAt: '2024-03-01T00:00:00Z' });
    await app.db.sql(`UPDATE leads SET title = '  VP of Sales ', attributes = '{"score_hint": 5, "region": "EMEA"}' WHERE id = $1`, [l1]);
    l2 = await insertLead(app.db, { createdAt: '2024-03-01T00:00:00Z' });
    await app.db.sql(`UPDATE leads SET title = 'Director' WHERE id = $1`, [l2]);
    l3 = await insertLead(app.db, { createdAt: '2024-03-01T00:00:00Z' });
    const email = await insertCampaign(app.db, { channel: 'EMAIL' });
    const webinar = await insertCampaign(app.db, { channel: 'WEBINAR' });
    // l3: T1 2 days before asOf, T2 1 day before, T3 20 days before (outside a 10-day window), T4 after asOf
    await insertTouch(app.db, l3, email, '2024-03-09T00:00:00Z', 'FORM_FILL');
    await insertTouch(app.db, l3, webinar, '2024-03-10T00:00:00Z', 'WEBINAR_ATTENDED');
    await insertTouch(app.db, l3, webinar, '2024-02-20T00:00:00Z', 'FORM_FILL');
    await insertTouch(app.db, l3, email, '2024-03-12T00:00:00Z', 'FORM_FILL');
    // l1: two form fills at the same time
    await insertTouch(app.db, l1, email, '2024-03-05T00:00:00Z', 'FORM_FILL');
    await insertTouch(app.db, l1, email, '2024-03-05T00:00:00Z', 'FORM_FILL');

    await propose('operators', 0, {
      fitRules: [
        /* 1 */ { attribute: 'lead.jobTitle', operator: 'EQUALS', values: [text('vp of sales')], points: 10 },
        /* 2 */ { attribute: 'lead.jobTitle', operator: 'CONTAINS', values: [text('VP')], points: 5 },
        /* 3 */ { attribute: 'account.segment', operator: 'IN', values: [text('smb'), text(' Enterprise')], points: 7 },
        /* 4 */ { attribute: 'account.walletSize', operator: 'GTE', values: [number('50000')], points: 3 },
        /* 5 */ { attribute: 'account.attributes.employees', operator: 'LTE', values: [number('1000')], points: 100 },
        /* 6 */ { attribute: 'account.attributes.employees', operator: 'EQUALS', values: [text('1200')], points: 100 },
        /* 7 */ { attribute: 'account.attributes.partner', operator: 'EQUALS', values: [bool('true')], points: 2 },
        /* 8 */ { attribute: 'account.attributes.blank', operator: 'EXISTS', values: [], points: 100 },
        /* 9 */ { attribute: 'lead.attributes.score_hint', operator: 'EXISTS', values: [], points: 1 },
        /* 10 */ { attribute: 'lead.attributes.missing', operator: 'EXISTS', values: [], points: 100 },
        /* 11 */ { attribute: 'account.industry', operator: 'EQUALS', values: [text('SOFTWARE')], points: 4 },
        /* 12 */ { attribute: 'lead.attributes.Region', operator: 'EQUALS', values: [text('emea')], points: 100 },
        /* 13 */ { attribute: 'lead.jobTitle', operator: 'CONTAINS', values: [text('sales  ')], points: 100 },
        /* 14 */ { attribute: 'account.segment', operator: 'EQUALS', values: [text('ENTERPRISE')], points: -6 },
        /* 15 */ { attribute: 'account.attributes.employees', operator: 'GTE', values: [number('1200.0')], points: 8 },
        /* 16 */ { attribute: 'account.attributes.tier', operator: 'GTE', values: [number('1')], points: 100 },
      ],
      engagementRules: [],
    });
    await propose('decay', 0, {
      fitRules: [],
      engagementRules: [
        /* 1 */ { touchKinds: ['FORM_FILL'], channels: [], points: 20 },
        /* 2 */ { touchKinds: [], channels: ['WEBINAR'], points: 10 },
        /* 3 */ { touchKinds: [], channels: [], points: 0 },
      ],
      engagementHalfLifeDays: 2,
      engagementWindowDays: 10,
    });
    const caps = {
      fitRules: [
        { attribute: 'lead.jobTitle', operator: 'EQUALS', values: [text('VP of Sales')], points: 10 },
        { attribute: 'account.segment', operator: 'IN', values: [text('ENTERPRISE')], points: 7 },
      ],
      engagementRules: [{ touchKinds: ['FORM_FILL'], channels: [], points: 20 }],
      fitCap: 5,
      engagementCap: 15,
      minFit: 5,
    };
    await propose('caps', 20, caps);
    await propose('capsMinEngagement', 20, { ...caps, minEngagement: 16 });
  });
  afterAll(() => app.close());

  it('stores the policy of a proposed agreement and reads it back', async () => {
    const data = await app.ok<{ node: { policy: Record<string, unknown> } }>(
      `query($id: ID!) { node(id: $id) { ... on AlignmentAgreement { policy { mqlThreshold fitCap engagementCap minFit minEngagement engagementHalfLifeDays
         fitRules { position attribute operator values { type value } points } engagementRules { position touchKinds channels points } } } } }`,
      { id: agreements.capsMinEngagement },
    );
    expect(data.node.policy).toEqual({
      mqlThreshold: 20,
      fitCap: 5,
      engagementCap: 15,
      minFit: 5,
      minEngagement: 16,
      engagementHalfLifeDays: null,
      fitRules: [
        { position: 1, attribute: 'lead.jobTitle', operator: 'EQUALS', values: [text('VP of Sales')], points: 10 },
        { position: 2, attribute: 'account.segment', operator: 'IN', values: [text('ENTERPRISE')], points: 7 },
      ],
      engagementRules: [{ position: 1, touchKinds: ['FORM_FILL'], channels: [], points: 20 }],
    });
  });

  it('an agreement proposed without a policy gets an empty one', async () => {
    const data = await app.ok<{ proposeAgreement: { agreement: { policy: Record<string, unknown> } } }>(PROPOSE, {
      input: { effectiveFrom: '2024-01-01T00:00:00Z', mqlThreshold: 50, scoringRules: [{ attribute: 'title', condition: 'contains VP', points: 10 }], followUpHours: 24, monthlyMqlTarget: 10 },
    });
    expect(data.proposeAgreement.agreement.policy).toEqual({
      mqlThreshold: 50, engagementHalfLifeDays: null, engagementWindowDays: null, fitCap: null, engagementCap: null, minFit: null, minEngagement: null,
      fitRules: [], engagementRules: [],
    });
  });

  it('each operator: trimming and case, types across, missing attributes, negative points', async () => {
    const s = await score(l1, agreements.operators!);
    // l1 (title "  VP of Sales ", account ENTERPRISE, industry " Software ", wallet 50000.00,
    // employees 1200, partner true, blank "  "; lead attributes score_hint 5, region "EMEA"):
    //  1 EQUALS "vp of sales": trimmed, lower-cased -> holds, +10
    //  2 CONTAINS "VP": lower-cased substring -> +5
    //  3 IN ("smb", " Enterprise") -> " enterprise" trimmed matches -> +7
    //  4 walletSize 50000.00 >= 50000 -> +3
    //  5 employees 1200 <= 1000: no; 6 number 1200 EQUALS text "1200": types across, no
    //  7 partner = true -> +2; 8 blank "  " EXISTS: blank text, no
    //  9 score_hint EXISTS (a number) -> +1; 10 missing key: no
    // 11 industry " Software " EQUALS "SOFTWARE" -> +4; 12 key "Region" is not "region" (case-sensitive): no
    // 13 CONTAINS "sales  " (not trimmed): "  vp of sales " has one trailing space: no
    // 14 segment EQUALS ENTERPRISE -> -6; 15 1200 >= 1200.0 (numbers exactly) -> +8
    // 16 tier "Gold" GTE 1: text against a number, no
    // fit = 10 + 5 + 7 + 3 + 2 + 1 + 4 - 6 + 8 = 34
    expect(s).toMatchObject({ agreement: { version: 1 }, asOf: '2024-03-11T00:00:00.000Z', fit: '34', engagement: '0', total: '34', qualifies: true });
    expect(s!.explanation.map((l) => [l.kind, l.rulePosition, l.points])).toEqual([
      ['FIT', 1, '10'], ['FIT', 2, '5'], ['FIT', 3, '7'], ['FIT', 4, '3'], ['FIT', 7, '2'], ['FIT', 9, '1'], ['FIT', 11, '4'], ['FIT', 14, '-6'], ['FIT', 15, '8'],
    ]);
    // l2: "Director", no account (account.* never holds), no attributes: nothing holds
    expect(await score(l2, agreements.operators!)).toMatchObject({ fit: '0', engagement: '0', total: '0', explanation: [] });
  });

  it('decay by half-life, the window, rules matching one touch several times, touches after asOf', async () => {
    const s = await score(l3, agreements.decay!);
    // asOf 2024-03-11; half-life 2 days, window 10 days
    // T1 FORM_FILL (EMAIL) 2 days old: rule 1: 20 * 0.5^(2/2) = 10; rule 3: 0 (pairs worth 0 are listed)
    // T2 WEBINAR_ATTENDED (WEBINAR) 1 day old: rule 2: 10 * 0.5^(1/2) = 7.0710678118654752... -> 7.071067811865 (12 decimals); rule 3: 0
    // T3 is 20 days old (> 10-day window); T4 lies after asOf
    // engagement = 10 + 7.071067811865 = 17.071067811865
    expect(s).toMatchObject({ fit: '0', engagement: '17.071067811865', total: '17.071067811865' });
    expect(s!.explanation).toEqual([
      { kind: 'ENGAGEMENT', rulePosition: 1, touchAt: '2024-03-09T00:00:00.000Z', ageDays: '2', points: '10', touchpoint: { kind: 'FORM_FILL' } },
      { kind: 'ENGAGEMENT', rulePosition: 3, touchAt: '2024-03-09T00:00:00.000Z', ageDays: '2', points: '0', touchpoint: { kind: 'FORM_FILL' } },
      { kind: 'ENGAGEMENT', rulePosition: 2, touchAt: '2024-03-10T00:00:00.000Z', ageDays: '1', points: '7.071067811865', touchpoint: { kind: 'WEBINAR_ATTENDED' } },
      { kind: 'ENGAGEMENT', rulePosition: 3, touchAt: '2024-03-10T00:00:00.000Z', ageDays: '1', points: '0', touchpoint: { kind: 'WEBINAR_ATTENDED' } },
    ]);
    // a touch exactly at asOf counts with factor 1: at 2024-03-12, T4 (FORM_FILL, 0 days) 20 + rule 3 0;
    // T2 2 days old: 10 * 0.5 = 5; T1 3 days old: 20 * 0.5^1.5 = 7.0710678118654752... -> 7.071067811865;
    // T3 21 days old: outside. engagement = 7.071067811865 + 5 + 20 = 32.071067811865
    expect(await score(l3, agreements.decay!, '2024-03-12T00:00:00Z')).toMatchObject({ engagement: '32.071067811865' });
  });

  it('caps: FIT_CAP and ENGAGEMENT_CAP lines; several touches at one time; minimums decide qualifies', async () => {
    const s = await score(l1, agreements.caps!);
    // fit: 10 + 7 = 17, cap 5 -> FIT_CAP 5 - 17 = -12
    // engagement (no decay): two FORM_FILLs at 2024-03-05, 20 each = 40, cap 15 -> ENGAGEMENT_CAP 15 - 40 = -25
    // total 5 + 15 = 20 >= threshold 20, fit 5 >= minFit 5 -> qualifies
    expect(s).toMatchObject({ fit: '5', engagement: '15', total: '20', qualifies: true });
    expect(s!.explanation.map((l) => [l.kind, l.rulePosition, l.touchAt, l.points])).toEqual([
      ['FIT', 1, null, '10'],
      ['FIT', 2, null, '7'],
      ['FIT_CAP', null, null, '-12'],
      ['ENGAGEMENT', 1, '2024-03-05T00:00:00.000Z', '20'],
      ['ENGAGEMENT', 1, '2024-03-05T00:00:00.000Z', '20'],
      ['ENGAGEMENT_CAP', null, null, '-25'],
    ]);
    expect(exactSum(s!.explanation.map((l) => l.points))).toBe(s!.total);
    // the same with minEngagement 16: engagement 15 < 16 -> does not qualify, whatever the total
    expect(await score(l1, agreements.capsMinEngagement!)).toMatchObject({ total: '20', qualifies: false });
  });

  it('without agreementId: the policy in force at asOf, null when none', async () => {
    expect(await score(l1, null)).toBeNull(); // nothing approved yet
    // "caps" is version 3 (proposed third)
    const marketer = await insertUser(app.db, 'MARKETING');
    const seller = await insertUser(app.db, 'SALES');
    await app.db.sql(
      `UPDATE alignment_agreements SET marketing_approved_by_id = $1, marketing_approved_at = '2024-01-01', sales_approved_by_id = $2, sales_approved_at = '2024-01-02'
        WHERE version = 3`,
      [marketer, seller],
    );
    // approved on 2024-01-02 (effective 2024-01-01): in force from 2024-01-02
    expect(await score(l1, null, '2024-01-01T12:00:00Z')).toBeNull();
    expect(await score(l1, null)).toMatchObject({ agreement: { version: 3 }, total: '20' });
    expect(await score(l1, null, null)).toMatchObject({ agreement: { version: 3 }, total: '20' });
  });

  it('leads lists: minScore and orderBy SCORE under the policy in force now, computed in the list query', async () => {
    // in force: "caps" (version 3). Now: l1 = 20 (above); l3: fit 0, FORM_FILLs T1, T3, T4 = 60 -> cap 15; l2: 0
    const list = async (args: string) =>
      (await app.ok<{ leads: { totalCount: number; edges: { node: { id: string; score: { total: string } } }[] } }>(
        `{ leads(${args}) { totalCount edges { node { id score { total } } } } }`,
      )).leads;
    const byScore = await list('orderBy: { field: SCORE, direction: DESC }');
    expect(byScore.edges.map((e) => [e.node.id, e.node.score.total])).toEqual([
      [gid('Lead', l1), '20'], [gid('Lead', l3), '15'], [gid('Lead', l2), '0'],
    ]);
    const atLeast15 = await list('filter: { minScore: "15" }, orderBy: { field: SCORE }');
    expect(atLeast15.totalCount).toBe(2);
    expect(atLeast15.edges.map((e) => e.node.id)).toEqual([gid('Lead', l3), gid('Lead', l1)]);
    expect((await list('filter: { minScore: "20.5" }')).totalCount).toBe(0);
    // the second page of a score order continues after the cursor
    const first = await app.ok<{ leads: { pageInfo: { endCursor: string } } }>(`{ leads(first: 1, orderBy: { field: SCORE, direction: DESC }) { pageInfo { endCursor } } }`);
    const next = await list(`first: 5, after: "${first.leads.pageInfo.endCursor}", orderBy: { field: SCORE, direction: DESC }`);
    expect(next.edges.map((e) => e.node.id)).toEqual([gid('Lead', l3), gid('Lead', l2)]);
  });

  it('Account.leads orders by score for a page of accounts in one statement per level', async () => {
    const query = `{ accounts(first: 10) { edges { node { attributes { key value }
      leads(orderBy: { field: SCORE, direction: DESC }, filter: { minScore: "1" }) { totalCount edges { node { id score { total } } } } } } } }`;
    const statements: string[] = [];
    const stop = observeQueries((sql) => statements.push(sql));
    let data: { accounts: { edges: { node: { attributes: unknown[]; leads: { totalCount: number; edges: { node: { id: string; score: { total: string } } }[] } } }[] } };
    try {
      data = await app.ok(query);
    } finally {
      stop();
    }
    // the one account: l1 (score 20 under "caps", in force now); l2 and l3 have no account
    expect(data.accounts.edges.map((e) => e.node.leads)).toEqual([{ totalCount: 1, edges: [{ node: { id: gid('Lead', l1), score: { total: '20' } } }] }]);
    expect(data.accounts.edges[0]!.node.attributes).toHaveLength(4);
    expect(statements.filter((sql) => sql.includes('qualification_scores')).length).toBeLessThanOrEqual(3); // page, count, the leads' scores
  });

  it('a page of leads with scores and explanations costs the same statements for 3 or 23 leads', async () => {
    const query = `{ leads(first: 50) { edges { node { id score(asOf: "2024-03-11T00:00:00Z") { total agreement { version }
      explanation { points touchpoint { kind } } } } } } }`;
    const count = async () => {
      const statements: string[] = [];
      const stop = observeQueries((sql) => statements.push(sql));
      try {
        await app.ok(query);
      } finally {
        stop();
      }
      return statements.length;
    };
    const small = await count();
    const email = await insertCampaign(app.db, { channel: 'EMAIL' });
    for (let i = 0; i < 20; i++) {
      const lead = await insertLead(app.db, { createdAt: '2024-03-01T00:00:00Z' });
      await insertTouch(app.db, lead, email, '2024-03-02T00:00:00Z', 'FORM_FILL');
    }
    expect(await count()).toBe(small);
    expect(small).toBeLessThanOrEqual(6); // page, policy in force, scores, lines, touchpoints, agreements
  });

  it('refuses invalid policies naming the rule and field; nothing is stored', async () => {
    const bad = async (policy: Record<string, unknown>) =>
      firstError(await app.gql(PROPOSE, { input: { effectiveFrom: '2024-01-01T00:00:00Z', mqlThreshold: 1, scoringRules: [], followUpHours: 1, monthlyMqlTarget: 1, policy } }));
    const before = (await app.db.sql<{ n: number }>(`SELECT count(*)::int AS n FROM alignment_agreements`))[0]!.n;
    expect(await bad({ fitRules: [{ attribute: 'lead.jobTitle', operator: 'EXISTS', points: 1 }, { attribute: 'account.attributes.size', operator: 'GTE', values: [number('1e3')], points: 1 }] })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.policy.fitRules[1].values[0].value',
    });
    expect(await bad({ fitRules: [{ attribute: 'account.walletSize', operator: 'EQUALS', values: [text('big')], points: 1 }] })).toMatchObject({
      field: 'input.policy.fitRules[0].values[0].type',
    });
    expect(await bad({ fitRules: [{ attribute: 'lead.colour', operator: 'EXISTS', points: 1 }] })).toMatchObject({ field: 'input.policy.fitRules[0].attribute' });
    expect(await bad({ fitRules: [{ attribute: 'lead.jobTitle', operator: 'EQUALS', values: [], points: 1 }] })).toMatchObject({ field: 'input.policy.fitRules[0].values' });
    expect(await bad({ engagementRules: [{ points: 1 }, { touchKinds: ['FORM_FILL'], points: -5 }] })).toMatchObject({ field: 'input.policy.engagementRules[1].points' });
    expect(await bad({ engagementHalfLifeDays: 0 })).toMatchObject({ field: 'input.policy.engagementHalfLifeDays' });
    expect(await bad({ fitCap: -1 })).toMatchObject({ field: 'input.policy.fitCap' });
    expect((await app.db.sql<{ n: number }>(`SELECT count(*)::int AS n FROM alignment_agreements`))[0]!.n).toBe(before);
  });
});
