import { observeQueries } from '../../src/db/data-source';
import { createTestApp, TestApp } from '../helpers/app';

const NESTED = `{
  accounts(first: 50) {
    totalCount
    edges { node {
      name
      owner { name }
      leads(first: 10) {
        totalCount
        edges { node { email touchpoints(first: 10) { edges { node { kind occurredAt } } } } }
      }
      opportunities(first: 10) { edges { node { name contacts { email } } } }
    } }
  }
}`;

interface Nested {
  accounts: {
    totalCount: number;
    edges: {
      node: {
        name: string;
        owner: { name: string } | null;
        leads: { totalCount: number; edges: { node: { email: string; touchpoints: { edges: unknown[] } } }[] };
        opportunities: { edges: { node: { name: string; contacts: { email: string }[] } }[] };
      };
    }[];
  };
}

/**
 * No N+1: a three-level query over 50 accounts sends the same handful of statements whether
 * each account has one lead or many, because every nested list is one batched query per level.
 */
describe('nested lists are batched per request', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
    const { db } = app;
    // small data set: 5 owners; 50 accounts; per account 1 lead with 1 touch and 1 deal with that lead as contact
    await db.sql(`INSERT INTO users (name, email, team) SELECT 'Owner ' || g, 'owner' || g || '@corp.test', 'SALES' FROM generate_series(1, 5) g`);
    await db.sql(`INSERT INTO campaigns (name, channel, owner_team, starts_on) SELECT 'C' || g, 'EMAIL', 'MARKETING', '2024-01-01' FROM generate_series(1, 3) g`);
    await db.sql(`INSERT INTO accounts (name, domain, segment, owner_id)
                  SELECT 'Account ' || lpad(g::text, 2, '0'), 'acct' || g || '.test', 'SMB', 1 + g % 5 FROM generate_series(1, 50) g`);
    await db.sql(`INSERT INTO leads (email, account_id, created_at)
                  SELECT 'lead-' || a.id || '-0@p.test', a.id, '2024-01-01' FROM accounts a`);
    await db.sql(`INSERT INTO touchpoints (lead_id, campaign_id, kind, occurred_at)
                  SELECT l.id, 1, 'EMAIL_OPEN', '2024-01-02' FROM leads l`);
    await db.sql(`INSERT INTO opportunities (account_id, name, kind, amount) SELECT a.id, 'Deal ' || a.id || '-0', 'NEW_BUSINESS', 100 FROM accounts a`);
    await db.sql(`INSERT INTO opportunity_contacts (opportunity_id, lead_id)
                  SELECT o.id, l.id FROM opportunities o JOIN leads l ON l.account_id = o.account_id`);
  });
  afterAll(() => app.close());

  async function countStatements(): Promise<{ statements: string[]; data: Nested }> {
    const statements: string[] = [];
    const stop = observeQueries((sql) => statements.push(sql));
    try {
      return { data: await app.ok<Nested>(NESTED), statements };
    } finally {
      stop();
    }
  }

  it('sends the same small number of statements for 1 or 5 leads, 1 or 4 touches and 1 or 3 deals per account', async () => {
    const small = await countStatements();
    const firstAccount = small.data.accounts.edges[0]!.node;
    expect(small.data.accounts.totalCount).toBe(50);
    expect(firstAccount.name).toBe('Account 01');
    expect(firstAccount.owner).toEqual({ name: 'Owner 2' }); // owner 1 + 1 % 5 = 2
    expect(firstAccount.leads.totalCount).toBe(1);
    expect(firstAccount.leads.edges[0]!.node.touchpoints.edges).toHaveLength(1);
    expect(firstAccount.opportunities.edges).toEqual([{ node: { name: 'Deal 1-0', contacts: [{ email: 'lead-1-0@p.test' }] } }]);

    // more rows per account: 4 more leads (5 in all), 3 more touches on the first lead and 4 on each new one,
    // 2 more deals, each with the two newest leads of the account as contacts
    const { db } = app;
    await db.sql(`INSERT INTO leads (email, account_id, created_at)
                  SELECT 'lead-' || a.id || '-' || g || '@p.test', a.id, '2024-01-01'::timestamptz + g * interval '1 hour'
                    FROM accounts a, generate_series(1, 4) g`);
    await db.sql(`INSERT INTO touchpoints (lead_id, campaign_id, kind, occurred_at)
                  SELECT l.id, 1 + g % 3, 'AD_CLICK', '2024-01-03'::timestamptz + g * interval '1 day'
                    FROM leads l, generate_series(1, 4) g
                   WHERE NOT (l.email LIKE '%-0@p.test' AND g = 4)`);
    await db.sql(`INSERT INTO opportunities (account_id, name, kind, amount)
                  SELECT a.id, 'Deal ' || a.id || '-' || g, 'EXPANSION', 50 FROM accounts a, generate_series(1, 2) g`);
    await db.sql(`INSERT INTO opportunity_contacts (opportunity_id, lead_id)
                  SELECT o.id, l.id FROM opportunities o JOIN leads l ON l.account_id = o.account_id
                   WHERE o.kind = 'EXPANSION' AND (l.email LIKE '%-3@p.test' OR l.email LIKE '%-4@p.test')`);

    const large = await countStatements();
    const account = large.data.accounts.edges[0]!.node;
    expect(account.leads.totalCount).toBe(5);
    expect(account.leads.edges.map((e) => e.node.touchpoints.edges.length)).toEqual([4, 4, 4, 4, 4]);
    expect(account.opportunities.edges.map((e) => e.node.contacts.length)).toEqual([1, 2, 2]);
    // every account got the same rows
    const touches = large.data.accounts.edges.flatMap((a) => a.node.leads.edges.map((l) => l.node.touchpoints.edges.length));
    expect(touches.reduce((a, b) => a + b, 0)).toBe(50 * 5 * 4);

    // accounts page + its count, owners, leads + their count, touchpoints, opportunities, contacts
    expect(large.statements).toHaveLength(small.statements.length);
    expect(small.statements.length).toBeLessThanOrEqual(8);
  });
});
