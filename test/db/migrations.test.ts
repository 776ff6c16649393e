import { MIGRATIONS } from '../../migrations';
import { createTestDatabase, TestDatabase } from '../helpers/db';

/** Every table, function and trigger of the public schema, as one sorted list. */
const SCHEMA_OBJECTS = `
  SELECT array_agg(name ORDER BY name) AS names FROM (
    SELECT 'table ' || tablename AS name FROM pg_tables WHERE schemaname = 'public'
    UNION ALL SELECT 'function ' || p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
    UNION ALL SELECT 'trigger ' || tgname || ' on ' || tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal
  ) o`;

describe('migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('go down one by one to an empty schema and up again to the same schema', async () => {
    const [before] = await db.sql<{ names: string[] }>(SCHEMA_OBJECTS);
    expect(before!.names.length).toBeGreaterThan(30);
    for (let i = 0; i < MIGRATIONS.length; i++) await db.ds.undoLastMigration({ transaction: 'all' });
    const [empty] = await db.sql<{ names: string[] | null }>(SCHEMA_OBJECTS);
    // only TypeORM's own bookkeeping table is left
    expect(empty!.names).toEqual(['table schema_migrations']);
    await db.ds.runMigrations({ transaction: 'all' });
    const [after] = await db.sql<{ names: string[] }>(SCHEMA_OBJECTS);
    expect(after!.names).toEqual(before!.names);
  });
});
