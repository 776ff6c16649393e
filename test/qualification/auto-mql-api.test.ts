import { Role } from '../../src/auth/roles';
import { applyDuePolicies } from '../../src/qualification/auto-mql.service';
import { expectCachesLikeRebuilt } from '../corrections/support';
import { createTestApp, TestApp } from '../helpers/app';
import { gid, insertAccount, insertCampaign, insertLead, insertOpportunity, insertTouch, insertUser } from '../helpers/core-fixtures';
import { importText } from '../imports/engine-helpers';
import { approveBoth, iso, leadState, proposeAgreement, stageHistory } from './auto-mql-fixtures';

/**
 * Automatic MQL through the API and the import engine: a policy coming into force by approval
 * (and by its effectiveFrom, on the server's timer), the stage history and the audit log naming
 * the policy version, a manual change at the same instant, imports, and the caches after.
 *
 * Policy of version 1 (effective 2025-01-01): every touch 5 points, no decay; threshold 10.
 * Policy of version 2: EMAIL touches 4 points, a lead.attributes.tier EQUALS "gold" 6; threshold 10.
 */
describe('automatic MQL through the API and imports', () => {
  let app: TestApp;
  let campaign: string;
  let webinar: string;
  let marketing: string;
  let sales: string;
  let v1: { id: string; policyId: string };

  beforeAll(async () => {
    app = await createTestApp();
    campaign = await insertCampaign(app.db, { channel: 'EMAIL' });
    webinar = await insertCampaign(app.db, { channel: 'WEBINAR' });
    await app.db.sql(`UPDATE campaigns SET external_id = 'cmp-email' WHERE id = $1`, [campaign]);
    marketing = await insertUser(app.db, 'MARKETING');
    sales = await insertUser(app.db, 'SALES');
    v1 = await proposeAgreement(app.db, { version: 1, effectiveFrom: '2025-01-01T00:00:00Z', threshold: 10, engagement: [{ points: 5 }] });
  });
  afterAll(() => app.close());

  // approved (back-dated, as ADMIN) at its effectiveFrom: in force since 2025-01-01
  const approve = (agreementId: string, approverId: string) =>
    app.ok<{ approveAgreement: { qualifiedLeads: number | null; agreement: { qualifiedLeads: number | null } } }>(
      `mutation($input: ApproveAgreementInput!) { approveAgreement(input: $input) { qualifiedLeads agreement { qualifiedLeads } } }`,
      { input: { agreementId: gid('AlignmentAgreement', agreementId), approverId: gid('User', approverId), at: '2025-01-01T00:00:00Z' } },
    );

  it('qualifies, when the second approval puts the policy in force, the leads that qualify then, and says how many', async () => {
    // at 2025-01-01: L1 NEW with 2 touches (10) qualifies; L2 NEW with 1 (5) does not; L3 RECYCLED
    // (Dec 20) with 2 qualifies; L4 SAL with 2 is past MQL; L5 is created after the moment
    const l1 = await insertLead(app.db, { createdAt: '2024-12-01T00:00:00Z' });
    const l2 = await insertLead(app.db, { createdAt: '2024-12-01T00:00:00Z' });
    const l3 = await insertLead(app.db, { createdAt: '2024-12-01T00:00:00Z', stage: 'RECYCLED', mqlAt: '2024-12-01T00:00:00Z' });
    await app.db.sql(`UPDATE leads SET recycled_at = '2024-12-20T00:00:00Z' WHERE id = $1`, [l3]);
    const l4 = await insertLead(app.db, { createdAt: '2024-12-01T00:00:00Z', stage: 'SAL', mqlAt: '2024-12-01T00:00:00Z' });
    await app.db.sql(`UPDATE leads SET sal_at = mql_at WHERE id = $1`, [l4]);
    const l5 = await insertLead(app.db, { createdAt: '2025-01-02T00:00:00Z' });
    for (const lead of [l1, l1, l2, l3, l3, l4, l4, l5, l5]) await insertTouch(app.db, lead, campaign, '2024-12-10T00:00:00Z');
    // no policy yet: the touches qualified nobody
    expect((await leadState(app.db, l1)).stage).toBe('NEW');

    const first = await approve(v1.id, marketing);
    expect(first.approveAgreement).toEqual({ qualifiedLeads: null, agreement: { qualifiedLeads: null } });
    const second = await approve(v1.id, sales);
    expect(second.approveAgreement).toEqual({ qualifiedLeads: 2, agreement: { qualifiedLeads: 2 } });

    const approval = { at: new Date('2025-01-01T00:00:00Z') };
    for (const lead of [l1, l3]) {
      const [mql] = (await stageHistory(app.db, lead)).filter((h) => h.to_stage === 'MQL');
      expect({ at: iso(mql?.changed_at), u: iso(mql?.qualifying_at), version: mql?.qualified_by_version, score: mql?.qualification?.score }).toEqual({
        at: iso(approval?.at),
        u: iso(approval?.at),
        version: 1,
        score: '10',
      });
    }
    expect((await leadState(app.db, l2)).stage).toBe('NEW');
    expect((await leadState(app.db, l4)).stage).toBe('SAL');
    expect((await leadState(app.db, l5)).stage).toBe('NEW');
    // L3 keeps its first mqlAt
    expect(iso((await leadState(app.db, l3)).mql_at)).toBe('2024-12-01T00:00:00.000Z');
    // the application is audited with the approval's caller, naming the version
    const audit = await app.db.sql<{ mutation: string; object_type: string; after: Record<string, unknown> }>(
      `SELECT mutation, object_type, after FROM audit_log WHERE object_type IN ('qualification_policy_applications', 'lead_stage_changes') ORDER BY id`,
    );
    expect(audit.filter((a) => a.object_type === 'lead_stage_changes').map((a) => [a.mutation, a.after.qualified_by_version, a.after.lead_id])).toEqual([
      ['automaticMql', 1, Number(l1)],
      ['automaticMql', 1, Number(l3)],
    ]);
    expect(audit.filter((a) => a.object_type === 'qualification_policy_applications').map((a) => [a.after.agreement_version, a.after.qualified_leads])).toEqual([[1, 2]]);
  });

  it('makes an MQL on recordTouchpoint, with the stage history and the audit log naming the policy version', async () => {
    const lead = await insertLead(app.db, { createdAt: '2025-04-01T00:00:00Z' });
    const first = await insertTouch(app.db, lead, campaign, '2025-04-02T00:00:00Z');
    const recorded = await app.ok<{ recordTouchpoint: { touchpoint: { id: string } } }>(
      `mutation($input: RecordTouchpointInput!) { recordTouchpoint(input: $input) { touchpoint { id } } }`,
      { input: { leadId: gid('Lead', lead), campaignId: gid('Campaign', webinar), kind: 'WEBINAR_ATTENDED', occurredAt: '2025-04-03T00:00:00Z' } },
      Role.REVENUE_OPS,
    );
    const data = await app.ok<{
      node: {
        stage: string;
        mqlAt: string;
        stageHistory: {
          edges: {
            node: {
              fromStage: string;
              toStage: string;
              changedAt: string;
              qualifiedBy: {
                agreementVersion: number;
                qualifyingAt: string;
                fit: string;
                engagement: string;
                total: string;
                agreement: { version: number };
                explanation: { kind: string; points: string; touchpoint: { id: string } | null }[];
              } | null;
            };
          }[];
        };
      };
    }>(
      `query($id: ID!) { node(id: $id) { ... on Lead { stage mqlAt stageHistory { edges { node { fromStage toStage changedAt
         qualifiedBy { agreementVersion qualifyingAt fit engagement total agreement { version } explanation { kind points touchpoint { id } } } } } } } } }`,
      { id: gid('Lead', lead) },
    );
    expect(data.node.stage).toBe('MQL');
    expect(data.node.mqlAt).toBe('2025-04-03T00:00:00.000Z');
    expect(data.node.stageHistory.edges.map((e) => e.node)).toEqual([
      {
        fromStage: 'NEW',
        toStage: 'MQL',
        changedAt: '2025-04-03T00:00:00.000Z',
        qualifiedBy: {
          agreementVersion: 1,
          qualifyingAt: '2025-04-03T00:00:00.000Z',
          fit: '0',
          engagement: '10',
          total: '10',
          agreement: { version: 1 },
          explanation: [
            { kind: 'ENGAGEMENT', points: '5', touchpoint: { id: gid('Touchpoint', first) } },
            { kind: 'ENGAGEMENT', points: '5', touchpoint: { id: recorded.recordTouchpoint.touchpoint.id } },
          ],
        },
      },
    ]);
    // the example of docs/metrics.md, "Automatic MQL"
    const listed = await app.ok<{ leads: { edges: { node: { stageHistory: { edges: { node: { qualifiedBy: { total: string } | null } }[] } } }[] } }>(
      `{ leads(first: 5, filter: { stages: [MQL] }, orderBy: { field: UPDATED_AT, direction: DESC }) {
           edges { node { mqlAt stageHistory(last: 1) { edges { node { toStage changedAt
             qualifiedBy { agreementVersion qualifyingAt fit engagement total explanation { kind points touchAt } } } } } } } } }`,
      {},
      Role.EXECUTIVE,
    );
    expect(listed.leads.edges[0]?.node.stageHistory.edges[0]?.node.qualifiedBy?.total).toBe('10');
    const audit = await app.db.sql<{ mutation: string; object_type: string; actor: string; after: Record<string, unknown> }>(
      `SELECT mutation, object_type, actor, after FROM audit_log WHERE object_id = $1 AND object_type = 'leads'
        UNION ALL SELECT mutation, object_type, actor, after FROM audit_log WHERE object_type = 'lead_stage_changes' AND (after ->> 'lead_id') = $1`,
      [lead],
    );
    expect(audit.map((a) => [a.object_type, a.mutation, a.actor, a.after.stage ?? a.after.qualified_by_version])).toEqual([
      ['leads', 'automaticMql', 'key:test-revenue_ops', 'MQL'],
      ['lead_stage_changes', 'automaticMql', 'key:test-revenue_ops', 1],
    ]);
  });

  it('applies a manual stage change at the same instant first', async () => {
    const lead = await insertLead(app.db, { createdAt: '2025-05-01T00:00:00Z' });
    await insertTouch(app.db, lead, campaign, '2025-05-02T00:00:00Z');
    // sales recycles it at 10:00 through the API, then a touch of 10:00 arrives: MQL at 10:00, after the recycle
    await app.ok(`mutation($input: ChangeLeadStageInput!) { changeLeadStage(input: $input) { lead { stage } } }`, {
      input: { leadId: gid('Lead', lead), stage: 'RECYCLED', at: '2025-05-03T10:00:00Z' },
    });
    await insertTouch(app.db, lead, campaign, '2025-05-03T10:00:00Z');
    expect((await stageHistory(app.db, lead)).map((h) => [h.from_stage, h.to_stage, iso(h.changed_at)])).toEqual([
      ['NEW', 'RECYCLED', '2025-05-03T10:00:00.000Z'],
      ['RECYCLED', 'MQL', '2025-05-03T10:00:00.000Z'],
    ]);
  });

  let soon = '';
  it('applies a policy whose effectiveFrom comes after its approval on the periodic check', async () => {
    soon = new Date(Date.now() + 1500).toISOString();
    const v2 = await proposeAgreement(app.db, {
      version: 2,
      effectiveFrom: soon,
      createdAt: new Date(Date.now() - 60_000).toISOString(),
      threshold: 10,
      fit: [{ attribute: 'lead.attributes.tier', operator: 'EQUALS', values: [{ type: 'TEXT', value: 'gold' }], points: 6 }],
      engagement: [{ channels: ['EMAIL'], points: 4 }],
    });
    // gold with one email touch: 10 under version 2, 5 under version 1
    const gold = await insertLead(app.db, { createdAt: '2025-06-01T00:00:00Z' });
    await app.db.sql(`UPDATE leads SET attributes = '{"tier": "gold"}' WHERE id = $1`, [gold]);
    await insertTouch(app.db, gold, campaign, '2025-06-02T00:00:00Z');
    expect((await leadState(app.db, gold)).stage).toBe('NEW');
    await approveBoth(app.db, v2.id, new Date(Date.now() - 1000).toISOString());
    expect(await applyDuePolicies(app.db.ds)).toEqual([]); // not yet effective
    await new Promise((ok) => setTimeout(ok, Math.max(0, new Date(soon).getTime() - Date.now()) + 200));
    expect(await applyDuePolicies(app.db.ds)).toEqual([{ agreementId: v2.id, qualifiedLeads: 1 }]);
    const [mql] = await stageHistory(app.db, gold);
    expect({ at: iso(mql?.changed_at), version: mql?.qualified_by_version, fit: mql?.qualification?.fit }).toEqual({ at: soon, version: 2, fit: '6' });
    expect(await applyDuePolicies(app.db.ds)).toEqual([]); // once
  });

  it('qualifies leads in an import of touches, one audit entry per policy, and the caches stay exact', async () => {
    // version 2 is in force now: EMAIL touches 4 points, gold 6
    await app.db.sql('SELECT attribution_cache_rebuild()');
    const account = await insertAccount(app.db);
    const leads: string[] = [];
    for (let i = 0; i < 4; i++) {
      const lead = await insertLead(app.db, { createdAt: new Date(Date.now() - 86_400_000).toISOString(), accountId: account });
      await app.db.sql(`UPDATE leads SET external_id = $2, attributes = $3 WHERE id = $1`, [lead, `imp-${i}`, i < 2 ? '{"tier": "gold"}' : '{}']);
      leads.push(lead);
    }
    await insertOpportunity(app.db, { accountId: account, createdAt: new Date(Date.now() - 3_600_000).toISOString() });
    // times just after version 2 came into force: imp-0 gold + 1 email = 10; imp-1 gold, no touch = 6;
    // imp-2 3 emails = 8, then 12 at its third; imp-3 2 emails = 8
    const t = (ms: number) => new Date(new Date(soon).getTime() + ms).toISOString();
    const rows = [
      ['tp-0', 'imp-0', t(1)],
      ['tp-1', 'imp-2', t(2)],
      ['tp-2', 'imp-2', t(3)],
      ['tp-3', 'imp-2', t(4)],
      ['tp-4', 'imp-3', t(5)],
      ['tp-5', 'imp-3', t(6)],
    ];
    const csv = `externalId,leadExternalId,campaignExternalId,kind,occurredAt\n${rows.map(([id, lead, at]) => `${id},${lead},cmp-email,EMAIL_CLICK,${at}`).join('\n')}\n`;
    const { counts, errors } = await importText(app.db.ds, csv, { kind: 'touchpoints' });
    expect({ errors, created: counts.created }).toEqual({ errors: [], created: 6 });
    const states = await Promise.all(leads.map((l) => leadState(app.db, l)));
    expect(states.map((s) => [s.stage, iso(s.mql_at)])).toEqual([
      ['MQL', rows[0]![2]],
      ['NEW', null],
      ['MQL', rows[3]![2]],
      ['NEW', null],
    ]);
    const summary = await app.db.sql<{ mutation: string; object_id: string; after: unknown }>(
      `SELECT mutation, object_id, after FROM audit_log WHERE actor = 'system' AND object_type = 'alignment_agreements' ORDER BY id DESC LIMIT 1`,
    );
    expect(summary).toEqual([{ mutation: 'automaticMql', object_id: String((await app.db.sql<{ id: string }>(`SELECT id FROM alignment_agreements WHERE version = 2`))[0]!.id), after: { automaticMql: { agreementVersion: 2, leads: 2 } } }]);
    await expectCachesLikeRebuilt(app.db);
  });

  it('leaves a policy with more than 5,000 leads to judge to the periodic check, which applies it without time limits', async () => {
    // 5,001 new leads flagged bulk; version 3 (in force from its approval) gives the flag 10: all qualify
    await app.db.sql(
      `INSERT INTO leads (email, created_at, attributes)
       SELECT 'bulk' || i || '@prospect.test', '2025-01-01T00:00:00Z', '{"bulk": true}' FROM generate_series(1, 5001) i`,
    );
    const v3 = await proposeAgreement(app.db, {
      version: 3,
      effectiveFrom: '2025-01-01T00:00:00Z',
      threshold: 10,
      fit: [{ attribute: 'lead.attributes.bulk', operator: 'EXISTS', values: [], points: 10 }],
    });
    const at = new Date(Date.now() - 5000).toISOString();
    const approveNow = (approverId: string) =>
      app.ok<{ approveAgreement: { qualifiedLeads: number | null } }>(
        `mutation($input: ApproveAgreementInput!) { approveAgreement(input: $input) { qualifiedLeads } }`,
        { input: { agreementId: gid('AlignmentAgreement', v3.id), approverId: gid('User', approverId), at } },
      );
    await approveNow(marketing);
    expect((await approveNow(sales)).approveAgreement.qualifiedLeads).toBeNull();
    const [bulk] = await app.db.sql<{ n: number }>(`SELECT count(*)::int AS n FROM leads WHERE stage = 'MQL' AND attributes ? 'bulk'`);
    expect(bulk?.n).toBe(0);
    const applied = await applyDuePolicies(app.db.ds);
    expect(applied.map((a) => a.agreementId)).toEqual([v3.id]);
    const [after] = await app.db.sql<{ n: number; at: Date }>(
      `SELECT count(*)::int AS n, min(mql_at) AS at FROM leads WHERE stage = 'MQL' AND attributes ? 'bulk'`,
    );
    expect({ n: after?.n, at: iso(after?.at) }).toEqual({ n: 5001, at });
    expect(applied[0]?.qualifiedLeads).toBeGreaterThanOrEqual(5001);
  });
});
