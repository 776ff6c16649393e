import { Client } from 'pg';
import { runBiRoleCommand } from '../../src/bi/bi-role.command';
import { biSetupOf } from '../../src/bi/bi-roles';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { BiLogins } from './bi-support';

describe('npm run bi-role', () => {
  let db: TestDatabase;
  let logins: BiLogins;
  const name = `cli${process.pid}`;

  /** Runs one command against this file's database: its exit code and what it printed. */
  async function run(...args: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await runBiRoleCommand(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, async () => ({ ds: db.ds, close: async () => undefined }));
    return { code, stdout, stderr };
  }

  beforeAll(async () => {
    delete process.env.PII_PSEUDONYM_KEY; // sync-key is refused without it
    db = await createTestDatabase();
    logins = new BiLogins(db);
    logins.track(`${(await biSetupOf(db.ds)).loginPrefix}${name}`);
  });
  afterAll(async () => {
    await logins?.dropAll();
    await db?.drop();
  });

  it('creates a login, prints its password and a connection string once, and that string connects to bi', async () => {
    const created = await run('create', '--name', name);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const url = /^connection string: (\S+)$/m.exec(created.stdout)?.[1];
    const password = /^password: (\S+)$/m.exec(created.stdout)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const parsed = new URL(url!);
    expect([parsed.protocol, decodeURIComponent(parsed.password), parsed.pathname]).toEqual(['postgresql:', password, new URL(db.url).pathname]);
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      expect((await client.query(`SELECT current_user AS me, count(*)::int AS n FROM bi.accounts`)).rows).toEqual([{ me: parsed.username, n: 0 }]);
    } finally {
      await client.end();
    }
    const listed = await run('list');
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { name: string })).toContainEqual(expect.objectContaining({ name }));
  });

  it('rotates the password and drops the login', async () => {
    const rotated = await run('rotate', '--name', name);
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/^new password for BI login \S+; the password is shown only this once:\npassword: \S{32}\n/);
    expect(await run('drop', '--name', name)).toEqual({ code: 0, stdout: expect.stringMatching(/^dropped BI login /), stderr: '' });
    expect(await run('drop', '--name', name)).toEqual({ code: 1, stdout: '', stderr: expect.stringMatching(/^NOT_FOUND: no BI login /) });
  });

  it.each([
    [['create'], 'create needs --name NAME'],
    [['create', '--name', 'Meta-Base'], 'BAD_NAME: --name must be'],
    [['explode'], 'usage:'],
    [['create', '--name', 'x', '--superuser'], "Unknown option '--superuser'"],
    [['sync-key'], 'sync-key: PII_PSEUDONYM_KEY is not set'],
  ])('refuses %j with a clear message and exit code 2', async (args, message) => {
    const result = await run(...args);
    expect([result.code, result.stdout]).toEqual([2, '']);
    expect(result.stderr).toContain(message);
  });
});
