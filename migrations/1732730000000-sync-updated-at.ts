import { MigrationInterface, QueryRunner } from 'typeorm';

/** Tables that had no updated_at: they get one. */
const NEW_COLUMN = ['users', 'campaign_spend', 'touchpoints', 'lead_feedback'] as const;

/** Every imported kind: a sync pulls each by (updated_at, id). */
const SYNCED = ['users', 'accounts', 'leads', 'campaigns', 'campaign_spend', 'touchpoints', 'opportunities', 'lead_feedback'] as const;

/**
 * Every imported kind carries `updated_at`, kept current by the database on every UPDATE that
 * changes the row (whoever writes: the API, a set-based import, plain SQL), with an index on
 * (updated_at, id) for the `updatedAfter` filter and the `UPDATED_AT` order (issue 11).
 *
 * The new column has a constant default (now() is evaluated once, at ALTER TABLE), which
 * PostgreSQL 11 and later store in the catalogue without rewriting the table: cheap on millions
 * of touchpoints. Rows stored before read the time of this migration as their last change.
 * The trigger sets the transaction's time (now()); a row whose UPDATE changes nothing keeps its
 * time, so a re-import that changes nothing does not make a sync pull the rows again.
 */
export class SyncUpdatedAt1732730000000 implements MigrationInterface {
  name = 'SyncUpdatedAt1732730000000';

  public async up(q: QueryRunner): Promise<void> {
    for (const table of NEW_COLUMN) {
      await q.query(`ALTER TABLE ${table} ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now()`);
    }
    await q.query(`
      CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW IS DISTINCT FROM OLD THEN
          NEW.updated_at := now();
        END IF;
        RETURN NEW;
      END $$`);
    for (const table of SYNCED) {
      await q.query(`CREATE TRIGGER ${table}_updated_at BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION set_updated_at()`);
      await q.query(`CREATE INDEX ${table}_updated_idx ON ${table} (updated_at, id)`);
    }
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const table of SYNCED) {
      await q.query(`DROP INDEX ${table}_updated_idx`);
      await q.query(`DROP TRIGGER ${table}_updated_at ON ${table}`);
    }
    await q.query(`DROP FUNCTION set_updated_at()`);
    for (const table of NEW_COLUMN) await q.query(`ALTER TABLE ${table} DROP COLUMN updated_at`);
  }
}
