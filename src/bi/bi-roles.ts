import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';

/** Why a bi-role command failed, as a fixed code (the CLI prints the message, exits 1 or 2). */
export type BiRoleErrorCode = 'BAD_NAME' | 'EXISTS' | 'NOT_FOUND' | 'NOT_SET_UP' | 'NOT_ALLOWED' | 'LEAK';

export class BiRoleError extends Error {
  constructor(
    readonly code: BiRoleErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BiRoleError';
  }
}

/** The role names of this database's bi schema (bi_settings, written by the migration). */
export interface BiSetup {
  owner: string;
  reader: string;
  loginPrefix: string;
}

export interface BiLogin {
  name: string;
  role: string;
  /** Sessions of the role now connected to this database. */
  connections: number;
  validUntil: Date | null;
}

/** A login's name as given to `--name`: what follows the prefix. */
export const LOGIN_NAME = /^[a-z][a-z0-9_]{0,25}$/;

type Queryable = Pick<DataSource | EntityManager, 'query'>;

export async function biSetupOf(db: Queryable): Promise<BiSetup> {
  const [row] = (await db.query(`SELECT owner_role, reader_role, login_prefix FROM bi_settings`)) as {
    owner_role: string;
    reader_role: string | null;
    login_prefix: string | null;
  }[];
  if (!row?.reader_role || !row.login_prefix) {
    throw new BiRoleError(
      'NOT_SET_UP',
      'this database\'s bi schema has no reader role: it was migrated by a user that may not create roles; run the migrations as a user with CREATEROLE (or a superuser)',
    );
  }
  return { owner: row.owner_role, reader: row.reader_role, loginPrefix: row.login_prefix };
}

function roleOf(setup: BiSetup, name: string): string {
  if (!LOGIN_NAME.test(name)) {
    throw new BiRoleError('BAD_NAME', `--name must be 1 to 26 characters of a-z, 0-9 and _, starting with a letter (got ${JSON.stringify(name)})`);
  }
  return `${setup.loginPrefix}${name}`;
}

