import type { Client } from 'pg';
import { Role } from '../../src/auth/roles';
import { createTestApp, TestApp } from '../helpers/app';
import { gid } from '../helpers/core-fixtures';
import { Fixture, insertFixtures, normalized } from './bi-fixtures';
import { BiLogins } from './bi-support';

describe('the bi fact views and tombstones give the API\'s numbers', () => {
  let app: TestApp;
  let logins: BiLogins;
  let bi: Client;
  let ids: Record<Fixture, string>;

  const one = async (sql: string, params: unknown[] = []) => (await bi.query(sql, params)).rows as Record<string, unknown>[];

  beforeAll(async () => {
    app = await createTestApp();
    logins = new BiLogins(app.db);
    ids = await insertFixtures(app.db);
    bi = await logins.connect(await logins.create('facts'));
  });
  afterAll(async () => {
    await logins?.dropAll();
    await app?.close();
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
