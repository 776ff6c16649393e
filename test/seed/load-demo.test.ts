import { Client } from 'pg';
import {
  Channel, FeedbackDisposition, LeadStage, OpportunityKind, OpportunityStage, RejectionReason, Team, TouchpointKind,
} from '../../src/common/enums';
import { DemoDataError, DemoLoadResult, isDatabaseEmpty, loadDemoData } from '../../src/seed/load-demo';
import { createTestDatabase, TestDatabase } from '../helpers/db';

const ANCHOR = '2026-11-01T00:00:00Z';
const SEED = 7;
const TABLES = [
  'users', 'accounts', 'campaigns', 'campaign_spend', 'leads', 'lead_stage_changes', 'touchpoints', 'opportunities',
  'opportunity_contacts', 'lead_feedback', 'alignment_agreements',
];

async function connect(db: TestDatabase): Promise<Client> {
  const client = new Client({ connectionString: db.url });
  await client.connect();
  return client;
}

/**
 * md5 of every row of each table in primary-key order: equal digests, identical data. The time
 * of the load itself (updated_at, which a table the generator does not date takes from now())
 * is not part of the data.
 */
async function digests(client: Client): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of TABLES) {
    const order = table === 'opportunity_contacts' ? 't.opportunity_id, t.lead_id' : 't.id';
    const { rows } = await client.query<{ md5: string }>(`SELECT md5(string_agg((to_jsonb(t) - 'updated_at')::text, E'\\n' ORDER BY ${order})) AS md5 FROM ${table} t`);
    out[table] = rows[0]!.md5;
  }
  return out;
}

