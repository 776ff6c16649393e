import type { Client } from 'pg';
import { Role } from '../../src/auth/roles';
import { createTestApp, TestApp } from '../helpers/app';
import { gid } from '../helpers/core-fixtures';
import { Edges, Fixture, insertFixtures, Node, pair } from './bi-fixtures';
import { BiLogins } from './bi-support';

describe('the bi views read what the API returns, masked as for ANALYST', () => {
  let app: TestApp;
  let logins: BiLogins;
  let bi: Client;
  let ids: Record<Fixture, string>;

  const one = async (sql: string, params: unknown[] = []) => (await bi.query(sql, params)).rows as Record<string, unknown>[];

  beforeAll(async () => {
    app = await createTestApp();
    logins = new BiLogins(app.db);
    ids = await insertFixtures(app.db);
    bi = await logins.connect(await logins.create('views'));
  });
  afterAll(async () => {
    await logins?.dropAll();
    await app?.close();
  });

  it('documents every view and every column (COMMENT ON), and has no view the list does not name', async () => {
    const undocumented = await app.db.sql<{ what: string }>(
      `SELECT c.relname || coalesce('.' || a.attname, '') AS what
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'bi'
       LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       WHERE c.relkind = 'v' AND col_description(c.oid, a.attnum) IS NULL AND (a.attname IS NOT NULL OR obj_description(c.oid, 'pg_class') IS NULL)`,
    );
    expect(undocumented).toEqual([]);
    const views = await one(`SELECT table_name AS name FROM information_schema.views WHERE table_schema = 'bi' ORDER BY 1`);
    expect(views.map((v) => v.name)).toEqual(
      expect.arrayContaining(['accounts', 'alignment_agreements', 'campaign_daily_activity', 'campaign_spend', 'campaigns', 'deletions', 'import_job_files',
        'import_jobs', 'lead_feedback', 'lead_stage_changes', 'lead_stage_times', 'leads', 'opportunities', 'opportunity_contacts', 'qualification_rules',
        'touchpoints', 'users']),
    );
  });

  it('users: names and ids in other systems "[redacted]", the email the ANALYST pseudonym', async () => {
    const data = await app.ok<{ users: Edges<Node> }>(`{ users { edges { node { id name email externalId team createdAt updatedAt } } } }`, {}, Role.ANALYST);
    const api = data.users.edges.find((e) => e.node.id === gid('User', ids.user))!.node;
    const [row] = await one(`SELECT * FROM bi.users WHERE user_id = $1`, [ids.user]);
    expect(row?.global_id).toBe(gid('User', ids.user));
    const [a, b] = pair(api, row, { id: 'global_id', name: 'name', email: 'email', externalId: 'external_id', team: 'team', createdAt: 'created_at', updatedAt: 'updated_at' });
    expect(b).toEqual(a);
    expect(b).toMatchObject({ name: '[redacted]', external_id: '[redacted]', email: expect.stringMatching(/^redacted-[0-9a-f]{16}@example\.invalid$/) });
  });

  it('accounts: every field as stored (nothing personal)', async () => {
    const { account } = await app.ok<{ account: Node }>(
      `query($id: ID!) { account(id: $id) { id externalId name domain segment industry walletSize createdAt updatedAt version owner { id } } }`,
      { id: gid('Account', ids.account) },
      Role.ANALYST,
    );
    const [row] = await one(`SELECT * FROM bi.accounts WHERE account_id = $1`, [ids.account]);
    const [a, b] = pair(account, row, {
      id: 'global_id', externalId: 'external_id', name: 'name', domain: 'domain', segment: 'segment', industry: 'industry', walletSize: 'wallet_size',
      createdAt: 'created_at', updatedAt: 'updated_at', version: 'version',
    });
    expect(b).toEqual(a);
    expect(b).toMatchObject({ name: 'Acme Views', wallet_size: '100000.00', external_id: 'acc-1' });
    expect(gid('User', String(row?.owner_user_id))).toBe((account.owner as Node).id);
  });

  it('leads: the same pseudonym as the API (non-ASCII letters too), names masked, stage times as stored', async () => {
    const query = `query($id: ID!) { lead(id: $id) { id email firstName lastName title externalId stage createdAt mqlAt salAt sqlAt erasedAt updatedAt version account { id } } }`;
    for (const lead of [ids.jane, ids.unal]) {
      const { lead: api } = await app.ok<{ lead: Node }>(query, { id: gid('Lead', lead!) }, Role.ANALYST);
      const [row] = await one(`SELECT * FROM bi.leads WHERE lead_id = $1`, [lead]);
      const [a, b] = pair(api, row, {
        id: 'global_id', email: 'email', firstName: 'first_name', lastName: 'last_name', title: 'title', externalId: 'external_id', stage: 'stage',
        createdAt: 'created_at', mqlAt: 'mql_at', salAt: 'sal_at', sqlAt: 'sql_at', erasedAt: 'erased_at', updatedAt: 'updated_at', version: 'version',
      });
      expect(b).toEqual(a);
      expect(gid('Account', String(row?.account_id))).toBe((api.account as Node).id);
    }
    const [jane] = await one(`SELECT email, first_name, title, external_id FROM bi.leads WHERE lead_id = $1`, [ids.jane]);
    expect(jane).toEqual({ email: expect.stringMatching(/^redacted-[0-9a-f]{16}@example\.invalid$/), first_name: '[redacted]', title: '[redacted]', external_id: '[redacted]' });
    const [unal] = await one(`SELECT first_name FROM bi.leads WHERE lead_id = $1`, [ids.unal]);
    expect(unal).toEqual({ first_name: null }); // an absent value stays absent, as in the API
    const emails = await one(`SELECT count(DISTINCT email)::int AS n FROM bi.leads`);
    expect(emails).toEqual([{ n: 2 }]);
  });

  it('campaigns, spend and touchpoints: as stored, with global and external ids', async () => {
    const { campaign } = await app.ok<{ campaign: Node }>(
      `query($id: ID!) { campaign(id: $id) { id externalId name channel ownerTeam startsOn endsOn budget createdAt updatedAt version } }`,
      { id: gid('Campaign', ids.webinar) },
      Role.ANALYST,
    );
    const [c] = await one(`SELECT *, starts_on::text AS starts_on, ends_on::text AS ends_on FROM bi.campaigns WHERE campaign_id = $1`, [ids.webinar]);
    const [a, b] = pair(campaign, c, {
      id: 'global_id', externalId: 'external_id', name: 'name', channel: 'channel', ownerTeam: 'owner_team', startsOn: 'starts_on', endsOn: 'ends_on',
      budget: 'budget', createdAt: 'created_at', updatedAt: 'updated_at', version: 'version',
    });
    expect(b).toEqual(a);

    const { campaignSpend } = await app.ok<{ campaignSpend: Edges<Node> }>(
      `{ campaignSpend(first: 100) { edges { node { id externalId spentOn amount createdAt updatedAt campaign { id } } } } }`,
      {},
      Role.ANALYST,
    );
    const spend = await one(`SELECT *, spent_on::text AS spent_on FROM bi.campaign_spend ORDER BY spend_id`);
    expect(spend.map((s) => s.global_id)).toEqual([ids.spend1, ids.spend2, ids.spend3].map((id) => gid('CampaignSpend', id!)));
    for (const row of spend) {
      const api = campaignSpend.edges.find((e) => e.node.id === row.global_id)!.node;
      const [x, y] = pair({ ...api, campaign: (api.campaign as Node).id }, { ...row, campaign_id: gid('Campaign', String(row.campaign_id)) }, {
        id: 'global_id', externalId: 'external_id', spentOn: 'spent_on', amount: 'amount', createdAt: 'created_at', updatedAt: 'updated_at', campaign: 'campaign_id',
      });
      expect(y).toEqual(x);
    }

    const { touchpoints } = await app.ok<{ touchpoints: Edges<Node> }>(
      `{ touchpoints(first: 100) { edges { node { id externalId kind occurredAt createdAt updatedAt lead { id } campaign { id } } } } }`,
      {},
      Role.ANALYST,
    );
    const touches = await one(`SELECT * FROM bi.touchpoints ORDER BY touchpoint_id`);
    expect(touches).toHaveLength(3);
    for (const row of touches) {
      const api = touchpoints.edges.find((e) => e.node.id === row.global_id)!.node;
      const [x, y] = pair(
        { ...api, lead: (api.lead as Node).id, campaign: (api.campaign as Node).id },
        { ...row, lead_id: gid('Lead', String(row.lead_id)), campaign_id: gid('Campaign', String(row.campaign_id)) },
        { id: 'global_id', externalId: 'external_id', kind: 'kind', occurredAt: 'occurred_at', createdAt: 'created_at', updatedAt: 'updated_at', lead: 'lead_id', campaign: 'campaign_id' },
      );
      expect(y).toEqual(x);
    }
  });

  it('opportunities: deal names and lost reasons "[redacted]", amounts and times as stored, contacts', async () => {
    const { opportunity } = await app.ok<{ opportunity: Node }>(
      `query($id: ID!) { opportunity(id: $id) { id externalId name kind stage amount lostReason createdAt closedAt updatedAt version contacts { id } } }`,
      { id: gid('Opportunity', ids.opportunity) },
      Role.ANALYST,
    );
    const [row] = await one(`SELECT * FROM bi.opportunities WHERE opportunity_id = $1`, [ids.opportunity]);
    const [a, b] = pair(opportunity, row, {
      id: 'global_id', externalId: 'external_id', name: 'name', kind: 'kind', stage: 'stage', amount: 'amount', lostReason: 'lost_reason',
      createdAt: 'created_at', closedAt: 'closed_at', updatedAt: 'updated_at', version: 'version',
    });
    expect(b).toEqual(a);
    expect(b).toMatchObject({ name: '[redacted]', lost_reason: '[redacted]', amount: '5000.00' });
    const contacts = await one(`SELECT lead_id FROM bi.opportunity_contacts WHERE opportunity_id = $1`, [ids.opportunity]);
    expect(contacts.map((c) => gid('Lead', String(c.lead_id)))).toEqual((opportunity.contacts as Node[]).map((c) => c.id));
  });

  it('stage history and feedback: as the lead\'s lists, notes "[redacted]"', async () => {
    const { lead } = await app.ok<{ lead: { stageHistory: Edges<Node>; feedback: Edges<Node> } }>(
      `query($id: ID!) { lead(id: $id) {
         stageHistory { edges { node { id fromStage toStage changedAt updatedAt changedBy { id } } } }
         feedback { edges { node { id externalId disposition reason note givenAt updatedAt givenBy { id } } } } } }`,
      { id: gid('Lead', ids.jane) },
      Role.ANALYST,
    );
    const changes = await one(`SELECT * FROM bi.lead_stage_changes WHERE lead_id = $1 ORDER BY changed_at`, [ids.jane]);
    expect(changes).toHaveLength(2);
    for (const row of changes) {
      const api = lead.stageHistory.edges.find((e) => e.node.id === row.global_id)!.node;
      const [a, b] = pair(
        { ...api, changedBy: (api.changedBy as Node | null)?.id ?? null },
        { ...row, changed_by_user_id: row.changed_by_user_id === null ? null : gid('User', String(row.changed_by_user_id)) },
        { id: 'global_id', fromStage: 'from_stage', toStage: 'to_stage', changedAt: 'changed_at', updatedAt: 'updated_at', changedBy: 'changed_by_user_id' },
      );
      expect(b).toEqual(a);
    }
    const [feedback] = await one(`SELECT * FROM bi.lead_feedback WHERE lead_id = $1`, [ids.jane]);
    const api = lead.feedback.edges[0]!.node;
    const [a, b] = pair(api, feedback, {
      id: 'global_id', externalId: 'external_id', disposition: 'disposition', reason: 'reason', note: 'note', givenAt: 'given_at', updatedAt: 'updated_at',
    });
    expect(b).toEqual(a);
    expect(b).toMatchObject({ note: '[redacted]', reason: 'BAD_TIMING' });
  });

  it('agreements: settings as stored, notes "[redacted]"', async () => {
    const data = await app.ok<{ alignmentAgreements: Edges<Node> }>(
      `{ alignmentAgreements { edges { node { id version effectiveFrom approved mqlThreshold followUpHours monthlyMqlTarget notes createdAt updatedAt } } } }`,
      {},
      Role.ANALYST,
    );
    const [row] = await one(`SELECT *, follow_up_hours::float8 AS follow_up_hours FROM bi.alignment_agreements WHERE agreement_id = $1`, [ids.agreement]);
    const [a, b] = pair(data.alignmentAgreements.edges[0]!.node, row, {
      id: 'global_id', version: 'version', effectiveFrom: 'effective_from', approved: 'approved', mqlThreshold: 'mql_threshold',
      followUpHours: 'follow_up_hours', monthlyMqlTarget: 'monthly_mql_target', notes: 'notes', createdAt: 'created_at', updatedAt: 'updated_at',
    });
    expect(b).toEqual(a);
    expect(b).toMatchObject({ notes: '[redacted]', approved: false, follow_up_hours: 24.5 });
  });

  it('qualification rules: as the agreement\'s policy lists them', async () => {
    await app.db.sql(
      `INSERT INTO qualification_rules (policy_id, kind, position, attribute, operator, "values", points)
       SELECT policy_id, 'FIT', 1, 'lead.title', 'CONTAINS', '["VP", "Chief"]', 10 FROM alignment_agreements WHERE id = $1`,
      [ids.agreement],
    );
    await app.db.sql(
      `INSERT INTO qualification_rules (policy_id, kind, position, touch_kinds, channels, points)
       SELECT policy_id, 'ENGAGEMENT', 1, '{WEBINAR_ATTENDED}', '{WEBINAR,EVENT}', 5 FROM alignment_agreements WHERE id = $1`,
      [ids.agreement],
    );
    const data = await app.ok<{ alignmentAgreements: Edges<{ policy: { fitRules: Node[]; engagementRules: Node[] } }> }>(
      `{ alignmentAgreements { edges { node { policy {
           fitRules { position attribute operator points values { value } } engagementRules { position touchKinds channels points } } } } } }`,
      {},
      Role.ANALYST,
    );
    const { policy } = data.alignmentAgreements.edges[0]!.node;
    const rows = await one(`SELECT * FROM bi.qualification_rules WHERE agreement_id = $1 ORDER BY kind, position`, [ids.agreement]);
    expect(rows.map((r) => ({ ...r, agreement_id: undefined }))).toEqual([
      ...policy.engagementRules.map((r) => ({
        agreement_id: undefined, kind: 'ENGAGEMENT', position: r.position, attribute: null, operator: null, values: null, touch_kinds: r.touchKinds,
        channels: r.channels, points: r.points,
      })),
      ...policy.fitRules.map((r) => ({
        agreement_id: undefined, kind: 'FIT', position: r.position, attribute: r.attribute, operator: r.operator,
        values: (r.values as { value: string }[]).map((v) => v.value), touch_kinds: [], channels: [], points: r.points,
      })),
    ]);
    expect(rows).toHaveLength(2);
  });

  it('import jobs: outcomes as the API counts them, who and the message masked, uploads not shown', async () => {
    const { imports } = await app.ok<{ imports: Edges<Node & { counts: Record<string, number>; files: Record<string, unknown>[] }> }>(
      `{ imports { edges { node { id state format mode atomic attempts processedRows createdAt startedAt finishedAt updatedAt
           counts { created updated unchanged failed } files { kind preset bytes done processedRows } } } } }`,
    );
    expect(imports.edges).toHaveLength(1);
    const api = imports.edges[0]!.node;
    const jobs = await one(`SELECT * FROM bi.import_jobs`);
    expect(jobs).toHaveLength(1);
    const [a, b] = pair(api, jobs[0], {
      id: 'global_id', state: 'state', format: 'format', mode: 'mode', atomic: 'atomic', attempts: 'attempts', createdAt: 'created_at',
      startedAt: 'started_at', finishedAt: 'finished_at', updatedAt: 'updated_at',
    });
    expect(b).toEqual(a);
    expect(jobs[0]).toMatchObject({
      kinds: ['LEADS'], created_by: '[redacted]', message: '[redacted]', duration_seconds: '60.000000',
      processed_rows: String(api.processedRows), created_rows: String(api.counts.created), failed_rows: String(api.counts.failed),
    });
    const files = await one(`SELECT kind, preset, bytes::float8 AS bytes, done, processed_rows::int AS processed_rows FROM bi.import_job_files`);
    expect(files).toEqual([{ kind: api.files[0]!.kind, preset: api.files[0]!.preset, bytes: api.files[0]!.bytes, done: true, processed_rows: api.files[0]!.processedRows }]);
  });
});