/** A password of 32 URL-safe characters (192 random bits). */
function newPassword(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (RFC 5802/7677), computed here so
 * the password itself never reaches the server: not in its log, not in pg_stat_statements.
 */
export function scramVerifier(password: string, salt = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** Logins of this database's bi schema: members of its reader role holding CONNECT on it. */
const LOGINS_SQL = `
  SELECT r.rolname AS role, r.rolvaliduntil AS valid_until,
         (SELECT count(*) FROM pg_stat_activity a WHERE a.usename = r.rolname AND a.datname = current_database())::int AS connections
  FROM pg_roles r
  JOIN pg_auth_members m ON m.member = r.oid AND m.roleid = (SELECT oid FROM pg_roles WHERE rolname = $1)
  JOIN pg_database d ON d.datname = current_database()
  WHERE r.rolcanlogin AND starts_with(r.rolname, $2) AND EXISTS (SELECT 1 FROM aclexplode(d.datacl) x WHERE x.grantee = r.oid)
  ORDER BY r.rolname`;

export async function listBiLogins(ds: DataSource): Promise<BiLogin[]> {
  const setup = await biSetupOf(ds);
  const rows = (await ds.query(LOGINS_SQL, [setup.reader, setup.loginPrefix])) as { role: string; valid_until: Date | null; connections: number }[];
  return rows.map((r) => ({ name: r.role.slice(setup.loginPrefix.length), role: r.role, connections: r.connections, validUntil: r.valid_until }));
}

async function assertLogin(tx: EntityManager, setup: BiSetup, role: string): Promise<void> {
  const rows = (await tx.query(LOGINS_SQL, [setup.reader, setup.loginPrefix])) as { role: string }[];
  if (!rows.some((r) => r.role === role)) throw new BiRoleError('NOT_FOUND', `no BI login ${role} in this database (see \`npm run bi-role -- list\`)`);
}

/**
 * What a role may do beyond reading `bi`, from PostgreSQL's own privilege checks: reading or
 * writing any table, view or sequence outside `bi`, writing in `bi`, creating in any schema or
 * the database, calling a SECURITY DEFINER function (one that runs with its owner's rights) other than bi's
 * own metric functions (owned by bi's owner role). Empty for a sound BI login. (TEMP is PUBLIC's on every database by default and
 * is not listed: a temporary table is the session's own scratch space and reads nothing.)
 */
export async function privilegesBeyondBi(db: Queryable, role: string): Promise<string[]> {
  const rows = (await db.query(
    `SELECT format('%s on %s.%s', p.privilege, n.nspname, c.relname) AS what
     FROM pg_class c
     JOIN pg_namespace n ON n.oid = c.relnamespace
     CROSS JOIN unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) AS p(privilege)
     WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
       AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
       AND (n.nspname <> 'bi' OR p.privilege <> 'SELECT')
       AND has_table_privilege($1, c.oid, p.privilege)
     UNION ALL
     SELECT format('CREATE in schema %s', n.nspname) FROM pg_namespace n
     WHERE n.nspname NOT LIKE 'pg\\_temp%' AND n.nspname NOT LIKE 'pg\\_toast%' AND has_schema_privilege($1, n.oid, 'CREATE')
     UNION ALL
     SELECT format('EXECUTE of security definer function %s', p.oid::regprocedure) FROM pg_proc p
     JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE p.prosecdef AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND has_function_privilege($1, p.oid, 'EXECUTE')
       -- the metric functions of bi (sql/bi/*.sql) run as bi's owner, which reads what the views read: part of reading bi
       AND NOT (n.nspname = 'bi' AND p.proowner = n.nspowner)
     UNION ALL
     SELECT 'CREATE on the database' WHERE has_database_privilege($1, current_database(), 'CREATE')
     ORDER BY 1`,
    [role],
  )) as { what: string }[];
  return rows.map((r) => r.what);
}

export interface CreatedLogin {
  role: string;
  password: string;
}

/**
 * Creates the LOGIN role of one BI tool: a member of the reader role, CONNECT on this database,
 * read-only transactions by default, `bi` as its search path and UTC as its time zone. Refused (nothing made)
 * when PostgreSQL would let it do more than read `bi` (e.g. PUBLIC may create in schema public,
 * the default before PostgreSQL 15).
 */
export async function createBiLogin(ds: DataSource, name: string): Promise<CreatedLogin> {
  const setup = await biSetupOf(ds);
  const role = roleOf(setup, name);
  const password = newPassword();
  await ds.transaction(async (tx) => {
    const [taken] = (await tx.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [role])) as unknown[];
    if (taken) throw new BiRoleError('EXISTS', `role ${role} already exists (rotate its password with \`npm run bi-role -- rotate --name ${name}\`)`);
    try {
      await tx.query(
        `CREATE ROLE "${role}" LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '${scramVerifier(password)}'`,
      );
    } catch (error) {
      if ((error as { code?: string }).code === '42501') throw new BiRoleError('NOT_ALLOWED', `the database user may not create roles: ${(error as Error).message}`);
      throw error;
    }
    const [{ database }] = (await tx.query(`SELECT current_database() AS database`)) as [{ database: string }];
    const comment = `BI login "${name}" of database ${database} (npm run bi-role): reads schema bi only`;
    await tx.query(`COMMENT ON ROLE "${role}" IS '${comment.replace(/'/g, "''")}'`);
    await tx.query(`GRANT "${setup.reader}" TO "${role}"`);
    await tx.query(`DO $$ BEGIN EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), '${role}'); END $$`);
    await tx.query(`REVOKE ALL ON SCHEMA public FROM "${role}"`);
    await tx.query(`ALTER ROLE "${role}" SET default_transaction_read_only = on`);
    await tx.query(`ALTER ROLE "${role}" SET search_path = bi`);
    // days and months as the API cuts them (UTC), whatever the tool's server runs in
    await tx.query(`ALTER ROLE "${role}" SET timezone = 'UTC'`);
    const beyond = await privilegesBeyondBi(tx, role);
    if (beyond.length > 0) {
      throw new BiRoleError(
        'LEAK',
        `refused: role ${role} would get more than reading bi (${beyond.slice(0, 5).join('; ')}${beyond.length > 5 ? `; ${beyond.length - 5} more` : ''}); these come from grants to PUBLIC: revoke them (docs/bi.md, "Security")`,
      );
    }
  });
  return { role, password };
}

/** Gives a BI login a new password (its sessions stay connected until they end). */
export async function rotateBiLogin(ds: DataSource, name: string): Promise<CreatedLogin> {
  const setup = await biSetupOf(ds);
  const role = roleOf(setup, name);
  const password = newPassword();
  await ds.transaction(async (tx) => {
    await assertLogin(tx, setup, role);
    await tx.query(`ALTER ROLE "${role}" PASSWORD '${scramVerifier(password)}'`);
  });
  return { role, password };
}

/** Drops a BI login of this database and ends its sessions. */
export async function dropBiLogin(ds: DataSource, name: string): Promise<string> {
  const setup = await biSetupOf(ds);
  const role = roleOf(setup, name);
  await ds.transaction(async (tx) => {
    await assertLogin(tx, setup, role);
    // no new session from here on; the open ones end (when this user may end them)
    await tx.query(`ALTER ROLE "${role}" NOLOGIN`);
    await tx.query(`
      DO $$ BEGIN
        PERFORM pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '${role}' AND pid <> pg_backend_pid();
      EXCEPTION WHEN insufficient_privilege THEN NULL;
      END $$`);
    // what create granted it beside the membership (DROP ROLE removes that); not DROP OWNED BY,
    // which needs the role's own privileges (a CREATEROLE user has only ADMIN on it in PostgreSQL 16+)
    await tx.query(`DO $$ BEGIN EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM %I', current_database(), '${role}'); END $$`);
    await tx.query(`DROP ROLE "${role}"`);
  });
  return role;
}

/** A connection string for a login: the host, port and database of `url`, its sslmode if any. */
export function loginUrl(url: string, login: CreatedLogin): string {
  const parsed = new URL(url);
  const out = new URL(`postgresql://${parsed.host}${parsed.pathname}`);
  out.username = login.role;
  out.password = login.password;
  const sslmode = parsed.searchParams.get('sslmode');
  if (sslmode) out.searchParams.set('sslmode', sslmode);
  return out.toString();
}
