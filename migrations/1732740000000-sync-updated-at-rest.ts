import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The tables of the lists that had no `updated_at` yet, and what their rows read as their last
 * change until now: the latest time the row itself records (PostgreSQL's greatest() skips nulls).
 */
const BACKFILL: readonly { table: string; from: string }[] = [
  { table: 'alignment_agreements', from: 'greatest(created_at, marketing_approved_at, sales_approved_at)' },
  { table: 'api_keys', from: 'greatest(created_at, last_used_at, revoked_at)' },
  // append-only, except an erasure scrubbing the personal data of its row copies
  { table: 'audit_log', from: 'at' },
  // append-only; changed_at may be back-dated, but it is the best time the old rows have
  { table: 'lead_stage_changes', from: 'changed_at' },
];

/**
 * The rest of the lists take `updatedAfter` (issue 11): alignment agreements, API keys, the audit
 * log and lead stage changes get `updated_at`, kept by the set_updated_at() trigger of
 * 1732730000000 on every UPDATE that changes the row (an approval, a revocation, a key's use, an
 * erasure scrubbing an audit entry). Append-only rows keep the time they were stored: not the
 * time they describe (a back-dated `changed_at`), so a sync does not miss a back-dated load.
 *
 * Unlike 1732730000000, the old rows are backfilled (one rewrite of each table, audit_log the
 * largest), so they read in the order they happened rather than all at the migration's time.
 * Only audit_log, which grows with every write, gets an (updated_at, id) index for the
 * `auditLog` sync; agreements and keys are a handful of rows, and stage changes are only listed
 * per lead (walking lead_stage_changes_lead_idx), so bulk loads of leads pay for no new index.
 * import_jobs already has an updated_at that its runner keeps.
 */
export class SyncUpdatedAtRest1732740000000 implements MigrationInterface {
  name = 'SyncUpdatedAtRest1732740000000';

  public async up(q: QueryRunner): Promise<void> {
    for (const { table, from } of BACKFILL) {
      await q.query(`ALTER TABLE ${table} ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now()`);
      // before the trigger exists, which would set now() instead
      await q.query(`UPDATE ${table} SET updated_at = ${from}`);
      await q.query(`CREATE TRIGGER ${table}_updated_at BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION set_updated_at()`);
    }
    await q.query(`CREATE INDEX audit_log_updated_idx ON audit_log (updated_at, id)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX audit_log_updated_idx`);
    for (const { table } of BACKFILL) {
      await q.query(`DROP TRIGGER ${table}_updated_at ON ${table}`);
      await q.query(`ALTER TABLE ${table} DROP COLUMN updated_at`);
    }
  }
}
