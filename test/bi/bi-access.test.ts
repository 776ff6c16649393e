import { Client } from 'pg';
import { biSetupOf, BiRoleError, createBiLogin, dropBiLogin, listBiLogins, privilegesBeyondBi, rotateBiLogin, scramVerifier } from '../../src/bi/bi-roles';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { insertAccount, insertLead } from '../helpers/core-fixtures';
import { BiLogins, runId, sqlState } from './bi-support';

const PERMISSION_DENIED = '42501';
const READ_ONLY_TRANSACTION = '25006';

describe('a BI login: reads bi and nothing else', () => {
  let db: TestDatabase;
  let logins: BiLogins;
  let bi: Client;
  let role: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    logins = new BiLogins(db);
    const account = await insertAccount(db, { name: 'Acme Access' });
    await insertLead(db, { email: 'Jane.Access@acme-access.test', accountId: account });
    await db.sql(`UPDATE leads SET first_name = 'Jane'`);
    const login = await logins.create('access');
    role = login.role;
    bi = await logins.connect(login);
  });
  afterAll(async () => {
    await logins?.dropAll();
    await db?.drop();
  });

  it('reads the bi views, with bi on its search path', async () => {
    const { rows } = await bi.query<{ name: string }>(`SELECT name FROM accounts`);
    expect(rows.map((r) => r.name)).toEqual(['Acme Access']);
    const { rows: leads } = await bi.query<{ email: string }>(`SELECT email FROM bi.leads`);
    expect(leads.map((l) => l.email)).toEqual([expect.stringMatching(/^redacted-[0-9a-f]{16}@example\.invalid$/)]);
  });

  it.each([
    ['a base table', `SELECT email FROM public.leads`],
    ['the pseudonym key', `SELECT key FROM public.pseudonym_key`],
    ['the tombstones table', `SELECT * FROM public.deleted_rows`],
    ['the audit log', `SELECT * FROM public.audit_log`],
    ['API keys', `SELECT * FROM public.api_keys`],
    ['a cache table', `SELECT * FROM public.lead_first_touches`],
    ['the role settings', `SELECT * FROM public.bi_settings`],
  ])('cannot read %s', async (_what, statement) => {
    expect(await sqlState(() => bi.query(statement))).toBe(PERMISSION_DENIED);
  });

  it('cannot write anything, even with read-only transactions turned off', async () => {
    await bi.query(`SET default_transaction_read_only = off`);
    try {
      const attempts = [
        `INSERT INTO bi.campaigns (campaign_id, name) VALUES (999, 'x')`,
        `UPDATE bi.accounts SET name = 'x'`,
        `DELETE FROM bi.accounts`,
        `TRUNCATE bi.accounts`,
        `INSERT INTO public.accounts (name, domain, segment) VALUES ('x', 'x.test', 'SMB')`,
        `UPDATE public.leads SET email = 'x@x.test'`,
        `DELETE FROM public.leads`,
        `CREATE TABLE public.mine (x int)`,
        `CREATE TABLE bi.mine (x int)`,
        `CREATE VIEW bi.mine AS SELECT 1`,
        `CREATE SCHEMA mine`,
        `CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS 'SELECT 1'`,
        `ALTER VIEW bi.accounts RENAME TO x`,
        `DROP VIEW bi.accounts`,
        `COMMENT ON VIEW bi.accounts IS 'x'`,
        `GRANT SELECT ON public.leads TO PUBLIC`,
        `SET ROLE ra_bi_owner_x`,
        `UPDATE public.pseudonym_key SET key = 'known'`,
      ];
      for (const statement of attempts) {
        // each one's SQLSTATE beside it, so a failure names the statement that got through
        expect([statement, await sqlState(() => bi.query(statement))]).toEqual([statement, expect.stringMatching(/^(42501|42809|22023)$/)]);
      }
      const setup = await biSetupOf(db.ds);
      expect(await sqlState(() => bi.query(`SET ROLE "${setup.owner}"`))).toBe(PERMISSION_DENIED);
      expect(await sqlState(() => bi.query(`SET ROLE "${setup.reader}"`))).toBe('ok');
      await bi.query(`RESET ROLE`);
    } finally {
      await bi.query(`RESET default_transaction_read_only`);
    }
  });

  it('starts read-only, in UTC: even a temporary table is refused by default', async () => {
    expect((await bi.query(`SHOW default_transaction_read_only`)).rows[0]).toEqual({ default_transaction_read_only: 'on' });
    expect((await bi.query(`SHOW timezone`)).rows[0]).toEqual({ TimeZone: 'UTC' });
    // set on the role itself, whatever the server's defaults are
    const [settings] = await db.sql<{ setconfig: string[] }>(
      `SELECT setconfig FROM pg_db_role_setting WHERE setrole = (SELECT oid FROM pg_roles WHERE rolname = $1) AND setdatabase = 0`,
      [role],
    );
    expect([...settings!.setconfig].sort()).toEqual(['TimeZone=UTC', 'default_transaction_read_only=on', 'search_path=bi']);
    expect(await sqlState(() => bi.query(`CREATE TEMP TABLE scratch (x int)`))).toBe(READ_ONLY_TRANSACTION);
  });

  it('a temporary table it makes (read-only turned off) reads nothing it could not read before', async () => {
    await bi.query(`BEGIN READ WRITE`);
    try {
      expect(await sqlState(() => bi.query(`CREATE TEMP TABLE scratch AS SELECT email FROM public.leads`))).toBe(PERMISSION_DENIED);
      await bi.query(`ROLLBACK`);
      await bi.query(`BEGIN READ WRITE`);
      // a temporary object cannot shadow a bi view: bi.leads is named by schema, and pg_temp comes first only for tables
      await bi.query(`CREATE TEMP TABLE leads (email text)`);
      await bi.query(`INSERT INTO leads VALUES ('planted@x.test')`);
      const { rows } = await bi.query<{ email: string }>(`SELECT email FROM bi.leads`);
      expect(rows.map((r) => r.email)).toEqual([expect.stringMatching(/^redacted-/)]);
    } finally {
      await bi.query(`ROLLBACK`);
    }
  });

  it('sees no hidden row through a function of its own (views that hide rows are security barriers)', async () => {
    await db.sql(`INSERT INTO import_jobs (state, format, mode, created_by, created_by_role) VALUES ('UPLOADING', 'csv', 'CREATE', 'key:x', 'ADMIN'), ('QUEUED', 'csv', 'CREATE', 'key:x', 'ADMIN')`);
    const seen: string[] = [];
    const listen = (n: { message?: string }) => seen.push(n.message ?? '');
    bi.on('notice', listen);
    await bi.query(`BEGIN READ WRITE`);
    try {
      // a "free" function, which the planner would run before the view's own filter if it could
      await bi.query(`CREATE FUNCTION pg_temp.peek(text) RETURNS boolean LANGUAGE plpgsql COST 0.000001 AS $$ BEGIN RAISE NOTICE 'saw %', $1; RETURN true; END $$`);
      const { rows } = await bi.query<{ state: string }>(`SELECT state FROM bi.import_jobs WHERE pg_temp.peek(state)`);
      expect(rows).toEqual([{ state: 'QUEUED' }]);
      await bi.query(`SELECT kind FROM bi.import_job_files WHERE pg_temp.peek(kind)`);
      expect(seen).toEqual(['saw QUEUED']);
      // and on a masked column it sees the masked value only, never the stored one
      await bi.query(`SELECT 1 FROM bi.leads WHERE pg_temp.peek(email) AND pg_temp.peek(first_name)`);
      // (in whichever order the planner calls them)
      expect(seen.slice(1).sort()).toEqual(['saw [redacted]', expect.stringMatching(/^saw redacted-[0-9a-f]{16}@example\.invalid$/)]);
    } finally {
      await bi.query(`ROLLBACK`);
      bi.off('notice', listen);
      await db.sql(`DELETE FROM import_jobs`);
    }
  });

  it('cannot call functions that read personal data, nor hash emails of its choosing', async () => {
    // functions of the public schema run with the caller's rights: the tables stay closed, the
    // bodies' own names resolved in public as they would be for the API
    await bi.query(`SET search_path = public`);
    await bi.query(`SET default_transaction_read_only = off`);
    try {
      for (const statement of [
        `SELECT * FROM public.qualification_lines(1, ARRAY[1]::bigint[], now())`,
        `SELECT public.qualification_policy_at(now())`,
        `SELECT public.attribution_cache_rebuild()`,
        `SELECT public.campaign_activity_rebuild()`,
      ]) {
        expect([statement, await sqlState(() => bi.query(statement))]).toEqual([statement, PERMISSION_DENIED]);
      }
    } finally {
      await bi.query(`RESET search_path; RESET default_transaction_read_only`);
    }
    // no function of ours computes a pseudonym (the views compute it inline from a key it cannot read);
    // the only SECURITY DEFINER functions are bi's metric functions, run as bi's owner (aggregates, no key)
    const revealing = await db.sql<{ f: string }>(
      `SELECT p.oid::regprocedure::text AS f FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE n.nspname IN ('public', 'bi') AND p.proname <> 'pseudonym_key_pads'
         AND ((p.prosecdef AND NOT (n.nspname = 'bi' AND p.proowner = n.nspowner)) OR p.prosrc ILIKE '%pseudonym_key%')`,
    );
    expect(revealing).toEqual([]);
    // the key's trigger function is no way in either: it is a trigger, not callable
    expect(await sqlState(() => bi.query(`SELECT public.pseudonym_key_pads()`))).toBe('0A000');
  });

  it('has no privilege beyond reading bi (PostgreSQL\'s own checks over every table, schema and function)', async () => {
    expect(await privilegesBeyondBi(db.ds, role)).toEqual([]);
    // the check itself sees a leak when there is one
    await db.sql(`GRANT SELECT ON public.leads TO "${role}"`);
    try {
      expect(await privilegesBeyondBi(db.ds, role)).toEqual(['SELECT on public.leads']);
    } finally {
      await db.sql(`REVOKE SELECT ON public.leads FROM "${role}"`);
    }
  });

  it('gets nothing from a view a superuser makes outside bi, nor from one a superuser puts in bi', async () => {
    await db.sql(`CREATE VIEW public.leads_leak AS SELECT email FROM public.leads`);
    await db.sql(`CREATE VIEW bi.leads_leak AS SELECT email FROM public.leads`);
    try {
      expect(await sqlState(() => bi.query(`SELECT * FROM public.leads_leak`))).toBe(PERMISSION_DENIED);
      expect(await sqlState(() => bi.query(`SELECT * FROM bi.leads_leak`))).toBe(PERMISSION_DENIED);
    } finally {
      await db.sql(`DROP VIEW public.leads_leak, bi.leads_leak`);
    }
  });

  it('reads a view the bi owner adds later (default privileges), and only through it', async () => {
    const setup = await biSetupOf(db.ds);
    await db.ds.transaction(async (tx) => {
      await tx.query(`SET LOCAL ROLE "${setup.owner}"`);
      await tx.query(`CREATE VIEW bi.lead_count AS SELECT count(*)::int AS leads FROM public.leads`);
    });
    try {
      expect((await bi.query(`SELECT leads FROM bi.lead_count`)).rows).toEqual([{ leads: 1 }]);
    } finally {
      await db.sql(`DROP VIEW bi.lead_count`);
    }
  });

  it('lists, rotates and drops logins of this database only, with typed errors', async () => {
    const other = await logins.create('other');
    const names = (await listBiLogins(db.ds)).map((l) => l.name);
    expect(names).toEqual(expect.arrayContaining([other.name]));
    expect((await listBiLogins(db.ds)).find((l) => l.name === other.name)).toMatchObject({ role: other.role, connections: 0 });
    const before = await db.sql<{ p: string }>(`SELECT rolpassword AS p FROM pg_authid WHERE rolname = $1`, [other.role]);
    const rotated = await rotateBiLogin(db.ds, other.name);
    expect(rotated.password).not.toBe(other.password);
    const after = await db.sql<{ p: string }>(`SELECT rolpassword AS p FROM pg_authid WHERE rolname = $1`, [other.role]);
    expect(after[0]!.p).not.toBe(before[0]!.p);
    await expect(createBiLogin(db.ds, other.name)).rejects.toMatchObject({ code: 'EXISTS' });
    await expect(createBiLogin(db.ds, 'Bad-Name')).rejects.toMatchObject({ code: 'BAD_NAME' });
    await expect(createBiLogin(db.ds, 'x'.repeat(27))).rejects.toMatchObject({ code: 'BAD_NAME' });
    await expect(dropBiLogin(db.ds, 'nosuchlogin')).rejects.toBeInstanceOf(BiRoleError);
    await expect(rotateBiLogin(db.ds, 'nosuchlogin')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await dropBiLogin(db.ds, other.name)).toBe(other.role);
    expect(await db.sql(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [other.role])).toEqual([]);
    // a role that is no BI login is never dropped by the CLI
    await expect(dropBiLogin(db.ds, 'postgres')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses a login that PUBLIC grants would give more (and makes nothing)', async () => {
    await db.sql(`GRANT CREATE ON SCHEMA public TO PUBLIC`);
    try {
      await expect(createBiLogin(db.ds, 'leaky')).rejects.toMatchObject({ code: 'LEAK', message: expect.stringContaining('CREATE in schema public') });
      const setup = await biSetupOf(db.ds);
      expect(await db.sql(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [`${setup.loginPrefix}leaky`])).toEqual([]);
    } finally {
      await db.sql(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
    }
  });
});

