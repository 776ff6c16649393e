import { Role } from '../../src/auth/roles';
import { gid, insertAccount, insertCampaign, insertOpportunity, insertTouch, insertUser } from '../helpers/core-fixtures';
import { HttpTestApp, startHttpApp } from '../helpers/http-app';
import { expectCachesLikeRebuilt } from './support';

/*
 * eraseLead (issue 11): the person's data goes from the lead, its feedback notes, the audit
 * log's copies and the responses kept for retries; the anonymous facts stay, so every metric
 * of a past window answers the same before and after; the erasure is recorded, not what it erased.
 */
const WINDOW = { from: '2024-01-01T00:00:00Z', to: '2025-01-01T00:00:00Z' };

/** Every metric over 2024, as one document. */
const METRICS = `query($window: ReportWindowInput!) {
  funnel(input: { window: $window, groupBy: CHANNEL }) {
    total { stages { stage count conversionRateToNext medianDaysToNext } }
    groups { channel stages { stage count conversionRateToNext medianDaysToNext } } }
  campaignPerformance(input: { window: $window, model: LINEAR }) {
    totalPipeline totalRevenue unattributedPipeline unattributedRevenue
    rows { campaign { id } spend touches leadsSourced mqls attributedPipeline attributedRevenue attributedWins roi } }
  channelPerformance(input: { window: $window, model: W_SHAPED }) { rows { channel touches leadsSourced mqls attributedPipeline attributedRevenue } }
  attributionComparison(input: { window: $window }) { totalRevenue rows { campaign { id } revenue { firstTouch lastTouch linear wShaped dataDriven } } }
  revenueTimeSeries(input: { window: $window, model: TIME_DECAY, grain: MONTH }) { rows { periodStart attributedPipeline attributedRevenue spend } }
  slaCompliance(input: { window: $window, asOf: "2025-01-01T00:00:00Z" }) {
    mqls within breached pending responded noAgreement medianResponseHours complianceRate months { mqlsDelivered attainment } }
  leadFeedbackSummary(input: { window: $window }) {
    byCampaign { campaign { id } feedbackCount accepted rejected rejectionRate reasons { reason count } } }
  acquisitionCost(input: { window: $window }) { newCustomers spend cac }
  walletShare(input: { asOf: "2025-01-01T00:00:00Z" }) { portfolio { revenue12m shareOfWallet netRevenueRetention whitespace } }
}`;

const CREATE_LEAD = `mutation($input: CreateLeadInput!) { createLead(input: $input) { lead { id email firstName lastName externalId } } }`;
let keys = 0;

const ERASE = `mutation($input: EraseLeadInput!) { eraseLead(input: $input) {
  lead { id email firstName lastName title externalId erasedAt stage mqlAt salAt account { id } version }
  erased { kind count } } }`;

