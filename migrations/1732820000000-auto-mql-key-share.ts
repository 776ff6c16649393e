import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * auto_mql_make locks the leads it moves FOR NO KEY UPDATE, not FOR UPDATE.
 *
 * A touch's insert takes FOR KEY SHARE on its lead (the foreign key) before its statement
 * triggers wait for the caches' per-key locks. With FOR UPDATE, two writers qualifying the same
 * lead could deadlock: B, holding KEY SHARE on the lead, waits for A's cache lock, while A's
 * commit-time automatic MQL waits for B's KEY SHARE. FOR NO KEY UPDATE does not conflict with KEY
 * SHARE (it is the lock the UPDATE of the stage takes anyway: no key column changes), so A
 * commits, and B's automatic MQL then finds the lead an MQL already and leaves it.
 *
 * The function's text is that of migration 1732780000000 with the one locking clause changed.
 */
const SIGNATURE = `auto_mql_make(bigint[], timestamptz[], bigint[])`;
const BEFORE = `ORDER BY l.id FOR UPDATE;`;
const AFTER = `ORDER BY l.id FOR NO KEY UPDATE;`;

async function swapLock(q: QueryRunner, from: string, to: string): Promise<void> {
  const [row] = (await q.query(`SELECT pg_get_functiondef($1::regprocedure) AS def`, [SIGNATURE])) as { def: string }[];
  const def = row?.def ?? '';
  const parts = def.split(from);
  if (parts.length !== 2) throw new Error(`${SIGNATURE}: expected its locking clause "${from}" once, found ${parts.length - 1}`);
  await q.query(parts.join(to));
}

export class AutoMqlKeyShare1732820000000 implements MigrationInterface {
  name = 'AutoMqlKeyShare1732820000000';

  public async up(q: QueryRunner): Promise<void> {
    await swapLock(q, BEFORE, AFTER);
  }

  public async down(q: QueryRunner): Promise<void> {
    await swapLock(q, AFTER, BEFORE);
  }
}
