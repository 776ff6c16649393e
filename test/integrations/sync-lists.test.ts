import { feedbackListSpec } from '../../src/alignment/alignment.service';
import { spendListSpec } from '../../src/campaigns/campaign.service';
import { observeQueries } from '../../src/db/data-source';
import { BadInputError } from '../../src/graphql/errors';
import { stageHistoryListSpec } from '../../src/leads/lead.service';
import { createTestApp, TestApp } from '../helpers/app';
import { gid } from '../helpers/core-fixtures';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Page {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { node: { id: string } }[];
}

const PAGE = 'totalCount pageInfo { hasNextPage endCursor } edges { node { id } }';
const ids = (page: Page) => page.edges.map((e) => e.node.id);

/** 2024-05-01 at hh:mm UTC: every fixture row's updated_at is one of these, set by hand. */
const at = (hhmm: string) => `2024-05-01T${hhmm}:00.000Z`;

/**
 * `updatedAfter` and `UPDATED_AT` on the lists of issue 11's second round: alignmentAgreements,
 * apiKeys, auditLog, imports, and the nested Lead.feedback, Lead.stageHistory, Campaign.spend.
 * Fixtures are inserted with their updated_at written out (the trigger sets it on UPDATE only),
 * so each expected list is read off the table comments below.
 */
