import { rmSync } from 'node:fs';
import { Client } from 'pg';
import { builtServiceDir } from './built-service';
import type { RunGlobals } from './global-setup';

/**
 * Leaves nothing of the run behind: the build of the service its child-process tests ran; on the embedded PostgreSQL, the server is stopped and its
 * scratch folder deleted; on a shared server (DATABASE_URL), every database this run made is dropped, and the roles named after them.
 */
export default async function globalTeardown(): Promise<void> {
  const run = globalThis as RunGlobals;
  // the run's build of the service for child-process tests (test/helpers/built-service.ts)
  rmSync(builtServiceDir(), { recursive: true, force: true });
  // the run's web build for the browser tests (test/web/browser.ts)
  rmSync(`${builtServiceDir()}-web`, { recursive: true, force: true });
  const server = run.__EMBEDDED_PG__;
  const scratch = run.__TEST_SCRATCH__;
  run.__EMBEDDED_PG__ = undefined;
  run.__TEST_SCRATCH__ = undefined;
  if (server || scratch) {
    try {
      await server?.stop();
    } finally {
      if (scratch) rmSync(scratch, { recursive: true, force: true });
    }
    return;
  }
  const adminUrl = process.env.TEST_ADMIN_DATABASE_URL;
  if (!adminUrl) return;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname = $2`,
      [`ra_test_${process.pid}_%`, process.env.TEST_TEMPLATE_DATABASE],
    );
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    // roles are cluster-wide: the bi schema's roles are named after the run's databases
    // (migrations/1732790000000-bi-schema.ts), BI logins the tests made too; their databases are gone
    const { rows: roles } = await admin.query<{ rolname: string }>(
      `SELECT rolname FROM pg_roles WHERE rolname ~ ('^ra_bi_(owner_|reader_)?ra_(template|test)_' || $1 || '(_|$)')`,
      [String(process.pid)],
    );
    for (const { rolname } of roles) await admin.query(`DROP ROLE IF EXISTS "${rolname}"`).catch(() => undefined);
  } finally {
    await admin.end();
  }
}
