import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createBiLogin, CreatedLogin } from '../../src/bi/bi-roles';
import type { TestDatabase } from '../helpers/db';

/**
 * The run's id, as in its databases' names (`ra_template_<id>`, `ra_test_<id>_...`): a role named
 * `ra_bi_ra_test_<id>_...` is dropped by the run's teardown should its test file not get to it.
 */
export function runId(): string {
  const template = process.env.TEST_TEMPLATE_DATABASE;
  if (!template) throw new Error('TEST_TEMPLATE_DATABASE is not set: run the tests through jest');
  return template.replace('ra_template_', '');
}

/** BI logins of one test file, dropped at its end (afterAll), whatever the tests did. */
export class BiLogins {
  private readonly made: string[] = [];
  private readonly clients: Client[] = [];

  constructor(private readonly db: TestDatabase) {}

  /** A login with a name no other test file uses (roles are cluster-wide, files run in parallel). */
  async create(prefix = 't'): Promise<CreatedLogin & { name: string }> {
    const name = `${prefix}${randomBytes(5).toString('hex')}`;
    const login = await createBiLogin(this.db.ds, name);
    this.made.push(login.role);
    return { ...login, name };
  }

  /** Remembers a role made another way (the CLI), to be dropped at the end too. */
  track(role: string): void {
    this.made.push(role);
  }

  /** A connection as `login` to this file's database. */
  async connect(login: CreatedLogin): Promise<Client> {
    const url = new URL(this.db.url);
    url.username = login.role;
    url.password = login.password;
    const client = new Client({ connectionString: url.toString() });
    await client.connect();
    this.clients.push(client);
    return client;
  }

  async dropAll(): Promise<void> {
    for (const client of this.clients.splice(0)) await client.end().catch(() => undefined);
    for (const role of this.made.splice(0)) {
      await this.db.sql(`DROP OWNED BY "${role}"`).catch(() => undefined);
      await this.db.sql(`DROP ROLE IF EXISTS "${role}"`);
    }
  }
}

/** The SQLSTATE of what `run` fails with, or 'ok'. */
export async function sqlState(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return 'ok';
  } catch (error) {
    return String((error as { code?: unknown }).code ?? (error as Error).message);
  }
}
