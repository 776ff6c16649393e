import { Role } from '../../src/auth/roles';
import { observeQueries } from '../../src/db/data-source';
import { loadConfig } from '../../src/config';
import { createTestApp, TestApp } from '../helpers/app';
import { runOperation, startEngine } from '../helpers/engines';
import { gid } from '../helpers/core-fixtures';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Page {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { node: { id: string } }[];
}

/**
 * Hand-made world: accounts A (1) and B (2); leads 1, 2 at A and 3 at B; campaigns 1 (EMAIL) and
 * 2 (WEBINAR); touchpoints 1..5 and spend entries 1..4 as below.
 */
describe('touchpoints, campaignSpend and updatedAfter', () => {
  let app: TestApp;
  const ids = (page: Page) => page.edges.map((e) => e.node.id);
  const tp = (...n: number[]) => n.map((i) => gid('Touchpoint', i));
  const sp = (...n: number[]) => n.map((i) => gid('CampaignSpend', i));

  beforeAll(async () => {
    app = await createTestApp();
    const { db } = app;
    await db.sql(`INSERT INTO users (id, name, email, team) VALUES (1, 'Ann', 'ann@corp.test', 'SALES'), (2, 'Bob', 'bob@corp.test', 'MARKETING')`);
    await db.sql(`INSERT INTO accounts (id, name, domain, segment, external_id) VALUES (1, 'A', 'a.test', 'SMB', 'acc-a'), (2, 'B', 'b.test', 'SMB', 'acc-b')`);
    await db.sql(`INSERT INTO leads (id, email, account_id, external_id, created_at) VALUES
      (1, 'l1@a.test', 1, 'lead-1', '2024-01-01'), (2, 'l2@a.test', 1, NULL, '2024-01-01'), (3, 'l3@b.test', 2, NULL, '2024-01-01')`);
    await db.sql(`INSERT INTO campaigns (id, name, channel, owner_team, starts_on, external_id) VALUES
      (1, 'Mail', 'EMAIL', 'MARKETING', '2024-01-01', 'cmp-1'), (2, 'Web', 'WEBINAR', 'MARKETING', '2024-01-01', NULL)`);
    await db.sql(`INSERT INTO touchpoints (id, lead_id, campaign_id, kind, occurred_at, external_id) VALUES
      (1, 1, 1, 'EMAIL_OPEN',       '2024-02-01T10:00:00Z', 'tp-1'),
      (2, 1, 2, 'WEBINAR_ATTENDED', '2024-02-03T10:00:00Z', NULL),
      (3, 2, 1, 'EMAIL_CLICK',      '2024-02-02T10:00:00Z', NULL),
      (4, 3, 1, 'EMAIL_OPEN',       '2024-02-05T10:00:00Z', NULL),
      (5, 3, 2, 'WEBINAR_ATTENDED', '2024-02-03T10:00:00Z', NULL)`);
    await db.sql(`INSERT INTO campaign_spend (id, campaign_id, spent_on, amount, external_id) VALUES
      (1, 1, '2024-02-01', 100, 'sp-1'), (2, 2, '2024-02-01', 50, NULL), (3, 1, '2024-02-10', 70, NULL), (4, 2, '2024-03-01', 20, NULL)`);
    await db.sql(`INSERT INTO opportunities (id, account_id, name, kind, amount, external_id) VALUES (1, 1, 'Deal', 'NEW_BUSINESS', 10, 'opp-1')`);
    await db.sql(`UPDATE leads SET mql_at = '2024-01-02', stage = 'MQL' WHERE id = 1`);
    await db.sql(`INSERT INTO lead_feedback (id, lead_id, disposition, given_at, external_id) VALUES (1, 1, 'ACCEPTED', '2024-01-03', 'fb-1')`);
    await db.sql(`UPDATE users SET external_id = 'usr-1' WHERE id = 1`);
  });
  afterAll(() => app.close());

  async function touchpoints(args: string): Promise<Page> {
    const data = await app.ok<{ touchpoints: Page }>(`{ touchpoints${args ? `(${args})` : ''} { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }`);
    return data.touchpoints;
  }

  async function spend(args: string): Promise<Page> {
    const data = await app.ok<{ campaignSpend: Page }>(`{ campaignSpend${args ? `(${args})` : ''} { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }`);
    return data.campaignSpend;
  }

  it('lists touchpoints in time order, ties by id, with each filter', async () => {
    expect(ids(await touchpoints(''))).toEqual(tp(1, 3, 2, 5, 4));
    expect(ids(await touchpoints(`filter: { campaignId: "${gid('Campaign', 1)}" }`))).toEqual(tp(1, 3, 4));
    expect(ids(await touchpoints(`filter: { leadId: "${gid('Lead', 3)}" }`))).toEqual(tp(5, 4));
    expect(ids(await touchpoints(`filter: { accountId: "${gid('Account', 1)}" }`))).toEqual(tp(1, 3, 2));
    expect(ids(await touchpoints(`filter: { kinds: [WEBINAR_ATTENDED, EMAIL_CLICK] }`))).toEqual(tp(3, 2, 5));
    expect(ids(await touchpoints(`filter: { occurredAt: { from: "2024-02-02T10:00:00Z", to: "2024-02-05T10:00:00Z" } }`))).toEqual(tp(3, 2, 5));
    const both = await touchpoints(`filter: { accountId: "${gid('Account', 2)}", kinds: [EMAIL_OPEN] }`);
    expect(both.totalCount).toBe(1);
    expect(ids(both)).toEqual(tp(4));
  });

  it('orders touchpoints as told and pages through them', async () => {
    expect(ids(await touchpoints('orderBy: { field: OCCURRED_AT, direction: DESC }'))).toEqual(tp(4, 5, 2, 3, 1));
    expect(ids(await touchpoints('orderBy: { field: CREATED_AT }'))).toEqual(tp(1, 2, 3, 4, 5));
    const first = await touchpoints('first: 2, orderBy: { field: OCCURRED_AT, direction: DESC }');
    expect(ids(first)).toEqual(tp(4, 5));
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await touchpoints(`first: 2, after: "${first.pageInfo.endCursor}", orderBy: { field: OCCURRED_AT, direction: DESC }`);
    expect(ids(second)).toEqual(tp(2, 3));
    const last = await touchpoints(`first: 2, after: "${second.pageInfo.endCursor}", orderBy: { field: OCCURRED_AT, direction: DESC }`);
    expect(ids(last)).toEqual(tp(1));
    expect(last.pageInfo.hasNextPage).toBe(false);
  });

  it('lists spend entries by day with each filter and order', async () => {
    expect(ids(await spend(''))).toEqual(sp(1, 2, 3, 4));
    expect(ids(await spend(`filter: { campaignId: "${gid('Campaign', 2)}" }`))).toEqual(sp(2, 4));
    expect(ids(await spend('filter: { channels: [EMAIL] }'))).toEqual(sp(1, 3));
    expect(ids(await spend('filter: { spentOn: { from: "2024-02-01", to: "2024-03-01" } }'))).toEqual(sp(1, 2, 3));
    expect(ids(await spend('orderBy: { field: SPENT_ON, direction: DESC }'))).toEqual(sp(4, 3, 2, 1));
    const page = await spend('first: 3, orderBy: { field: SPENT_ON, direction: DESC }');
    expect(ids(page)).toEqual(sp(4, 3, 2));
    expect(ids(await spend(`first: 3, after: "${page.pageInfo.endCursor}", orderBy: { field: SPENT_ON, direction: DESC }`))).toEqual(sp(1));
    const bad = await app.gql('{ campaignSpend(filter: { spentOn: { from: "2024-03-01", to: "2024-02-01" } }) { totalCount } }');
    expect(bad.errors?.[0]).toMatchObject({ message: 'filter.spentOn.to: must be after from', extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('nested fields of a page of touchpoints cost one statement, and one per level through the resolvers', async () => {
    type Page = { touchpoints: { edges: { node: { lead: { email: string; account: { name: string } }; campaign: { name: string } } }[] } };
    const query = `{ touchpoints(first: 50) { edges { node { lead { email account { name } } campaign { name } } } } }`;
    const counted = async (run: () => Promise<Page>) => {
      const statements: string[] = [];
      const stop = observeQueries((sql) => statements.push(sql));
      try {
        const data = await run();
        return { statements, rows: data.touchpoints.edges.map((e) => `${e.node.lead.account.name}/${e.node.lead.email}/${e.node.campaign.name}`) };
      } finally {
        stop();
      }
    };
    const expected = ['A/l1@a.test/Mail', 'A/l2@a.test/Mail', 'A/l1@a.test/Web', 'B/l3@b.test/Web', 'B/l3@b.test/Mail'];
    // answered in one statement whose JSON PostgreSQL builds (src/graphql/sql-pages.ts)
    const planned = await counted(() => app.ok<Page>(query));
    expect(planned.rows).toEqual(expected);
    expect(planned.statements).toHaveLength(1);
    // through the resolvers: the page, then leads, campaigns (one batch each) and the leads' accounts
    const config = { ...loadConfig(), production: false };
    const resolvers = await startEngine(config, { ...config.graphqlJit, sqlPages: false });
    try {
      const viaResolvers = await counted(async () => (JSON.parse((await runOperation(resolvers, app.db, config, query)).text) as { data: Page }).data);
      expect(viaResolvers.rows).toEqual(expected);
      expect(viaResolvers.statements).toHaveLength(4);
    } finally {
      await resolvers.stop();
    }
  });

  it('updatedAfter returns exactly the rows changed after a time, ordered by UPDATED_AT', async () => {
    await pause(20);
    const [{ t }] = (await app.db.sql<{ t: string }>(`SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS t`)) as [{ t: string }];
    await pause(20);
    // a statement that changes nothing keeps the time; changes move it, in this order
    await app.db.sql(`UPDATE touchpoints SET kind = kind WHERE id = 1`);
    await app.db.sql(`UPDATE touchpoints SET kind = 'CALL' WHERE id = 4`);
    await pause(5);
    await app.db.sql(`UPDATE touchpoints SET occurred_at = occurred_at + interval '1 hour' WHERE id = 2`);
    await app.db.sql(`UPDATE campaign_spend SET amount = 71 WHERE id = 3`);
    await app.ok(`mutation { updateAccount(input: { id: "${gid('Account', 2)}", name: "B2" }) { account { id } } }`);
    await app.db.sql(`UPDATE leads SET title = 'CFO' WHERE id = 2`);
    await app.db.sql(`UPDATE campaigns SET budget = 5 WHERE id = 2`);
    await app.db.sql(`UPDATE opportunities SET amount = 11 WHERE id = 1`);
    await app.db.sql(`UPDATE users SET team = 'MARKETING' WHERE id = 1`);
    const filter = `filter: { updatedAfter: "${t}" }`;
    const data = await app.ok<Record<string, Page>>(`{
      touchpoints(${filter}, orderBy: { field: UPDATED_AT }) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } }
      campaignSpend(${filter}, orderBy: { field: UPDATED_AT }) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } }
      accounts(${filter}, orderBy: { field: UPDATED_AT }) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } }
      leads(${filter}, orderBy: { field: UPDATED_AT }) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } }
      campaigns(${filter}, orderBy: { field: UPDATED_AT }) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } }
      opportunities(${filter}, orderBy: { field: UPDATED_AT }) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } }
      users(${filter}, orderBy: { field: UPDATED_AT }) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } }
    }`);
    expect(ids(data.touchpoints!)).toEqual(tp(4, 2));
    expect(ids(data.campaignSpend!)).toEqual(sp(3));
    expect(ids(data.accounts!)).toEqual([gid('Account', 2)]);
    expect(ids(data.leads!)).toEqual([gid('Lead', 2)]);
    expect(ids(data.campaigns!)).toEqual([gid('Campaign', 2)]);
    expect(ids(data.opportunities!)).toEqual([gid('Opportunity', 1)]);
    expect(ids(data.users!)).toEqual([gid('User', 1)]);
    // the nested lists take it too
    const nested = await app.ok<{ lead: { touchpoints: Page } }>(`{ lead(id: "${gid('Lead', 1)}") { touchpoints(${filter}) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } } }`);
    expect(ids(nested.lead.touchpoints)).toEqual(tp(2));
  });

  it('looks objects up by external id, email and domain', async () => {
    const data = await app.ok<Record<string, { id: string } | null>>(`{
      accountByExternalId(externalId: "acc-b") { id }
      accountByDomain(domain: "A.test") { id }
      leadByExternalId(externalId: "lead-1") { id }
      leadByEmail(email: "L2@A.test") { id }
      userByExternalId(externalId: "usr-1") { id }
      userByEmail(email: "Bob@corp.test") { id }
      campaignByExternalId(externalId: "cmp-1") { id }
      campaignSpendByExternalId(externalId: "sp-1") { id }
      touchpointByExternalId(externalId: "tp-1") { id }
      opportunityByExternalId(externalId: "opp-1") { id }
      leadFeedbackByExternalId(externalId: "fb-1") { id }
      missing: accountByExternalId(externalId: "nope") { id }
    }`);
    expect(data).toEqual({
      accountByExternalId: { id: gid('Account', 2) },
      accountByDomain: { id: gid('Account', 1) },
      leadByExternalId: { id: gid('Lead', 1) },
      leadByEmail: { id: gid('Lead', 2) },
      userByExternalId: { id: gid('User', 1) },
      userByEmail: { id: gid('User', 2) },
      campaignByExternalId: { id: gid('Campaign', 1) },
      campaignSpendByExternalId: { id: gid('CampaignSpend', 1) },
      touchpointByExternalId: { id: gid('Touchpoint', 1) },
      opportunityByExternalId: { id: gid('Opportunity', 1) },
      leadFeedbackByExternalId: { id: gid('LeadFeedback', 1) },
      missing: null,
    });
  });

  it('refuses ANALYST look-ups of people by personal data, and ordering users by name', async () => {
    for (const query of [
      '{ leadByEmail(email: "l1@a.test") { id } }',
      '{ leadByExternalId(externalId: "lead-1") { id } }',
      '{ userByEmail(email: "ann@corp.test") { id } }',
      '{ userByExternalId(externalId: "usr-1") { id } }',
      '{ users(orderBy: { field: NAME }) { totalCount } }',
    ]) {
      const result = await app.gql(query, {}, Role.ANALYST);
      expect({ query, code: result.errors?.[0]?.extensions?.code }).toEqual({ query, code: 'FORBIDDEN' });
    }
    const allowed = await app.ok<{ accountByDomain: { id: string } }>('{ accountByDomain(domain: "a.test") { id } }', {}, Role.ANALYST);
    expect(allowed.accountByDomain.id).toBe(gid('Account', 1));
  });
});
