import { Role } from '../../src/auth/roles';
import { gid, insertAccount, insertCampaign, insertLead, insertOpportunity, insertTouch, insertUser } from '../helpers/core-fixtures';
import { HttpTestApp, startHttpApp } from '../helpers/http-app';
import { expectCachesLikeRebuilt } from './support';

/*
 * eraseLead (issue 11): the person's data goes from the lead, the free text about them (feedback
 * notes, deal names and lost reasons, agreement notes), the audit log's copies, the responses
 * kept for retries and import jobs' failed rows, messages and files; the anonymous facts stay, so
 * every metric of a past window answers the same before and after; the erasure is recorded (one
 * entry), not what it erased.
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

  /** Free text about the person in other rows, written through the API so that the audit log holds copies of it. */
  async function textAboutThem(email: string, leadGid: string, account: string) {
    const deal = await call<{ createOpportunity: { opportunity: { id: string; version: number } } }>(
      `mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) { opportunity { id name lostReason version } } }`,
      {
        input: {
          accountId: gid('Account', account), name: 'Expansion for Jane  Roe', kind: 'EXPANSION', amount: '800.00', stage: 'CLOSED_LOST',
          createdAt: '2024-03-01T00:00:00Z', closedAt: '2024-04-01T00:00:00Z', lostReason: `Roe, Jane left; ask ${email.toUpperCase()}.`, contactIds: [leadGid],
        },
      },
      { 'idempotency-key': `deal-${++keys}` },
    );
    // a colleague at the account, whose feedback note names the person
    const colleague = await insertLead(api.db, { accountId: account, stage: 'MQL', createdAt: '2024-02-01T00:00:00Z', mqlAt: '2024-02-02T00:00:00Z' });
    await call(`mutation($input: GiveLeadFeedbackInput!) { giveLeadFeedback(input: $input) { feedback { id } } }`, {
      input: { leadId: gid('Lead', colleague), disposition: 'REJECTED', reason: 'DUPLICATE', note: `duplicate of JANE ROE, see ${email}.`, at: '2024-02-15T00:00:00Z' },
    });
    await call(`mutation($input: ProposeAgreementInput!) { proposeAgreement(input: $input) { agreement { id } } }`, {
      input: { effectiveFrom: '2030-01-01T00:00:00Z', mqlThreshold: 50, followUpHours: 24, monthlyMqlTarget: 10, scoringRules: [], notes: 'after the escalation by Jane Roe' },
    });
    return { dealId: Buffer.from(deal.createOpportunity.opportunity.id, 'base64').toString('utf8').split(':')[1]!, dealVersion: deal.createOpportunity.opportunity.version };
  }

  it('erases the personal data everywhere, keeps every metric as it was, and records only that it happened', async () => {
    const email = 'jane.roe@erasure.test';
    const { leadGid, leadId, account, createInput, key } = await leadWithHistory(email);
    const { dealId, dealVersion } = await textAboutThem(email, leadGid, account);
    // an import that brought the person in (finished, its file kept) and one whose rows failed
    const jobs = await api.db.sql<{ id: string }>(
      `INSERT INTO import_jobs (state, format, mode, created_by, created_by_role, finished_at, message)
       VALUES ('DONE', 'csv', 'UPSERT', 'test', 'REVENUE_OPS', now(), NULL),
              ('FAILED', 'csv', 'UPSERT', 'test', 'REVENUE_OPS', now(), 'line 2: Jane.Roe@erasure.test is taken') RETURNING id`,
    );
    for (const job of jobs) await api.db.sql(`INSERT INTO import_job_files (job_id, file_no, kind) VALUES ($1, 0, 'leads')`, [job.id]);
    // the address straddles two chunks, in another case
    const file = Buffer.from(`email,first_name\nother@x.test,Max\n${email.toUpperCase()},Jane\n`, 'utf8');
    await api.db.sql(`INSERT INTO import_job_chunks (job_id, file_no, seq, data) VALUES ($1, 0, 0, $2), ($1, 0, 1, $3)`, [jobs[0]!.id, file.subarray(0, 40), file.subarray(40)]);
    await api.db.sql(`INSERT INTO import_job_chunks (job_id, file_no, seq, data) VALUES ($1, 0, 0, $2)`, [jobs[1]!.id, Buffer.from('email\nnobody@x.test\n')]);
    const failedRow = (line: number, values: [string, string][], reason = 'already taken') =>
      api.db.sql(`INSERT INTO import_job_errors (job_id, file_no, line, column_name, reason, "values") VALUES ($1, 0, $2, 'email', $3, $4)`, [
        jobs[1]!.id, line, reason, JSON.stringify(values),
      ]);
    await failedRow(2, [['email', email.toUpperCase()], ['first_name', 'Jane']]);
    // no address that matches, but the person's two names
    await failedRow(3, [['email', 'jane.roe@@erasure.test'], ['first_name', 'jane'], ['last_name', 'Roe ']], 'not an email');
    await failedRow(4, [['email', 'nobody@x.test'], ['first_name', 'Max'], ['last_name', 'Mustermann']], 'not an email');
    const before = await call(METRICS, { window: WINDOW });
    // the data is there to begin with
    expect(await tablesHolding(email)).toEqual(['audit_log', 'idempotency_keys', 'import_job_errors', 'import_jobs', 'lead_feedback', 'leads', 'opportunities']);
    expect(file.toString('utf8', 0, 40)).not.toContain(email.toUpperCase());
    expect(await tablesHolding('Roe')).toEqual(expect.arrayContaining(['alignment_agreements', 'audit_log', 'lead_feedback', 'leads', 'opportunities']));

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
      // the lead's two notes cleared, the colleague's rewritten
      { kind: 'feedback notes', count: 3 },
      { kind: 'opportunities', count: 1 },
      { kind: 'agreement notes', count: 1 },
      // copies of the lead (create, update, stage moves, the erasure), its feedback, the colleague's, the deal, the agreement
      { kind: 'audit log entries', count: expect.any(Number) },
      // the create of the lead and the create of the deal
      { kind: 'idempotent responses', count: 2 },
      { kind: 'import row errors', count: 2 },
      { kind: 'import job messages', count: 1 },
      { kind: 'import files', count: 1 },
    ]);
    expect(erased.eraseLead.erased[3]!.count).toBeGreaterThanOrEqual(10);
    // the jobs stay, the other file and failed row too
    const kept = await api.db.sql(
      `SELECT j.state, j.message, count(c.seq)::int AS chunks, (SELECT array_agg(e.line) FROM import_job_errors e WHERE e.job_id = j.id) AS failed_lines
         FROM import_jobs j LEFT JOIN import_job_chunks c ON c.job_id = j.id GROUP BY j.id ORDER BY j.id`,
    );
    expect(kept).toEqual([
      { state: 'DONE', message: null, chunks: 0, failed_lines: null },
      { state: 'FAILED', message: 'line 2: [erased] is taken', chunks: 1, failed_lines: [4] },
    ]);
    // the free text reads [erased] where the person was; the deal's version moved
    expect(await api.db.sql(`SELECT name, lost_reason, version, amount::text, stage, closed_at FROM opportunities WHERE id = $1`, [dealId])).toEqual([
      { name: 'Expansion for [erased]', lost_reason: '[erased] left; ask [erased].', version: dealVersion + 1, amount: '800.00', stage: 'CLOSED_LOST', closed_at: new Date('2024-04-01T00:00:00Z') },
    ]);
    expect(await api.db.sql(`SELECT note FROM lead_feedback WHERE note IS NOT NULL`)).toEqual([{ note: 'duplicate of [erased], see [erased].' }]);
    expect(await api.db.sql(`SELECT notes FROM alignment_agreements`)).toEqual([{ notes: 'after the escalation by [erased]' }]);

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
    expect(facts).toEqual({ touches: 1, stage_changes: 3, feedback: ['ACCEPTED:-', 'REJECTED:NO_BUDGET'], contacts: 2 });
    // so last year's numbers do not move
    expect(await call(METRICS, { window: WINDOW })).toEqual(before);
    await expectCachesLikeRebuilt(api.db);

    // the audit log says who erased which lead, when and why, in one entry
    const entries = await api.db.sql<Record<string, unknown>>(
      `SELECT actor, actor_role, mutation, object_type, object_id, action, reason, after ->> 'erased_at' IS NOT NULL AS erased
         FROM audit_log WHERE mutation = 'eraseLead'`,
    );
    expect(entries).toEqual([
      {
        actor: `key:${ops.id}`,
        actor_role: 'REVENUE_OPS',
        mutation: 'eraseLead',
        object_type: 'leads',
        object_id: leadId,
        action: 'UPDATE',
        reason: 'erasure request DSR-1001',
        erased: true,
      },
    ]);
  });

  it('leaves namesakes and longer addresses alone, and scrubs the address alone from deals the person is no part of', async () => {
    const email = 'sam.lee@erasure.test';
    const { leadGid, leadId } = await leadWithHistory(email);
    await call(`mutation($input: UpdateLeadInput!) { updateLead(input: $input) { lead { id } } }`, { input: { id: leadGid, firstName: 'Sam', lastName: 'Lee' } });
    const other = await insertAccount(api.db);
    const deal = await call<{ createOpportunity: { opportunity: { id: string } } }>(
      `mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) { opportunity { id } } }`,
      { input: { accountId: gid('Account', other), name: 'Sam Lee Holdings renewal', kind: 'RENEWAL', amount: '10.00', stage: 'CLOSED_LOST',
          createdAt: '2024-03-01T00:00:00Z', closedAt: '2024-04-01T00:00:00Z', lostReason: `budget moved to ${email}'s team; cc ${email}.uk, tsam.lee@erasure.test` } },
    );
    const employee = await insertUser(api.db, 'SALES', 'Sam Lee');
    const erased = await call<{ eraseLead: { erased: { kind: string; count: number }[] } }>(ERASE, { input: { id: leadGid, reason: 'DSR-1003' } });
    expect(erased.eraseLead.erased.find((c) => c.kind === 'opportunities')).toEqual({ kind: 'opportunities', count: 1 });
    // a deal the person is no contact of: a namesake's name stays, the address goes, longer addresses stay
    expect(await api.db.sql(`SELECT name, lost_reason FROM opportunities WHERE account_id = $1`, [other])).toEqual([
      { name: 'Sam Lee Holdings renewal', lost_reason: `budget moved to [erased]'s team; cc ${email}.uk, tsam.lee@erasure.test` },
    ]);
    const dealId = Buffer.from(deal.createOpportunity.opportunity.id, 'base64').toString('utf8').split(':')[1]!;
    const [copy] = await api.db.sql<{ after: { name: string; lost_reason: string } }>(`SELECT after FROM audit_log WHERE object_type = 'opportunities' AND object_id = $1`, [dealId]);
    expect(copy!.after).toMatchObject({ name: 'Sam Lee Holdings renewal', lost_reason: `budget moved to [erased]'s team; cc ${email}.uk, tsam.lee@erasure.test` });
    // an employee of the same name is someone else
    expect(await api.db.sql(`SELECT name FROM users WHERE id = $1`, [employee])).toEqual([{ name: 'Sam Lee' }]);
    expect(await api.db.sql(`SELECT first_name, last_name FROM leads WHERE id = $1`, [leadId])).toEqual([{ first_name: null, last_name: null }]);
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
