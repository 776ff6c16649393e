import { MigrationInterface, QueryRunner } from 'typeorm';
import { BI_SOURCE_TABLES, BI_VIEWS, TOMBSTONED } from './bi-views';

/** The role names of a database's `bi` schema (roles are cluster-wide: named after the database). */
export interface BiRoleNames {
  owner: string;
  reader: string;
  loginPrefix: string;
}

/**
 * `ra_bi_owner_<db>`, `ra_bi_reader_<db>` and logins `ra_bi_<db>_<name>`; <db> is the database's
 * name in [a-z0-9_] (a longer one than 30 characters: its first 21 and 8 hex digits of its md5),
 * so a login name of up to 26 characters fits PostgreSQL's 63.
 */
export function biRoleNames(database: string, md5Hex: string): BiRoleNames {
  let suffix = database.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  if (suffix.length > 30) suffix = `${suffix.slice(0, 21)}_${md5Hex.slice(0, 8)}`;
  return { owner: `ra_bi_owner_${suffix}`, reader: `ra_bi_reader_${suffix}`, loginPrefix: `ra_bi_${suffix}_` };
}

/**
 * The read-only SQL surface for BI tools (issue 13): schema `bi`, flat documented views of every
 * entity and a few fact views, with personal data masked exactly as for ANALYST callers.
 *
 * Who may read what:
 * - The views are owned by `ra_bi_owner_<db>`, a NOLOGIN role that is no superuser and holds
 *   SELECT on the base tables the views read and on nothing else. Views run with their owner's
 *   rights on the tables they name (they are not security_invoker: with that, a BI role would
 *   need SELECT on the base tables, personal data included).
 * - BI tools log in as roles made by `npm run bi-role` (src/bi/bi-role.cli.ts), members of
 *   `ra_bi_reader_<db>`, which has USAGE on `bi` and SELECT on its views (also on views the
 *   owner adds later, by default privileges), and nothing on any table.
 * - The pseudonym key (table pseudonym_key) is readable by its owner (the API) and the views'
 *   owner only; the views compute the HMAC inline, so no function lets a caller hash an email.
 * - Deletions are recorded in deleted_rows by statement triggers (bi.deletions).
 *
 * Roles are cluster-wide: a database made from this one as a template shares its roles. down()
 * drops the roles only when no other database uses them. A migrating user that may not create
 * roles gets the schema owned by itself and no reader role (the CLI then says so).
 */
export class BiSchema1732790000000 implements MigrationInterface {
  name = 'BiSchema1732790000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE deleted_rows (
        entity     text NOT NULL,
        row_id     bigint NOT NULL,
        node_type  text NOT NULL,
        deleted_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX deleted_rows_time_idx ON deleted_rows (deleted_at);
      CREATE FUNCTION deleted_rows_record() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO deleted_rows (entity, row_id, node_type) SELECT TG_TABLE_NAME, g.id, TG_ARGV[0] FROM gone g;
        RETURN NULL;
      END $$;

