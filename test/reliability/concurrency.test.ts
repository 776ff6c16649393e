import { Role } from '../../src/auth/roles';
import { createTestApp, GraphQLResult, TestApp } from '../helpers/app';
import { gid, insertAccount } from '../helpers/core-fixtures';

/*
 * 50 concurrent writers on one lead and one opportunity, through the GraphQL engine (each call
 * its own transaction on the pool, as under real load). Nothing may be lost or interleaved:
 * every successful change moves `version` by exactly one, a stale version is a CONFLICT, the
 * stage history is one unbroken chain, and no call fails with a 500 or a deadlock.
 */

let app: TestApp;
let accountId: string;

beforeAll(async () => {
  app = await createTestApp();
  accountId = gid('Account', await insertAccount(app.db));
});

afterAll(() => app?.close());

const LEAD_FIELDS = 'id stage version firstName';

/** Codes a concurrent write may legitimately fail with: the transition is not allowed now, or the version moved. */
const EXPECTED_CODES = new Set(['BAD_USER_INPUT', 'CONFLICT']);

function unexpectedErrors(results: GraphQLResult<unknown>[]): string[] {
  return results
    .flatMap((r) => r.errors ?? [])
    .filter((e) => !EXPECTED_CODES.has(String(e.extensions?.code)) || /deadlock|could not serialize|internal/i.test(e.message))
    .map((e) => `${String(e.extensions?.code)}: ${e.message}`);
}

interface LeadView {
  id: string;
  stage: string;
  version: number;
  firstName: string | null;
}

async function createLead(email: string): Promise<LeadView> {
  const data = await app.ok<{ createLead: { lead: LeadView } }>(
    `mutation ($input: CreateLeadInput!) { createLead(input: $input) { lead { ${LEAD_FIELDS} } } }`,
    { input: { email, accountId, createdAt: new Date(Date.now() - 86_400_000).toISOString() } },
  );
  return data.createLead.lead;
}

describe('50 concurrent writes on one lead', () => {
  it('keeps one unbroken stage history and counts every change in the version', async () => {
    const lead = await createLead('race@example.com');
    expect(lead).toMatchObject({ stage: 'NEW', version: 1 });
    // stage moves that are each allowed from some stage: which succeed depends on the order they land in
    const targets = ['MQL', 'RECYCLED', 'SAL', 'DISQUALIFIED', 'MQL', 'SQL', 'RECYCLED'];
    type Call = { kind: 'stage' | 'update'; sentVersion: number | null; firstName?: string };
    const calls: Call[] = [];
    const requests = Array.from({ length: 50 }, (_, i) => {
      if (i % 5 === 4) {
        // an update of the name, half of them with the version read at the start (stale after the first write)
        const call: Call = { kind: 'update', sentVersion: i % 2 ? 1 : null, firstName: `Name ${i}` };
        calls.push(call);
        return app.gql<{ updateLead: { lead: LeadView } }>(
          `mutation ($input: UpdateLeadInput!) { updateLead(input: $input) { lead { ${LEAD_FIELDS} } } }`,
          { input: { id: lead.id, firstName: call.firstName, ...(call.sentVersion ? { version: call.sentVersion } : {}) } },
          Role.REVENUE_OPS,
        );
      }
      calls.push({ kind: 'stage', sentVersion: null });
      return app.gql<{ changeLeadStage: { lead: LeadView; change: { fromStage: string | null; toStage: string } } }>(
        `mutation ($input: ChangeLeadStageInput!) { changeLeadStage(input: $input) { lead { ${LEAD_FIELDS} } change { fromStage toStage } } }`,
        { input: { leadId: lead.id, stage: targets[i % targets.length] } },
        Role.REVENUE_OPS,
      );
    });
    const results = await Promise.all(requests);

    expect(unexpectedErrors(results)).toEqual([]);
    const succeeded = results.map((r, i) => ({ r, call: calls[i] as Call })).filter(({ r }) => !r.errors?.length);
    const stageSuccesses = succeeded.filter(({ call }) => call.kind === 'stage');
    const updateSuccesses = succeeded.filter(({ call }) => call.kind === 'update');
    expect(stageSuccesses.length).toBeGreaterThan(1);
    expect(updateSuccesses.length).toBeGreaterThan(0);
    // updates that sent version 1 fail unless they were the very first write
    const staleSent = results.filter((r, i) => calls[i]?.kind === 'update' && calls[i]?.sentVersion === 1 && r.errors?.length);
    for (const r of staleSent) expect(r.errors?.[0]?.extensions?.code).toBe('CONFLICT');

    // every success saw a different version: no two writes built on the same state
    const versions = succeeded.map(({ r }) => {
      const data = r.data as { changeLeadStage?: { lead: LeadView }; updateLead?: { lead: LeadView } };
      return (data.changeLeadStage ?? data.updateLead)?.lead.version as number;
    });
    expect(new Set(versions).size).toBe(versions.length);
    expect([...versions].sort((a, b) => a - b)).toEqual(versions.map((_, i) => i + 2));

    const [row] = await app.db.sql<{ stage: string; version: number; first_name: string | null }>(
      `SELECT stage, version, first_name FROM leads WHERE id = $1`,
      [Buffer.from(lead.id, 'base64').toString().split(':')[1]],
    );
    expect(row?.version).toBe(1 + succeeded.length);

    // the history: the creation, then one row per successful stage change, each starting where the last ended
    const history = await app.db.sql<{ from_stage: string | null; to_stage: string; changed_at: Date }>(
      `SELECT c.from_stage, c.to_stage, c.changed_at FROM lead_stage_changes c JOIN leads l ON l.id = c.lead_id
        WHERE l.email = 'race@example.com' ORDER BY c.changed_at, c.id`,
    );
    expect(history).toHaveLength(stageSuccesses.length + 1);
    expect(history[0]).toMatchObject({ from_stage: null, to_stage: 'NEW' });
    for (let i = 1; i < history.length; i++) {
      expect(history[i]?.from_stage).toBe(history[i - 1]?.to_stage);
      expect((history[i]?.changed_at as Date).getTime()).toBeGreaterThanOrEqual((history[i - 1]?.changed_at as Date).getTime());
    }
    expect(history[history.length - 1]?.to_stage).toBe(row?.stage);
    // the name is the one of the update that landed last (the highest version among the updates)
    const lastUpdate = updateSuccesses
      .map(({ r, call }) => ({ version: (r.data as { updateLead: { lead: LeadView } }).updateLead.lead.version, firstName: call.firstName }))
      .sort((a, b) => b.version - a.version)[0];
    expect(row?.first_name).toBe(lastUpdate?.firstName);
  });
});

