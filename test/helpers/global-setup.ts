import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { connectAndMigrate } from '../../src/db/data-source';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres';

/**
 * One PostgreSQL for the whole run: the server named by DATABASE_URL, or a throw-away
 * embedded one. The schema is migrated once into a template database; each test file
 * clones it (test/helpers/db.ts), so files never see each other's rows.
 */
export default async function globalSetup(): Promise<void> {
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const scratch = mkdtempSync(join(tmpdir(), 'ra-test-pg-'));
    chmodSync(scratch, 0o755); // the server may run as its own OS user when we are root
    const server = await startEmbeddedPostgres({
      dataDir: join(scratch, 'data'),
      persistent: false,
    });
    (globalThis as { __EMBEDDED_PG__?: unknown }).__EMBEDDED_PG__ = server;
    adminUrl = server.url;
  }
  const template = `ra_template_${process.pid}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${template}`);
  await admin.query(`CREATE DATABASE ${template}`);
  await admin.end();
  const { ds } = await connectAndMigrate({ url: withDatabase(adminUrl, template) });
  await ds.destroy();
  process.env.TEST_ADMIN_DATABASE_URL = adminUrl;
  process.env.TEST_TEMPLATE_DATABASE = template;
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
