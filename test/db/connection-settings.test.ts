import { createTestDatabase, TestDatabase } from '../helpers/db';

describe('connection settings of the API', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('turns JIT compilation off on every connection of the pool, whatever the server default', async () => {
    // several connections at once: each is a new session that must carry the setting
    const answers = await Promise.all(Array.from({ length: 4 }, () => db.ds.query(`SELECT current_setting('jit') AS jit, pg_sleep(0.05)`)));
    expect(answers.map((rows: { jit: string }[]) => rows[0]!.jit)).toEqual(['off', 'off', 'off', 'off']);
  });
});