interface OpportunityView {
  id: string;
  version: number;
  amount: string;
}

async function createOpportunity(name: string, amount: string): Promise<OpportunityView> {
  const data = await app.ok<{ createOpportunity: { opportunity: OpportunityView } }>(
    `mutation ($input: CreateOpportunityInput!) { createOpportunity(input: $input) { opportunity { id version amount } } }`,
    { input: { accountId, name, kind: 'NEW_BUSINESS', amount } },
  );
  return data.createOpportunity.opportunity;
}

function updateOpportunity(input: Record<string, unknown>) {
  return app.gql<{ updateOpportunity: { opportunity: OpportunityView } }>(
    `mutation ($input: UpdateOpportunityInput!) { updateOpportunity(input: $input) { opportunity { id version amount } } }`,
    { input },
    Role.SALES,
  );
}

describe('50 concurrent updates of one opportunity', () => {
  it('applies each success on top of the last: versions 2..n+1, stale versions refused as CONFLICT', async () => {
    const opportunity = await createOpportunity('Race deal', '1000.00');
    expect(opportunity.version).toBe(1);
    // even calls pass the version read before the race (1), odd ones pass none
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        updateOpportunity({ id: opportunity.id, amount: `${1000 + i + 1}.00`, ...(i % 2 === 0 ? { version: 1 } : {}) }),
      ),
    );
    expect(unexpectedErrors(results)).toEqual([]);
    const withVersion = results.filter((_, i) => i % 2 === 0);
    const withoutVersion = results.filter((_, i) => i % 2 === 1);
    // without a version nothing conflicts; with version 1 only a write that came first can succeed
    for (const r of withoutVersion) expect(r.errors).toBeUndefined();
    const versionWins = withVersion.filter((r) => !r.errors?.length);
    expect(versionWins.length).toBeLessThanOrEqual(1);
    for (const r of withVersion.filter((x) => x.errors?.length)) expect(r.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    for (const r of versionWins) expect(r.data?.updateOpportunity.opportunity.version).toBe(2);

    const successes = results.filter((r) => !r.errors?.length).map((r) => r.data?.updateOpportunity.opportunity as OpportunityView);
    expect(successes.map((o) => o.version).sort((a, b) => a - b)).toEqual(successes.map((_, i) => i + 2));
    const [row] = await app.db.sql<{ version: number; amount: string }>(`SELECT version, amount FROM opportunities WHERE name = 'Race deal'`);
    expect(row?.version).toBe(1 + successes.length);
    // the stored amount is the one of the last write
    const last = successes.reduce((a, b) => (b.version > a.version ? b : a));
    expect(row?.amount).toBe(last.amount);
    // each successful write is in the audit log once, with the version it produced
    const audited = await app.db.sql<{ version: number }>(
      `SELECT (after ->> 'version')::int AS version FROM audit_log
        WHERE object_type = 'opportunities' AND mutation = 'updateOpportunity' AND (after ->> 'name') = 'Race deal'`,
    );
    expect(audited.map((a) => a.version).sort((a, b) => a - b)).toEqual(successes.map((o) => o.version).sort((a, b) => a - b));
  });

  it('loses no increment when 20 clients read, add 1.00 and write back with the version, retrying on CONFLICT', async () => {
    const opportunity = await createOpportunity('Counter deal', '100.00');
    let conflicts = 0;
    const client = async () => {
      for (let attempt = 0; attempt < 200; attempt++) {
        const read = await app.ok<{ opportunity: OpportunityView }>(`query ($id: ID!) { opportunity(id: $id) { id version amount } }`, { id: opportunity.id });
        // cents as integers: no float arithmetic on money
        const [whole = '0', cents = '00'] = read.opportunity.amount.split('.');
        const next = Number(whole) * 100 + Number(cents) + 100;
        const written = await updateOpportunity({ id: opportunity.id, version: read.opportunity.version, amount: `${Math.floor(next / 100)}.${String(next % 100).padStart(2, '0')}` });
        if (!written.errors?.length) return;
        expect(written.errors[0]?.extensions?.code).toBe('CONFLICT');
        conflicts++;
      }
      throw new Error('a client never got its write in');
    };
    await Promise.all(Array.from({ length: 20 }, client));
    const [row] = await app.db.sql<{ version: number; amount: string }>(`SELECT version, amount FROM opportunities WHERE name = 'Counter deal'`);
    // 100.00 + 20 × 1.00, one version per increment
    expect(row).toEqual({ version: 21, amount: '120.00' });
    // the clients did race (otherwise this test proves nothing)
    expect(conflicts).toBeGreaterThan(0);
  });
});

