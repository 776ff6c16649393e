import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createDataSource } from '../../src/db/data-source';

export interface TestDatabase {
  url: string;
  ds: DataSource;
  /** Runs SQL and returns its rows (fixtures and assertions). */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through jest (test/helpers/global-setup.ts)`);
  return value;
}

/** A fresh, migrated database of its own (a clone of the run's template), for one test file. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = env('TEST_ADMIN_DATABASE_URL');
  const template = env('TEST_TEMPLATE_DATABASE');
  // the run's pid is in the template's name; the teardown drops every database with that prefix
  const name = `${template.replace('ra_template_', 'ra_test_')}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  await admin.end();
  const parsed = new URL(adminUrl);
  parsed.pathname = `/${name}`;
  const url = parsed.toString();
  const ds = createDataSource({ url, poolSize: 5 });
  await ds.initialize();
  return {
    url,
    ds,
    sql: (text, params) => ds.query(text, params),
    async drop() {
      await ds.destroy();
      const client = new Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
