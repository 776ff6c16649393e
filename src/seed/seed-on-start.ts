import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { issueApiKey } from '../auth/api-key.service';
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

/**
 * Demo mode: a fresh API key per role at every start (the previous demo keys are revoked),
 * printed once so the API can be tried at once.
 */
export async function issueDemoKeys(ds: DataSource): Promise<Record<Role, string>> {
  await ds.query(`UPDATE api_keys SET revoked_at = now() WHERE created_by = 'demo' AND revoked_at IS NULL`);
  const keys = {} as Record<Role, string>;
  for (const role of Object.values(Role)) {
    keys[role] = (await issueApiKey(ds, { name: `demo ${role.toLowerCase()}`, role, createdBy: 'demo' })).secret;
  }
  return keys;
}