describe('demo data, size S', () => {
  let db: TestDatabase;
  let client: Client;
  let result: DemoLoadResult;
  const value = async <T>(text: string, params: unknown[] = []): Promise<T> => {
    const { rows } = await client.query<{ v: T }>(text, params);
    return rows[0]!.v;
  };
  const distinct = async (column: string, table: string) =>
    (await value<string[]>(`SELECT array_agg(DISTINCT ${column}) AS v FROM ${table}`)).sort();

  beforeAll(async () => {
    db = await createTestDatabase();
    client = await connect(db);
    expect(await isDatabaseEmpty(client)).toBe(true);
    result = await loadDemoData(client, { size: 'S', seed: SEED, anchor: ANCHOR });
  });
  afterAll(async () => {
    await client.end();
    await db.drop();
  });

  it('loads every table, with row counts in the ranges of size S', async () => {
    for (const table of TABLES) {
      expect(result.rows[table]).toBe(Number(await value<string>(`SELECT count(*) AS v FROM ${table}`)));
    }
    expect(result.rows.accounts).toBe(300);
    expect(result.rows.campaigns).toBe(40);
    expect(result.rows.leads).toBeGreaterThan(2500);
    expect(result.rows.leads).toBeLessThan(3500);
    expect(result.rows.touchpoints).toBeGreaterThan(8000);
    expect(result.rows.touchpoints).toBeLessThan(13_000);
    expect(result.rows.opportunities).toBeGreaterThan(450);
    expect(result.rows.opportunities).toBeLessThan(800);
    expect(result.rows.campaign_spend).toBeGreaterThan(2000);
    expect(result.rows.lead_feedback).toBeGreaterThan(500);
    expect(await isDatabaseEmpty(client)).toBe(false);
  });

  it('commits the rows, then builds the attribution cache: ready, and as a rebuild from scratch makes it', async () => {
    expect(await value<boolean>('SELECT ready AS v FROM attribution_cache_settings')).toBe(true);
    const cached = `SELECT md5(string_agg(j::text, E'\\n' ORDER BY j::text)) AS v FROM attribution_journeys j`;
    const monthly = `SELECT md5(string_agg(m::text, E'\\n' ORDER BY m::text)) AS v FROM attribution_monthly m`;
    const loaded = [await value<string>(cached), await value<string>(monthly)];
    expect(Number(await value<string>('SELECT count(*) AS v FROM attribution_journeys'))).toBeGreaterThan(1000);
    await client.query('BEGIN');
    try {
      await client.query('SELECT attribution_cache_rebuild()');
      expect([await value<string>(cached), await value<string>(monthly)]).toEqual(loaded);
    } finally {
      await client.query('ROLLBACK');
    }
    expect(result.cacheMs).toBeGreaterThanOrEqual(0);
  });

  it('covers every team, funnel stage, channel, touch kind, deal kind and stage, disposition and reason', async () => {
    const sorted = (values: object) => Object.values(values).sort();
    expect(await distinct('team', 'users')).toEqual(sorted(Team));
    expect(await distinct('stage', 'leads')).toEqual(sorted(LeadStage));
    expect(await distinct('to_stage', 'lead_stage_changes')).toEqual(sorted(LeadStage));
    expect(await distinct('channel', 'campaigns')).toEqual(sorted(Channel));
    expect(await distinct('kind', 'touchpoints')).toEqual(sorted(TouchpointKind));
    expect(await distinct('kind', 'opportunities')).toEqual(sorted(OpportunityKind));
    expect(await distinct('stage', 'opportunities')).toEqual(sorted(OpportunityStage));
    expect(await distinct('disposition', 'lead_feedback')).toEqual(sorted(FeedbackDisposition));
    expect(await distinct('reason', 'lead_feedback WHERE reason IS NOT NULL')).toEqual(sorted(RejectionReason));
    expect(await distinct('segment', 'accounts')).toEqual(['ENTERPRISE', 'MID_MARKET', 'SMB']);
  });

  it('keeps each lead’s stage, stage times and stage history in agreement', async () => {
    // history: created (NULL -> NEW at created_at) first, each change starts where the last ended, in time order
    const brokenHistory = await value<string>(`
      WITH ordered AS (
        SELECT c.*, lag(to_stage) OVER w AS prev_to, lag(changed_at) OVER w AS prev_at, row_number() OVER w AS n,
               count(*) OVER (PARTITION BY lead_id) AS total
          FROM lead_stage_changes c WINDOW w AS (PARTITION BY lead_id ORDER BY id))
      SELECT count(*) AS v FROM ordered o JOIN leads l ON l.id = o.lead_id
       WHERE (o.n = 1 AND (o.from_stage IS NOT NULL OR o.to_stage <> 'NEW' OR o.changed_at <> l.created_at))
          OR (o.n > 1 AND (o.from_stage IS DISTINCT FROM o.prev_to OR o.changed_at < o.prev_at))
          OR (o.n = o.total AND o.to_stage <> l.stage)`);
    expect(brokenHistory).toBe('0');
    // each stage time is the first change into that stage or beyond it (a jump fills the skipped ones)
    const wrongTimes = await value<string>(`
      WITH rank(stage, r) AS (VALUES ('NEW',0),('MQL',1),('SAL',2),('SQL',3),('OPPORTUNITY',4),('CUSTOMER',5)),
      firsts AS (
        SELECT c.lead_id,
               min(changed_at) FILTER (WHERE r.r >= 1) AS mql, min(changed_at) FILTER (WHERE r.r >= 2) AS sal,
               min(changed_at) FILTER (WHERE r.r >= 3) AS sql, min(changed_at) FILTER (WHERE r.r >= 4) AS opp,
               min(changed_at) FILTER (WHERE r.r >= 5) AS customer,
               min(changed_at) FILTER (WHERE c.to_stage = 'RECYCLED') AS recycled,
               min(changed_at) FILTER (WHERE c.to_stage = 'DISQUALIFIED') AS disqualified,
               max(changed_at) AS last
          FROM lead_stage_changes c LEFT JOIN rank r ON r.stage = c.to_stage GROUP BY c.lead_id)
      SELECT count(*) AS v FROM leads l LEFT JOIN firsts f ON f.lead_id = l.id
       WHERE f.lead_id IS NULL
          OR l.mql_at IS DISTINCT FROM f.mql OR l.sal_at IS DISTINCT FROM f.sal OR l.sql_at IS DISTINCT FROM f.sql
          OR l.opportunity_at IS DISTINCT FROM f.opp OR l.customer_at IS DISTINCT FROM f.customer
          OR l.recycled_at IS DISTINCT FROM f.recycled OR l.disqualified_at IS DISTINCT FROM f.disqualified
          OR l.updated_at <> f.last OR f.last >= $1`, [ANCHOR]);
    expect(wrongTimes).toBe('0');
    // some leads jumped stages, so skipped stages share one time
    expect(Number(await value<string>(`SELECT count(*) AS v FROM leads WHERE mql_at = sql_at`))).toBeGreaterThan(0);
    // every CUSTOMER lead is a contact of a deal won at its customer_at
    const customersWithoutWin = await value<string>(`
      SELECT count(*) AS v FROM leads l WHERE l.customer_at IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM opportunity_contacts oc JOIN opportunities o ON o.id = oc.opportunity_id
         WHERE oc.lead_id = l.id AND o.stage = 'CLOSED_WON' AND o.closed_at = l.customer_at)`);
    expect(customersWithoutWin).toBe('0');
    expect(await value<string>(`SELECT count(*) AS v FROM leads WHERE email <> lower(email) OR account_id IS NULL`)).toBe('0');
  });

  it('places several touchpoints per lead, from its creation on, on days its campaign runs', async () => {
    const misplaced = await value<string>(`
      SELECT count(*) AS v FROM touchpoints t JOIN leads l ON l.id = t.lead_id JOIN campaigns c ON c.id = t.campaign_id
       WHERE t.occurred_at < l.created_at OR t.occurred_at >= $1
          OR (t.occurred_at AT TIME ZONE 'UTC')::date < c.starts_on
          OR (t.occurred_at AT TIME ZONE 'UTC')::date > coalesce(c.ends_on, 'infinity')`, [ANCHOR]);
    expect(misplaced).toBe('0');
    // the first touch is the one that created the lead
    const firstTouchOff = await value<string>(`
      SELECT count(*) AS v FROM leads l
       WHERE (SELECT min(occurred_at) FROM touchpoints t WHERE t.lead_id = l.id) IS DISTINCT FROM l.created_at`);
    expect(firstTouchOff).toBe('0');
    expect(Number(await value<string>(`SELECT (count(*)::numeric / (SELECT count(*) FROM leads))::text AS v FROM touchpoints`))).toBeGreaterThan(3);
    // sales answers handed-over leads: some touch on a sales-run campaign follows most MQLs
    const answered = await value<string>(`
      SELECT round(avg((EXISTS (SELECT 1 FROM touchpoints t JOIN campaigns c ON c.id = t.campaign_id
                                 WHERE t.lead_id = l.id AND c.owner_team = 'SALES' AND t.occurred_at >= l.mql_at))::int), 2)::text AS v
        FROM leads l WHERE l.mql_at IS NOT NULL`);
    expect(Number(answered)).toBeGreaterThan(0.6);
  });

  it('keeps deals consistent: closed_at iff closed, renewals and expansions only after a win', async () => {
    expect(await value<string>(`
      SELECT count(*) AS v FROM opportunities
       WHERE (stage IN ('CLOSED_WON','CLOSED_LOST')) <> (closed_at IS NOT NULL) OR closed_at < created_at
          OR (stage = 'CLOSED_LOST') <> (lost_reason IS NOT NULL) OR created_at >= $1 OR closed_at >= $1`, [ANCHOR])).toBe('0');
    expect(await value<string>(`
      SELECT count(*) AS v FROM opportunities o WHERE o.kind <> 'NEW_BUSINESS' AND NOT EXISTS (
        SELECT 1 FROM opportunities w WHERE w.account_id = o.account_id AND w.stage = 'CLOSED_WON' AND w.closed_at <= o.created_at)`)).toBe('0');
    expect(await value<string>(`
      SELECT count(*) AS v FROM opportunity_contacts oc JOIN opportunities o ON o.id = oc.opportunity_id
        JOIN leads l ON l.id = oc.lead_id WHERE l.account_id <> o.account_id`)).toBe('0');
    // deals grow out of marketing: nearly every new-business deal has touches in its 90-day journey
    const withJourney = await value<string>(`
      SELECT round(avg((EXISTS (SELECT 1 FROM touchpoints t JOIN leads l ON l.id = t.lead_id
                                 WHERE l.account_id = o.account_id AND t.occurred_at <= o.created_at
                                   AND t.occurred_at >= o.created_at - interval '90 days'))::int), 2)::text AS v
        FROM opportunities o WHERE o.kind = 'NEW_BUSINESS'`);
    expect(Number(withJourney)).toBeGreaterThan(0.95);
    expect(Number(await value<string>(`SELECT count(DISTINCT opportunity_id)::text AS v FROM opportunity_contacts`))).toBeGreaterThan(
      result.rows.opportunities! * 0.8,
    );
  });

  it('scales wallet sizes and deal sizes with the segment and has a year of history for retention', async () => {
    const { rows } = await client.query<{ segment: string; wallet: string; deal: string; no_wallet: string }>(`
      SELECT a.segment, avg(a.wallet_size)::text AS wallet, count(*) FILTER (WHERE a.wallet_size IS NULL)::text AS no_wallet,
             (SELECT avg(o.amount) FROM opportunities o JOIN accounts b ON b.id = o.account_id
               WHERE b.segment = a.segment AND o.kind = 'NEW_BUSINESS')::text AS deal
        FROM accounts a GROUP BY a.segment`);
    const by = Object.fromEntries(rows.map((r) => [r.segment, r]));
    expect(Number(by.SMB!.wallet)).toBeLessThan(Number(by.MID_MARKET!.wallet));
    expect(Number(by.MID_MARKET!.wallet)).toBeLessThan(Number(by.ENTERPRISE!.wallet));
    expect(Number(by.SMB!.deal)).toBeLessThan(Number(by.MID_MARKET!.deal));
    expect(Number(by.MID_MARKET!.deal)).toBeLessThan(Number(by.ENTERPRISE!.deal));
    expect(rows.reduce((n, r) => n + Number(r.no_wallet), 0)).toBeGreaterThan(0);
    // net revenue retention needs accounts that won in the prior year and again in the last one
    const retained = await value<string>(`
      SELECT count(DISTINCT a.account_id)::text AS v FROM opportunities a JOIN opportunities b ON b.account_id = a.account_id
       WHERE a.stage = 'CLOSED_WON' AND b.stage = 'CLOSED_WON'
         AND a.closed_at >= $1::timestamptz - interval '730 days' AND a.closed_at < $1::timestamptz - interval '365 days'
         AND b.closed_at >= $1::timestamptz - interval '365 days' AND b.kind IN ('RENEWAL','EXPANSION')`, [ANCHOR]);
    expect(Number(retained)).toBeGreaterThan(10);
  });

  it('gives feedback only on MQL’d leads, after they became MQLs', async () => {
    expect(await value<string>(`
      SELECT count(*) AS v FROM lead_feedback f JOIN leads l ON l.id = f.lead_id
       WHERE l.mql_at IS NULL OR f.given_at < l.mql_at OR f.given_at >= $1
          OR (f.disposition = 'REJECTED') <> (f.reason IS NOT NULL)`, [ANCHOR])).toBe('0');
    expect(await value<string>(`
      SELECT count(*) AS v FROM lead_feedback f JOIN users u ON u.id = f.given_by_id WHERE u.team <> 'SALES'`)).toBe('0');
  });

  it('runs campaigns with daily spend inside their dates, outbound owned by sales', async () => {
    expect(await value<string>(`SELECT count(*) AS v FROM campaigns WHERE (channel = 'OUTBOUND') AND owner_team <> 'SALES'`)).toBe('0');
    expect(await value<string>(`SELECT count(*) AS v FROM campaigns WHERE channel NOT IN ('OUTBOUND','EVENT') AND owner_team <> 'MARKETING'`)).toBe('0');
    expect(await value<string>(`
      SELECT count(*) AS v FROM campaign_spend s JOIN campaigns c ON c.id = s.campaign_id
       WHERE s.spent_on < c.starts_on OR s.spent_on > coalesce(c.ends_on, 'infinity') OR s.spent_on >= $1::date`, [ANCHOR])).toBe('0');
    // one row per day each paid campaign ran before the anchor, amounts varying from day to day
    expect(await value<string>(`
      SELECT count(*) AS v FROM campaigns c
       WHERE c.budget IS NOT NULL AND c.starts_on < $1::date
         AND (SELECT count(DISTINCT spent_on) FROM campaign_spend s WHERE s.campaign_id = c.id)
             <> least(coalesce(c.ends_on, 'infinity'), $1::date - 1) - c.starts_on + 1`, [ANCHOR])).toBe('0');
    expect(await value<string>(`SELECT count(*) AS v FROM (SELECT campaign_id, spent_on FROM campaign_spend GROUP BY 1, 2 HAVING count(*) > 1) d`)).toBe('0');
    expect(Number(await value<string>(`SELECT count(DISTINCT amount)::text AS v FROM campaign_spend`))).toBeGreaterThan(1000);
  });

  it('has exactly one agreement in force, approved by marketing and sales before the data starts', async () => {
    const { rows } = await client.query<{ version: number; marketing: string; sales: string; before: boolean }>(`
      SELECT a.version, m.team AS marketing, s.team AS sales, a.effective_from < (SELECT min(created_at) FROM leads) AS before
        FROM alignment_agreements a JOIN users m ON m.id = a.marketing_approved_by_id JOIN users s ON s.id = a.sales_approved_by_id
       WHERE a.marketing_approved_at IS NOT NULL AND a.sales_approved_at IS NOT NULL`);
    expect(rows).toEqual([{ version: 1, marketing: 'MARKETING', sales: 'SALES', before: true }]);
  });

  it('refuses to load into a database that holds data, changing nothing', async () => {
    const before = await digests(client);
    await expect(loadDemoData(client, { size: 'S', seed: SEED + 1, anchor: ANCHOR })).rejects.toThrow(DemoDataError);
    await expect(loadDemoData(client, { size: 'S' })).rejects.toThrow(/not empty/);
    expect(await digests(client)).toEqual(before);
  });

  it('moves every identity sequence past the loaded ids', async () => {
    await client.query('BEGIN');
    try {
      const id = async (insert: string) => Number(await value<string>(`${insert} RETURNING id::text AS v`));
      const user = await id(`INSERT INTO users (name, email, team) VALUES ('New', 'new.user@example.test', 'SALES')`);
      expect(user).toBeGreaterThan(result.rows.users!);
      const account = await id(`INSERT INTO accounts (name, domain, segment) VALUES ('New Co', 'new-co.example', 'SMB')`);
      expect(account).toBe(301);
      const campaign = await id(`INSERT INTO campaigns (name, channel, owner_team, starts_on) VALUES ('New', 'EMAIL', 'MARKETING', '2026-10-01')`);
      expect(campaign).toBe(41);
      const lead = await id(`INSERT INTO leads (email, account_id) VALUES ('someone@new-co.example', ${account})`);
      expect(lead).toBe(result.rows.leads! + 1);
      const inserts: [string, string][] = [
        ['campaign_spend', `INSERT INTO campaign_spend (campaign_id, spent_on, amount) VALUES (${campaign}, '2026-10-01', 1)`],
        ['lead_stage_changes', `INSERT INTO lead_stage_changes (lead_id, to_stage, changed_at) VALUES (${lead}, 'NEW', now())`],
        ['touchpoints', `INSERT INTO touchpoints (lead_id, campaign_id, kind, occurred_at) VALUES (${lead}, ${campaign}, 'EMAIL_OPEN', now())`],
        ['opportunities', `INSERT INTO opportunities (account_id, name, kind, amount) VALUES (${account}, 'New', 'NEW_BUSINESS', 1)`],
        ['lead_feedback', `INSERT INTO lead_feedback (lead_id, disposition) VALUES (${lead}, 'ACCEPTED')`],
        ['alignment_agreements', `INSERT INTO alignment_agreements (version, effective_from, mql_threshold, follow_up_hours, monthly_mql_target) VALUES (3, now(), 1, 1, 1)`],
      ];
      for (const [table, insert] of inserts) expect(await id(insert)).toBe(result.rows[table]! + 1);
    } finally {
      await client.query('ROLLBACK');
    }
  });

  it('repeats row for row for the same seed, differs for another, and leaves nothing when a load fails', async () => {
    const same = await createTestDatabase();
    const other = await createTestDatabase();
    const sameClient = await connect(same);
    const otherClient = await connect(other);
    try {
      await loadDemoData(sameClient, { size: 'S', seed: SEED, anchor: ANCHOR });
      expect(await digests(sameClient)).toEqual(await digests(client));

      // a row the database refuses halfway through (touchpoints load late) rolls the whole load back,
      // the indexes and foreign keys dropped for the load included
      const schemaOf = async () =>
        (await otherClient.query(`SELECT (SELECT count(*) FROM pg_indexes WHERE schemaname = 'public')::text AS indexes,
                                         (SELECT count(*) FROM pg_constraint WHERE contype = 'f')::text AS foreign_keys`)).rows[0];
      const schemaBefore = await schemaOf();
      await otherClient.query(`ALTER TABLE touchpoints ADD CONSTRAINT no_calls CHECK (kind <> 'CALL')`);
      await expect(loadDemoData(otherClient, { size: 'S', seed: SEED + 1, anchor: ANCHOR })).rejects.toThrow(/no_calls/);
      expect(await isDatabaseEmpty(otherClient)).toBe(true);
      await otherClient.query(`ALTER TABLE touchpoints DROP CONSTRAINT no_calls`);
      expect(await schemaOf()).toEqual(schemaBefore);

      // users may exist before the load (an admin): demo users come after them
      await otherClient.query(`INSERT INTO users (name, email, team) VALUES ('Admin', 'admin@example.test', 'REVENUE_OPS')`);
      expect(await isDatabaseEmpty(otherClient)).toBe(true);
      const loaded = await loadDemoData(otherClient, { size: 'S', seed: SEED + 1, anchor: ANCHOR });
      const users = await otherClient.query<{ min: string; n: string }>(`SELECT min(id)::text AS min, count(*)::text AS n FROM users WHERE email <> 'admin@example.test'`);
      expect(users.rows[0]).toEqual({ min: '2', n: String(loaded.rows.users) });
      const a = await digests(client);
      const b = await digests(otherClient);
      for (const table of ['accounts', 'leads', 'touchpoints', 'opportunities']) expect(b[table]).not.toBe(a[table]);
    } finally {
      await sameClient.end();
      await otherClient.end();
      await same.drop();
      await other.drop();
    }
  });
});

describe('demo data at any anchor and size', () => {
  it('loads a small company anchored late in a day, every lead first touched when it was created', async () => {
    const db = await createTestDatabase();
    const client = await connect(db);
    try {
      const anchor = '2025-03-15T23:30:30Z';
      const { rows } = await loadDemoData(client, { size: 150, seed: 123, anchor });
      expect(rows.accounts).toBe(150);
      const { rows: checks } = await client.query<{ late: string; untouched: string }>(`
        SELECT (SELECT count(*) FROM touchpoints WHERE occurred_at >= $1)
             + (SELECT count(*) FROM leads WHERE updated_at >= $1)
             + (SELECT count(*) FROM opportunities WHERE created_at >= $1 OR closed_at >= $1) AS late,
               (SELECT count(*) FROM leads l WHERE (SELECT min(occurred_at) FROM touchpoints t WHERE t.lead_id = l.id)
                                                   IS DISTINCT FROM l.created_at) AS untouched`, [anchor]);
      expect(checks[0]).toEqual({ late: '0', untouched: '0' });
    } finally {
      await client.end();
      await db.drop();
    }
  });
});
