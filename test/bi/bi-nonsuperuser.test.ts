import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { BiSchema1732790000000, biRoleNames } from '../../migrations/1732790000000-bi-schema';
import { createBiLogin, dropBiLogin, listBiLogins } from '../../src/bi/bi-roles';
import { connectAndMigrate } from '../../src/db/data-source';
import { runId, sqlState } from './bi-support';

/**
 * A deployment whose database user is no superuser but may create roles (CREATEROLE), and owns
 * its database: the migrations, the BI logins and the way back down all work as that user.
 */
describe('the bi schema migrated by a CREATEROLE user that is no superuser', () => {
  const adminUrl = () => process.env.TEST_ADMIN_DATABASE_URL as string;
  // named so the run's teardown would find them (test/helpers/global-teardown.ts) if this file could not drop them
  const database = `ra_test_${runId()}_nonsuper${randomBytes(3).toString('hex')}`;
  const migrator = `ra_bi_ra_test_${runId()}_migrator${randomBytes(3).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  let names: ReturnType<typeof biRoleNames>;
  let ds: DataSource | undefined;

  const asAdmin = async (statements: string[]) => {
    const admin = new Client({ connectionString: adminUrl() });
    await admin.connect();
    try {
      for (const statement of statements) await admin.query(statement);
    } finally {
      await admin.end();
    }
  };
  const urlAs = (user: string, secret: string) => {
    const url = new URL(adminUrl());
    url.username = user;
    url.password = secret;
    url.pathname = `/${database}`;
    return url.toString();
  };

  beforeAll(async () => {
    await asAdmin([`CREATE ROLE "${migrator}" LOGIN CREATEROLE PASSWORD '${password}'`, `CREATE DATABASE "${database}" OWNER "${migrator}"`]);
    const admin = new Client({ connectionString: adminUrl() });
    await admin.connect();
    const { rows } = await admin.query<{ md5: string }>(`SELECT md5($1) AS md5`, [database]);
    await admin.end();
    names = biRoleNames(database, rows[0]!.md5);
    ({ ds } = await connectAndMigrate({ url: urlAs(migrator, password), poolSize: 2 }));
  });
  afterAll(async () => {
    await ds?.destroy();
    await asAdmin([
      `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`,
      ...[`${names?.loginPrefix}tool`, names?.reader, names?.owner, migrator].filter(Boolean).map((role) => `DROP ROLE IF EXISTS "${role}"`),
    ]);
  });

  it('makes the owner and reader roles, and a login that reads bi and no table', async () => {
    expect(await ds!.query(`SELECT owner_role, reader_role FROM bi_settings`)).toEqual([{ owner_role: names.owner, reader_role: names.reader }]);
    expect(await ds!.query(`SELECT viewowner FROM pg_views WHERE schemaname = 'bi' AND viewname = 'leads'`)).toEqual([{ viewowner: names.owner }]);
    const login = await createBiLogin(ds!, 'tool');
    expect((await listBiLogins(ds!)).map((l) => l.role)).toEqual([login.role]);
    const client = new Client({ connectionString: urlAs(login.role, login.password) });
    await client.connect();
    try {
      expect((await client.query(`SELECT count(*)::int AS n FROM bi.leads`)).rows).toEqual([{ n: 0 }]);
      expect(await sqlState(() => client.query(`SELECT * FROM public.leads`))).toBe('42501');
    } finally {
      await client.end();
    }
    await dropBiLogin(ds!, 'tool');
    expect(await ds!.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [login.role])).toEqual([]);
  });

  it('goes down and up again as that user', async () => {
    await createBiLogin(ds!, 'tool');
    const after = MIGRATIONS.length - MIGRATIONS.indexOf(BiSchema1732790000000);
    for (let i = 0; i < after; i++) await ds!.undoLastMigration({ transaction: 'each' });
    expect(await ds!.query(`SELECT rolname FROM pg_roles WHERE rolname IN ($1, $2, $3)`, [names.owner, names.reader, `${names.loginPrefix}tool`])).toEqual([]);
    await ds!.runMigrations({ transaction: 'each' });
    expect(await ds!.query(`SELECT count(*)::int AS n FROM pg_views WHERE schemaname = 'bi'`)).toEqual([{ n: expect.any(Number) }]);
    expect(await ds!.query(`SELECT reader_role FROM bi_settings`)).toEqual([{ reader_role: names.reader }]);
  });
});