      -- the key of the email pseudonyms (API and bi views); the pads are those of HMAC-SHA256 (RFC 2104)
      CREATE TABLE pseudonym_key (
        singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        key        text NOT NULL CHECK (key <> ''),
        inner_pad  bytea NOT NULL,
        outer_pad  bytea NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      REVOKE ALL ON pseudonym_key FROM PUBLIC;
      CREATE FUNCTION pseudonym_key_pads() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        k bytea := convert_to(NEW.key, 'UTF8');
      BEGIN
        IF length(k) > 64 THEN k := sha256(k); END IF;
        k := k || decode(repeat('00', 64 - length(k)), 'hex');
        NEW.inner_pad := k;
        NEW.outer_pad := k;
        FOR i IN 0..63 LOOP
          NEW.inner_pad := set_byte(NEW.inner_pad, i, get_byte(k, i) # 54);   -- 0x36
          NEW.outer_pad := set_byte(NEW.outer_pad, i, get_byte(k, i) # 92);   -- 0x5c
        END LOOP;
        NEW.updated_at := now();
        RETURN NEW;
      END $$;
      CREATE TRIGGER pseudonym_key_pads BEFORE INSERT OR UPDATE OF key ON pseudonym_key
        FOR EACH ROW EXECUTE FUNCTION pseudonym_key_pads();
      -- 64 hex digits from two random UUIDs (244 random bits of the server's strong random source)
      INSERT INTO pseudonym_key (key)
      VALUES (encode(sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text || clock_timestamp()::text, 'UTF8')), 'hex'));

      -- the role names of this database's bi schema (read by the bi-role CLI)
      CREATE TABLE bi_settings (
        singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        owner_role   text NOT NULL,
        reader_role  text,
        login_prefix text
      );
    `);
    for (const { table, nodeType } of TOMBSTONED) {
      await q.query(`CREATE TRIGGER ${table}_deleted AFTER DELETE ON ${table} REFERENCING OLD TABLE AS gone
                     FOR EACH STATEMENT EXECUTE FUNCTION deleted_rows_record('${nodeType}')`);
    }

    const [me] = (await q.query(
      `SELECT current_user AS name, current_database() AS database, md5(current_database()) AS md5,
              r.rolsuper AS super, r.rolcreaterole AS createrole
       FROM pg_roles r WHERE r.rolname = current_user`,
    )) as { name: string; database: string; md5: string; super: boolean; createrole: boolean }[];
    if (!me) throw new Error('the current user has no pg_roles row');
    const names = biRoleNames(me.database, me.md5);
    const withRoles = me.super || me.createrole;
    const owner = withRoles ? names.owner : me.name;
    if (withRoles) {
      for (const role of [names.owner, names.reader]) {
        const [found] = (await q.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [role])) as unknown[];
        if (!found) await q.query(`CREATE ROLE "${role}" NOLOGIN`);
        // whatever it was made as before: no login and no power of its own
        if (me.super) await q.query(`ALTER ROLE "${role}" NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS`);
      }
      // to create the views as their owner (a superuser may anyway)
      if (!me.super) await q.query(`GRANT "${names.owner}" TO CURRENT_USER`);
      await q.query(`GRANT USAGE ON SCHEMA public TO "${names.owner}"`);
      await q.query(`GRANT SELECT ON ${BI_SOURCE_TABLES.join(', ')} TO "${names.owner}"`);
    }
    await q.query(`INSERT INTO bi_settings (owner_role, reader_role, login_prefix) VALUES ($1, $2, $3)`, [
      owner,
      withRoles ? names.reader : null,
      withRoles ? names.loginPrefix : null,
    ]);

    await q.query(`CREATE SCHEMA bi AUTHORIZATION "${owner}"`);
    await q.query(`REVOKE ALL ON SCHEMA bi FROM PUBLIC`);
    await q.query(`COMMENT ON SCHEMA bi IS 'Read-only SQL surface for BI tools (docs/bi.md): flat views of every entity and fact views, personal data masked as for ANALYST callers.'`);
    if (withRoles) {
      await q.query(`GRANT USAGE ON SCHEMA bi TO "${names.reader}"`);
      await q.query(`ALTER DEFAULT PRIVILEGES FOR ROLE "${names.owner}" IN SCHEMA bi GRANT SELECT ON TABLES TO "${names.reader}"`);
      await q.query(`
        DO $$
        BEGIN
          EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), '${names.reader}');
        EXCEPTION WHEN insufficient_privilege THEN
          RAISE NOTICE 'bi: could not grant CONNECT on the database to ${names.reader} (not its owner); PUBLIC''s CONNECT applies';
        END $$`);
      await q.query(`SET ROLE "${owner}"`);
    }
    try {
      for (const view of BI_VIEWS) {
        const columns = Object.keys(view.columns);
        const options = view.hidesRows ? ' WITH (security_barrier)' : '';
        await q.query(`CREATE VIEW bi.${view.name} (${columns.map((c) => `"${c}"`).join(', ')})${options} AS ${view.sql}`);
        await q.query(`COMMENT ON VIEW bi.${view.name} IS ${literal(view.comment)}`);
        for (const [column, comment] of Object.entries(view.columns)) {
          await q.query(`COMMENT ON COLUMN bi.${view.name}."${column}" IS ${literal(comment)}`);
        }
      }
    } finally {
      if (withRoles) await q.query(`RESET ROLE`);
    }
  }

  public async down(q: QueryRunner): Promise<void> {
    const [settings] = (await q.query(`SELECT owner_role, reader_role, login_prefix FROM bi_settings`)) as {
      owner_role: string;
      reader_role: string | null;
      login_prefix: string | null;
    }[];
    if (settings?.reader_role) {
      await q.query(`ALTER DEFAULT PRIVILEGES FOR ROLE "${settings.owner_role}" IN SCHEMA bi REVOKE SELECT ON TABLES FROM "${settings.reader_role}"`);
    }
    await q.query(`DROP SCHEMA bi CASCADE`);
    for (const { table } of TOMBSTONED) await q.query(`DROP TRIGGER ${table}_deleted ON ${table}`);
    await q.query(`
      DROP TABLE deleted_rows, pseudonym_key, bi_settings;
      DROP FUNCTION deleted_rows_record(), pseudonym_key_pads();
    `);
    if (!settings?.reader_role || !settings.login_prefix) return;
    const { owner_role: owner, reader_role: reader, login_prefix: prefix } = settings;
    await q.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM "${owner}"`);
    await q.query(`REVOKE ALL ON SCHEMA public FROM "${owner}", "${reader}"`);
    await q.query(`DO $$ BEGIN EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM %I', current_database(), '${reader}'); END $$`);
    // this database's logins (they hold CONNECT on it: bi-role create grants it), then the two
    // roles unless another database (a clone of this one, or its template) still uses them
    const logins = (await q.query(
      `SELECT r.rolname FROM pg_roles r
       JOIN pg_auth_members m ON m.member = r.oid AND m.roleid = (SELECT oid FROM pg_roles WHERE rolname = $1)
       JOIN pg_database d ON d.datname = current_database()
       WHERE starts_with(r.rolname, $2) AND EXISTS (SELECT 1 FROM aclexplode(d.datacl) a WHERE a.grantee = r.oid)`,
      [reader, prefix],
    )) as { rolname: string }[];
    for (const role of [...logins.map((l) => l.rolname), reader, owner]) {
      const [usedElsewhere] = (await q.query(
        `SELECT 1 FROM pg_shdepend s JOIN pg_roles r ON r.oid = s.refobjid
         WHERE r.rolname = $1 AND s.dbid NOT IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))
         LIMIT 1`,
        [role],
      )) as unknown[];
      const [exists] = (await q.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [role])) as unknown[];
      if (usedElsewhere || !exists) continue;
      // its grants here are revoked above (the logins': CONNECT); DROP ROLE removes memberships
      if (role !== reader && role !== owner) {
        await q.query(`DO $$ BEGIN EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM %I', current_database(), '${role}'); END $$`);
      }
      await q.query(`DROP ROLE "${role}"`);
    }
  }
}

/** A string literal of SQL (the comments are ours, but may hold quotes). */
function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
