import { SyncUpdatedAtRest1732740000000 } from '../../migrations/1732740000000-sync-updated-at-rest';
import { createTestDatabase, TestDatabase } from '../helpers/db';

const iso = (d: Date) => d.toISOString();

/**
 * The migration that gives agreements, API keys, the audit log and stage changes `updated_at`:
 * rows stored before it read the latest time they record as their last change, and from then on
 * the trigger keeps it. Run down and up again by hand on this file's own database.
 */
describe('migration 1732740000000: updated_at for the remaining lists', () => {
  let db: TestDatabase;
  const migration = new SyncUpdatedAtRest1732740000000();

  async function run(step: 'up' | 'down'): Promise<void> {
    const runner = db.ds.createQueryRunner();
    try {
      await migration[step](runner);
    } finally {
      await runner.release();
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    // the later migrations first (views of the bi schema read these columns), newest first
    for (;;) {
      const [last] = await db.sql<{ name: string }>(`SELECT name FROM schema_migrations ORDER BY id DESC LIMIT 1`);
      if (!last || last.name === migration.name) break;
      await db.ds.undoLastMigration({ transaction: 'each' });
    }
    await run('down');
    await db.sql(`INSERT INTO users (id, name, email, team) VALUES (1, 'Mia', 'mia@corp.test', 'MARKETING'), (2, 'Sam', 'sam@corp.test', 'SALES')`);
    await db.sql(`INSERT INTO alignment_agreements (id, version, effective_from, mql_threshold, follow_up_hours, monthly_mql_target, created_at,
                    marketing_approved_by_id, marketing_approved_at, sales_approved_by_id, sales_approved_at) VALUES
      (1, 1, '2024-01-01', 50, 24, 100, '2024-01-01', NULL, NULL, NULL, NULL),
      (2, 2, '2024-02-01', 50, 24, 100, '2024-02-01', 1, '2024-02-03', 2, '2024-02-02')`);
    await db.sql(`INSERT INTO api_keys (id, name, role, prefix, key_hash, created_at, last_used_at, revoked_at) VALUES
      (1, 'new', 'ANALYST', 'ra_aaaaaa', '\\x01', '2024-03-01', NULL, NULL),
      (2, 'used', 'ANALYST', 'ra_bbbbbb', '\\x02', '2024-03-01', '2024-03-05', NULL),
      (3, 'revoked', 'ANALYST', 'ra_cccccc', '\\x03', '2024-03-01', '2024-03-05', '2024-03-04')`);
    await db.sql(`INSERT INTO audit_log (id, at, actor, actor_role, mutation, object_type, object_id, action) VALUES
      (1, '2024-04-01T10:00:00Z', 'cli', 'SYSTEM', 'createApiKey', 'api_keys', '1', 'INSERT')`);
    await db.sql(`INSERT INTO leads (id, email, created_at) VALUES (1, 'l1@a.test', '2023-01-01')`);
    await db.sql(`INSERT INTO lead_stage_changes (id, lead_id, from_stage, to_stage, changed_at) VALUES (1, 1, NULL, 'NEW', '2023-01-01')`);
    await run('up');
  });
  afterAll(() => db.drop());

  it('backfills the latest time each row records', async () => {
    const times = async (table: string) =>
      (await db.sql<{ id: string; updated_at: Date }>(`SELECT id::text, updated_at FROM ${table} ORDER BY id`)).map((r) => [r.id, iso(r.updated_at)]);
    expect(await times('alignment_agreements')).toEqual([
      ['1', '2024-01-01T00:00:00.000Z'], // proposed, never approved
      ['2', '2024-02-03T00:00:00.000Z'], // greatest(created 02-01, marketing 02-03, sales 02-02)
    ]);
    expect(await times('api_keys')).toEqual([
      ['1', '2024-03-01T00:00:00.000Z'], // created only
      ['2', '2024-03-05T00:00:00.000Z'], // last used
      ['3', '2024-03-05T00:00:00.000Z'], // greatest(revoked 03-04, last used 03-05)
    ]);
    expect(await times('audit_log')).toEqual([['1', '2024-04-01T10:00:00.000Z']]); // its time
    expect(await times('lead_stage_changes')).toEqual([['1', '2023-01-01T00:00:00.000Z']]); // when it happened
  });

  it('then keeps it on every change, and a new row takes the time it is stored', async () => {
    const [{ now }] = (await db.sql<{ now: Date }>(`SELECT now() AS now`)) as [{ now: Date }];
    await db.sql(`UPDATE alignment_agreements SET notes = 'v1' WHERE id = 1`);
    await db.sql(`UPDATE api_keys SET revoked_at = now() WHERE id = 1`);
    await db.sql(`UPDATE audit_log SET after = '{}' WHERE id = 1`);
    await db.sql(`UPDATE lead_stage_changes SET to_stage = to_stage WHERE id = 1`); // changes nothing
    await db.sql(`INSERT INTO lead_stage_changes (id, lead_id, from_stage, to_stage, changed_at) VALUES (2, 1, 'NEW', 'MQL', '2023-02-01')`);
    const moved = await db.sql<{ t: string; id: string; moved: boolean }>(`
      SELECT 'alignment_agreements' AS t, id::text, updated_at >= $1 AS moved FROM alignment_agreements
      UNION ALL SELECT 'api_keys', id::text, updated_at >= $1 FROM api_keys
      UNION ALL SELECT 'audit_log', id::text, updated_at >= $1 FROM audit_log
      UNION ALL SELECT 'lead_stage_changes', id::text, updated_at >= $1 FROM lead_stage_changes
      ORDER BY 1, 2`, [now]);
    expect(moved.map((r) => `${r.t} ${r.id} ${r.moved}`)).toEqual([
      'alignment_agreements 1 true',
      'alignment_agreements 2 false',
      'api_keys 1 true',
      'api_keys 2 false',
      'api_keys 3 false',
      'audit_log 1 true',
      'lead_stage_changes 1 false',
      'lead_stage_changes 2 true', // stored now, though it happened in 2023
    ]);
  });
});
