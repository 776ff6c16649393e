import 'reflect-metadata';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { createLogger } from './common/logger';
import { loadConfig } from './config';
import { connectAndMigrate, createDataSource } from './db/data-source';
import { EmbeddedServer, startEmbeddedPostgres } from './db/embedded-postgres';
import { createApp } from './http/server';
import { ensureAttributionCache } from './seed/derived-data';
import { withPgClient } from './seed/load-demo';
import { demoKeysFile, ensureDemoKeys, revokeDemoKeys, seedDemoIfEmpty } from './seed/seed-on-start';

/** npm start: database (embedded unless DATABASE_URL), migrations, demo data, then the API. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  let embedded: EmbeddedServer | null = null;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres({
      dataDir: config.embeddedDataDir,
      port: config.embeddedPort,
      persistent: true,
      onLog: (line) => logger.debug({ postgres: line.trim() }),
    });
    url = embedded.url;
    logger.info({ port: embedded.port, dataDir: config.embeddedDataDir }, 'embedded PostgreSQL started');
  }
  let ds: DataSource | null = null;
  let readDs: DataSource | null = null;
  const stopDatabase = async () => {
    await readDs?.destroy().catch(() => undefined);
    await ds?.destroy().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
  };
  try {
    const connected = await connectAndMigrate({ url, statementTimeoutMs: config.limits.statementTimeoutMs });
    ds = connected.ds;
    if (connected.applied.length) logger.info({ migrations: connected.applied }, 'migrations applied');
    if (config.seedDemo) await seedDemoIfEmpty(ds, config, logger);
    // demo keys belong to the embedded demo: anywhere else none may work
    const demo = config.seedDemo && embedded !== null;
    if (!demo) {
      const revoked = await revokeDemoKeys(ds);
      if (revoked) logger.warn({ revoked }, 'revoked the demo API keys an earlier demo start had issued (this is not the embedded demo)');
      if (config.seedDemo) logger.info('demo data only: create API keys with `npm run apikey -- create --role ADMIN`');
    }
    if (config.databaseReadUrl) {
      readDs = createDataSource({ url: config.databaseReadUrl, statementTimeoutMs: config.limits.statementTimeoutMs, applicationName: 'revenue-alignment-api-reader' });
      await readDs.initialize();
      logger.info('reads go to the replica of DATABASE_READ_URL');
    }
    ensureAttributionCacheInBackground(ds, logger);
    const app = await createApp({ ds, readDs: readDs ?? undefined, config, logger });
    await new Promise<void>((ok) => app.http.listen(config.port, config.host, ok));
    logger.info(`API ready at http://localhost:${config.port}/graphql`);
    if (demo) {
      const file = demoKeysFile(config.embeddedDataDir);
      const { keys, issued } = await ensureDemoKeys(ds, file);
      const lines = Object.entries(keys).map(([role, secret]) => `  ${role.padEnd(12)} ${secret}`);
      const fresh = issued.length === 0 ? '' : issued.length === lines.length ? ' (new)' : ` (new at this start: ${issued.join(', ')})`;
      process.stderr.write(
        `\nDemo API keys${fresh}, kept in ${file} and the same at every start; send "Authorization: Bearer <key>":\n${lines.join('\n')}\n\n` +
          `Try: curl -s localhost:${config.port}/graphql -H 'content-type: application/json' \\\n` +
          `       -H 'authorization: Bearer ${keys.EXECUTIVE}' -d '{"query":"{ accounts(first: 3) { totalCount edges { node { name } } } }"}'\n\n`,
      );
    }

    let stopping = false;
    const shutdown = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down: draining requests');
      const force = setTimeout(() => {
        logger.error('shutdown took longer than 15 s; exiting');
        process.exit(1);
      }, 15_000);
      force.unref();
      await app.stop();
      await stopDatabase();
      logger.info('stopped');
      process.exit(0);
    };
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      // embedded-postgres installs an exit hook that stops the database at once on these
      // signals; ours drains the requests first and stops the database last
      process.removeAllListeners(signal);
      process.on(signal, () => void shutdown(signal));
    }
  } catch (error) {
    logger.fatal({ err: error }, 'start-up failed');
    await stopDatabase();
    process.exit(1);
  }
}

/** Builds the attribution cache if it is not ready; reports answer from the touches meanwhile. */
function ensureAttributionCacheInBackground(ds: DataSource, logger: Logger): void {
  const started = Date.now();
  withPgClient(ds, (client) => ensureAttributionCache(client))
    .then((built) => {
      if (built) logger.info({ ms: Date.now() - started }, 'attribution cache built');
    })
    .catch((error: unknown) => logger.error({ err: error }, 'attribution cache not built; reports read the touches'));
}

void main();