describe('eraseLead', () => {
  let api: HttpTestApp;
  let ops: { id: string; secret: string };
  beforeAll(async () => {
    api = await startHttpApp();
    ops = await api.newKey(Role.REVENUE_OPS);
  });
  afterAll(() => api.close());

  const call = async <T>(query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const res = await api.gql<T>(query, variables, { key: ops.secret, headers });
    if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
    return res.body.data as T;
  };

  /** A lead with a past: created, named, touched, MQL, accepted then rejected with notes, a deal's contact, through the API. */
  async function leadWithHistory(email: string) {
    const account = await insertAccount(api.db, { walletSize: '5000.00' });
    const campaign = await insertCampaign(api.db, { channel: 'WEBINAR' });
    const seller = await insertUser(api.db, 'SALES');
    const createInput = { email, firstName: 'Jane', lastName: 'Roe', accountId: gid('Account', account), externalId: `crm-${email}`, createdAt: '2024-02-01T00:00:00Z' };
    // a kept response that shows the person (keys are opaque: they never hold personal data)
    const key = `create-lead-${++keys}`;
    const created = await call<{ createLead: { lead: { id: string } } }>(CREATE_LEAD, { input: createInput }, { 'idempotency-key': key });
    const leadGid = created.createLead.lead.id;
    const leadId = Buffer.from(leadGid, 'base64').toString('utf8').split(':')[1]!;
    await call(`mutation($input: UpdateLeadInput!) { updateLead(input: $input) { lead { id } } }`, { input: { id: leadGid, title: 'VP Finance' } });
    await insertTouch(api.db, leadId, campaign, '2024-02-10T00:00:00Z');
    await call(`mutation($input: ChangeLeadStageInput!) { changeLeadStage(input: $input) { change { id } } }`, {
      input: { leadId: leadGid, stage: 'MQL', at: '2024-02-12T00:00:00Z' },
    });
    await call(`mutation($input: ChangeLeadStageInput!) { changeLeadStage(input: $input) { change { id } } }`, {
      input: { leadId: leadGid, stage: 'SAL', at: '2024-02-13T00:00:00Z' },
    });
    for (const [disposition, reason, note] of [
      ['ACCEPTED', null, 'Jane Roe wants a call on Tuesday'],
      ['REJECTED', 'NO_BUDGET', 'jane says no budget until Q3'],
    ] as const) {
      await call(`mutation($input: GiveLeadFeedbackInput!) { giveLeadFeedback(input: $input) { feedback { id } } }`, {
        input: { leadId: leadGid, disposition, reason, note, givenById: gid('User', seller), at: '2024-02-14T00:00:00Z' },
      });
    }
    const deal = await insertOpportunity(api.db, { accountId: account, amount: '1200.00', stage: 'CLOSED_WON', createdAt: '2024-02-20T00:00:00Z', closedAt: '2024-03-05T00:00:00Z' });
    await api.db.sql(`INSERT INTO opportunity_contacts (opportunity_id, lead_id) VALUES ($1, $2)`, [deal, leadId]);
    await api.db.sql(`INSERT INTO campaign_spend (campaign_id, spent_on, amount) VALUES ($1, '2024-02-01', 300)`, [campaign]);
    return { leadGid, leadId, account, deal, createInput, key };
  }

  /** Every place the database holds text: does any of it contain `needle` (case-insensitive)? */
  async function tablesHolding(needle: string): Promise<string[]> {
    const tables = await api.db.sql<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
    );
    const holding: string[] = [];
    for (const { table_name } of tables) {
      const [row] = await api.db.sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${table_name} t WHERE strpos(lower(t::text), lower($1)) > 0`, [needle]);
      if (row!.n > 0) holding.push(table_name);
    }
    return holding;
  }

  it('erases the personal data everywhere, keeps every metric as it was, and records only that it happened', async () => {
    const email = 'jane.roe@erasure.test';
    const { leadGid, leadId, account, createInput, key } = await leadWithHistory(email);
    // an import that brought the person in (finished, its file kept) and one whose row failed
    const jobs = await api.db.sql<{ id: string }>(
      `INSERT INTO import_jobs (state, format, mode, created_by, created_by_role, finished_at)
       VALUES ('DONE', 'csv', 'UPSERT', 'test', 'REVENUE_OPS', now()), ('FAILED', 'csv', 'UPSERT', 'test', 'REVENUE_OPS', now()) RETURNING id`,
    );
    for (const job of jobs) await api.db.sql(`INSERT INTO import_job_files (job_id, file_no, kind) VALUES ($1, 0, 'leads')`, [job.id]);
    // the address straddles two chunks
    const file = Buffer.from(`email,first_name\nother@x.test,Max\n${email},Jane\n`, 'utf8');
    await api.db.sql(`INSERT INTO import_job_chunks (job_id, file_no, seq, data) VALUES ($1, 0, 0, $2), ($1, 0, 1, $3)`, [jobs[0]!.id, file.subarray(0, 40), file.subarray(40)]);
    await api.db.sql(`INSERT INTO import_job_chunks (job_id, file_no, seq, data) VALUES ($1, 0, 0, $2)`, [jobs[1]!.id, Buffer.from('email\nnobody@x.test\n')]);
    await api.db.sql(`INSERT INTO import_job_errors (job_id, file_no, line, column_name, reason, "values") VALUES ($1, 0, 2, 'email', 'already taken', $2)`, [
      jobs[1]!.id,
      JSON.stringify([['email', email.toUpperCase()], ['first_name', 'Jane']]),
    ]);
    const before = await call(METRICS, { window: WINDOW });
    // the data is there to begin with: the lead, feedback notes, audit copies, a kept response
    expect(await tablesHolding(email)).toEqual(['audit_log', 'idempotency_keys', 'import_job_errors', 'leads']);
    expect(file.toString('utf8', 0, 40)).not.toContain(email);
    expect(await tablesHolding('Roe')).toEqual(expect.arrayContaining(['audit_log', 'lead_feedback', 'leads']));

    const erased = await call<{ eraseLead: { lead: Record<string, unknown>; erased: { kind: string; count: number }[] } }>(ERASE, {
      input: { id: leadGid, reason: 'erasure request DSR-1001' },
    });
    expect(erased.eraseLead.lead).toMatchObject({
      id: leadGid,
      email: `erased-${leadId}@erased.invalid`,
      firstName: null,
      lastName: null,
      title: null,
      externalId: null,
      stage: 'SAL',
      mqlAt: '2024-02-12T00:00:00.000Z',
      salAt: '2024-02-13T00:00:00.000Z',
      account: { id: gid('Account', account) },
    });
    expect(erased.eraseLead.lead.erasedAt).toEqual(expect.any(String));
    expect(erased.eraseLead.erased).toEqual([
      { kind: 'feedback notes', count: 2 },
      // the lead's entries (create, update, two stage moves, the erasure) and the feedback's (two inserts, two note updates... as written)
      { kind: 'audit log entries', count: expect.any(Number) },
      { kind: 'idempotent responses', count: 1 },
      { kind: 'import row errors', count: 1 },
      { kind: 'import files', count: 1 },
    ]);
    // the jobs stay, the other file too
    const kept = await api.db.sql(`SELECT j.state, count(c.seq)::int AS chunks FROM import_jobs j LEFT JOIN import_job_chunks c ON c.job_id = j.id GROUP BY j.id ORDER BY j.id`);
    expect(kept).toEqual([{ state: 'DONE', chunks: 0 }, { state: 'FAILED', chunks: 1 }]);

    // nowhere any more: email, names, title, external id, words of the notes
    for (const needle of [email, 'Roe', 'Jane', 'VP Finance', `crm-${email}`, 'Tuesday', 'until Q3']) {
      expect({ needle, tables: await tablesHolding(needle) }).toEqual({ needle, tables: [] });
    }
    // a retry of the create is answered the kept response, without the person
    const replay = await api.gql<{ createLead: { lead: Record<string, unknown> } }>(CREATE_LEAD, { input: createInput }, { key: ops.secret, headers: { 'idempotency-key': key } });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.data?.createLead.lead).toEqual({ id: leadGid, email: `erased-${leadId}@erased.invalid`, firstName: null, lastName: null, externalId: null });
    // the facts stay: touches, stage history, feedback dispositions and reasons, the deal contact
    const [facts] = await api.db.sql(
      `SELECT (SELECT count(*) FROM touchpoints WHERE lead_id = $1)::int AS touches,
              (SELECT count(*) FROM lead_stage_changes WHERE lead_id = $1)::int AS stage_changes,
              (SELECT array_agg(disposition || ':' || coalesce(reason, '-') ORDER BY id) FROM lead_feedback WHERE lead_id = $1) AS feedback,
              (SELECT count(*) FROM opportunity_contacts WHERE lead_id = $1)::int AS contacts`,
      [leadId],
    );
    // stage changes: NEW (at creation), MQL, SAL
    expect(facts).toEqual({ touches: 1, stage_changes: 3, feedback: ['ACCEPTED:-', 'REJECTED:NO_BUDGET'], contacts: 1 });
    // so last year's numbers do not move
    expect(await call(METRICS, { window: WINDOW })).toEqual(before);
    await expectCachesLikeRebuilt(api.db);

    // the audit log says who erased which lead, when and why
    const [entry] = await api.db.sql<Record<string, unknown>>(
      `SELECT actor, actor_role, mutation, object_type, object_id, action, reason, after ->> 'erased_at' IS NOT NULL AS erased
         FROM audit_log WHERE mutation = 'eraseLead'`,
    );
    expect(entry).toEqual({
      actor: `key:${ops.id}`,
      actor_role: 'REVENUE_OPS',
      mutation: 'eraseLead',
      object_type: 'leads',
      object_id: leadId,
      action: 'UPDATE',
      reason: 'erasure request DSR-1001',
      erased: true,
    });
  });

  it('an erased lead stays erased: its data cannot be set again, nor the erasure undone; the person may return as a new lead', async () => {
    const email = 'john.doe@erasure.test';
    const { leadGid, leadId } = await leadWithHistory(email);
    await call(ERASE, { input: { id: leadGid, reason: 'DSR-1002' } });

    const again = await api.gql(ERASE, { input: { id: leadGid, reason: 'DSR-1002' } }, { key: ops.secret });
    expect(again.body.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'input.id' });
    const update = `mutation($input: UpdateLeadInput!) { updateLead(input: $input) { lead { email } } }`;
    for (const change of [{ email }, { firstName: 'John' }, { title: 'CFO' }]) {
      const refused = await api.gql(update, { input: { id: leadGid, ...change } }, { key: ops.secret });
      expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(refused.body.errors?.[0]?.message).toContain('leads_erased_anonymous');
    }
    // not through SQL either
    await expect(api.db.sql(`UPDATE leads SET erased_at = NULL WHERE id = $1`, [leadId])).rejects.toThrow(/erased/);
    await expect(api.db.sql(`UPDATE leads SET first_name = 'John' WHERE id = $1`, [leadId])).rejects.toThrow(/leads_erased_anonymous/);
    // the tombstone domain is no one else's
    await expect(api.db.sql(`INSERT INTO leads (email) VALUES ('someone@erased.invalid')`)).rejects.toThrow(/leads_erased_anonymous/);
    // the anonymous facts still move: stage changes are not personal data
    await call(`mutation($input: ChangeLeadStageInput!) { changeLeadStage(input: $input) { change { id } } }`, {
      input: { leadId: leadGid, stage: 'SQL' },
    });
    // the person comes back: a new lead, with nothing linking it to the erased one
    const back = await call<{ createLead: { lead: { id: string; email: string } } }>(
      `mutation($input: CreateLeadInput!) { createLead(input: $input) { lead { id email } } }`,
      { input: { email } },
    );
    expect(back.createLead.lead.email).toBe(email);
    expect(back.createLead.lead.id).not.toBe(leadGid);
  });

  it('is for ADMIN and REVENUE_OPS, needs a reason, and names a missing lead', async () => {
    const { leadGid } = await leadWithHistory('rita.r@erasure.test');
    const marketing = await api.newKey(Role.MARKETING);
    const refused = await api.gql(ERASE, { input: { id: leadGid, reason: 'x' } }, { key: marketing.secret });
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });
    const blank = await api.gql(ERASE, { input: { id: leadGid, reason: ' ' } }, { key: ops.secret });
    expect(blank.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.reason' });
    const missing = await api.gql(ERASE, { input: { id: gid('Lead', '987654321'), reason: 'DSR' } }, { key: ops.secret });
    expect(missing.body.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'input.id' });
    const [lead] = await api.db.sql<{ erased_at: Date | null }>(`SELECT erased_at FROM leads WHERE email = 'rita.r@erasure.test'`);
    expect(lead!.erased_at).toBeNull();
  });
});
