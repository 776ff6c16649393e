import { rmSync } from 'node:fs';
import { Client } from 'pg';
import type { EmbeddedServer } from '../../src/db/embedded-postgres';
import { builtServiceDir } from './built-service';

/** Drops every database this run made (on a shared server) and stops the embedded one. */
export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as { __EMBEDDED_PG__?: EmbeddedServer }).__EMBEDDED_PG__;
  const adminUrl = process.env.TEST_ADMIN_DATABASE_URL;
  rmSync(builtServiceDir(), { recursive: true, force: true }); // test/helpers/built-service.ts
  if (server) {
    await server.stop();
    return;
  }
  if (!adminUrl) return;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  const { rows } = await admin.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname = $2`,
    [`ra_test_${process.pid}_%`, process.env.TEST_TEMPLATE_DATABASE],
  );
  for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  await admin.end();
}
