import { CACHE_TABLES } from '../../src/seed/derived-data';
import { insertAccount, insertCampaign, insertLead, insertOpportunity, insertTouch } from '../helpers/core-fixtures';
import type { TestDatabase } from '../helpers/db';

/**
 * The caches hold the same rows (compared as values) as a rebuild from scratch; the rebuild is
 * rolled back, so the caches stay as the triggers left them.
 */
export async function cacheDifferences(db: TestDatabase): Promise<{ table: string; stale: number; missing: number }[]> {
  const out: { table: string; stale: number; missing: number }[] = [];
  const runner = db.ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction();
    for (const table of CACHE_TABLES) await runner.query(`CREATE TEMP TABLE kept_${table} ON COMMIT DROP AS SELECT * FROM ${table}`);
    await runner.query('SELECT attribution_cache_rebuild(), campaign_activity_rebuild(), opportunity_totals_rebuild()');
    for (const table of CACHE_TABLES) {
      const [diff] = (await runner.query(
        `SELECT (SELECT count(*) FROM (SELECT * FROM kept_${table} EXCEPT ALL SELECT * FROM ${table}) a)::int AS stale,
                (SELECT count(*) FROM (SELECT * FROM ${table} EXCEPT ALL SELECT * FROM kept_${table}) b)::int AS missing`,
      )) as { stale: number; missing: number }[];
      out.push({ table, stale: diff?.stale ?? -1, missing: diff?.missing ?? -1 });
    }
  } finally {
    await runner.rollbackTransaction();
    await runner.release();
  }
  return out;
}

/** Asserts the caches equal a rebuild, and that the attribution cache is in use (ready). */
export async function expectCachesLikeRebuilt(db: TestDatabase): Promise<void> {
  const [settings] = await db.sql<{ ready: boolean }>(`SELECT ready FROM attribution_cache_settings`);
  expect(settings?.ready).toBe(true);
  expect(await cacheDifferences(db)).toEqual(CACHE_TABLES.map((table) => ({ table, stale: 0, missing: 0 })));
}

export interface Scenario {
  accountA: string;
  accountB: string;
  l1: string;
  l2: string;
  l3: string;
  c1: string;
  c2: string;
  /** L1-C1 on Mar 1, L2-C2 on Mar 5, L1-C2 on Mar 10 (account A); L3-C1 on Mar 3 (account B). */
  touches: { l1c1: string; l2c2: string; l1c2: string; l3c1: string };
  o1: string;
  o2: string;
  o3: string;
  spend1: string;
  spend2: string;
}

/**
 * A small company of its own (accounts, campaigns and leads no other scenario touches):
 * account A: leads L1 and L2; O1 1000.00 created Mar 20, won Apr 10; O2 500.00 created Mar 25, open.
 * account B: lead L3; O3 300.00 created Mar 15, won Apr 1.
 * spend: C1 100.00 on Mar 1, C2 200.00 on Mar 2. All in 2024.
 */
export async function insertScenario(db: TestDatabase): Promise<Scenario> {
  const accountA = await insertAccount(db);
  const accountB = await insertAccount(db);
  const lead = (accountId: string) => insertLead(db, { accountId, createdAt: '2024-02-01T00:00:00Z' });
  const [l1, l2, l3] = [await lead(accountA), await lead(accountA), await lead(accountB)];
  const [c1, c2] = [await insertCampaign(db), await insertCampaign(db)];
  const touches = {
    l1c1: await insertTouch(db, l1, c1, '2024-03-01T00:00:00Z'),
    l2c2: await insertTouch(db, l2, c2, '2024-03-05T00:00:00Z'),
    l1c2: await insertTouch(db, l1, c2, '2024-03-10T00:00:00Z'),
    l3c1: await insertTouch(db, l3, c1, '2024-03-03T00:00:00Z'),
  };
  const o1 = await insertOpportunity(db, { accountId: accountA, amount: '1000.00', stage: 'CLOSED_WON', createdAt: '2024-03-20T00:00:00Z', closedAt: '2024-04-10T00:00:00Z' });
  const o2 = await insertOpportunity(db, { accountId: accountA, amount: '500.00', createdAt: '2024-03-25T00:00:00Z' });
  const o3 = await insertOpportunity(db, { accountId: accountB, amount: '300.00', stage: 'CLOSED_WON', createdAt: '2024-03-15T00:00:00Z', closedAt: '2024-04-01T00:00:00Z' });
  const spend = async (campaignId: string, day: string, amount: string) =>
    (await db.sql<{ id: string }>(`INSERT INTO campaign_spend (campaign_id, spent_on, amount) VALUES ($1, $2, $3) RETURNING id`, [campaignId, day, amount]))[0]!.id;
  const spend1 = await spend(c1, '2024-03-01', '100.00');
  const spend2 = await spend(c2, '2024-03-02', '200.00');
  return { accountA, accountB, l1, l2, l3, c1, c2, touches, o1, o2, o3, spend1, spend2 };
}
