import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Corrections and erasure (issue 11).
 *
 * - audit_log.reason: why a correction was made. A mutation that takes a reason sets
 *   `app.reason` with set_config(..., true) in its transaction; the column's default reads it,
 *   so every entry the audit trigger writes in that transaction carries the reason, without
 *   audit_row() having to change.
 * - leads.erased_at: when the lead's personal data was erased (eraseLead). An erased lead keeps
 *   its anonymous facts (stages, account, touches, feedback dispositions) and holds no personal
 *   data: its email is the tombstone `erased-<id>@erased.invalid` (which passes the email CHECK
 *   and the visible-characters CHECK, and keeps the unique index valid), its names, title and
 *   external id are null. The domain erased.invalid is reserved for tombstones (`.invalid` can
 *   never be a real address, RFC 2606), and an erased lead stays erased: setting an email or a
 *   name on it again, or clearing erased_at, is refused by the database, whoever writes.
 */
export class CorrectionsAndErasure1732720000010 implements MigrationInterface {
  name = 'CorrectionsAndErasure1732720000010';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE audit_log ADD COLUMN reason text DEFAULT nullif(current_setting('app.reason', true), '');

      ALTER TABLE leads ADD COLUMN erased_at timestamptz;
      ALTER TABLE leads ADD CONSTRAINT leads_erased_anonymous CHECK (
        CASE WHEN erased_at IS NULL THEN lower(email) NOT LIKE '%@erased.invalid'
             ELSE email = 'erased-' || id || '@erased.invalid'
                  AND first_name IS NULL AND last_name IS NULL AND title IS NULL AND external_id IS NULL
        END);

      CREATE FUNCTION leads_stay_erased() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'lead % was erased and cannot be restored', OLD.id
          USING ERRCODE = 'check_violation', CONSTRAINT = 'leads_erased_anonymous', TABLE = 'leads';
      END $$;
      CREATE TRIGGER leads_stay_erased BEFORE UPDATE ON leads
        FOR EACH ROW WHEN (OLD.erased_at IS NOT NULL AND NEW.erased_at IS DISTINCT FROM OLD.erased_at)
        EXECUTE FUNCTION leads_stay_erased();
    `);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER leads_stay_erased ON leads;
      DROP FUNCTION leads_stay_erased();
      ALTER TABLE leads DROP CONSTRAINT leads_erased_anonymous;
      ALTER TABLE leads DROP COLUMN erased_at;
      ALTER TABLE audit_log DROP COLUMN reason;
    `);
  }
}