describe('the password of a BI login', () => {
  let db: TestDatabase;
  const role = `ra_bi_ra_test_${runId()}_scramcheck`; // the run's teardown would find it
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.sql(`DROP ROLE IF EXISTS "${role}"`);
    await db?.drop();
  });

  it('is sent as the SCRAM-SHA-256 verifier PostgreSQL itself computes for it', async () => {
    await db.ds.transaction(async (tx) => {
      await tx.query(`SET LOCAL password_encryption = 'scram-sha-256'`);
      await tx.query(`CREATE ROLE "${role}" NOLOGIN PASSWORD 'pencil'`);
    });
    const [{ p }] = (await db.sql<{ p: string }>(`SELECT rolpassword AS p FROM pg_authid WHERE rolname = $1`, [role])) as [{ p: string }];
    const match = /^SCRAM-SHA-256\$(\d+):([^$]+)\$/.exec(p);
    expect(match).not.toBeNull();
    expect(scramVerifier('pencil', Buffer.from(match![2]!, 'base64'), Number(match![1]))).toBe(p);
    // and PostgreSQL keeps a verifier it is given as it is (it does not hash it as a password)
    const ours = scramVerifier('another');
    await db.sql(`ALTER ROLE "${role}" PASSWORD '${ours}'`);
    expect(await db.sql(`SELECT rolpassword AS p FROM pg_authid WHERE rolname = $1`, [role])).toEqual([{ p: ours }]);
  });
});
