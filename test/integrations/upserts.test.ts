import { Role } from '../../src/auth/roles';
import { createTestApp, TestApp } from '../helpers/app';
import { gid } from '../helpers/core-fixtures';

const UPSERT_ACCOUNT = `mutation ($input: UpsertAccountInput!) {
  upsertAccount(input: $input) { created outcome account { id externalId name domain segment industry walletSize version } }
}`;

interface AccountResult {
  upsertAccount: {
    created: boolean;
    outcome: string;
    account: { id: string; externalId: string; name: string; domain: string; segment: string; industry: string | null; walletSize: string | null; version: number };
  };
}

describe('upserts by externalId', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.close());

  it('upsertAccount creates, then updates, then changes nothing', async () => {
    const input = { externalId: 'crm-acc-1', name: 'Acme', domain: 'Acme.com', segment: 'SMB', walletSize: '100' };
    const first = await app.ok<AccountResult>(UPSERT_ACCOUNT, { input });
    expect(first.upsertAccount).toMatchObject({ created: true, outcome: 'CREATED' });
    expect(first.upsertAccount.account).toMatchObject({ externalId: 'crm-acc-1', name: 'Acme', domain: 'acme.com', walletSize: '100.00', version: 1 });
    const id = first.upsertAccount.account.id;

    const second = await app.ok<AccountResult>(UPSERT_ACCOUNT, { input: { ...input, name: 'Acme Inc', industry: 'Tools' } });
    expect(second.upsertAccount).toMatchObject({ created: false, outcome: 'UPDATED' });
    expect(second.upsertAccount.account).toEqual({
      id, externalId: 'crm-acc-1', name: 'Acme Inc', domain: 'acme.com', segment: 'SMB', industry: 'Tools', walletSize: '100.00', version: 2,
    });

    // the same values in another spelling (domain case, money digits): nothing is written
    const third = await app.ok<AccountResult>(UPSERT_ACCOUNT, { input: { ...input, name: 'Acme Inc', industry: 'Tools', walletSize: '100.00' } });
    expect(third.upsertAccount).toMatchObject({ created: false, outcome: 'UNCHANGED' });
    expect(third.upsertAccount.account.version).toBe(2);
    const [row] = await app.db.sql<{ n: number }>(`SELECT count(*)::int AS n FROM accounts WHERE external_id = 'crm-acc-1'`);
    expect(row!.n).toBe(1);
  });

  it('an update goes through the rules of updateAccount', async () => {
    await app.ok(UPSERT_ACCOUNT, { input: { externalId: 'crm-acc-rules', name: 'Rules', domain: 'rules.test', segment: 'SMB' } });
    const result = await app.gql(UPSERT_ACCOUNT, { input: { externalId: 'crm-acc-rules', name: 'Rules', domain: 'rules.test', segment: 'SMB', walletSize: '-1' } });
    expect(result.errors?.[0]).toMatchObject({ message: 'input.walletSize: must not be negative', extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('a CONFLICT on a unique key names the existing object', async () => {
    const taken = await app.ok<AccountResult>(UPSERT_ACCOUNT, { input: { externalId: 'crm-acc-2', name: 'Beta', domain: 'beta.test', segment: 'SMB' } });
    const existingId = taken.upsertAccount.account.id;
    const clash = await app.gql(UPSERT_ACCOUNT, { input: { externalId: 'crm-acc-3', name: 'Beta again', domain: 'BETA.test', segment: 'SMB' } });
    expect(clash.errors?.[0]).toMatchObject({
      message: `input.domain: already taken by Account ${existingId} ("beta.test")`,
      extensions: { code: 'CONFLICT', field: 'input.domain', existingId },
    });
    const create = await app.gql(`mutation { createAccount(input: { name: "B", domain: "b2.test", segment: SMB, externalId: "crm-acc-2" }) { account { id } } }`);
    expect(create.errors?.[0]).toMatchObject({ extensions: { code: 'CONFLICT', field: 'input.externalId', existingId } });

    const lead = await app.ok<{ createLead: { lead: { id: string } } }>(`mutation { createLead(input: { email: "jane@beta.test" }) { lead { id } } }`);
    const dup = await app.gql(`mutation { createLead(input: { email: "JANE@beta.test" }) { lead { id } } }`);
    expect(dup.errors?.[0]).toMatchObject({
      message: `input.email: already taken by Lead ${lead.createLead.lead.id} ("jane@beta.test")`,
      extensions: { code: 'CONFLICT', existingId: lead.createLead.lead.id },
    });
    const user = await app.ok<{ createUser: { user: { id: string } } }>(`mutation { createUser(input: { name: "U", email: "u@corp.test", team: SALES }) { user { id } } }`);
    const dupUser = await app.gql(`mutation { upsertUser(input: { externalId: "crm-u-9", name: "U2", email: "U@corp.test", team: SALES }) { user { id } } }`);
    expect(dupUser.errors?.[0]).toMatchObject({ extensions: { code: 'CONFLICT', field: 'input.email', existingId: user.createUser.user.id } });
  });

  it('upserts every other kind: created, updated, unchanged', async () => {
    const outcome = async (mutation: string, input: Record<string, unknown>) => {
      const data = await app.ok<Record<string, { outcome: string; created: boolean }>>(`mutation ($input: ${mutation[0]!.toUpperCase()}${mutation.slice(1)}Input!) { ${mutation}(input: $input) { created outcome } }`, { input });
      return data[mutation]!.outcome;
    };
    const run = async (mutation: string, input: Record<string, unknown>, change: Record<string, unknown>) => [
      await outcome(mutation, input),
      await outcome(mutation, { ...input, ...change }),
      await outcome(mutation, { ...input, ...change }),
    ];
    const ALL = ['CREATED', 'UPDATED', 'UNCHANGED'];
    expect(await run('upsertUser', { externalId: 'u-1', name: 'Sam', email: 'sam@corp.test', team: 'SALES' }, { team: 'MARKETING' })).toEqual(ALL);
    expect(
      await run('upsertCampaign', { externalId: 'c-1', name: 'Webinar', channel: 'WEBINAR', ownerTeam: 'MARKETING', startsOn: '2024-01-01' }, { budget: '5000' }),
    ).toEqual(ALL);
    const [campaign] = await app.db.sql<{ id: string }>(`SELECT id::text FROM campaigns WHERE external_id = 'c-1'`);
    const campaignId = gid('Campaign', campaign!.id);
    expect(await run('upsertCampaignSpend', { externalId: 's-1', campaignId, spentOn: '2024-01-02', amount: '10' }, { amount: '12.50' })).toEqual(ALL);
    expect(await run('upsertLead', { externalId: 'l-1', email: 'lee@x.test', firstName: 'Lee' }, { stage: 'MQL', lastName: 'Park' })).toEqual(ALL);
    const [lead] = await app.db.sql<{ id: string; stage: string; last_name: string }>(`SELECT id::text, stage, last_name FROM leads WHERE external_id = 'l-1'`);
    expect(lead).toMatchObject({ stage: 'MQL', last_name: 'Park' });
    const leadId = gid('Lead', lead!.id);
    expect(
      await run('upsertTouchpoint', { externalId: 't-1', leadId, campaignId, kind: 'EMAIL_OPEN', occurredAt: '2024-01-03T00:00:00.000Z' }, { kind: 'EMAIL_CLICK' }),
    ).toEqual(ALL);
    const [account] = await app.db.sql<{ id: string }>(`SELECT id::text FROM accounts WHERE external_id = 'crm-acc-1'`);
    expect(
      await run(
        'upsertOpportunity',
        { externalId: 'o-1', accountId: gid('Account', account!.id), name: 'Deal', kind: 'NEW_BUSINESS', amount: '1000', createdAt: '2024-01-05T00:00:00.000Z' },
        { stage: 'CLOSED_WON', closedAt: '2024-02-01T00:00:00.000Z', contactIds: [leadId] },
      ),
    ).toEqual(ALL);
    const [deal] = await app.db.sql<{ stage: string; closed_at: Date; contacts: number }>(
      `SELECT stage, closed_at, (SELECT count(*)::int FROM opportunity_contacts c WHERE c.opportunity_id = o.id) AS contacts FROM opportunities o WHERE external_id = 'o-1'`,
    );
    expect(deal).toEqual({ stage: 'CLOSED_WON', closed_at: new Date('2024-02-01T00:00:00.000Z'), contacts: 1 });
    expect(
      await run('upsertLeadFeedback', { externalId: 'f-1', leadId, disposition: 'ACCEPTED' }, { disposition: 'REJECTED', reason: 'BAD_FIT' }),
    ).toEqual(ALL);
    const [feedback] = await app.db.sql(`SELECT disposition, reason FROM lead_feedback WHERE external_id = 'f-1'`);
    expect(feedback).toEqual({ disposition: 'REJECTED', reason: 'BAD_FIT' });
  });

  it('an upsert that changes an old touchpoint keeps updateTouchpoint\'s rule for MARKETING', async () => {
    const [row] = await app.db.sql<{ lead: string; campaign: string }>(
      `SELECT (SELECT id::text FROM leads WHERE external_id = 'l-1') AS lead, (SELECT id::text FROM campaigns WHERE external_id = 'c-1') AS campaign`,
    );
    const input = { externalId: 't-1', leadId: gid('Lead', row!.lead), campaignId: gid('Campaign', row!.campaign), kind: 'MEETING' };
    const doc = 'mutation ($input: UpsertTouchpointInput!) { upsertTouchpoint(input: $input) { outcome } }';
    const refused = await app.gql(doc, { input }, Role.MARKETING);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'input.id' });
    // unchanged values write nothing, so nothing is refused
    const same = await app.gql<{ upsertTouchpoint: { outcome: string } }>(doc, { input: { ...input, kind: 'EMAIL_CLICK' } }, Role.MARKETING);
    expect(same.data?.upsertTouchpoint.outcome).toBe('UNCHANGED');
    expect((await app.gql<{ upsertTouchpoint: { outcome: string } }>(doc, { input })).data?.upsertTouchpoint.outcome).toBe('UPDATED');
  });

  it('upserts take the roles of the create of their kind', async () => {
    const result = await app.gql(
      `mutation { upsertAccount(input: { externalId: "m-1", name: "M", domain: "m.test", segment: SMB }) { created } }`,
      {},
      Role.MARKETING,
    );
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
