import { Client } from 'pg';
import { loadDemoData } from '../../src/seed/load-demo';
import { createTestDatabase, TestDatabase } from '../helpers/db';

/** The demo's agreements carry real policies whose MQL volume on the demo data is close to the demo's own. */
describe('demo qualification policies', () => {
  let db: TestDatabase;
  let client: Client;
  beforeAll(async () => {
    db = await createTestDatabase();
    client = new Client({ connectionString: db.url });
    await client.connect();
    await loadDemoData(client, { size: 'S', seed: 20261101, anchor: '2026-11-01T00:00:00Z' });
  }, 120_000);
  afterAll(async () => {
    await client.end();
    await db.drop();
  });

  it('gives both agreements their structured rules, and no empty policy is left behind', async () => {
    const { rows } = await client.query(
      `SELECT a.version, p.mql_threshold, p.engagement_half_life_days::text AS half_life,
              (SELECT count(*)::int FROM qualification_rules r WHERE r.policy_id = p.id AND r.kind = 'FIT') AS fit,
              (SELECT count(*)::int FROM qualification_rules r WHERE r.policy_id = p.id AND r.kind = 'ENGAGEMENT') AS engagement
         FROM alignment_agreements a JOIN qualification_policies p ON p.id = a.policy_id ORDER BY a.version`,
    );
    expect(rows).toEqual([
      { version: 1, mql_threshold: 60, half_life: '30', fit: 4, engagement: 2 },
      { version: 2, mql_threshold: 65, half_life: '45', fit: 5, engagement: 2 },
    ]);
    expect((await client.query(`SELECT count(*)::int AS n FROM qualification_policies`)).rows[0].n).toBe(2);
  });

  it('version 1 would have made about as many MQLs over the last year as the demo has (within 10%); version 2 more', async () => {
    const predicted = async (version: number) =>
      (await client.query(
        `SELECT count(*)::int AS n FROM qualification_qualifying_at((SELECT policy_id FROM alignment_agreements WHERE version = $1),
           ARRAY(SELECT id FROM leads), '2025-11-01', '2026-11-01')`,
        [version],
      )).rows[0].n as number;
    const actual = (await client.query(`SELECT count(*)::int AS n FROM leads WHERE mql_at >= '2025-11-01' AND mql_at < '2026-11-01'`)).rows[0].n as number;
    const v1 = await predicted(1);
    const v2 = await predicted(2);
    expect(Math.abs(v1 - actual) / actual).toBeLessThan(0.1);
    expect(v2).toBeGreaterThan(v1);
    expect(v2 / actual).toBeLessThan(1.25);
  });
});
