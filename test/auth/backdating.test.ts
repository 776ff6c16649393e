import { Role } from '../../src/auth/roles';
import { loadConfig } from '../../src/config';
import { countRows, gid, insertAccount, insertCampaign, insertLead, insertOpportunity, insertUser } from '../helpers/core-fixtures';
import { startHttpApp, HttpTestApp } from '../helpers/http-app';

const { ADMIN, REVENUE_OPS, MARKETING, SALES } = Role;
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
type Input = Record<string, unknown>;

interface TimeCase {
  mutation: string;
  /** The time field of the input, as the error names it. */
  field: string;
  /** A role that may call the mutation but not back-date. */
  role: Role;
  input(at: string, role: Role): Promise<Input>;
}

describe('back-dating a write (BACKDATE_TOLERANCE_MINUTES, default 15)', () => {
  let api: HttpTestApp;
  const keys = new Map<Role, string>();
  let salesUser: string;
  let marketingUser: string;

  const call = async (mutation: string, input: Input, role: Role) => {
    const inputType = `${mutation[0]!.toUpperCase()}${mutation.slice(1)}Input`;
    const res = await api.gql<Record<string, unknown>>(`mutation($input: ${inputType}!) { ${mutation}(input: $input) { __typename } }`, { input }, { key: keys.get(role)! });
    const error = res.body.errors?.[0];
    return { code: error?.extensions?.code ?? null, field: error?.extensions?.field ?? null, message: error?.message ?? null };
  };
  const agreement = async () =>
    (
      await api.db.sql<{ id: string }>(
        `INSERT INTO alignment_agreements (version, effective_from, mql_threshold, follow_up_hours, monthly_mql_target, created_at)
         SELECT coalesce(max(version), 0) + 1, '2024-01-01', 50, 24, 100, '2024-01-01' FROM alignment_agreements RETURNING id`,
      )
    )[0]!.id;
  const mqlLead = () => insertLead(api.db, { stage: 'MQL', createdAt: '2024-01-01T00:00:00Z', mqlAt: '2024-01-02T00:00:00Z' });
  const oldDeal = async () => insertOpportunity(api.db, { accountId: await insertAccount(api.db), createdAt: '2024-01-01T00:00:00Z' });

  const CASES: TimeCase[] = [
    { mutation: 'createLead', field: 'createdAt', role: MARKETING, input: async (at) => ({ email: `${Math.random().toString(36).slice(2)}@old.test`, createdAt: at }) },
    { mutation: 'changeLeadStage', field: 'at', role: SALES, input: async (at) => ({ leadId: gid('Lead', await mqlLead()), stage: 'SAL', at }) },
    { mutation: 'createCampaign', field: 'createdAt', role: MARKETING, input: async (at) => ({ name: 'Old', channel: 'EMAIL', ownerTeam: 'MARKETING', startsOn: '2024-01-01', createdAt: at }) },
    {
      mutation: 'recordTouchpoint',
      field: 'occurredAt',
      role: MARKETING,
      input: async (at) => ({ campaignId: gid('Campaign', await insertCampaign(api.db)), leadId: gid('Lead', await mqlLead()), kind: 'EMAIL_OPEN', occurredAt: at }),
    },
    {
      mutation: 'createOpportunity',
      field: 'createdAt',
      role: SALES,
      input: async (at) => ({ accountId: gid('Account', await insertAccount(api.db)), name: 'Deal', kind: 'NEW_BUSINESS', amount: '10.00', createdAt: at }),
    },
    {
      mutation: 'createOpportunity',
      field: 'closedAt',
      role: SALES,
      input: async (at, role) => ({
        accountId: gid('Account', await insertAccount(api.db)),
        name: 'Won deal',
        kind: 'NEW_BUSINESS',
        amount: '10.00',
        stage: 'CLOSED_WON',
        createdAt: role === SALES ? minutesAgo(10) : at,
        closedAt: at,
      }),
    },
    { mutation: 'moveOpportunityStage', field: 'at', role: SALES, input: async (at) => ({ opportunityId: gid('Opportunity', await oldDeal()), stage: 'CLOSED_WON', at }) },
    { mutation: 'giveLeadFeedback', field: 'at', role: SALES, input: async (at) => ({ leadId: gid('Lead', await mqlLead()), disposition: 'ACCEPTED', at }) },
    {
      mutation: 'proposeAgreement',
      field: 'createdAt',
      role: MARKETING,
      input: async (at) => ({ effectiveFrom: minutesAgo(0), mqlThreshold: 50, followUpHours: 24, monthlyMqlTarget: 10, scoringRules: [], createdAt: at }),
    },
    {
      mutation: 'proposeAgreement',
      field: 'effectiveFrom',
      role: SALES,
      input: async (at) => ({ effectiveFrom: at, mqlThreshold: 50, followUpHours: 240, monthlyMqlTarget: 10, scoringRules: [] }),
    },
    {
      mutation: 'approveAgreement',
      field: 'at',
      role: SALES,
      input: async (at) => ({ agreementId: gid('AlignmentAgreement', await agreement()), approverId: gid('User', salesUser), at }),
    },
  ];

  beforeAll(async () => {
    api = await startHttpApp();
    salesUser = await insertUser(api.db, 'SALES');
    marketingUser = await insertUser(api.db, 'MARKETING');
    for (const role of [ADMIN, REVENUE_OPS, MARKETING, SALES]) keys.set(role, (await api.newKey(role)).secret);
  });
  afterAll(() => api.close());

  it('defaults the tolerance to 15 minutes', () => {
    expect(loadConfig().backdateToleranceMinutes).toBe(15);
  });

  it.each(CASES.map((c) => [c.mutation, c.field, c.role, c] as const))('%s: %s three days back as %s is FORBIDDEN naming the field', async (_m, _f, _r, c) => {
    const before = await countRows(api.db, 'audit_log');
    const outcome = await call(c.mutation, await c.input(minutesAgo(3 * 24 * 60), c.role), c.role);
    expect(outcome).toEqual({
      code: 'FORBIDDEN',
      field: `input.${c.field}`,
      message: `input.${c.field}: role ${c.role} may not date a write more than 15 minutes before now (back-dating is for ADMIN and REVENUE_OPS)`,
    });
    expect(await countRows(api.db, 'audit_log')).toBe(before); // nothing was written
  });

  it.each(CASES.map((c) => [c.mutation, c.field, c.role, c] as const))('%s: %s five minutes back as %s is fine', async (_m, _f, _r, c) => {
    expect(await call(c.mutation, await c.input(minutesAgo(5), c.role), c.role)).toEqual({ code: null, field: null, message: null });
  });

  it.each(CASES.flatMap((c) => [ADMIN, REVENUE_OPS].map((role) => [c.mutation, c.field, role, c] as const)))(
    '%s: %s a year back as %s is a historical load',
    async (_m, _f, role, c) => {
      expect(await call(c.mutation, await c.input(minutesAgo(365 * 24 * 60), role), role)).toEqual({ code: null, field: null, message: null });
    },
  );

  it('leaves calendar days alone: marketing records spend for a past day', async () => {
    const input = { campaignId: gid('Campaign', await insertCampaign(api.db)), amount: '99.00', spentOn: '2024-03-31' };
    expect(await call('recordSpend', input, MARKETING)).toEqual({ code: null, field: null, message: null });
  });

  it('keeps a breached SLA breached: SALES cannot answer an MQL of ten days ago "within" the follow-up hours', async () => {
    const mqlAt = new Date(Date.now() - 10 * 86_400_000);
    const lead = await insertLead(api.db, { stage: 'MQL', createdAt: mqlAt.toISOString(), mqlAt: mqlAt.toISOString() });
    await api.db.sql(
      `UPDATE alignment_agreements SET marketing_approved_by_id = $1, marketing_approved_at = '2024-01-01', sales_approved_by_id = $2, sales_approved_at = '2024-01-01'
        WHERE version = (SELECT min(version) FROM alignment_agreements)`,
      [marketingUser, salesUser],
    );
    const sla = async () => {
      const res = await api.gql<{ slaCompliance: { mqls: number; within: number; breached: number } }>(
        `query($w: ReportWindowInput!) { slaCompliance(input: { window: $w }) { mqls within breached } }`,
        { w: { from: new Date(mqlAt.getTime() - 1000).toISOString(), to: new Date(mqlAt.getTime() + 1000).toISOString() } },
      );
      return res.body.data?.slaCompliance;
    };
    expect(await sla()).toEqual({ mqls: 1, within: 0, breached: 1 });
    const withinHour = new Date(mqlAt.getTime() + 3_600_000).toISOString();
    const refused = await call('giveLeadFeedback', { leadId: gid('Lead', lead), disposition: 'ACCEPTED', at: withinHour }, SALES);
    expect([refused.code, refused.field]).toEqual(['FORBIDDEN', 'input.at']);
    expect(await call('giveLeadFeedback', { leadId: gid('Lead', lead), disposition: 'ACCEPTED' }, SALES)).toEqual({ code: null, field: null, message: null });
    expect(await sla()).toEqual({ mqls: 1, within: 0, breached: 1 }); // answered, late
  });
});

describe('BACKDATE_TOLERANCE_MINUTES', () => {
  it('widens the window for every role', async () => {
    const api = await startHttpApp((config) => {
      config.backdateToleranceMinutes = 120;
    });
    try {
      const { secret } = await api.newKey(Role.SALES);
      const account = gid('Account', await insertAccount(api.db));
      const create = (at: string) =>
        api.gql(
          `mutation($a: ID!, $at: DateTime) { createOpportunity(input: { accountId: $a, name: "D", kind: NEW_BUSINESS, amount: "1.00", createdAt: $at }) { __typename } }`,
          { a: account, at },
          { key: secret },
        );
      expect((await create(minutesAgo(90))).body.errors).toBeUndefined();
      expect((await create(minutesAgo(150))).body.errors?.map((e) => e.extensions?.field)).toEqual(['input.createdAt']);
    } finally {
      await api.close();
    }
  });
});
