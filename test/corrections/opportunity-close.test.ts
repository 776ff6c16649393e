import { Role } from '../../src/auth/roles';
import { createTestApp, TestApp } from '../helpers/app';
import { gid, insertAccount, insertOpportunity } from '../helpers/core-fixtures';
import { expectCachesLikeRebuilt, insertScenario, Scenario } from './support';

/*
 * correctOpportunityClose (issue 11): a closed deal's outcome, close time, lost reason and amount
 * are corrected, or the deal reopened, with a reason in the audit log; after each, the caches
 * equal a rebuild and the metrics answer the corrected deal at once.
 *
 * Scenario (support.ts), LINEAR over 2024: account A's journeys L1-C1, L2-C2, L1-C2 (C1 1/3,
 * C2 2/3) for O1 1000.00 (won Apr 10) and O2 500.00 (open); account B's L3-C1 for O3 300.00 (won Apr 1):
 *   C1 pipeline = 1000/3 + 500/3 + 300 = 800.00, revenue = 1000/3 + 300 = 633.33, wins = 1/3 + 1
 *   C2 pipeline = 2000/3 + 1000/3 = 1000.00,     revenue = 2000/3 = 666.67,       wins = 2/3
 */
const WINDOW = { from: '2024-01-01T00:00:00Z', to: '2025-01-01T00:00:00Z' };

const CORRECT = `mutation($input: CorrectOpportunityCloseInput!) { correctOpportunityClose(input: $input) {
  opportunity { id stage closedAt lostReason amount version } } }`;

interface Row {
  campaign: { id: string };
  attributedPipeline: string;
  attributedRevenue: string;
  attributedWins: number;
}

