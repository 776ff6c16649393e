import { createTestApp, TestApp } from '../helpers/app';
import { countRows, firstError, gid, insertLead, insertUser } from '../helpers/core-fixtures';

const FEEDBACK = `mutation($input: GiveLeadFeedbackInput!) { giveLeadFeedback(input: $input) {
  feedback { id disposition reason note givenAt externalId lead { email } givenBy { name } } } }`;
const AGREEMENT_FIELDS = `id version effectiveFrom mqlThreshold followUpHours monthlyMqlTarget notes createdAt approved
  scoringRules { attribute condition points } proposedBy { name }
  marketingApprovedBy { name } marketingApprovedAt salesApprovedBy { name } salesApprovedAt`;
const PROPOSE = `mutation($input: ProposeAgreementInput!) { proposeAgreement(input: $input) { agreement { ${AGREEMENT_FIELDS} } } }`;
const APPROVE = `mutation($input: ApproveAgreementInput!) { approveAgreement(input: $input) { agreement { ${AGREEMENT_FIELDS} } } }`;
const CURRENT = `query($asOf: DateTime) { currentAgreement(asOf: $asOf) { version } }`;

interface Agreement {
  id: string;
  version: number;
  approved: boolean;
  [key: string]: unknown;
}

describe('alignment: lead feedback and the marketing–sales agreement', () => {
  let app: TestApp;
  let marketer: string;
  let seller: string;
  let seller2: string;
  let executive: string;
  let revops: string;
  beforeAll(async () => {
    app = await createTestApp();
    marketer = await insertUser(app.db, 'MARKETING', 'Mo Marketing');
    seller = await insertUser(app.db, 'SALES', 'Sid Sales');
    seller2 = await insertUser(app.db, 'SALES', 'Sue Sales');
    executive = await insertUser(app.db, 'EXECUTIVE', 'Eve Exec');
    revops = await insertUser(app.db, 'REVENUE_OPS', 'Rae Ops');
  });
  afterAll(() => app.close());

  describe('giveLeadFeedback', () => {
    let mql: string;
    let fresh: string;
    beforeAll(async () => {
      mql = await insertLead(app.db, { email: 'mql@fb.test', stage: 'MQL', createdAt: '2024-01-01T00:00:00Z', mqlAt: '2024-01-05T00:00:00Z' });
      fresh = await insertLead(app.db, { email: 'new@fb.test', createdAt: '2024-01-01T00:00:00Z' });
    });

    it('records an acceptance and a rejection with its reason, back-dated or now, listed on the lead', async () => {
      const rejected = await app.ok<{ giveLeadFeedback: { feedback: Record<string, unknown> } }>(FEEDBACK, {
        input: { leadId: gid('Lead', mql), disposition: 'REJECTED', reason: 'NO_BUDGET', note: 'budget frozen until Q3', givenById: gid('User', seller), at: '2024-01-06T09:00:00.000Z', externalId: 'fb-1' },
      });
      expect(rejected.giveLeadFeedback.feedback).toEqual({
        id: expect.any(String),
        disposition: 'REJECTED',
        reason: 'NO_BUDGET',
        note: 'budget frozen until Q3',
        givenAt: '2024-01-06T09:00:00.000Z',
        externalId: 'fb-1',
        lead: { email: 'mql@fb.test' },
        givenBy: { name: 'Sid Sales' },
      });
      const before = Date.now();
      const accepted = await app.ok<{ giveLeadFeedback: { feedback: { givenAt: string; reason: null; givenBy: null } } }>(FEEDBACK, {
        input: { leadId: gid('Lead', mql), disposition: 'ACCEPTED' },
      });
      expect(accepted.giveLeadFeedback.feedback).toMatchObject({ reason: null, givenBy: null });
      expect(Date.parse(accepted.giveLeadFeedback.feedback.givenAt)).toBeGreaterThanOrEqual(before - 1000);
      const onLead = await app.ok(`query($id: ID!) { lead(id: $id) { feedback { totalCount edges { node { disposition reason } } } } }`, { id: gid('Lead', mql) });
      expect(onLead).toEqual({
        lead: { feedback: { totalCount: 2, edges: [{ node: { disposition: 'REJECTED', reason: 'NO_BUDGET' } }, { node: { disposition: 'ACCEPTED', reason: null } }] } },
      });
    });

    it.each([
      [{ leadId: 'FRESH' }, 'BAD_USER_INPUT', 'input.leadId', /has not reached MQL/],
      [{ disposition: 'REJECTED' }, 'BAD_USER_INPUT', 'input.reason', /is required when the lead is rejected/],
      [{ reason: 'BAD_FIT' }, 'BAD_USER_INPUT', 'input.reason', /only given when the lead is rejected/],
      [{ at: '2024-01-04T23:59:59Z' }, 'BAD_USER_INPUT', 'input.at', /must not be before the lead became an MQL/],
      [{ at: '2999-01-01T00:00:00Z' }, 'BAD_USER_INPUT', 'input.at', /cannot be in the future/],
      [{ leadId: gid('Lead', 626262) }, 'NOT_FOUND', 'input.leadId', /no Lead with id "626262"/],
      [{ leadId: gid('User', 1) }, 'BAD_USER_INPUT', 'input.leadId', /is not a Lead id/],
      [{ givenById: gid('User', 626262) }, 'NOT_FOUND', 'input.givenById', /no User/],
      [{ note: 'n'.repeat(4001) }, 'BAD_USER_INPUT', 'input.note', /4000/],
      [{ externalId: 'fb-1' }, 'CONFLICT', 'input.externalId', /already taken/],
    ])('refuses %j naming the field and records nothing', async (bad, code, field, message) => {
      const before = await countRows(app.db, 'lead_feedback');
      const input = { leadId: gid('Lead', mql), disposition: 'ACCEPTED', ...bad };
      if (input.leadId === 'FRESH') input.leadId = gid('Lead', fresh);
      const result = await app.gql(FEEDBACK, { input });
      expect(firstError(result)).toEqual({ code, field, message: expect.stringMatching(new RegExp(`^${field.replace('.', '\\.')}: .*${message.source}`)) });
      expect(await countRows(app.db, 'lead_feedback')).toBe(before);
    });
  });

  describe('agreements', () => {
    const propose = async (input: Record<string, unknown>) =>
      (await app.ok<{ proposeAgreement: { agreement: Agreement } }>(PROPOSE, {
        input: { mqlThreshold: 60, scoringRules: [], followUpHours: 24, monthlyMqlTarget: 100, createdAt: '2023-11-01T00:00:00Z', ...input },
      })).proposeAgreement.agreement;
    const approve = (agreementId: string, approverId: string, at?: string) =>
      app.gql<{ approveAgreement: { agreement: Agreement } }>(APPROVE, { input: { agreementId, approverId: gid('User', approverId), at } });
    const approveOk = async (agreementId: string, approverId: string, at?: string) => {
      const result = await approve(agreementId, approverId, at);
      if (result.errors) throw new Error(JSON.stringify(result.errors));
      return result.data!.approveAgreement.agreement;
    };
    const current = async (asOf?: string) => (await app.ok<{ currentAgreement: { version: number } | null }>(CURRENT, { asOf })).currentAgreement?.version ?? null;

    it('numbers proposals in order and keeps every term', async () => {
      const agreement = await propose({
        effectiveFrom: '2024-01-01T00:00:00.000Z',
        mqlThreshold: 65,
        scoringRules: [
          { attribute: 'jobTitle', condition: 'contains VP or Director', points: 20 },
          { attribute: 'usesCompetitor', condition: 'is true', points: -10 },
        ],
        followUpHours: 36.5,
        monthlyMqlTarget: 250,
        notes: 'FY24 terms',
        proposedById: gid('User', marketer),
      });
      expect(agreement).toEqual({
        id: expect.any(String),
        version: 1,
        effectiveFrom: '2024-01-01T00:00:00.000Z',
        mqlThreshold: 65,
        followUpHours: 36.5,
        monthlyMqlTarget: 250,
        notes: 'FY24 terms',
        createdAt: '2023-11-01T00:00:00.000Z',
        approved: false,
        scoringRules: [
          { attribute: 'jobTitle', condition: 'contains VP or Director', points: 20 },
          { attribute: 'usesCompetitor', condition: 'is true', points: -10 },
        ],
        proposedBy: { name: 'Mo Marketing' },
        marketingApprovedBy: null,
        marketingApprovedAt: null,
        salesApprovedBy: null,
        salesApprovedAt: null,
      });
      expect((await propose({ effectiveFrom: '2024-03-01T00:00:00Z' })).version).toBe(2);
    });

    it.each([
      [{ followUpHours: 0 }, 'input.followUpHours'],
      [{ mqlThreshold: -1 }, 'input.mqlThreshold'],
      [{ scoringRules: [{ attribute: 'a', condition: 'c', points: 1 }, { attribute: 'b', condition: 'c', points: 5000 }] }, 'input.scoringRules.1.points'],
      [{ scoringRules: [{ attribute: '', condition: 'c', points: 1 }] }, 'input.scoringRules.0.attribute'],
      [{ proposedById: gid('User', 515151) }, 'input.proposedById'],
    ])('refuses a proposal with %j naming the field', async (bad, field) => {
      const before = await countRows(app.db, 'alignment_agreements');
      const result = await app.gql(PROPOSE, { input: { effectiveFrom: '2024-01-01T00:00:00Z', mqlThreshold: 1, scoringRules: [], followUpHours: 1, monthlyMqlTarget: 1, ...bad } });
      const error = firstError(result);
      expect(error.field).toBe(field);
      expect(error.message.startsWith(`${field}: `)).toBe(true);
      expect(await countRows(app.db, 'alignment_agreements')).toBe(before);
    });

    it('is in force only once a MARKETING and a SALES user both approved it', async () => {
      const agreement = await propose({ effectiveFrom: '2023-12-01T00:00:00Z' });
      const half = await approveOk(agreement.id, marketer, '2023-11-20T00:00:00.000Z');
      expect(half).toMatchObject({ approved: false, marketingApprovedBy: { name: 'Mo Marketing' }, marketingApprovedAt: '2023-11-20T00:00:00.000Z', salesApprovedBy: null });
      // half-approved: not current, not in the approved list
      expect(await current('2023-12-15T00:00:00Z')).toBeNull();
      const full = await approveOk(agreement.id, seller, '2023-11-21T00:00:00.000Z');
      expect(full).toMatchObject({ approved: true, salesApprovedBy: { name: 'Sid Sales' }, salesApprovedAt: '2023-11-21T00:00:00.000Z' });
      expect(await current('2023-12-15T00:00:00Z')).toBe(full.version);
      expect(await current('2023-11-30T23:59:59Z')).toBeNull(); // not yet effective
    });

    it('refuses a second approval by the same team (CONFLICT) and an approver of another team', async () => {
      const before = Date.now();
      const agreement = await propose({ effectiveFrom: '2025-01-01T00:00:00Z', createdAt: null });
      const approved = await approveOk(agreement.id, seller);
      // createdAt and the approval time default to now
      for (const time of [agreement.createdAt, approved.salesApprovedAt] as string[]) {
        expect(Date.parse(time)).toBeGreaterThanOrEqual(before - 1000);
        expect(Date.parse(time)).toBeLessThanOrEqual(Date.now() + 1000);
      }
      expect(firstError(await approve(agreement.id, seller2))).toEqual({
        code: 'CONFLICT',
        field: 'input.approverId',
        message: 'input.approverId: sales has already approved this agreement',
      });
      for (const who of [executive, revops]) {
        expect(firstError(await approve(agreement.id, who))).toEqual({
          code: 'BAD_USER_INPUT',
          field: 'input.approverId',
          message: 'input.approverId: must be a MARKETING or a SALES user: each team approves for itself',
        });
      }
      const [row] = await app.db.sql(`SELECT sales_approved_by_id, marketing_approved_by_id FROM alignment_agreements WHERE id = $1`, [
        Buffer.from(agreement.id, 'base64').toString().split(':')[1],
      ]);
      expect(row).toEqual({ sales_approved_by_id: seller, marketing_approved_by_id: null });
    });

    it('refuses an approval dated before the proposal, and records nothing', async () => {
      // proposed 2023-11-01 (the helper's createdAt); an approval on 2023-10-31 cannot have happened
      const agreement = await propose({ effectiveFrom: '2025-06-01T00:00:00Z' });
      const early = await approve(agreement.id, marketer, '2023-10-31T00:00:00Z');
      expect(firstError(early)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.at' });
      const [row] = await app.db.sql<{ at: Date | null }>(`SELECT marketing_approved_at AS at FROM alignment_agreements WHERE version = $1`, [agreement.version]);
      expect(row?.at).toBeNull();
      expect((await approveOk(agreement.id, marketer, '2023-11-02T00:00:00Z')).marketingApprovedAt).toBe('2023-11-02T00:00:00.000Z');
    });

    it('refuses unknown agreements and approvers as NOT_FOUND, and ids of the wrong type', async () => {
      expect(firstError(await approve(gid('AlignmentAgreement', 414141), marketer))).toEqual({
        code: 'NOT_FOUND',
        field: 'input.agreementId',
        message: 'input.agreementId: no AlignmentAgreement with id "414141"',
      });
      const agreement = await propose({ effectiveFrom: '2025-01-01T00:00:00Z' });
      expect(firstError(await approve(agreement.id, '414141'))).toMatchObject({ code: 'NOT_FOUND', field: 'input.approverId' });
      expect(firstError(await approve(gid('Lead', 1), marketer))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.agreementId' });
      const wrongApprover = await app.gql(APPROVE, { input: { agreementId: agreement.id, approverId: gid('Lead', 1) } });
      expect(firstError(wrongApprover)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.approverId' });
    });
  });

  describe('currentAgreement and alignmentAgreements', () => {
    // a database of its own history: reset the agreements of the tests above
    const versions: Record<string, number> = {};
    beforeAll(async () => {
      await app.db.sql(`DELETE FROM alignment_agreements`);
      const propose = async (name: string, effectiveFrom: string) => {
        const { proposeAgreement } = await app.ok<{ proposeAgreement: { agreement: Agreement } }>(PROPOSE, {
          input: { effectiveFrom, mqlThreshold: 50, scoringRules: [], followUpHours: 24, monthlyMqlTarget: 100, createdAt: '2023-10-01T00:00:00Z' },
        });
        versions[name] = proposeAgreement.agreement.version;
        return proposeAgreement.agreement.id;
      };
      const both = async (id: string, at: string) => {
        await app.ok(APPROVE, { input: { agreementId: id, approverId: gid('User', marketer), at } });
        await app.ok(APPROVE, { input: { agreementId: id, approverId: gid('User', seller), at } });
      };
      //          effective    approvals
      // a        2024-01-01   both 2023-12-20
      // halfB    2024-03-01   marketing only
      // c        2024-02-01   both 2024-01-25
      // lateD    2024-06-01   both 2024-07-15 (approved after it became effective)
      // e        2024-02-01   both 2024-01-28 (same effectiveFrom as c, higher version)
      await both(await propose('a', '2024-01-01T00:00:00Z'), '2023-12-20T00:00:00Z');
      const halfB = await propose('halfB', '2024-03-01T00:00:00Z');
      await app.ok(APPROVE, { input: { agreementId: halfB, approverId: gid('User', marketer), at: '2024-02-20T00:00:00Z' } });
      await both(await propose('c', '2024-02-01T00:00:00Z'), '2024-01-25T00:00:00Z');
      await both(await propose('lateD', '2024-06-01T00:00:00Z'), '2024-07-15T00:00:00Z');
      await both(await propose('e', '2024-02-01T00:00:00Z'), '2024-01-28T00:00:00Z');
    });
    const current = async (asOf?: string) => (await app.ok<{ currentAgreement: { version: number } | null }>(CURRENT, { asOf })).currentAgreement?.version ?? null;

    it('is the latest approved agreement with effectiveFrom <= asOf', async () => {
      expect(await current('2023-12-31T23:59:59Z')).toBeNull();
      expect(await current('2024-01-01T00:00:00Z')).toBe(versions.a);
      expect(await current('2024-01-31T00:00:00Z')).toBe(versions.a);
      // c and e share effectiveFrom: the higher version wins
      expect(await current('2024-02-15T00:00:00Z')).toBe(versions.e);
      // the half-approved one never applies
      expect(await current('2024-03-15T00:00:00Z')).toBe(versions.e);
      expect(await current('2024-08-01T00:00:00Z')).toBe(versions.lateD);
      expect(await current()).toBe(versions.lateD);
    });

    it('does not apply an agreement at a time before both teams had approved it', async () => {
      // lateD is effective from 06-01 but only approved on 07-15: on 06-15 e was still the one in force
      expect(await current('2024-06-15T00:00:00Z')).toBe(versions.e);
      expect(await current('2024-07-15T00:00:00Z')).toBe(versions.lateD);
    });

    it('lists every version newest first, or only the approved ones, page by page', async () => {
      const list = async (args: string) =>
        (await app.ok<{ alignmentAgreements: { totalCount: number; edges: { node: { version: number; approved: boolean } }[]; pageInfo: { endCursor: string } } }>(
          `{ alignmentAgreements(${args}) { totalCount edges { node { version approved } } pageInfo { endCursor } } }`,
        )).alignmentAgreements;
      const all = await list('first: 20');
      expect(all.totalCount).toBe(5);
      expect(all.edges.map((e) => e.node.version)).toEqual([versions.e, versions.lateD, versions.c, versions.halfB, versions.a]);
      const approved = await list('approvedOnly: true');
      expect(approved.edges.map((e) => e.node)).toEqual([versions.e, versions.lateD, versions.c, versions.a].map((version) => ({ version, approved: true })));
      const first = await list('first: 2');
      const rest = await list(`first: 5, after: "${first.pageInfo.endCursor}"`);
      expect([...first.edges, ...rest.edges].map((e) => e.node.version)).toEqual(all.edges.map((e) => e.node.version));
    });
  });
});
