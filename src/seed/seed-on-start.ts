import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { auditedOutsideRequest, hashApiKey, issueApiKey } from '../auth/api-key.service';
import { Role } from '../auth/roles';
import type { Config } from '../config';
import { isDatabaseEmpty, loadDemoDataWithDataSource, parseDemoSize, withPgClient } from './load-demo';

/** Loads the demo data set when the database holds no business data yet. */
export async function seedDemoIfEmpty(ds: DataSource, config: Config, logger: Logger): Promise<void> {
  if (!(await withPgClient(ds, (client) => isDatabaseEmpty(client)))) {
    logger.info('database already holds data; demo data not loaded');
    return;
  }
  logger.info({ size: config.demoSize }, 'loading demo data');
  const result = await loadDemoDataWithDataSource(ds, {
    size: parseDemoSize(config.demoSize),
    ...(process.env.DEMO_ANCHOR ? { anchor: process.env.DEMO_ANCHOR } : {}),
  });
  logger.info({ rows: result.rows, ms: result.ms, attributionCacheMs: result.cacheMs }, 'demo data loaded');
}

/** Where the embedded demo keeps its keys: beside its data folder (`.data/demo-keys.json`). */
export function demoKeysFile(embeddedDataDir: string): string {
  return join(dirname(resolve(embeddedDataDir)), 'demo-keys.json');
}

export interface DemoKeys {
  keys: Record<Role, string>;
  /** Roles whose key was issued at this start (first start, or the stored one no longer works). */
  issued: Role[];
}

function readStoredKeys(file: string): Partial<Record<Role, string>> {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { keys?: Record<string, unknown> };
    const stored: Partial<Record<Role, string>> = {};
    for (const role of Object.values(Role)) {
      const secret = parsed.keys?.[role];
      if (typeof secret === 'string') stored[role] = secret;
    }
    return stored;
  } catch {
    return {};
  }
}

/** Writes the file readable by its owner only (0600), replacing it in one step. */
function writeKeysFile(file: string, keys: Record<Role, string>): void {
  mkdirSync(dirname(file), { recursive: true });
  const body = {
    note: 'API keys of the embedded demo (npm start); the same at every start while they work. Delete the file for new ones.',
    keys,
  };
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, file);
}

/**
 * Demo mode: one API key per role, the same at every start so a key a newcomer saved keeps
 * working. The secrets are kept in `file` (mode 0600); a stored key that no longer works (it was
 * revoked, or the database was reset) is replaced by a new one, and every other demo key is revoked.
 */
export async function ensureDemoKeys(ds: DataSource, file: string): Promise<DemoKeys> {
  const stored = readStoredKeys(file);
  const keys = {} as Record<Role, string>;
  const issued: Role[] = [];
  for (const role of Object.values(Role)) {
    const secret = stored[role];
    if (secret) {
      const [row] = (await ds.query(
        `SELECT 1 FROM api_keys WHERE key_hash = $1 AND role = $2 AND created_by = 'demo' AND revoked_at IS NULL`,
        [hashApiKey(secret), role],
      )) as unknown[];
      if (row) {
        keys[role] = secret;
        continue;
      }
    }
    keys[role] = (await issueApiKey(ds, { name: `demo ${role.toLowerCase()}`, role, createdBy: 'demo' })).secret;
    issued.push(role);
  }
  // the demo keys are the ones in the file: any other (an earlier file's, a replaced one) goes
  await auditedOutsideRequest(ds, 'demo', 'revokeApiKey', (tx) =>
    tx.query(`UPDATE api_keys SET revoked_at = now() WHERE created_by = 'demo' AND revoked_at IS NULL AND NOT (key_hash = ANY($1::bytea[]))`, [
      Object.values(keys).map(hashApiKey),
    ]),
  );
  if (issued.length) writeKeysFile(file, keys);
  chmodSync(file, 0o600);
  return { keys, issued };
}

/**
 * Not the embedded demo (DATABASE_URL, production, SEED_DEMO=false): no demo key may work. Keys
 * an earlier demo start issued (and printed) are revoked; returns how many.
 */
export async function revokeDemoKeys(ds: DataSource): Promise<number> {
  const rows = await auditedOutsideRequest(ds, 'demo', 'revokeApiKey', (tx) =>
    tx.query(`UPDATE api_keys SET revoked_at = now() WHERE created_by = 'demo' AND revoked_at IS NULL`),
  );
  // typeorm answers an UPDATE with [rows, count]
  const [, count] = rows as [unknown[], number];
  return typeof count === 'number' ? count : 0;
}
