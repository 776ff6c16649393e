import type { PgClient } from './copy-loader';

/**
 * PostgreSQL's advice for bulk loads: drop foreign keys and secondary indexes (unique ones
 * included, but never a primary key or a key a foreign key points at), load, then
 * put them back. A million rows COPYed into a table with two foreign keys and two extra
 * indexes take ~6x longer than building those indexes and checking those keys once at the
 * end. Everything runs inside the caller's transaction, so the constraints are never
 * missing for anyone else, and re-adding them checks every loaded row: a row that breaks a
 * foreign key or a unique index still fails the load.
 */

interface Deferred {
  drop: string;
  restore: string;
}

/** Foreign keys of `tables` (the checks that fire per inserted row). */
const FOREIGN_KEYS_SQL = `
  SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname) AS drop,
         format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid)) AS restore
    FROM pg_constraint c
   WHERE c.contype = 'f' AND c.conrelid = ANY ($1::regclass[])
   ORDER BY c.conrelid::regclass::text, c.conname`;

/** Unique constraints of `tables` (e.g. on external ids) that no foreign key relies on. */
const UNIQUE_CONSTRAINTS_SQL = `
  SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname) AS drop,
         format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid)) AS restore
    FROM pg_constraint c
   WHERE c.contype = 'u' AND c.conrelid = ANY ($1::regclass[])
     AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid)
   ORDER BY c.conrelid::regclass::text, c.conname`;

/** Indexes of `tables` that no primary key, unique or exclusion constraint owns and no foreign key points at. */
const SECONDARY_INDEXES_SQL = `
  SELECT format('DROP INDEX %s', i.indexrelid::regclass) AS drop,
         pg_get_indexdef(i.indexrelid) AS restore
    FROM pg_index i
   WHERE i.indrelid = ANY ($1::regclass[])
     AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x', 'f'))
   ORDER BY i.indexrelid::regclass::text`;

/** Whether the current role owns every table (only an owner may drop their indexes). */
const OWNS_TABLES_SQL = `
  SELECT coalesce(bool_and(pg_has_role(relowner, 'USAGE')), false) AS owns
    FROM pg_class WHERE oid = ANY ($1::regclass[])`;

/**
 * Runs `load` with the foreign keys and secondary indexes of `tables` dropped, then rebuilds
 * them. When the role may not alter the tables, `load` simply runs with them in place.
 * Must be called inside a transaction.
 */
export async function withDeferredConstraints<T>(client: PgClient, tables: readonly string[], load: () => Promise<T>): Promise<T> {
  const owns = await client.query<{ owns: boolean }>(OWNS_TABLES_SQL, [tables]);
  if (!owns.rows[0]?.owns) return load();
  const foreignKeys = (await client.query<Deferred>(FOREIGN_KEYS_SQL, [tables])).rows;
  const indexes = [
    ...(await client.query<Deferred>(UNIQUE_CONSTRAINTS_SQL, [tables])).rows,
    ...(await client.query<Deferred>(SECONDARY_INDEXES_SQL, [tables])).rows,
  ];
  for (const { drop } of [...foreignKeys, ...indexes]) await client.query(drop);
  const result = await load();
  // sorting for the index builds: a bit more memory than the default 64MB, for this transaction only
  await client.query(`SET LOCAL maintenance_work_mem = '256MB'`);
  for (const { restore } of [...indexes, ...foreignKeys]) await client.query(restore);
  return result;
}
