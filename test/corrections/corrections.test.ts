import { Client } from 'pg';
import { Role } from '../../src/auth/roles';
import { createTestApp, TestApp } from '../helpers/app';
import { gid, insertCampaign, insertLead, insertOpportunity, insertTouch, unique } from '../helpers/core-fixtures';
import { expectCachesLikeRebuilt, insertScenario, Scenario } from './support';

/*
 * Corrections (issue 11): updates and deletes of touchpoints, spend, opportunities, campaigns
 * and accounts, through GraphQL. After each, the attribution and activity caches equal a
 * rebuild, and campaignPerformance (LINEAR, 2024) answers the corrected data at once.
 *
 * Before any correction, in each scenario (support.ts), LINEAR over account A's journeys of
 * L1-C1, L2-C2, L1-C2 (3 touches: C1 1/3, C2 2/3) and account B's L3-C1 (C1 alone):
 *   C1 pipeline = 1000/3 + 500/3 + 300 = 800.00, revenue = 1000/3 + 300 = 633.33
 *   C2 pipeline = 2000/3 + 1000/3 = 1000.00,     revenue = 2000/3 = 666.67
 */
interface Row {
  campaign: { id: string };
  spend: string;
  touches: number;
  leadsSourced: number;
  attributedPipeline: string | null;
  attributedRevenue: string | null;
}

const PERFORMANCE = `query($input: CampaignPerformanceInput!) { campaignPerformance(input: $input) {
  rows { campaign { id } spend touches leadsSourced attributedPipeline attributedRevenue } } }`;

const DELETE = (name: string) => `mutation($input: ${name[0]!.toUpperCase()}${name.slice(1)}Input!) { ${name}(input: $input) { deletedId deleted { kind count } } }`;