describe('updatedAfter on the remaining lists', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp();
    const { db } = app;
    await db.sql(`INSERT INTO users (id, name, email, team) VALUES (1, 'Mia', 'mia@corp.test', 'MARKETING'), (2, 'Sam', 'sam@corp.test', 'SALES')`);
    // agreements     version  updated_at
    //   1               1       10:00
    //   2               2       09:00   (exactly the boundary used below: not "after")
    //   3               3       11:00
    await db.sql(`INSERT INTO alignment_agreements (id, version, effective_from, mql_threshold, follow_up_hours, monthly_mql_target, created_at, updated_at)
      VALUES (1, 1, '2024-01-01', 50, 24, 100, '2024-01-01', '${at('10:00')}'),
             (2, 2, '2024-02-01', 60, 24, 100, '2024-02-01', '${at('09:00')}'),
             (3, 3, '2024-03-01', 70, 24, 100, '2024-03-01', '${at('11:00')}')`);
    // API keys       created_at   updated_at
    //   1             04-01         10:00
    //   2             03-01         10:00   (a tie with 1: broken by id)
    //   3             05-01 00:00   08:00
    await db.sql(`INSERT INTO api_keys (id, name, role, prefix, key_hash, created_at, updated_at) VALUES
      (1, 'one', 'ANALYST', 'ra_aaaaaa', '\\x01', '2024-04-01', '${at('10:00')}'),
      (2, 'two', 'ANALYST', 'ra_bbbbbb', '\\x02', '2024-03-01', '${at('10:00')}'),
      (3, 'three', 'ANALYST', 'ra_cccccc', '\\x03', '2024-05-01', '${at('08:00')}')`);
    // audit entries  at      updated_at
    //   1             08:00    08:00
    //   2             09:00    05-02 00:00   (scrubbed by an erasure the next day)
    //   3             10:00    10:00
    await db.sql(`INSERT INTO audit_log (id, at, actor, actor_role, mutation, object_type, object_id, action, after, updated_at) VALUES
      (1, '${at('08:00')}', 'key:1', 'ADMIN', 'createAccount', 'accounts', '1', 'INSERT', '{}', '${at('08:00')}'),
      (2, '${at('09:00')}', 'key:1', 'ADMIN', 'createLead', 'leads', '1', 'INSERT', '{}', '2024-05-02T00:00:00Z'),
      (3, '${at('10:00')}', 'key:1', 'ADMIN', 'createAccount', 'accounts', '2', 'INSERT', '{}', '${at('10:00')}')`);
    // import jobs    state      created_at  updated_at
    //   1             DONE        06:00       10:00
    //   2             CANCELLED   08:00       12:00
    //   3             UPLOADING   13:00       13:00   (still being received: listed to no one)
    //   4             FAILED      07:00       09:00
    await db.sql(`INSERT INTO import_jobs (id, state, format, mode, created_by, created_by_role, created_at, updated_at, finished_at) VALUES
      (1, 'DONE', 'csv', 'UPSERT', 'key:1', 'ADMIN', '${at('06:00')}', '${at('10:00')}', '${at('10:00')}'),
      (2, 'CANCELLED', 'csv', 'UPSERT', 'key:1', 'ADMIN', '${at('08:00')}', '${at('12:00')}', '${at('12:00')}'),
      (3, 'UPLOADING', 'csv', 'UPSERT', 'key:1', 'ADMIN', '${at('13:00')}', '${at('13:00')}', NULL),
      (4, 'FAILED', 'csv', 'UPSERT', 'key:1', 'ADMIN', '${at('07:00')}', '${at('09:00')}', '${at('09:00')}')`);

    await db.sql(`INSERT INTO leads (id, email, stage, created_at, mql_at) VALUES
      (1, 'l1@a.test', 'MQL', '2024-01-01', '2024-01-05'), (2, 'l2@a.test', 'NEW', '2023-06-01', NULL), (3, 'l3@a.test', 'NEW', '2024-01-01', NULL)`);
    // stage changes  lead  changed_at           updated_at
    //   1             1     2024-01-01 (NEW)     08:00
    //   2             1     2024-01-05 (MQL)     10:00
    //   3             2     2023-06-01 (NEW)     11:00   (a back-dated load: stored late, happened long ago)
    //   4             2     2024-01-02 (NEW)     09:00   (the boundary)
    await db.sql(`INSERT INTO lead_stage_changes (id, lead_id, from_stage, to_stage, changed_at, updated_at) VALUES
      (1, 1, NULL, 'NEW', '2024-01-01', '${at('08:00')}'),
      (2, 1, 'NEW', 'MQL', '2024-01-05', '${at('10:00')}'),
      (3, 2, NULL, 'NEW', '2023-06-01', '${at('11:00')}'),
      (4, 2, 'NEW', 'NEW', '2024-01-02', '${at('09:00')}')`);
    // feedback       lead  given_at     updated_at
    //   1             1     2024-01-03   08:00
    //   2             1     2024-01-04   10:00
    //   3             2     2024-01-05   09:30
    await db.sql(`INSERT INTO lead_feedback (id, lead_id, disposition, given_at, updated_at) VALUES
      (1, 1, 'ACCEPTED', '2024-01-03', '${at('08:00')}'),
      (2, 1, 'ACCEPTED', '2024-01-04', '${at('10:00')}'),
      (3, 2, 'ACCEPTED', '2024-01-05', '${at('09:30')}')`);
    await db.sql(`INSERT INTO campaigns (id, name, channel, owner_team, starts_on) VALUES
      (1, 'Mail', 'EMAIL', 'MARKETING', '2024-01-01'), (2, 'Web', 'WEBINAR', 'MARKETING', '2024-01-01')`);
    // spend          campaign  spent_on     updated_at
    //   1             1         2024-02-01   08:00
    //   2             1         2024-02-10   10:00
    //   3             1         2024-03-01   11:00
    //   4             2         2024-02-05   12:00
    await db.sql(`INSERT INTO campaign_spend (id, campaign_id, spent_on, amount, updated_at) VALUES
      (1, 1, '2024-02-01', 10, '${at('08:00')}'), (2, 1, '2024-02-10', 20, '${at('10:00')}'),
      (3, 1, '2024-03-01', 30, '${at('11:00')}'), (4, 2, '2024-02-05', 40, '${at('12:00')}')`);
    // later rows take ids after the fixtures' own
    for (const table of ['users', 'alignment_agreements', 'api_keys', 'audit_log', 'import_jobs', 'leads', 'lead_stage_changes', 'lead_feedback', 'campaigns', 'campaign_spend']) {
      await db.sql(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), (SELECT max(id) FROM ${table}))`);
    }
  });
  afterAll(() => app.close());

  async function list(field: string, args: string): Promise<Page> {
    const data = await app.ok<Record<string, Page>>(`{ ${field}${args ? `(${args})` : ''} { ${PAGE} } }`);
    return data[field]!;
  }

  const after9 = `filter: { updatedAfter: "${at('09:00')}" }`;

  it('alignmentAgreements: strictly after, by UPDATED_AT, newest version first by default', async () => {
    const ag = (...n: number[]) => n.map((i) => gid('AlignmentAgreement', i));
    // updated after 09:00: 1 (10:00), 3 (11:00); 2 sits at 09:00 exactly
    expect(ids(await list('alignmentAgreements', `${after9}, orderBy: { field: UPDATED_AT }`))).toEqual(ag(1, 3));
    expect(ids(await list('alignmentAgreements', 'orderBy: { field: UPDATED_AT, direction: DESC }'))).toEqual(ag(3, 1, 2));
    expect(ids(await list('alignmentAgreements', ''))).toEqual(ag(3, 2, 1));
    expect(ids(await list('alignmentAgreements', 'orderBy: { field: VERSION }'))).toEqual(ag(1, 2, 3));
    const page = await list('alignmentAgreements', `${after9}`);
    expect(page.totalCount).toBe(2);
    expect(ids(page)).toEqual(ag(3, 1));
  });

  it('apiKeys: strictly after, by UPDATED_AT with ties by id, newest first by default', async () => {
    // updated after 09:00: 1 and 2 (both 10:00, ties by id); 3 (08:00) is not
    expect(ids(await list('apiKeys', `${after9}, orderBy: { field: UPDATED_AT }`))).toEqual(['1', '2']);
    expect(ids(await list('apiKeys', 'orderBy: { field: UPDATED_AT, direction: DESC }'))).toEqual(['2', '1', '3']);
    expect(ids(await list('apiKeys', 'orderBy: { field: CREATED_AT }'))).toEqual(['2', '1', '3']);
    expect(ids(await list('apiKeys', ''))).toEqual(['3', '2', '1']);
  });

  it('auditLog: strictly after (a scrubbed entry counts as changed), by UPDATED_AT or AT, newest first by default', async () => {
    // updated after 09:00: 3 (10:00), then 2 (scrubbed the next day), though 2 was written at 09:00
    expect(ids(await list('auditLog', `${after9}, orderBy: { field: UPDATED_AT }`))).toEqual(['3', '2']);
    expect(ids(await list('auditLog', `filter: { updatedAfter: "${at('09:00')}", objectType: "accounts" }, orderBy: { field: UPDATED_AT }`))).toEqual(['3']);
    expect(ids(await list('auditLog', 'orderBy: { field: AT, direction: DESC }'))).toEqual(['3', '2', '1']);
    expect(ids(await list('auditLog', ''))).toEqual(['3', '2', '1']);
    // at runs 08:00, 09:00, 10:00 but updated_at 08:00, 05-02, 10:00: the orders differ
    expect(ids(await list('auditLog', 'orderBy: { field: UPDATED_AT }'))).toEqual(['1', '3', '2']);
  });

  it('imports: strictly after, by UPDATED_AT or CREATED_AT, never an upload still under way', async () => {
    const job = (...n: number[]) => n.map((i) => gid('ImportJob', i));
    // updated after 09:00: 1 (10:00), 2 (12:00); 3 is UPLOADING, 4 sits at 09:00
    expect(ids(await list('imports', `${after9}, orderBy: { field: UPDATED_AT }`))).toEqual(job(1, 2));
    expect(ids(await list('imports', `filter: { updatedAfter: "${at('08:30')}", states: [DONE, FAILED] }, orderBy: { field: UPDATED_AT }`))).toEqual(job(4, 1));
    expect(ids(await list('imports', 'orderBy: { field: CREATED_AT }'))).toEqual(job(1, 4, 2));
    expect(ids(await list('imports', ''))).toEqual(job(4, 2, 1));
  });

  it('pages a sync through UPDATED_AT with cursors, and refuses a cursor of the default order', async () => {
    const first = await list('auditLog', 'first: 2, orderBy: { field: UPDATED_AT }');
    expect(ids(first)).toEqual(['1', '3']);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const rest = await list('auditLog', `first: 2, after: "${first.pageInfo.endCursor}", orderBy: { field: UPDATED_AT }`);
    expect(ids(rest)).toEqual(['2']);
    expect(rest.pageInfo.hasNextPage).toBe(false);
    const byDefault = await list('apiKeys', 'first: 1');
    const mixed = await app.gql(`{ apiKeys(first: 1, after: "${byDefault.pageInfo.endCursor}", orderBy: { field: UPDATED_AT }) { totalCount } }`);
    expect(mixed.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(mixed.errors?.[0]?.message).toMatch(/^after: is a cursor of another ordering/);
  });

  it('the nested Lead.stageHistory and Lead.feedback take updatedAfter, batched: one statement per list and count', async () => {
    const query = `{ leads(first: 10, orderBy: { field: EMAIL }) { edges { node {
      stageHistory(${after9}) { ${PAGE} }
      feedback(${after9}) { ${PAGE} }
      all: stageHistory { edges { node { id } } }
    } } } }`;
    const statements: string[] = [];
    const stop = observeQueries((sql) => statements.push(sql));
    let data: { leads: { edges: { node: { stageHistory: Page; feedback: Page; all: Page } }[] } };
    try {
      data = await app.ok(query);
    } finally {
      stop();
    }
    const [l1, l2, l3] = data.leads.edges.map((e) => e.node);
    // stage changes after 09:00: lead 1 has 2 (10:00); lead 2 has 3 (11:00, though it happened in 2023); 4 is at 09:00
    expect(ids(l1!.stageHistory)).toEqual([gid('LeadStageChange', 2)]);
    expect(ids(l2!.stageHistory)).toEqual([gid('LeadStageChange', 3)]);
    expect([l1!.stageHistory.totalCount, l2!.stageHistory.totalCount, l3!.stageHistory.totalCount]).toEqual([1, 1, 0]);
    // unfiltered, oldest first by changedAt
    expect(ids(l2!.all)).toEqual([gid('LeadStageChange', 3), gid('LeadStageChange', 4)]);
    // feedback after 09:00: lead 1 has 2 (10:00), lead 2 has 3 (09:30)
    expect(ids(l1!.feedback)).toEqual([gid('LeadFeedback', 2)]);
    expect(ids(l2!.feedback)).toEqual([gid('LeadFeedback', 3)]);
    expect(l3!.feedback.totalCount).toBe(0);
    // leads page; filtered stage history and its count; feedback and its count; unfiltered stage history
    expect(statements).toHaveLength(6);
  });

  it('the nested Campaign.spend takes the campaignSpend filter, with from and to, batched', async () => {
    const statements: string[] = [];
    const stop = observeQueries((sql) => statements.push(sql));
    let data: { campaigns: { edges: { node: { changed: Page; inRange: Page } }[] } };
    try {
      data = await app.ok(`{ campaigns(orderBy: { field: NAME }) { edges { node {
        changed: spend(${after9}) { ${PAGE} }
        inRange: spend(from: "2024-02-01", to: "2024-03-01", ${after9}) { ${PAGE} }
      } } } }`);
    } finally {
      stop();
    }
    const [mail, web] = data.campaigns.edges.map((e) => e.node);
    const sp = (...n: number[]) => n.map((i) => gid('CampaignSpend', i));
    // after 09:00: Mail has 2 (10:00) and 3 (11:00), by day; Web has 4 (12:00)
    expect(ids(mail!.changed)).toEqual(sp(2, 3));
    expect(mail!.changed.totalCount).toBe(2);
    expect(ids(web!.changed)).toEqual(sp(4));
    // and spent in February: 3 (March 1) drops out
    expect(ids(mail!.inRange)).toEqual(sp(2));
    expect(ids(web!.inRange)).toEqual(sp(4));
    // campaigns page; each spend list and its count
    expect(statements).toHaveLength(5);
  });

  it('refuses an updatedAfter that is not a date-time, on every list, as the older lists do', async () => {
    const lists = [
      '{ leads(filter: { updatedAfter: $t }) { totalCount } }', // an older list, for comparison
      '{ alignmentAgreements(filter: { updatedAfter: $t }) { totalCount } }',
      '{ apiKeys(filter: { updatedAfter: $t }) { totalCount } }',
      '{ auditLog(filter: { updatedAfter: $t }) { totalCount } }',
      '{ imports(filter: { updatedAfter: $t }) { totalCount } }',
      '{ leads { edges { node { feedback(filter: { updatedAfter: $t }) { totalCount } } } } }',
      '{ leads { edges { node { stageHistory(filter: { updatedAfter: $t }) { totalCount } } } } }',
      '{ campaigns { edges { node { spend(filter: { updatedAfter: $t }) { totalCount } } } } }',
    ];
    for (const list of lists) {
      const asVariable = await app.gql(`query($t: DateTime) ${list}`, { t: 'yesterday' });
      expect({ list, code: asVariable.errors?.[0]?.extensions?.code, data: asVariable.data ?? null }).toEqual({ list, code: 'BAD_USER_INPUT', data: null });
      const inline = await app.gql(list.replace('$t', '"yesterday"'));
      expect({ list, code: inline.errors?.[0]?.extensions?.code }).toEqual({ list, code: 'GRAPHQL_VALIDATION_FAILED' });
    }
    // past the scalar (a Date that is not one), the list specs refuse it naming the field
    const invalid = { updatedAfter: new Date(Number.NaN) };
    for (const spec of [() => feedbackListSpec(invalid), () => stageHistoryListSpec(invalid), () => spendListSpec(null, invalid)]) {
      expect(spec).toThrow(new BadInputError('filter.updatedAfter', 'is not a valid date-time'));
    }
  });

  describe('what moves updatedAt', () => {
    async function now(): Promise<string> {
      await pause(20);
      const [row] = await app.db.sql<{ t: string }>(`SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS t`);
      await pause(20);
      return row!.t;
    }

    it('an approval, a revocation, a key use, a cancel and an erasure scrub do; a write that changes nothing does not', async () => {
      const t = await now();
      await app.ok(`mutation { approveAgreement(input: { agreementId: "${gid('AlignmentAgreement', 2)}", approverId: "${gid('User', 1)}" }) { agreement { id } } }`);
      const revoked = await app.ok<{ revokeApiKey: { apiKey: { updatedAt: string } } }>(`mutation { revokeApiKey(input: { id: "3" }) { apiKey { updatedAt } } }`);
      expect(revoked.revokeApiKey.apiKey.updatedAt > t).toBe(true);
      // what authentication does when a key is used (at most once a minute)
      await app.db.sql(`UPDATE api_keys SET last_used_at = now() WHERE id = 2`);
      await app.db.sql(`INSERT INTO import_jobs (id, state, format, mode, created_by, created_by_role, created_at, updated_at)
                        VALUES (5, 'QUEUED', 'csv', 'UPSERT', 'key:1', 'ADMIN', '${at('05:00')}', '${at('05:00')}')`);
      await app.ok(`mutation { cancelImport(input: { id: "${gid('ImportJob', 5)}" }) { importJob { id } } }`);
      // what eraseLead does to the audit log's copies of a lead
      await app.db.sql(`UPDATE audit_log SET after = after || '{"email": null}' WHERE id = 1`);
      // unchanged rows keep their time
      await app.db.sql(`UPDATE alignment_agreements SET notes = notes WHERE id = 1`);
      await app.db.sql(`UPDATE api_keys SET name = name WHERE id = 1`);
      await app.db.sql(`UPDATE audit_log SET after = after WHERE id = 3`);
      await app.db.sql(`UPDATE lead_stage_changes SET to_stage = to_stage WHERE id = 2`);

      const filter = `filter: { updatedAfter: "${t}" }, orderBy: { field: UPDATED_AT }`;
      const data = await app.ok<Record<string, Page>>(`{
        alignmentAgreements(${filter}) { ${PAGE} }
        apiKeys(${filter}) { ${PAGE} }
        auditLog(filter: { updatedAfter: "${t}", objectType: "accounts" }, orderBy: { field: UPDATED_AT }) { ${PAGE} }
        imports(${filter}) { ${PAGE} }
      }`);
      expect(ids(data.alignmentAgreements!)).toEqual([gid('AlignmentAgreement', 2)]);
      // 3 revoked, then 2 used (one transaction after the other)
      expect(ids(data.apiKeys!)).toEqual(['3', '2']);
      expect(ids(data.auditLog!)).toEqual(['1']);
      expect(ids(data.imports!)).toEqual([gid('ImportJob', 5)]);
      const lead = await app.ok<{ lead: { stageHistory: Page } }>(`{ lead(id: "${gid('Lead', 1)}") { stageHistory(filter: { updatedAfter: "${t}" }) { ${PAGE} } } }`);
      expect(ids(lead.lead.stageHistory)).toEqual([]);
    });

    it('a back-dated stage change is listed after the time it was stored, not the time it happened', async () => {
      const t = await now();
      const moved = await app.ok<{ changeLeadStage: { change: { id: string; changedAt: string; updatedAt: string } } }>(
        `mutation { changeLeadStage(input: { leadId: "${gid('Lead', 2)}", stage: MQL, at: "2024-02-01T00:00:00Z" }) { change { id changedAt updatedAt } } }`,
      );
      const { change } = moved.changeLeadStage;
      expect(change.changedAt).toBe('2024-02-01T00:00:00.000Z');
      expect(change.updatedAt > t).toBe(true);
      const lead = await app.ok<{ lead: { stageHistory: Page } }>(`{ lead(id: "${gid('Lead', 2)}") { stageHistory(filter: { updatedAfter: "${t}" }) { ${PAGE} } } }`);
      expect(ids(lead.lead.stageHistory)).toEqual([change.id]);
      // and the audit entry of the change is written now, so a sync of the log gets it too
      const audit = await app.ok<{ auditLog: { edges: { node: { objectType: string; updatedAt: string } }[] } }>(
        `{ auditLog(filter: { updatedAfter: "${t}", mutation: "changeLeadStage" }, orderBy: { field: UPDATED_AT }) { edges { node { objectType updatedAt } } } }`,
      );
      expect(audit.auditLog.edges.map((e) => e.node.objectType).sort()).toEqual(['lead_stage_changes', 'leads']);
      expect(audit.auditLog.edges.every((e) => e.node.updatedAt === change.updatedAt)).toBe(true);
    });
  });
});