describe('correctOpportunityClose', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.close());

  /** The scenario's campaigns' pipeline, revenue and wins (to 4 places) under LINEAR over 2024, and their revenue by month. */
  async function figures(s: Scenario) {
    const campaignIds = [gid('Campaign', s.c1), gid('Campaign', s.c2)];
    const data = await app.ok<{
      campaignPerformance: { rows: Row[] };
      revenueTimeSeries: { rows: { periodStart: string; attributedRevenue: string }[] };
    }>(
      `query($window: ReportWindowInput!, $campaignIds: [ID!]) {
        campaignPerformance(input: { window: $window, model: LINEAR, campaignIds: $campaignIds }) {
          rows { campaign { id } attributedPipeline attributedRevenue attributedWins } }
        revenueTimeSeries(input: { window: $window, model: LINEAR, grain: MONTH, campaignIds: $campaignIds }) { rows { periodStart attributedRevenue } } }`,
      { window: WINDOW, campaignIds },
    );
    const of = (id: string) => {
      const row = data.campaignPerformance.rows.find((r) => r.campaign.id === gid('Campaign', id));
      return row && [row.attributedPipeline, row.attributedRevenue, row.attributedWins.toFixed(4)];
    };
    const revenueByMonth = Object.fromEntries(
      data.revenueTimeSeries.rows.filter((r) => r.attributedRevenue !== '0.00').map((r) => [r.periodStart.slice(0, 7), r.attributedRevenue]),
    );
    return { C1: of(s.c1), C2: of(s.c2), revenueByMonth };
  }

  const auditOf = (id: string) =>
    app.db.sql<{ mutation: string; reason: string | null; before: Record<string, unknown>; after: Record<string, unknown> }>(
      `SELECT mutation, reason, before, after FROM audit_log WHERE object_type = 'opportunities' AND object_id = $1 ORDER BY id`,
      [id],
    );

  it('turns a win into a loss and back: revenue and wins follow at once, pipeline stays, each step audited with its reason', async () => {
    const s = await insertScenario(app.db);
    expect(await figures(s)).toEqual({
      C1: ['800.00', '633.33', '1.3333'],
      C2: ['1000.00', '666.67', '0.6667'],
      revenueByMonth: { '2024-04': '1300.00' },
    });
    const lost = await app.ok<{ correctOpportunityClose: { opportunity: Record<string, unknown> } }>(CORRECT, {
      input: { id: gid('Opportunity', s.o1), version: 1, stage: 'CLOSED_LOST', lostReason: 'chose a competitor', reason: 'CRM showed the wrong outcome' },
    });
    expect(lost.correctOpportunityClose.opportunity).toEqual({
      id: gid('Opportunity', s.o1),
      stage: 'CLOSED_LOST',
      closedAt: '2024-04-10T00:00:00.000Z',
      lostReason: 'chose a competitor',
      amount: '1000.00',
      version: 2,
    });
    // O1 lost: C1 revenue = 300.00, wins 1; C2 none; pipeline counts deals created, won or not
    expect(await figures(s)).toEqual({ C1: ['800.00', '300.00', '1.0000'], C2: ['1000.00', '0.00', '0.0000'], revenueByMonth: { '2024-04': '300.00' } });
    await expectCachesLikeRebuilt(app.db);

    await app.ok(CORRECT, { input: { id: gid('Opportunity', s.o1), stage: 'CLOSED_WON', reason: 'it was won after all' } });
    expect(await app.db.sql(`SELECT stage, lost_reason, closed_at FROM opportunities WHERE id = $1`, [s.o1])).toEqual([
      { stage: 'CLOSED_WON', lost_reason: null, closed_at: new Date('2024-04-10T00:00:00Z') },
    ]);
    expect(await figures(s)).toEqual({ C1: ['800.00', '633.33', '1.3333'], C2: ['1000.00', '666.67', '0.6667'], revenueByMonth: { '2024-04': '1300.00' } });
    await expectCachesLikeRebuilt(app.db);
    const entries = await auditOf(s.o1);
    expect(entries.map((e) => [e.mutation, e.reason, e.before.stage, e.after.stage])).toEqual([
      ['correctOpportunityClose', 'CRM showed the wrong outcome', 'CLOSED_WON', 'CLOSED_LOST'],
      ['correctOpportunityClose', 'it was won after all', 'CLOSED_LOST', 'CLOSED_WON'],
    ]);
  });

  it('moves the close to another month, and out of the window', async () => {
    const s = await insertScenario(app.db);
    await app.ok(CORRECT, { input: { id: gid('Opportunity', s.o1), closedAt: '2024-06-15T12:00:00Z', reason: 'signed in June' } });
    // O1's 1000.00 moves from April to June
    expect((await figures(s)).revenueByMonth).toEqual({ '2024-04': '300.00', '2024-06': '1000.00' });
    await expectCachesLikeRebuilt(app.db);
    await app.ok(CORRECT, { input: { id: gid('Opportunity', s.o1), closedAt: '2025-01-02T00:00:00Z', reason: 'signed in January' } });
    // out of 2024: C1 revenue = 300.00, C2 none; the deal was still created in 2024
    expect(await figures(s)).toEqual({ C1: ['800.00', '300.00', '1.0000'], C2: ['1000.00', '0.00', '0.0000'], revenueByMonth: { '2024-04': '300.00' } });
    await expectCachesLikeRebuilt(app.db);
  });

  it('reopens a won deal, which then closes again through moveOpportunityStage', async () => {
    const s = await insertScenario(app.db);
    const reopened = await app.ok<{ correctOpportunityClose: { opportunity: Record<string, unknown> } }>(CORRECT, {
      input: { id: gid('Opportunity', s.o3), stage: 'NEGOTIATION', reason: 'the signature was withdrawn' },
    });
    expect(reopened.correctOpportunityClose.opportunity).toMatchObject({ stage: 'NEGOTIATION', closedAt: null, lostReason: null });
    // O3 open: C1 revenue = 1000/3 = 333.33, wins 1/3
    expect(await figures(s)).toEqual({ C1: ['800.00', '333.33', '0.3333'], C2: ['1000.00', '666.67', '0.6667'], revenueByMonth: { '2024-04': '1000.00' } });
    await expectCachesLikeRebuilt(app.db);
    await app.ok(`mutation($input: MoveOpportunityStageInput!) { moveOpportunityStage(input: $input) { opportunity { stage } } }`, {
      input: { opportunityId: gid('Opportunity', s.o3), stage: 'CLOSED_WON', at: '2024-05-02T00:00:00Z' },
    });
    expect((await figures(s)).revenueByMonth).toEqual({ '2024-04': '1000.00', '2024-05': '300.00' });
    await expectCachesLikeRebuilt(app.db);
  });

  it('corrects the amount of a closed deal with the outcome', async () => {
    const s = await insertScenario(app.db);
    await app.ok(CORRECT, { input: { id: gid('Opportunity', s.o3), amount: '450.00', closedAt: '2024-04-02T00:00:00Z', reason: 'setup fee left out' } });
    // O3 300 -> 450 (C1 alone): C1 pipeline = 800 + 150 = 950.00, revenue = 633.33 + 150 = 783.33
    expect(await figures(s)).toEqual({ C1: ['950.00', '783.33', '1.3333'], C2: ['1000.00', '666.67', '0.6667'], revenueByMonth: { '2024-04': '1450.00' } });
    await expectCachesLikeRebuilt(app.db);
    const [entry] = await auditOf(s.o3);
    expect(entry).toMatchObject({ reason: 'setup fee left out', before: { amount: 300 }, after: { amount: 450, closed_at: '2024-04-02T00:00:00+00:00' } });
    // the same values again write nothing
    await app.ok(CORRECT, { input: { id: gid('Opportunity', s.o3), amount: '450', reason: 'again' } });
    expect(await auditOf(s.o3)).toHaveLength(1);
  });

  it('refuses what is not a correction of a close, naming the field, and changes nothing', async () => {
    const s = await insertScenario(app.db);
    const refused = async (input: Record<string, unknown>, as: Role = Role.ADMIN) => (await app.gql(CORRECT, { input: { reason: 'fix', ...input } }, as)).errors?.[0];
    const o1 = gid('Opportunity', s.o1);
    expect(await refused({ id: gid('Opportunity', s.o2), stage: 'CLOSED_WON' })).toMatchObject({
      message: 'input.id: the opportunity is open (PROSPECTING): it closes through moveOpportunityStage',
      extensions: { code: 'CONFLICT', field: 'input.id' },
    });
    expect((await refused({ id: o1 }))?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input' });
    expect((await refused({ id: o1, closedAt: '2024-03-01T00:00:00Z' }))?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.closedAt' });
    expect((await refused({ id: o1, closedAt: '2030-01-01T00:00:00Z' }))?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.closedAt' });
    expect((await refused({ id: o1, closedAt: null }))?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.closedAt' });
    expect((await refused({ id: o1, stage: 'PROPOSAL', closedAt: '2024-04-11T00:00:00Z' }))?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.closedAt' });
    expect((await refused({ id: o1, lostReason: 'price' }))?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.lostReason' });
    expect((await refused({ id: o1, amount: '-1.00' }))?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.amount' });
    expect((await refused({ id: o1, amount: '1.00', reason: '  ' }))?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.reason' });
    expect((await refused({ id: o1, amount: '1.00', version: 9 }))?.extensions).toMatchObject({ code: 'CONFLICT', field: 'input.version' });
    expect((await refused({ id: gid('Opportunity', '987654321'), amount: '1.00' }))?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'input.id' });
    const noReason = await app.gql(`mutation { correctOpportunityClose(input: { id: "${o1}", amount: "1.00" }) { opportunity { id } } }`);
    expect(noReason.errors?.[0]?.message).toMatch(/reason/);
    // a role that may not back-date corrects only a close it just recorded
    expect((await refused({ id: o1, amount: '1.00' }, Role.SALES))?.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'input.id' });
    expect((await refused({ id: o1, amount: '1.00' }, Role.MARKETING))?.extensions).toMatchObject({ code: 'FORBIDDEN' });
    expect(await app.db.sql(`SELECT stage, amount::text, version FROM opportunities WHERE id = $1`, [s.o1])).toEqual([{ stage: 'CLOSED_WON', amount: '1000.00', version: 1 }]);
    expect(await auditOf(s.o1)).toEqual([]);

    const recent = new Date(Date.now() - 60_000).toISOString();
    const fresh = await insertOpportunity(app.db, { accountId: await insertAccount(app.db), stage: 'CLOSED_WON', createdAt: '2024-01-01T00:00:00Z', closedAt: recent });
    const sales = await app.ok<{ correctOpportunityClose: { opportunity: { stage: string } } }>(
      CORRECT,
      { input: { id: gid('Opportunity', fresh), stage: 'CLOSED_LOST', lostReason: 'wrong button', reason: 'clicked won by mistake' } },
      Role.SALES,
    );
    expect(sales.correctOpportunityClose.opportunity.stage).toBe('CLOSED_LOST');
    // nor move it into the past
    expect((await refused({ id: gid('Opportunity', fresh), closedAt: '2024-02-01T00:00:00Z' }, Role.SALES))?.extensions).toMatchObject({
      code: 'FORBIDDEN',
      field: 'input.closedAt',
    });
    await expectCachesLikeRebuilt(app.db);
  });
});