describe('corrections', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.close());

  /** The scenario's two campaigns' rows of campaignPerformance, as C1 and C2 (null when a campaign has no row). */
  async function performance(s: Scenario): Promise<{ C1: Omit<Row, 'campaign'> | null; C2: Omit<Row, 'campaign'> | null }> {
    const data = await app.ok<{ campaignPerformance: { rows: Row[] } }>(PERFORMANCE, {
      input: { window: { from: '2024-01-01T00:00:00Z', to: '2025-01-01T00:00:00Z' }, model: 'LINEAR', campaignIds: [gid('Campaign', s.c1), gid('Campaign', s.c2)] },
    });
    const of = (id: string) => {
      const row = data.campaignPerformance.rows.find((r) => r.campaign.id === gid('Campaign', id));
      if (!row) return null;
      const { campaign: _campaign, ...rest } = row;
      return rest;
    };
    return { C1: of(s.c1), C2: of(s.c2) };
  }

  const auditOf = (table: string, id: string) =>
    app.db.sql<{ mutation: string; action: string; reason: string | null; before: Record<string, unknown> | null; after: Record<string, unknown> | null }>(
      `SELECT mutation, action, reason, before, after FROM audit_log WHERE object_type = $1 AND object_id = $2 ORDER BY id`,
      [table, id],
    );

  it('starts from the hand-worked figures, caches current', async () => {
    const s = await insertScenario(app.db);
    expect(await performance(s)).toEqual({
      C1: { spend: '100.00', touches: 2, leadsSourced: 2, attributedPipeline: '800.00', attributedRevenue: '633.33' },
      C2: { spend: '200.00', touches: 2, leadsSourced: 1, attributedPipeline: '1000.00', attributedRevenue: '666.67' },
    });
    await expectCachesLikeRebuilt(app.db);
  });

  it('updateTouchpoint moves a touch to another campaign: metrics and caches follow, the audit entry has the reason', async () => {
    const s = await insertScenario(app.db);
    const data = await app.ok<{ updateTouchpoint: { touchpoint: { id: string; campaign: { id: string } } } }>(
      `mutation($input: UpdateTouchpointInput!) { updateTouchpoint(input: $input) { touchpoint { id campaign { id } } } }`,
      { input: { id: gid('Touchpoint', s.touches.l1c2), campaignId: gid('Campaign', s.c1), reason: 'wrong campaign in the ad platform' } },
    );
    expect(data.updateTouchpoint.touchpoint.campaign.id).toBe(gid('Campaign', s.c1));
    // account A: L1-C1, L2-C2, L1-C1 now: C1 2/3, C2 1/3
    //   C1 pipeline = 2000/3 + 1000/3 + 300 = 1300.00, revenue = 2000/3 + 300 = 966.67; C2 = 1000/3 + 500/3 = 500.00, 333.33
    expect(await performance(s)).toEqual({
      C1: { spend: '100.00', touches: 3, leadsSourced: 2, attributedPipeline: '1300.00', attributedRevenue: '966.67' },
      C2: { spend: '200.00', touches: 1, leadsSourced: 1, attributedPipeline: '500.00', attributedRevenue: '333.33' },
    });
    await expectCachesLikeRebuilt(app.db);
    const [entry] = await auditOf('touchpoints', s.touches.l1c2);
    expect(entry).toMatchObject({
      mutation: 'updateTouchpoint',
      action: 'UPDATE',
      reason: 'wrong campaign in the ad platform',
      before: { campaign_id: Number(s.c2) },
      after: { campaign_id: Number(s.c1) },
    });
  });

  it('updateTouchpoint moves a touch in time, out of every journey', async () => {
    const s = await insertScenario(app.db);
    await app.ok(`mutation($input: UpdateTouchpointInput!) { updateTouchpoint(input: $input) { touchpoint { occurredAt } } }`, {
      input: { id: gid('Touchpoint', s.touches.l2c2), occurredAt: '2024-06-01T00:00:00Z' },
    });
    // account A: L1-C1, L1-C2 (L2's touch is after every journey end): 1/2 each
    //   C1 pipeline = 500 + 250 + 300 = 1050.00, revenue = 500 + 300 = 800.00; C2 = 750.00, 500.00
    expect(await performance(s)).toMatchObject({
      C1: { touches: 2, attributedPipeline: '1050.00', attributedRevenue: '800.00' },
      C2: { touches: 2, attributedPipeline: '750.00', attributedRevenue: '500.00' },
    });
    await expectCachesLikeRebuilt(app.db);
  });

  it("deleteTouchpoint removes a lead's only touch: touches, leads sourced and credits drop", async () => {
    const s = await insertScenario(app.db);
    const data = await app.ok<{ deleteTouchpoint: { deletedId: string; deleted: unknown[] } }>(DELETE('deleteTouchpoint'), {
      input: { id: gid('Touchpoint', s.touches.l2c2), reason: 'bot click' },
    });
    expect(data.deleteTouchpoint).toEqual({ deletedId: gid('Touchpoint', s.touches.l2c2), deleted: [] });
    // L2 sourced by nobody now; account A as in the test above: 1/2 each
    expect(await performance(s)).toEqual({
      C1: { spend: '100.00', touches: 2, leadsSourced: 2, attributedPipeline: '1050.00', attributedRevenue: '800.00' },
      C2: { spend: '200.00', touches: 1, leadsSourced: 0, attributedPipeline: '750.00', attributedRevenue: '500.00' },
    });
    await expectCachesLikeRebuilt(app.db);
    expect(await auditOf('touchpoints', s.touches.l2c2)).toEqual([
      expect.objectContaining({ mutation: 'deleteTouchpoint', action: 'DELETE', reason: 'bot click', after: null }),
    ]);
    expect(await app.db.sql(`SELECT 1 FROM touchpoints WHERE id = $1`, [s.touches.l2c2])).toEqual([]);
  });

  it('updateSpend and deleteSpend change spend at once', async () => {
    const s = await insertScenario(app.db);
    await app.ok(`mutation($input: UpdateSpendInput!) { updateSpend(input: $input) { spend { amount spentOn } } }`, {
      input: { id: gid('CampaignSpend', s.spend1), amount: '150.00', reason: 'invoice corrected' },
    });
    await app.ok(DELETE('deleteSpend'), { input: { id: gid('CampaignSpend', s.spend2) } });
    expect(await performance(s)).toMatchObject({ C1: { spend: '150.00' }, C2: { spend: '0.00' } });
    // moved out of the window
    await app.ok(`mutation($input: UpdateSpendInput!) { updateSpend(input: $input) { spend { spentOn } } }`, {
      input: { id: gid('CampaignSpend', s.spend1), spentOn: '2023-12-31' },
    });
    expect(await performance(s)).toMatchObject({ C1: { spend: '0.00' } });
    const entries = await auditOf('campaign_spend', s.spend1);
    expect(entries.map((e) => [e.mutation, e.reason])).toEqual([
      ['updateSpend', 'invoice corrected'],
      ['updateSpend', null],
    ]);
    await expectCachesLikeRebuilt(app.db);
  });

  it('updateOpportunity of an amount moves pipeline and revenue at once', async () => {
    const s = await insertScenario(app.db);
    await app.ok(`mutation($input: UpdateOpportunityInput!) { updateOpportunity(input: $input) { opportunity { amount } } }`, {
      input: { id: gid('Opportunity', s.o1), amount: '2500.00', reason: 'amount typed without the setup fee' },
    });
    expect(await auditOf('opportunities', s.o1)).toEqual([
      expect.objectContaining({ mutation: 'updateOpportunity', action: 'UPDATE', reason: 'amount typed without the setup fee' }),
    ]);
    // O1 1000 -> 2500: C1 pipeline = 2500/3 + 500/3 + 300 = 1300.00, revenue = 2500/3 + 300 = 1133.33
    expect(await performance(s)).toMatchObject({ C1: { attributedPipeline: '1300.00', attributedRevenue: '1133.33' } });
    await expectCachesLikeRebuilt(app.db);
  });

  it("updateCampaign of a channel moves the campaign's numbers to that channel at once", async () => {
    const s = await insertScenario(app.db);
    const channels = async () =>
      (
        await app.ok<{ channelPerformance: { rows: { channel: string; touches: number; attributedPipeline: string }[] } }>(
          `query($input: ChannelPerformanceInput!) { channelPerformance(input: $input) { rows { channel touches attributedPipeline } } }`,
          { input: { window: { from: '2024-01-01T00:00:00Z', to: '2025-01-01T00:00:00Z' }, model: 'LINEAR', campaignIds: [gid('Campaign', s.c1), gid('Campaign', s.c2)] } },
        )
      ).channelPerformance.rows;
    // both EMAIL: 2 + 2 touches, 800.00 + 1000.00
    expect(await channels()).toEqual([{ channel: 'EMAIL', touches: 4, attributedPipeline: '1800.00' }]);
    await app.ok(`mutation($input: UpdateCampaignInput!) { updateCampaign(input: $input) { campaign { channel } } }`, {
      input: { id: gid('Campaign', s.c2), channel: 'EVENT', version: 1, reason: 'it was the spring event' },
    });
    expect(await channels()).toEqual([
      { channel: 'EMAIL', touches: 2, attributedPipeline: '800.00' },
      { channel: 'EVENT', touches: 2, attributedPipeline: '1000.00' },
    ]);
    await expectCachesLikeRebuilt(app.db);
  });

  it('deleteOpportunity needs a reason, keeps it in the audit log, and takes the deal out of every metric', async () => {
    const s = await insertScenario(app.db);
    await app.db.sql(`INSERT INTO opportunity_contacts (opportunity_id, lead_id) VALUES ($1, $2)`, [s.o1, s.l1]);
    const noReason = await app.gql(`mutation { deleteOpportunity(input: { id: "${gid('Opportunity', s.o1)}" }) { deletedId } }`);
    expect(noReason.errors?.[0]?.message).toMatch(/reason/);
    const blank = await app.gql(DELETE('deleteOpportunity'), { input: { id: gid('Opportunity', s.o1), reason: '   ' } });
    expect(blank.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.reason' });
    const stale = await app.gql(DELETE('deleteOpportunity'), { input: { id: gid('Opportunity', s.o1), version: 7, reason: 'duplicate' } });
    expect(stale.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'input.version' });

    const data = await app.ok<{ deleteOpportunity: unknown }>(DELETE('deleteOpportunity'), {
      input: { id: gid('Opportunity', s.o1), version: 1, reason: 'duplicate of the CRM deal' },
    });
    expect(data.deleteOpportunity).toEqual({ deletedId: gid('Opportunity', s.o1), deleted: [{ kind: 'opportunity contacts', count: 1 }] });
    // O1 gone: C1 pipeline = 500/3 + 300 = 466.67, revenue = 300.00; C2 pipeline = 1000/3 = 333.33, revenue none
    expect(await performance(s)).toMatchObject({
      C1: { attributedPipeline: '466.67', attributedRevenue: '300.00' },
      C2: { attributedPipeline: '333.33', attributedRevenue: '0.00' },
    });
    await expectCachesLikeRebuilt(app.db);
    const entries = await auditOf('opportunities', s.o1);
    expect(entries).toEqual([expect.objectContaining({ mutation: 'deleteOpportunity', action: 'DELETE', reason: 'duplicate of the CRM deal' })]);
    expect(entries[0]!.before).toMatchObject({ amount: 1000, stage: 'CLOSED_WON' });
  });

  it('deleteCampaign refuses a campaign with dependants, naming them, and deletes them with cascade', async () => {
    const s = await insertScenario(app.db);
    const refused = await app.gql(DELETE('deleteCampaign'), { input: { id: gid('Campaign', s.c2) } });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'input.id' });
    expect(refused.errors?.[0]?.message).toContain('the campaign has 2 touchpoints, 1 spend entry');
    const marketing = await app.gql(DELETE('deleteCampaign'), { input: { id: gid('Campaign', s.c2), cascade: true } }, Role.MARKETING);
    expect(marketing.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'input.cascade' });
    expect(await performance(s)).toMatchObject({ C2: { touches: 2 } });

    const data = await app.ok<{ deleteCampaign: unknown }>(DELETE('deleteCampaign'), {
      input: { id: gid('Campaign', s.c2), cascade: true, version: 1, reason: 'test campaign' },
    });
    expect(data.deleteCampaign).toEqual({
      deletedId: gid('Campaign', s.c2),
      deleted: [{ kind: 'touchpoints', count: 2 }, { kind: 'spend entries', count: 1 }],
    });
    // account A's journeys hold L1-C1 alone: C1 gets all of O1 and O2
    //   C1 pipeline = 1000 + 500 + 300 = 1800.00, revenue = 1000 + 300 = 1300.00
    expect(await performance(s)).toEqual({
      C1: { spend: '100.00', touches: 2, leadsSourced: 2, attributedPipeline: '1800.00', attributedRevenue: '1300.00' },
      C2: null,
    });
    await expectCachesLikeRebuilt(app.db);
    const reasons = await app.db.sql<{ object_type: string; n: number }>(
      `SELECT object_type, count(*)::int AS n FROM audit_log WHERE mutation = 'deleteCampaign' AND reason = 'test campaign' GROUP BY 1 ORDER BY 1`,
    );
    expect(reasons).toEqual([
      { object_type: 'campaign_spend', n: 1 },
      { object_type: 'campaigns', n: 1 },
      { object_type: 'touchpoints', n: 2 },
    ]);
    // one without dependants goes without cascade
    const empty = await insertCampaign(app.db);
    expect(await app.ok(DELETE('deleteCampaign'), { input: { id: gid('Campaign', empty) } }, Role.MARKETING)).toEqual({
      deleteCampaign: { deletedId: gid('Campaign', empty), deleted: [] },
    });
  });

  it('deleteAccount refuses an account with leads and deals, naming them, and cascades in one transaction', async () => {
    const s = await insertScenario(app.db);
    // L1 is also a contact on B's deal, and has feedback and a stage change
    await app.db.sql(`INSERT INTO opportunity_contacts (opportunity_id, lead_id) VALUES ($1, $2)`, [s.o3, s.l1]);
    await app.db.sql(`INSERT INTO lead_feedback (lead_id, disposition, given_at) VALUES ($1, 'ACCEPTED', '2024-03-02')`, [s.l1]);
    await app.db.sql(`INSERT INTO lead_stage_changes (lead_id, from_stage, to_stage, changed_at) VALUES ($1, 'NEW', 'MQL', '2024-03-02')`, [s.l1]);
    const refused = await app.gql(DELETE('deleteAccount'), { input: { id: gid('Account', s.accountA) } });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'input.id' });
    expect(refused.errors?.[0]?.message).toContain('the account has 2 leads, 2 opportunities');
    const stale = await app.gql(DELETE('deleteAccount'), { input: { id: gid('Account', s.accountA), version: 2, cascade: true } });
    expect(stale.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', field: 'input.version' });

    const data = await app.ok<{ deleteAccount: unknown }>(DELETE('deleteAccount'), {
      input: { id: gid('Account', s.accountA), cascade: true, reason: 'test account' },
    });
    expect(data.deleteAccount).toEqual({
      deletedId: gid('Account', s.accountA),
      deleted: [
        { kind: 'touchpoints', count: 3 },
        { kind: 'feedback entries', count: 1 },
        { kind: 'stage changes', count: 1 },
        { kind: 'opportunity contacts', count: 1 },
        { kind: 'opportunities', count: 2 },
        { kind: 'leads', count: 2 },
      ],
    });
    // account B alone: C1 pipeline 300.00, revenue 300.00; C2 has nothing but its spend
    expect(await performance(s)).toEqual({
      C1: { spend: '100.00', touches: 1, leadsSourced: 1, attributedPipeline: '300.00', attributedRevenue: '300.00' },
      C2: { spend: '200.00', touches: 0, leadsSourced: 0, attributedPipeline: '0.00', attributedRevenue: '0.00' },
    });
    await expectCachesLikeRebuilt(app.db);
    expect(await app.db.sql(`SELECT id FROM accounts WHERE id = $1`, [s.accountA])).toEqual([]);
    const [audited] = await app.db.sql<{ n: number; reasons: string[] }>(
      `SELECT count(*)::int AS n, array_agg(DISTINCT reason) AS reasons FROM audit_log WHERE mutation = 'deleteAccount'`,
    );
    // every row deleted, and the account, each with the reason
    expect(audited).toEqual({ n: 3 + 1 + 1 + 1 + 2 + 2 + 1, reasons: ['test account'] });
  });

  it('deleteAccount waits for a lead being added to the account, and deletes it too', async () => {
    const s = await insertScenario(app.db);
    const writer = new Client({ connectionString: app.db.url });
    await writer.connect();
    try {
      await writer.query('BEGIN');
      const [late] = (await writer.query(`INSERT INTO leads (email, account_id) VALUES ($1, $2) RETURNING id`, [`${unique('late')}@x.test`, s.accountA])).rows as { id: string }[];
      await writer.query(`INSERT INTO touchpoints (lead_id, campaign_id, kind, occurred_at) VALUES ($1, $2, 'OTHER', '2024-03-12T00:00:00Z')`, [late!.id, s.c1]);
      const deleting = app.gql<{ deleteAccount: { deleted: { kind: string; count: number }[] } }>(DELETE('deleteAccount'), {
        input: { id: gid('Account', s.accountA), cascade: true },
      });
      await new Promise((resolve) => setTimeout(resolve, 300)); // the delete waits for the writer's hold on the account
      await writer.query('COMMIT');
      const result = await deleting;
      expect(result.errors).toBeUndefined();
      expect(result.data?.deleteAccount.deleted).toEqual(expect.arrayContaining([{ kind: 'leads', count: 3 }, { kind: 'touchpoints', count: 4 }]));
    } finally {
      await writer.end();
    }
    expect(await app.db.sql(`SELECT count(*)::int AS n FROM leads WHERE account_id = $1`, [s.accountA])).toEqual([{ n: 0 }]);
    await expectCachesLikeRebuilt(app.db);
  });

  it('a failed delete changes nothing (one transaction)', async () => {
    const s = await insertScenario(app.db);
    // a touch of L1 that the cascade must delete, locked by a foreign key it does not know of
    await app.db.sql(`CREATE TABLE touch_notes (touch_id bigint REFERENCES touchpoints(id))`);
    await app.db.sql(`INSERT INTO touch_notes VALUES ($1)`, [s.touches.l1c2]);
    const before = await app.db.sql(`SELECT count(*)::int AS n FROM audit_log`);
    const failed = await app.gql(DELETE('deleteAccount'), { input: { id: gid('Account', s.accountA), cascade: true } });
    expect(failed.errors).toHaveLength(1);
    expect(await app.db.sql(`SELECT count(*)::int AS n FROM audit_log`)).toEqual(before);
    expect(await app.db.sql(`SELECT count(*)::int AS n FROM touchpoints WHERE lead_id IN ($1, $2)`, [s.l1, s.l2])).toEqual([{ n: 3 }]);
    await app.db.sql(`DROP TABLE touch_notes`);
    await expectCachesLikeRebuilt(app.db);
  });

  it('a role that may not back-date corrects only recent touchpoints', async () => {
    const lead = await insertLead(app.db);
    const campaign = await insertCampaign(app.db);
    const old = await insertTouch(app.db, lead, campaign, '2024-03-01T00:00:00Z');
    const recent = await insertTouch(app.db, lead, campaign, new Date(Date.now() - 60_000).toISOString());
    const update = `mutation($input: UpdateTouchpointInput!) { updateTouchpoint(input: $input) { touchpoint { kind } } }`;
    const refused = await app.gql(update, { input: { id: gid('Touchpoint', old), kind: 'MEETING' } }, Role.MARKETING);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'input.id' });
    const deleteRefused = await app.gql(DELETE('deleteTouchpoint'), { input: { id: gid('Touchpoint', old) } }, Role.MARKETING);
    expect(deleteRefused.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'input.id' });
    expect(await app.ok(update, { input: { id: gid('Touchpoint', recent), kind: 'MEETING' } }, Role.MARKETING)).toEqual({
      updateTouchpoint: { touchpoint: { kind: 'MEETING' } },
    });
    // nor move a recent one into the past
    const backdated = await app.gql(update, { input: { id: gid('Touchpoint', recent), occurredAt: '2024-03-01T00:00:00Z' } }, Role.MARKETING);
    expect(backdated.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'input.occurredAt' });
    expect(await app.ok(update, { input: { id: gid('Touchpoint', old), kind: 'MEETING' } }, Role.REVENUE_OPS)).toEqual({
      updateTouchpoint: { touchpoint: { kind: 'MEETING' } },
    });
    const cleared = await app.gql(update, { input: { id: gid('Touchpoint', old), campaignId: null } });
    expect(cleared.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.campaignId' });
    const missing = await app.gql(update, { input: { id: gid('Touchpoint', old), leadId: gid('Lead', '987654321') } });
    expect(missing.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'input.leadId' });
  });

  it('an opportunity used by nobody else deletes without touching other deals', async () => {
    const s = await insertScenario(app.db);
    const other = await insertOpportunity(app.db, { accountId: s.accountB, amount: '10.00', createdAt: '2024-03-16T00:00:00Z' });
    await app.ok(DELETE('deleteOpportunity'), { input: { id: gid('Opportunity', other), reason: 'typo' } });
    expect(await performance(s)).toMatchObject({ C1: { attributedPipeline: '800.00' } });
    await expectCachesLikeRebuilt(app.db);
  });
});
