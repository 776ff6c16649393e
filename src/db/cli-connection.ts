import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../config';
import { connectAndMigrate } from './data-source';
import { EmbeddedServer, startEmbeddedPostgres } from './embedded-postgres';

/**
 * The database a command-line tool should use: DATABASE_URL, or the embedded one of
 * `npm start` (reused while it runs, started for the command otherwise).
 */
export async function connectForCli(): Promise<{ ds: DataSource; close: () => Promise<void> }> {
  const config = loadConfig();
  let embedded: EmbeddedServer | null = null;
  let url = config.databaseUrl;
  if (!url) {
    const pidFile = resolve(config.embeddedDataDir, 'postmaster.pid');
    const runningPort = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[3]) : NaN;
    if (Number.isInteger(runningPort) && runningPort > 0) {
      url = `postgres://postgres:postgres@127.0.0.1:${runningPort}/postgres`;
    } else {
      embedded = await startEmbeddedPostgres({ dataDir: config.embeddedDataDir, port: config.embeddedPort, persistent: true });
      url = embedded.url;
    }
  }
  const { ds } = await connectAndMigrate({ url });
  return {
    ds,
    async close() {
      await ds.destroy();
      await embedded?.stop();
    },
  };
}
