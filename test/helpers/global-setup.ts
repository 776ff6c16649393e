import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { connectAndMigrate } from '../../src/db/data-source';
import { EmbeddedServer, startEmbeddedPostgres } from '../../src/db/embedded-postgres';
import { commandLine, isAlive, waitForExit } from '../../src/startup/processes';
import globalTeardown from './global-teardown';

/** Scratch folders of the runs on the embedded PostgreSQL: `<tmpdir>/ra-test-pg-XXXXXX/{owner.json,data}`. */
export const SCRATCH_PREFIX = 'ra-test-pg-';
/** `{ "pid": <the jest process> }`: a folder whose run is gone may be removed by the next run. */
export const OWNER_FILE = 'owner.json';

export interface RunGlobals {
  __EMBEDDED_PG__?: EmbeddedServer;
  __TEST_SCRATCH__?: string;
}

/**
 * One PostgreSQL for the whole run: the server named by DATABASE_URL, or a throw-away
 * embedded one. The schema is migrated once into a template database; each test file
 * clones it (test/helpers/db.ts), so files never see each other's rows. The teardown removes
 * the run's scratch folder, server and databases; folders of earlier runs that were killed
 * before their teardown are removed here.
 */
export default async function globalSetup(): Promise<void> {
  const run = globalThis as RunGlobals;
  // every operation of the suite runs compiled by graphql-jit from its first run (workers inherit the environment)
  process.env.GRAPHQL_JIT_AFTER_RUNS ??= '1';
  let adminUrl = process.env.DATABASE_URL;
  try {
    if (!adminUrl) {
      await removeStaleScratchFolders();
      const scratch = mkdtempSync(join(tmpdir(), SCRATCH_PREFIX));
      run.__TEST_SCRATCH__ = scratch;
      writeFileSync(join(scratch, OWNER_FILE), JSON.stringify({ pid: process.pid }));
      chmodSync(scratch, 0o755); // the server may run as its own OS user when we are root
      const server = await startEmbeddedPostgres({ dataDir: join(scratch, 'data'), persistent: false });
      run.__EMBEDDED_PG__ = server;
      adminUrl = server.url;
    }
    const template = `ra_template_${process.pid}`;
    process.env.TEST_ADMIN_DATABASE_URL = adminUrl;
    process.env.TEST_TEMPLATE_DATABASE = template;
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${template}`);
      await admin.query(`CREATE DATABASE ${template}`);
    } finally {
      await admin.end();
    }
    const { ds } = await connectAndMigrate({ url: withDatabase(adminUrl, template) });
    await ds.destroy();
  } catch (error) {
    // jest runs no teardown after a failed setup: leave nothing behind
    await globalTeardown().catch(() => undefined);
    throw error;
  }
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

function ownerOf(folder: string): number | undefined {
  try {
    const pid = Number((JSON.parse(readFileSync(join(folder, OWNER_FILE), 'utf8')) as { pid?: unknown }).pid);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Stops a PostgreSQL still running on `dataDir` (its run was killed), and waits until it is gone. */
async function stopServerOn(dataDir: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return;
  }
  if (!isAlive(pid) || !commandLine(pid)?.includes(dataDir)) return;
  process.kill(pid, 'SIGINT');
  if (!(await waitForExit(pid, 10_000))) process.kill(pid, 'SIGKILL');
  await waitForExit(pid, 5_000);
}

/**
 * Removes the scratch folders of runs that ended without their teardown (killed, interrupted):
 * those whose owner process is gone. A folder without an owner file (written by an older
 * version of this setup) is removed once nothing runs on it and it has not changed for 10 minutes.
 */
export async function removeStaleScratchFolders(): Promise<void> {
  const root = tmpdir();
  let names: string[];
  try {
    names = readdirSync(root).filter((name) => name.startsWith(SCRATCH_PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const folder = join(root, name);
    try {
      const owner = ownerOf(folder);
      if (owner !== undefined) {
        if (isAlive(owner)) continue;
      } else {
        const postmaster = join(folder, 'data', 'postmaster.pid');
        let running = false;
        try {
          running = isAlive(Number(readFileSync(postmaster, 'utf8').split('\n')[0]));
        } catch {
          // no server on it
        }
        if (running || Date.now() - statSync(folder).mtimeMs < 10 * 60_000) continue;
      }
      await stopServerOn(join(folder, 'data'));
      rmSync(folder, { recursive: true, force: true });
    } catch {
      // another run's folder we may not touch, or one removed meanwhile
    }
  }
}
