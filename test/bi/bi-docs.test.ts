import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'pg';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { BiLogins } from './bi-support';

/** Every ```sql block of docs/bi.md, its `:last_seen` placeholders filled. */
const EXAMPLES = [...readFileSync(join(__dirname, '../../docs/bi.md'), 'utf8').matchAll(/```sql\n([\s\S]*?)```/g)].map((m) =>
  m[1]!.replace(/:last_seen/g, `'2026-01-01T00:00:00Z'::timestamptz`),
);

describe('the SQL examples of docs/bi.md', () => {
  let db: TestDatabase;
  let logins: BiLogins;
  let bi: Client;
  beforeAll(async () => {
    db = await createTestDatabase();
    logins = new BiLogins(db);
    bi = await logins.connect(await logins.create('docs'));
  });
  afterAll(async () => {
    await logins?.dropAll();
    await db?.drop();
  });

  it('are there', () => {
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(8);
  });

  it.each(EXAMPLES.map((sql) => [sql.split('\n')[0], sql]))('run as a BI login: %s', async (_first, sql) => {
    await expect(bi.query(sql)).resolves.toBeDefined();
  });
});
