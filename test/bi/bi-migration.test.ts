import { Client } from 'pg';
import { MIGRATIONS } from '../../migrations';
import { BiSchema1732790000000, biRoleNames } from '../../migrations/1732790000000-bi-schema';
import { biSetupOf, createBiLogin } from '../../src/bi/bi-roles';
import { createTestDatabase, TestDatabase } from '../helpers/db';

const BI_OBJECTS = `
  SELECT (SELECT count(*)::int FROM pg_namespace WHERE nspname = 'bi') AS schemas,
         (SELECT count(*)::int FROM pg_tables WHERE schemaname = 'public' AND tablename IN ('deleted_rows', 'pseudonym_key', 'bi_settings')) AS tables,
         (SELECT count(*)::int FROM pg_trigger WHERE tgname LIKE '%\\_deleted') AS triggers`;

describe('the bi migration, down and up', () => {
  let db: TestDatabase;
  let own: ReturnType<typeof biRoleNames>;
  const login = 'migrated';
  const roles = (prefix: string) => db.sql<{ rolname: string }>(`SELECT rolname FROM pg_roles WHERE starts_with(rolname, $1) ORDER BY 1`, [prefix]);

  beforeAll(async () => {
    db = await createTestDatabase();
    const [me] = await db.sql<{ name: string; md5: string }>(`SELECT current_database() AS name, md5(current_database()) AS md5`);
    own = biRoleNames(me!.name, me!.md5);
  });
  afterAll(async () => {
    await db?.drop();
    // the roles named after this database (cluster-wide): gone with it
    const server = new Client({ connectionString: process.env.TEST_ADMIN_DATABASE_URL });
    await server.connect();
    try {
      for (const role of [`${own.loginPrefix}${login}`, own.reader, own.owner]) await server.query(`DROP ROLE IF EXISTS "${role}"`);
    } finally {
      await server.end();
    }
  });

  const undoThroughBi = async () => {
    const after = MIGRATIONS.length - MIGRATIONS.indexOf(BiSchema1732790000000);
    for (let i = 0; i < after; i++) await db.ds.undoLastMigration({ transaction: 'each' });
  };

  it('leaves nothing of bi in the database, and keeps the roles the template database still uses', async () => {
    const template = await biSetupOf(db.ds);
    expect(template.owner).not.toBe(own.owner); // a clone: its views are owned by the template's roles
    await undoThroughBi();
    expect(await db.sql(BI_OBJECTS)).toEqual([{ schemas: 0, tables: 0, triggers: 0 }]);
    expect((await db.sql(`SELECT rolname FROM pg_roles WHERE rolname IN ($1, $2) ORDER BY 1`, [template.owner, template.reader])).length).toBe(2);
    await db.ds.runMigrations({ transaction: 'each' });
  });

  it('migrated here, makes roles named after this database, and down drops them and its logins', async () => {
    const setup = await biSetupOf(db.ds);
    expect(setup).toEqual({ owner: own.owner, reader: own.reader, loginPrefix: own.loginPrefix });
    expect((await roles(own.loginPrefix)).length + (await db.sql(`SELECT 1 FROM pg_roles WHERE rolname IN ($1, $2)`, [own.owner, own.reader])).length).toBe(2);
    const made = await createBiLogin(db.ds, login);
    const url = new URL(db.url);
    url.username = made.role;
    url.password = made.password;
    const client = new Client({ connectionString: url.toString() });
    await client.connect();
    expect((await client.query(`SELECT count(*)::int AS n FROM bi.campaigns`)).rows).toEqual([{ n: 0 }]);
    await client.end();

    await undoThroughBi();
    expect(await db.sql(BI_OBJECTS)).toEqual([{ schemas: 0, tables: 0, triggers: 0 }]);
    expect(await db.sql(`SELECT rolname FROM pg_roles WHERE rolname IN ($1, $2, $3)`, [made.role, own.owner, own.reader])).toEqual([]);

    await db.ds.runMigrations({ transaction: 'each' });
    expect(await db.sql(BI_OBJECTS)).toEqual([{ schemas: 1, tables: 3, triggers: 9 }]);
  });

  it('names roles after the database, shortened with a hash past 30 characters', () => {
    expect(biRoleNames('revenue', 'ff'.repeat(16))).toEqual({ owner: 'ra_bi_owner_revenue', reader: 'ra_bi_reader_revenue', loginPrefix: 'ra_bi_revenue_' });
    const long = biRoleNames('Revenue-Alignment production (EU west)', '0123456789abcdef0123456789abcdef');
    expect(long.loginPrefix).toBe('ra_bi_revenue_alignment_pro_01234567_');
    expect(`${long.loginPrefix}${'x'.repeat(26)}`.length).toBeLessThanOrEqual(63);
  });
});
