import { createTestApp, TestApp } from '../helpers/app';
import { gid, insertAccount, insertCampaign, insertLead, insertOpportunity, insertTouch, insertUser } from '../helpers/core-fixtures';

/** `node(id)` fetches any object by its global id; the type-specific lookups refuse other types' ids. */
describe('global ids and node(id)', () => {
  let app: TestApp;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    app = await createTestApp();
    const { db } = app;
    ids.User = await insertUser(db, 'SALES', 'Nora Node');
    ids.Account = await insertAccount(db, { name: 'Node Co', ownerId: ids.User });
    ids.Lead = await insertLead(db, { email: 'node.lead@prospect.test', accountId: ids.Account, stage: 'MQL', createdAt: '2024-01-01T00:00:00Z', mqlAt: '2024-01-02T00:00:00Z' });
    ids.Campaign = await insertCampaign(db, { name: 'Node Webinar', channel: 'WEBINAR' });
    ids.Touchpoint = await insertTouch(db, ids.Lead, ids.Campaign, '2024-01-01T12:00:00Z', 'WEBINAR_ATTENDED');
    ids.Opportunity = await insertOpportunity(db, { accountId: ids.Account, name: 'Node Deal', amount: '1234.50' });
    const one = async (text: string) => (await db.sql<{ id: string }>(text))[0]!.id;
    ids.CampaignSpend = await one(`INSERT INTO campaign_spend (campaign_id, spent_on, amount) VALUES (${ids.Campaign}, '2024-01-05', 99.9) RETURNING id`);
    ids.LeadStageChange = await one(`INSERT INTO lead_stage_changes (lead_id, from_stage, to_stage, changed_at) VALUES (${ids.Lead}, 'NEW', 'MQL', '2024-01-02') RETURNING id`);
    ids.LeadFeedback = await one(`INSERT INTO lead_feedback (lead_id, disposition, reason, note, given_at) VALUES (${ids.Lead}, 'REJECTED', 'NO_BUDGET', 'next year', '2024-01-03') RETURNING id`);
    ids.AlignmentAgreement = await one(
      `INSERT INTO alignment_agreements (version, effective_from, mql_threshold, follow_up_hours, monthly_mql_target)
       VALUES (1, '2024-01-01', 50, 24.5, 300) RETURNING id`,
    );
  });
  afterAll(() => app.close());

  const NODE = `query($id: ID!) { node(id: $id) { __typename id
    ... on User { name team }
    ... on Account { name owner { name } }
    ... on Lead { email stage leadAccount: account { name } }
    ... on Campaign { name channel }
    ... on CampaignSpend { amount spentOn campaign { name } }
    ... on Touchpoint { kind lead { email } touchedCampaign: campaign { name } }
    ... on Opportunity { name amount account { name } }
    ... on LeadStageChange { fromStage toStage }
    ... on LeadFeedback { disposition reason note lead { email } }
    ... on AlignmentAgreement { version followUpHours monthlyMqlTarget approved }
  } }`;

  it.each([
    ['User', { name: 'Nora Node', team: 'SALES' }],
    ['Account', { name: 'Node Co', owner: { name: 'Nora Node' } }],
    ['Lead', { email: 'node.lead@prospect.test', stage: 'MQL', leadAccount: { name: 'Node Co' } }],
    ['Campaign', { name: 'Node Webinar', channel: 'WEBINAR' }],
    ['CampaignSpend', { amount: '99.90', spentOn: '2024-01-05', campaign: { name: 'Node Webinar' } }],
    ['Touchpoint', { kind: 'WEBINAR_ATTENDED', lead: { email: 'node.lead@prospect.test' }, touchedCampaign: { name: 'Node Webinar' } }],
    ['Opportunity', { name: 'Node Deal', amount: '1234.50', account: { name: 'Node Co' } }],
    ['LeadStageChange', { fromStage: 'NEW', toStage: 'MQL' }],
    ['LeadFeedback', { disposition: 'REJECTED', reason: 'NO_BUDGET', note: 'next year', lead: { email: 'node.lead@prospect.test' } }],
    ['AlignmentAgreement', { version: 1, followUpHours: 24.5, monthlyMqlTarget: 300, approved: false }],
  ] as const)('fetches a %s by its global id', async (type, fields) => {
    const id = gid(type, ids[type]!);
    const data = await app.ok<{ node: Record<string, unknown> }>(NODE, { id });
    expect(data.node).toEqual({ __typename: type, id, ...fields });
  });

  it('encodes global ids as base64 of "Type:id" and never reuses one across types', () => {
    expect(gid('Account', 12)).toBe(Buffer.from('Account:12').toString('base64'));
    expect(new Set(Object.keys(ids).map((t) => gid(t as 'User', 1))).size).toBe(Object.keys(ids).length);
  });

  it('returns null for an id of no row, a malformed id and an id of an unknown type', async () => {
    for (const id of [gid('Lead', 999999), 'not-an-id', Buffer.from('Invoice:1').toString('base64'), Buffer.from('Lead:0').toString('base64'), '']) {
      const result = await app.gql<{ node: unknown }>(`query($id: ID!) { node(id: $id) { id } }`, { id });
      expect(result).toEqual({ data: { node: null } });
    }
  });

  it('answers each type-specific query only with an id of its own type', async () => {
    const query = `query($a: ID!, $l: ID!, $c: ID!, $o: ID!) {
      account(id: $a) { name } lead(id: $l) { email } campaign(id: $c) { name } opportunity(id: $o) { name } }`;
    const right = await app.ok(query, { a: gid('Account', ids.Account!), l: gid('Lead', ids.Lead!), c: gid('Campaign', ids.Campaign!), o: gid('Opportunity', ids.Opportunity!) });
    expect(right).toEqual({
      account: { name: 'Node Co' },
      lead: { email: 'node.lead@prospect.test' },
      campaign: { name: 'Node Webinar' },
      opportunity: { name: 'Node Deal' },
    });
    // the same database ids under the wrong type: nothing (not another type's row)
    const wrong = await app.ok(query, { a: gid('Lead', ids.Account!), l: gid('Account', ids.Lead!), c: gid('Opportunity', ids.Campaign!), o: gid('Campaign', ids.Opportunity!) });
    expect(wrong).toEqual({ account: null, lead: null, campaign: null, opportunity: null });
  });
});
