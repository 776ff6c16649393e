import type { Client } from 'pg';
import { Role } from '../../src/auth/roles';
import { createTestApp, TestApp } from '../helpers/app';
import { gid } from '../helpers/core-fixtures';
import { BiLogins } from './bi-support';

/** Times as ISO-8601 UTC strings, whichever side they come from (pg Dates, GraphQL DateTimes). */
function normalized(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(value)) return new Date(value).toISOString();
  if (Array.isArray(value)) return value.map(normalized);
  return value;
}

/** The fields of `api` renamed to the bi view's columns, beside the view's row: equal when the two doors agree. */
function pair(api: Record<string, unknown>, row: Record<string, unknown> | undefined, columns: Record<string, string>) {
  const fromApi: Record<string, unknown> = {};
  const fromBi: Record<string, unknown> = {};
  for (const [field, column] of Object.entries(columns)) {
    fromApi[column] = normalized(api[field]);
    fromBi[column] = normalized(row?.[column]);
  }
  return [fromApi, fromBi] as const;
}

interface Edges<T> {
  edges: { node: T }[];
}
type Node = Record<string, unknown> & { id: string };

const JANE = 'Jane.Doe@Acme-Views.test';
// non-ASCII letters: lowercased by neither side, so the pseudonyms agree whatever the database's locale
const UNAL = 'Ünal.ÖZ@acme-views.test';