describe('contacts of an opportunity', () => {
  it('move its version, so a client holding the old version cannot overwrite them', async () => {
    const leads = await Promise.all([createLead('contact-a@example.com'), createLead('contact-b@example.com')]);
    const opportunity = await createOpportunity('Contact deal', '10.00');
    const first = await updateOpportunity({ id: opportunity.id, version: 1, contactIds: [leads[0]?.id] });
    expect(first.data?.updateOpportunity.opportunity.version).toBe(2);
    // a second client read version 1 before that change: its write must not silently replace the contacts
    const stale = await updateOpportunity({ id: opportunity.id, version: 1, contactIds: [leads[1]?.id] });
    expect(stale.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const contacts = await app.db.sql<{ email: string }>(
      `SELECT l.email FROM opportunity_contacts c JOIN leads l ON l.id = c.lead_id JOIN opportunities o ON o.id = c.opportunity_id
        WHERE o.name = 'Contact deal'`,
    );
    expect(contacts).toEqual([{ email: 'contact-a@example.com' }]);
  });
});

describe('lead and opportunity writes interleaved', () => {
  it('changes stages, names, amounts and contacts at once without a deadlock or a 500', async () => {
    const leads = await Promise.all([createLead('mix-a@example.com'), createLead('mix-b@example.com')]);
    const opportunity = await createOpportunity('Mixed deal', '10.00');
    const ids = leads.map((l) => l.id);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => {
        const lead = ids[i % 2] as string;
        switch (i % 4) {
          case 0:
            return app.gql(`mutation ($input: ChangeLeadStageInput!) { changeLeadStage(input: $input) { lead { id } } }`, {
              input: { leadId: lead, stage: i % 8 === 0 ? 'MQL' : 'RECYCLED' },
            });
          case 1:
            return app.gql(`mutation ($input: UpdateLeadInput!) { updateLead(input: $input) { lead { id } } }`, { input: { id: lead, title: `T${i}` } });
          case 2:
            // contacts lock the leads (foreign keys) while the stage changes lock them too
            return updateOpportunity({ id: opportunity.id, contactIds: i % 8 === 2 ? ids : [...ids].reverse() });
          default:
            return updateOpportunity({ id: opportunity.id, amount: `${i}.00` });
        }
      }),
    );
    expect(unexpectedErrors(results)).toEqual([]);
    const successes = results.filter((r) => !r.errors?.length).length;
    expect(successes).toBeGreaterThan(25);
    const [row] = await app.db.sql<{ version: number }>(`SELECT version FROM opportunities WHERE name = 'Mixed deal'`);
    const opportunityWrites = results.filter((r, i) => i % 4 >= 2 && !r.errors?.length).length;
    expect(row?.version).toBe(1 + opportunityWrites);
  });
});
