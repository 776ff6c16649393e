/**
 * SQL of the statement-level triggers that keep the caches current on write: each passes the
 * changed rows to a function as parallel arrays (transition tables, so one call per statement,
 * COPY included).
 */

/**
 * A trigger function that calls `target(arrays...)` with one array per expression of `columns`
 * over the rows a statement changed: the new rows of an INSERT, the old of a DELETE, the old
 * then the new of an UPDATE. With `signed`, a first array says -1 for an old row and 1 for a new.
 */
export function changedRowsFunction(options: {
  name: string;
  target: string;
  oldRows: string;
  newRows: string;
  columns: string[];
  signed?: boolean;
}): string {
  const { name, target, oldRows, newRows, columns, signed = false } = options;
  const values: ((part: { table: string; sign: number }) => string)[] = [
    ...(signed ? [(part: { sign: number }) => String(part.sign)] : []),
    ...columns.map((column) => () => column),
  ];
  const arrays = (parts: { table: string; sign: number }[]) =>
    values
      .map((value) => `ARRAY(${parts.map((part) => `SELECT ${value(part)} FROM ${part.table}`).join(' UNION ALL ')})`)
      .join(',\n            ');
  return `
      CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          PERFORM ${target}(
            ${arrays([{ table: newRows, sign: 1 }])});
        ELSIF TG_OP = 'DELETE' THEN
          PERFORM ${target}(
            ${arrays([{ table: oldRows, sign: -1 }])});
        ELSE
          PERFORM ${target}(
            ${arrays([{ table: oldRows, sign: -1 }, { table: newRows, sign: 1 }])});
        END IF;
        RETURN NULL;
      END $$;`;
}

/** `prefix`_insert, _update and _delete on `table`, each running `fn` once per statement with its transition tables. */
export function statementTriggers(options: { prefix: string; table: string; fn: string; oldRows: string; newRows: string }): string {
  const { prefix, table, fn, oldRows, newRows } = options;
  return `
      CREATE TRIGGER ${prefix}_insert AFTER INSERT ON ${table}
        REFERENCING NEW TABLE AS ${newRows} FOR EACH STATEMENT EXECUTE FUNCTION ${fn}();
      CREATE TRIGGER ${prefix}_update AFTER UPDATE ON ${table}
        REFERENCING OLD TABLE AS ${oldRows} NEW TABLE AS ${newRows} FOR EACH STATEMENT EXECUTE FUNCTION ${fn}();
      CREATE TRIGGER ${prefix}_delete AFTER DELETE ON ${table}
        REFERENCING OLD TABLE AS ${oldRows} FOR EACH STATEMENT EXECUTE FUNCTION ${fn}();`;
}

/** Drops the three triggers of statementTriggers. */
export function dropStatementTriggers(prefix: string, table: string): string {
  return ['delete', 'update', 'insert'].map((op) => `DROP TRIGGER ${prefix}_${op} ON ${table};`).join('\n      ');
}

/**
 * `prefix`_on_truncate(), which runs `rebuild()`, and a `prefix`_truncate trigger on each of
 * `tables`: TRUNCATE leaves no rows to compare, so the cache starts over.
 */
export function rebuildOnTruncate(prefix: string, rebuild: string, tables: string[]): string {
  return `
      CREATE FUNCTION ${prefix}_on_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM ${rebuild}();
        RETURN NULL;
      END $$;
      ${tables
        .map((table) => `CREATE TRIGGER ${prefix}_truncate AFTER TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION ${prefix}_on_truncate();`)
        .join('\n      ')}`;
}

/**
 * `name`(p_ids bigint[]): serialises cache writers per key (account, lead) with transaction-level
 * advisory locks in `space`: a shared lock on (space, 0) and one lock per key on (space + 1, key),
 * taken in key order; more than 256 keys take (space, 0) alone, exclusively (a bulk write).
 */
export function keyedLockFunction(name: string, space: number): string {
  return `
      CREATE FUNCTION ${name}(p_ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        IF cardinality(p_ids) > 256 THEN
          PERFORM pg_advisory_xact_lock(${space}, 0);
        ELSE
          PERFORM pg_advisory_xact_lock_shared(${space}, 0);
          PERFORM pg_advisory_xact_lock(${space + 1}, (k % 2147483647)::integer)
          FROM (SELECT DISTINCT k FROM unnest(p_ids) k WHERE k IS NOT NULL ORDER BY k) keys;
        END IF;
      END $$;`;
}

/**
 * A cache kept from `source` by statement-level triggers, moved by what each statement changed
 * (attribution_model_monthly, attribution_mask_monthly): `${cache}_move()` runs `move.inserted`,
 * `move.deleted` or `move.updated` (SQL over the transition tables `oldRows` / `newRows`),
 * `${cache}_rebuild()` empties the cache and runs `move.all` over every row of `source`, a
 * TRUNCATE of `source` rebuilds it, and it is built once now. `what` names what the cache keeps.
 */
export function keptCacheSql(options: {
  prefix: string;
  source: string;
  cache: string;
  what: string;
  oldRows: string;
  newRows: string;
  move: { inserted: string; deleted: string; updated: string; all: string };
}): string {
  const { prefix, source, cache, what, oldRows, newRows, move } = options;
  return `
      CREATE FUNCTION ${cache}_move() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          ${move.inserted}
        ELSIF TG_OP = 'DELETE' THEN
          ${move.deleted}
        ELSE
          ${move.updated}
        END IF;
        RETURN NULL;
      END $$;
      ${statementTriggers({ prefix, table: source, fn: `${cache}_move`, oldRows, newRows })}

      -- Empties the ${what} and sums them again from every row of ${source} (here, and for tests).
      CREATE FUNCTION ${cache}_rebuild() RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        TRUNCATE ${cache};
        ${move.all}
      END $$;
      ${rebuildOnTruncate(prefix, `${cache}_rebuild`, [source])}

      SELECT ${cache}_rebuild();`;
}

/** Drops what keptCacheSql made (not the cache's table). */
export function dropKeptCacheSql(prefix: string, source: string, cache: string): string {
  return `
      DROP TRIGGER ${prefix}_truncate ON ${source};
      ${dropStatementTriggers(prefix, source)}
      DROP FUNCTION ${prefix}_on_truncate();
      DROP FUNCTION ${cache}_rebuild();
      DROP FUNCTION ${cache}_move();`;
}