describe('the bi views read what the API returns, masked as for ANALYST', () => {
  let app: TestApp;
  let logins: BiLogins;
  let bi: Client;
  type Fixture = 'user' | 'account' | 'webinar' | 'search' | 'jane' | 'unal' | 'touch1' | 'touch2' | 'touch3' | 'spend1' | 'spend2' | 'spend3'
    | 'change1' | 'change2' | 'opportunity' | 'feedback' | 'agreement' | 'job';
  const ids = {} as Record<Fixture, string>;

  const one = async (sql: string, params: unknown[] = []) => (await bi.query(sql, params)).rows as Record<string, unknown>[];

  beforeAll(async () => {
    app = await createTestApp();
    logins = new BiLogins(app.db);
    const insert = async (sql: string, params: unknown[]) => String((await app.db.sql<{ id: string }>(`${sql} RETURNING id`, params))[0]!.id);
    ids.user = await insert(`INSERT INTO users (name, email, team, external_id) VALUES ('Sam Seller', 'Sam.Seller@Corp.test', 'SALES', 'crm-sam')`, []);
    ids.account = await insert(
      `INSERT INTO accounts (name, domain, segment, industry, wallet_size, owner_id, external_id)
       VALUES ('Acme Views', 'acme-views.test', 'ENTERPRISE', 'Software', 100000, $1, 'acc-1')`,
      [ids.user],
    );
    ids.webinar = await insert(
      `INSERT INTO campaigns (name, channel, owner_team, starts_on, budget, external_id) VALUES ('Webinar Q1', 'WEBINAR', 'MARKETING', '2025-01-01', 5000, 'cmp-1')`,
      [],
    );
    ids.search = await insert(`INSERT INTO campaigns (name, channel, owner_team, starts_on) VALUES ('Search', 'PAID_SEARCH', 'MARKETING', '2025-01-01')`, []);
    ids.jane = await insert(
      `INSERT INTO leads (email, first_name, last_name, title, external_id, account_id, stage, created_at, mql_at, sal_at)
       VALUES ($1, 'Jane', 'Doe', 'CFO', 'crm-jane', $2, 'SAL', '2025-03-01T08:00Z', '2025-03-03T10:00Z', '2025-03-04T22:00Z')`,
      [JANE, ids.account],
    );
    ids.unal = await insert(`INSERT INTO leads (email, account_id, created_at) VALUES ($1, $2, '2025-03-02T00:00Z')`, [UNAL, ids.account]);
    // Jane's first touch ever: the webinar on 2 March (23:30 UTC); then search just after midnight
    ids.touch1 = await insert(`INSERT INTO touchpoints (lead_id, campaign_id, kind, occurred_at, external_id) VALUES ($1, $2, 'WEBINAR_ATTENDED', '2025-03-02T23:30Z', 'tp-1')`, [ids.jane, ids.webinar]);
    ids.touch2 = await insert(`INSERT INTO touchpoints (lead_id, campaign_id, kind, occurred_at) VALUES ($1, $2, 'AD_CLICK', '2025-03-03T00:10Z')`, [ids.jane, ids.search]);
    ids.touch3 = await insert(`INSERT INTO touchpoints (lead_id, campaign_id, kind, occurred_at) VALUES ($1, $2, 'AD_CLICK', '2025-03-02T12:00Z')`, [ids.unal, ids.search]);
    ids.spend1 = await insert(`INSERT INTO campaign_spend (campaign_id, spent_on, amount, external_id) VALUES ($1, '2025-03-02', 100.00, 'sp-1')`, [ids.webinar]);
    ids.spend2 = await insert(`INSERT INTO campaign_spend (campaign_id, spent_on, amount) VALUES ($1, '2025-03-02', 50.50)`, [ids.webinar]);
    ids.spend3 = await insert(`INSERT INTO campaign_spend (campaign_id, spent_on, amount) VALUES ($1, '2025-03-05', 20.00)`, [ids.search]);
    ids.change1 = await insert(`INSERT INTO lead_stage_changes (lead_id, from_stage, to_stage, changed_at) VALUES ($1, 'NEW', 'MQL', '2025-03-03T10:00Z')`, [ids.jane]);
    ids.change2 = await insert(`INSERT INTO lead_stage_changes (lead_id, from_stage, to_stage, changed_at, changed_by_id) VALUES ($1, 'MQL', 'SAL', '2025-03-04T22:00Z', $2)`, [ids.jane, ids.user]);
    ids.opportunity = await insert(
      `INSERT INTO opportunities (account_id, name, kind, stage, amount, owner_id, lost_reason, created_at, closed_at, external_id)
       VALUES ($1, 'Acme - Jane''s team', 'NEW_BUSINESS', 'CLOSED_LOST', 5000, $2, 'Jane left', '2025-04-01T00:00Z', '2025-05-01T00:00Z', 'opp-1')`,
      [ids.account, ids.user],
    );
    await app.db.sql(`INSERT INTO opportunity_contacts (opportunity_id, lead_id) VALUES ($1, $2)`, [ids.opportunity, ids.jane]);
    ids.feedback = await insert(
      `INSERT INTO lead_feedback (lead_id, given_by_id, disposition, reason, note, given_at) VALUES ($1, $2, 'REJECTED', 'BAD_TIMING', 'Talked to Jane Doe', '2025-03-05T09:00Z')`,
      [ids.jane, ids.user],
    );
    ids.agreement = await insert(
      `INSERT INTO alignment_agreements (version, effective_from, mql_threshold, follow_up_hours, monthly_mql_target, notes, proposed_by_id)
       VALUES (1, '2025-01-01T00:00Z', 50, 24.5, 10, 'Signed by Maria Rossi', $1)`,
      [ids.user],
    );
    ids.job = await insert(
      `INSERT INTO import_jobs (state, format, mode, created_by, created_by_role, created_at, started_at, finished_at, processed_rows, created_rows, failed_rows, message, attempts)
       VALUES ('DONE', 'csv', 'UPSERT', 'key:jane', 'ADMIN', '2025-03-01T00:00Z', '2025-03-01T00:00:05Z', '2025-03-01T00:01:05Z', 10, 9, 1, 'row 3: jane@x.test taken', 1)`,
      [],
    );
    await app.db.sql(
      `INSERT INTO import_job_files (job_id, file_no, kind, preset, bytes, done, processed_rows, created_rows, failed_rows) VALUES ($1, 0, 'leads', 'hubspot-contacts', 1234, true, 10, 9, 1)`,
      [ids.job],
    );
    await app.db.sql(`INSERT INTO import_jobs (state, format, mode, created_by, created_by_role) VALUES ('UPLOADING', 'csv', 'CREATE', 'key:x', 'ADMIN')`);
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

  it('daily campaign activity sums to campaignPerformance of any window of whole UTC days', async () => {
    const rows = await one(
      `SELECT day::text AS day, campaign_id::text AS campaign_id, spend, touches::int, leads_sourced::int, mqls::int
       FROM bi.campaign_daily_activity ORDER BY day, campaign_id`,
    );
    // by hand: the webinar spent 100.00 + 50.50 on 2 March, when Jane's first touch (23:30) sourced her;
    // her MQL on 3 March counts for the webinar that sourced her, not for search, which touched her that day;
    // search touched Ünal first on 2 March (sourcing him), Jane on 3 March, and spent 20.00 on 5 March
    expect(rows).toEqual([
      { day: '2025-03-02', campaign_id: ids.webinar, spend: '150.50', touches: 1, leads_sourced: 1, mqls: 0 },
      { day: '2025-03-02', campaign_id: ids.search, spend: '0.00', touches: 1, leads_sourced: 1, mqls: 0 },
      { day: '2025-03-03', campaign_id: ids.webinar, spend: '0.00', touches: 0, leads_sourced: 0, mqls: 1 },
      { day: '2025-03-03', campaign_id: ids.search, spend: '0.00', touches: 1, leads_sourced: 0, mqls: 0 },
      { day: '2025-03-05', campaign_id: ids.search, spend: '20.00', touches: 0, leads_sourced: 0, mqls: 0 },
    ]);
    const windows = [
      ['2025-03-02', '2025-03-03'],
      ['2025-03-03', '2025-03-04'],
      ['2025-03-01', '2025-03-06'],
    ] as const;
    for (const [from, to] of windows) {
      const { campaignPerformance } = await app.ok<{ campaignPerformance: { rows: { campaign: { id: string }; spend: string; touches: number; leadsSourced: number; mqls: number }[] } }>(
        `query($from: DateTime!, $to: DateTime!) { campaignPerformance(input: { window: { from: $from, to: $to }, model: LINEAR }) {
           rows { campaign { id } spend touches leadsSourced mqls } } }`,
        { from: `${from}T00:00:00Z`, to: `${to}T00:00:00Z` },
        Role.ANALYST,
      );
      const summed = await one(
        `SELECT campaign_global_id AS id, sum(spend)::numeric(18,2)::text AS spend, sum(touches)::int AS touches,
                sum(leads_sourced)::int AS "leadsSourced", sum(mqls)::int AS mqls
         FROM bi.campaign_daily_activity WHERE day >= $1 AND day < $2 GROUP BY 1`,
        [from, to],
      );
      summed.sort((x, y) => String(x.id).localeCompare(String(y.id)));
      const api = campaignPerformance.rows
        .map((r) => ({ id: r.campaign.id, spend: r.spend, touches: r.touches, leadsSourced: r.leadsSourced, mqls: r.mqls }))
        .sort((x, y) => x.id.localeCompare(y.id));
      expect([from, summed]).toEqual([from, api]);
    }
  });

  it('lead stage times give the funnel\'s counts and medians, by first-touch channel', async () => {
    const { funnel } = await app.ok<{ funnel: { total: Segment; groups: Segment[] } }>(
      `{ funnel(input: { window: { from: "2025-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z" }, groupBy: CHANNEL }) {
           total { channel stages { stage count medianDaysToNext } } groups { channel stages { stage count medianDaysToNext } } } }`,
      {},
      Role.ANALYST,
    );
    type Segment = { channel: string | null; stages: { stage: string; count: number; medianDaysToNext: number | null }[] };
    const fromBi = await one(
      `SELECT source_channel AS channel, GROUPING(source_channel) = 1 AS total,
              count(*)::int AS new, count(mql_at)::int AS mql, count(sal_at)::int AS sal,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY days_new_to_mql) AS new_days,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY days_mql_to_sal) AS mql_days
       FROM bi.lead_stage_times WHERE created_at >= '2025-01-01' AND created_at < '2026-01-01'
       GROUP BY GROUPING SETS ((), (source_channel)) ORDER BY total DESC, channel NULLS LAST`,
    );
    const shape = (s: Segment) => {
      const at = (stage: string) => s.stages.find((x) => x.stage === stage)!;
      return { channel: s.channel, new: at('NEW').count, mql: at('MQL').count, sal: at('SAL').count, new_days: at('NEW').medianDaysToNext, mql_days: at('MQL').medianDaysToNext };
    };
    expect(fromBi.map(({ total: _t, ...rest }) => rest)).toEqual([funnel.total, ...funnel.groups].map(shape));
    // by hand: Jane (webinar first) took 2 days 2 hours to MQL, 1.5 days more to SAL
    expect(fromBi.find((r) => r.channel === 'WEBINAR')).toMatchObject({ new: 1, mql: 1, sal: 1, new_days: 2 + 2 / 24, mql_days: 1.5 });
    const [jane] = await one(`SELECT source_campaign_id::text AS c, first_touch_at FROM bi.lead_stage_times WHERE lead_id = $1`, [ids.jane]);
    expect(jane).toEqual({ c: ids.webinar, first_touch_at: new Date('2025-03-02T23:30:00Z') });
  });

  it('lists deletions (cascades included) with the global ids the API answered, and shows erasure as erased_at', async () => {
    const deleted = await app.ok<{ deleteTouchpoint: { deletedId: string } }>(
      `mutation($id: ID!) { deleteTouchpoint(input: { id: $id, reason: "recorded twice" }) { deletedId } }`,
      { id: gid('Touchpoint', ids.touch2) },
    );
    const { eraseLead } = await app.ok<{ eraseLead: { lead: { id: string } } }>(
      `mutation($id: ID!) { eraseLead(input: { id: $id, reason: "asked to" }) { lead { id } } }`,
      { id: gid('Lead', ids.unal) },
    );
    const { lead: erased } = await app.ok<{ lead: { email: string; erasedAt: string } }>(
      `query($id: ID!) { lead(id: $id) { email erasedAt } }`,
      { id: eraseLead.lead.id },
      Role.ANALYST,
    );
    const [row] = await one(`SELECT email, erased_at FROM bi.leads WHERE lead_id = $1`, [ids.unal]);
    expect([row?.email, normalized(row?.erased_at)]).toEqual([erased.email, normalized(erased.erasedAt)]);
    expect(erased.erasedAt).not.toBeNull();

    await app.ok(`mutation($id: ID!) { deleteAccount(input: { id: $id, cascade: true, reason: "test" }) { deletedId } }`, { id: gid('Account', ids.account) });
    const tombstones = await one(`SELECT entity, id::text AS id, global_id FROM bi.deletions ORDER BY entity, id`);
    const expected = [
      ['accounts', ids.account, 'Account'],
      ['lead_feedback', ids.feedback, 'LeadFeedback'],
      ['lead_stage_changes', ids.change1, 'LeadStageChange'],
      ['lead_stage_changes', ids.change2, 'LeadStageChange'],
      ['leads', ids.jane, 'Lead'],
      ['leads', ids.unal, 'Lead'],
      ['opportunities', ids.opportunity, 'Opportunity'],
      ['touchpoints', ids.touch1, 'Touchpoint'],
      ['touchpoints', ids.touch2, 'Touchpoint'],
      ['touchpoints', ids.touch3, 'Touchpoint'],
    ].map(([entity, id, type]) => ({ entity: entity!, id: id!, global_id: gid(type as 'Lead', id!) }));
    expect(tombstones).toEqual(expected.sort((x, y) => x.entity.localeCompare(y.entity) || Number(x.id) - Number(y.id)));
    expect(tombstones).toContainEqual(expect.objectContaining({ global_id: deleted.deleteTouchpoint.deletedId }));
    // every tombstoned row is gone from its view
    for (const t of tombstones) {
      const key = t.entity === 'lead_stage_changes' ? 'stage_change_id' : t.entity === 'lead_feedback' ? 'feedback_id' : `${String(t.entity).replace(/s$/, '').replace(/ie$/, 'y')}_id`;
      expect([t.entity, await one(`SELECT 1 FROM bi.${String(t.entity)} WHERE ${key} = $1`, [t.id])]).toEqual([t.entity, []]);
    }
  });
});
