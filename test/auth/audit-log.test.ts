import { Role } from '../../src/auth/roles';
import { gid, insertAccount, insertLead, insertUser } from '../helpers/core-fixtures';
import { HttpTestApp, startHttpApp } from '../helpers/http-app';

interface AuditRow {
  actor: string;
  actor_role: string;
  request_id: string | null;
  mutation: string;
  object_type: string;
  object_id: string | null;
  action: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

interface AuditNode {
  id: string;
  at: string;
  actor: string;
  actorRole: string;
  requestId: string | null;
  mutation: string;
  objectType: string;
  objectId: string | null;
  action: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

const AUDIT = `query($filter: AuditFilter, $first: Int) { auditLog(filter: $filter, first: $first) {
  totalCount edges { node { id at actor actorRole requestId mutation objectType objectId action before after } } } }`;

describe('audit log', () => {
  let api: HttpTestApp;
  let ops: { id: string; secret: string };
  let sales: { id: string; secret: string };
  beforeAll(async () => {
    api = await startHttpApp();
    ops = await api.newKey(Role.REVENUE_OPS);
    sales = await api.newKey(Role.SALES);
  });
  afterAll(() => api.close());

  const auditOf = (where: string, params: unknown[]) =>
    api.db.sql<AuditRow>(
      `SELECT actor, actor_role, request_id, mutation, object_type, object_id, action, before, after
         FROM audit_log WHERE ${where} ORDER BY id`,
      params,
    );
  const auditCount = async () => (await api.db.sql<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log`))[0]!.n;

  it('records an update: who, which mutation, which object, before and after', async () => {
    const account = await insertAccount(api.db, { name: 'Old Name' });
    const res = await api.gql(
      `mutation($input: UpdateAccountInput!) { updateAccount(input: $input) { account { name } } }`,
      { input: { id: gid('Account', account), name: 'New Name' } },
      { key: ops.secret, headers: { 'x-request-id': 'req-audit-1' } },
    );
    expect(res.body.errors).toBeUndefined();
    const rows = await auditOf(`object_type = 'accounts' AND object_id = $1`, [account]);
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row).toMatchObject({
      actor: `key:${ops.id}`,
      actor_role: 'REVENUE_OPS',
      request_id: 'req-audit-1',
      mutation: 'updateAccount',
      object_type: 'accounts',
      object_id: account,
      action: 'UPDATE',
      before: { id: Number(account), name: 'Old Name', version: 1 },
      after: { id: Number(account), name: 'New Name', version: 2 },
    });
  });

  it('records every row a mutation writes, each as what it is', async () => {
    const lead = await insertLead(api.db, { stage: 'MQL', createdAt: '2024-01-01T00:00:00Z', mqlAt: '2024-01-02T00:00:00Z' });
    const res = await api.gql(
      `mutation($input: ChangeLeadStageInput!) { changeLeadStage(input: $input) { change { id } } }`,
      { input: { leadId: gid('Lead', lead), stage: 'SQL' } },
      { key: sales.secret },
    );
    expect(res.body.errors).toBeUndefined();
    const rows = await auditOf(`mutation = 'changeLeadStage' AND actor = $1`, [`key:${sales.id}`]);
    expect(rows.map((r) => [r.object_type, r.action])).toEqual(
      expect.arrayContaining([
        ['leads', 'UPDATE'],
        ['lead_stage_changes', 'INSERT'],
      ]),
    );
    expect(rows).toHaveLength(2);
    const leadRow = rows.find((r) => r.object_type === 'leads')!;
    expect(leadRow).toMatchObject({ object_id: lead, before: { stage: 'MQL', sal_at: null }, after: { stage: 'SQL' } });
    expect(leadRow.after!.sal_at).not.toBeNull();
    const change = rows.find((r) => r.object_type === 'lead_stage_changes')!;
    expect(change).toMatchObject({ before: null, after: { lead_id: Number(lead), from_stage: 'MQL', to_stage: 'SQL' } });
  });

  it('records a new API key without its hash', async () => {
    const res = await api.gql<{ createApiKey: { apiKey: { id: string } } }>(
      `mutation { createApiKey(input: { name: "audited", role: EXECUTIVE }) { apiKey { id } } }`,
    );
    const id = res.body.data!.createApiKey.apiKey.id;
    const [row] = await auditOf(`object_type = 'api_keys' AND object_id = $1`, [id]);
    expect(row).toMatchObject({ mutation: 'createApiKey', action: 'INSERT', actor_role: 'ADMIN', after: { name: 'audited', role: 'EXECUTIVE' } });
    expect(Object.keys(row!.after!)).not.toContain('key_hash');
  });

  it('leaves no trace of a mutation that failed after writing', async () => {
    const account = await insertAccount(api.db);
    const before = await auditCount();
    // the deal is inserted, then its unknown contact fails the mutation: all of it rolls back
    const res = await api.gql(
      `mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) { opportunity { id } } }`,
      {
        input: { accountId: gid('Account', account), name: 'Doomed', kind: 'NEW_BUSINESS', amount: '10.00', contactIds: [gid('Lead', '987654321')] },
      },
      { key: sales.secret },
    );
    expect(res.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(await api.db.sql(`SELECT id FROM opportunities WHERE name = 'Doomed'`)).toEqual([]);
    expect(await auditCount()).toBe(before);
  });

  it('leaves no trace of a refused or invalid mutation', async () => {
    const account = await insertAccount(api.db);
    const before = await auditCount();
    const update = `mutation($input: UpdateAccountInput!) { updateAccount(input: $input) { account { id } } }`;
    const refused = await api.gql(update, { input: { id: gid('Account', account), name: 'Nope' } }, { key: sales.secret });
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const stale = await api.gql(update, { input: { id: gid('Account', account), name: 'Nope', version: 7 } }, { key: ops.secret });
    expect(stale.body.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(await auditCount()).toBe(before);
  });

  it('does not log writes made outside a mutation (migrations, bulk loads)', async () => {
    const before = await auditCount();
    await insertUser(api.db, 'SALES');
    expect(await auditCount()).toBe(before);
  });

  describe('through the API', () => {
    let account: string;
    beforeAll(async () => {
      account = await insertAccount(api.db, { name: 'Filtered' });
      for (const name of ['Filtered 2', 'Filtered 3']) {
        const res = await api.gql(
          `mutation($input: UpdateAccountInput!) { updateAccount(input: $input) { account { id } } }`,
          { input: { id: gid('Account', account), name } },
          { key: ops.secret },
        );
        expect(res.body.errors).toBeUndefined();
      }
    });

    it('is readable by admins only', async () => {
      for (const role of [Role.REVENUE_OPS, Role.MARKETING, Role.SALES, Role.EXECUTIVE, Role.ANALYST]) {
        const { secret } = await api.newKey(role);
        const res = await api.gql(AUDIT, {}, { key: secret });
        expect([role, res.body.errors?.[0]?.extensions?.code]).toEqual([role, 'FORBIDDEN']);
        expect(res.body.data).toBeNull();
      }
      const res = await api.gql<{ auditLog: { totalCount: number } }>(AUDIT);
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data!.auditLog.totalCount).toBe(await auditCount());
    });

    it('filters by object, newest first, with before and after', async () => {
      const res = await api.gql<{ auditLog: { totalCount: number; edges: { node: AuditNode }[] } }>(AUDIT, {
        filter: { objectType: 'accounts', objectId: account },
      });
      expect(res.body.errors).toBeUndefined();
      const nodes = res.body.data!.auditLog.edges.map((e) => e.node);
      expect(nodes.map((n) => [n.action, n.before?.name, n.after?.name])).toEqual([
        ['UPDATE', 'Filtered 2', 'Filtered 3'],
        ['UPDATE', 'Filtered', 'Filtered 2'],
      ]);
      expect(nodes.every((n) => n.actor === `key:${ops.id}` && n.actorRole === 'REVENUE_OPS' && n.mutation === 'updateAccount')).toBe(true);
      expect(Number(nodes[0]!.id)).toBeGreaterThan(Number(nodes[1]!.id));
    });

    it('filters by actor, mutation and time', async () => {
      const byActor = await api.gql<{ auditLog: { edges: { node: AuditNode }[] } }>(AUDIT, { filter: { actor: `key:${sales.id}` }, first: 100 });
      const actors = new Set(byActor.body.data!.auditLog.edges.map((e) => e.node.actor));
      expect([...actors]).toEqual([`key:${sales.id}`]);

      const byMutation = await api.gql<{ auditLog: { edges: { node: AuditNode }[] } }>(AUDIT, { filter: { mutation: 'createApiKey' }, first: 100 });
      const mutations = byMutation.body.data!.auditLog.edges.map((e) => e.node.mutation);
      expect(mutations.length).toBeGreaterThan(0);
      expect(new Set(mutations)).toEqual(new Set(['createApiKey']));

      const future = await api.gql<{ auditLog: { totalCount: number } }>(AUDIT, { filter: { at: { from: '2999-01-01T00:00:00Z' } } });
      expect(future.body.data!.auditLog.totalCount).toBe(0);
      const recent = await api.gql<{ auditLog: { totalCount: number } }>(AUDIT, {
        filter: { at: { from: new Date(Date.now() - 3_600_000).toISOString() }, objectType: 'accounts', objectId: account },
      });
      expect(recent.body.data!.auditLog.totalCount).toBe(2);
    });
  });
});
