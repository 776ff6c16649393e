import 'reflect-metadata';
import { inspect } from 'node:util';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { createLogger } from './common/logger';
import { Config, loadConfig } from './config';
import { connectAndMigrate, createDataSource } from './db/data-source';
import type { EmbeddedServer } from './db/embedded-postgres';
import { oldGenerationLimitBytes } from './http/memory-guard';
import { App, createApp } from './http/server';
import { ensureAttributionCache } from './seed/derived-data';
import { withPgClient } from './seed/load-demo';
import { demoKeysFile, ensureDemoKeys, revokeDemoKeys, seedDemoIfEmpty } from './seed/seed-on-start';
import { startServiceDatabase } from './startup/embedded';
import { explainDatabaseError } from './startup/explain';
import { displayPath } from './startup/paths';
import { ensurePortFree, portProblem } from './startup/port';
import { StartupError } from './startup/startup-error';
import { watchEmbeddedPostgres } from './startup/watchdog';

/** What the running service holds, released in reverse order on the way out. */
interface Service {
  embedded: EmbeddedServer | null;
  ds: DataSource | null;
  readDs: DataSource | null;
  app: App | null;
}

const service: Service = { embedded: null, ds: null, readDs: null, app: null };

/** One line on stderr for whoever started the service: what is wrong and what to do. */
function tellOperator(line: string): void {
  process.stderr.write(`revenue-alignment-api: ${line}\n`);
}

/** Stops taking requests (`drain`: lets the running ones finish), closes the pools, stops the embedded PostgreSQL. */
async function release(drain: boolean): Promise<void> {
  const { app, readDs, ds, embedded } = service;
  service.app = service.readDs = service.ds = service.embedded = null;
  if (app) {
    const stopped = app.stop().catch(() => undefined);
    if (drain) await stopped;
    else await Promise.race([stopped, new Promise((ok) => setTimeout(ok, 2_000).unref())]);
  }
  await readDs?.destroy().catch(() => undefined);
  await ds?.destroy().catch(() => undefined);
  await embedded?.stop().catch(() => undefined);
}

let exiting = false;

/** Logs a failure the service cannot carry on after, releases what it holds and exits 1. */
async function die(logger: Logger | null, line: string, cause?: unknown): Promise<never> {
  if (exiting) process.exit(1);
  exiting = true;
  const force = setTimeout(() => process.exit(1), 10_000);
  force.unref();
  const fields = cause instanceof StartupError ? {} : cause instanceof Error ? { err: cause } : cause === undefined ? {} : { reason: inspect(cause) };
  logger?.fatal(fields, line);
  tellOperator(line);
  await release(false);
  process.exit(1);
}

/**
 * Unhandled rejections and uncaught exceptions are logged with their cause (a rejection without
 * an error says so) and end the process, as Node's default would, but after the database is stopped.
 */
function installProcessHandlers(logger: Logger): void {
  const describe = (cause: unknown, without: string) => (cause instanceof Error ? `${cause.name}: ${cause.message}` : `${inspect(cause)} (${without})`);
  process.on('unhandledRejection', (reason) =>
    void die(logger, `unhandled promise rejection: ${describe(reason, 'a promise was rejected with no error')}; exiting`, reason),
  );
  process.on('uncaughtException', (error) => void die(logger, `uncaught exception: ${describe(error, 'thrown, not an Error')}; exiting`, error));
}

/** The one line a start-up failure is reported with (an unexpected one's stack goes to the log). */
function startupFailureLine(error: unknown): string {
  if (error instanceof StartupError) return `start-up failed: ${error.message}`;
  const message = error instanceof Error ? error.message.split('\n')[0] : inspect(error);
  return `start-up failed: ${message} (the log has the details)`;
}

/** npm start: the API port, the database (embedded unless DATABASE_URL), migrations, demo data, then the API. */
async function start(config: Config, logger: Logger): Promise<void> {
  // before anything starts: a taken port is found in a moment, not after the demo is loaded
  await ensurePortFree(config.port, config.host, 'PORT');
  let url = config.databaseUrl;
  if (!url) {
    const embedded = await startServiceDatabase({ dataDir: config.embeddedDataDir, port: config.embeddedPort, logger });
    service.embedded = embedded;
    url = embedded.url;
    logger.info({ port: embedded.port, pid: embedded.pid(), dataDir: displayPath(config.embeddedDataDir) }, 'embedded PostgreSQL started');
  }
  let connected: Awaited<ReturnType<typeof connectAndMigrate>>;
  try {
    connected = await connectAndMigrate({
      url,
      poolSize: config.poolSize,
      statementTimeoutMs: config.limits.statementTimeoutMs,
      queryTimeoutMs: config.limits.queryTimeoutMs,
    });
  } catch (error) {
    throw explainDatabaseError(error, url, service.embedded ? 'the embedded PostgreSQL' : 'DATABASE_URL') ?? error;
  }
  const ds = connected.ds;
  service.ds = ds;
  if (connected.applied.length) logger.info({ migrations: connected.applied }, 'migrations applied');
  if (config.seedDemo) await seedDemoIfEmpty(ds, config, logger);
  // demo keys belong to the embedded demo: anywhere else none may work
  const demo = config.seedDemo && service.embedded !== null;
  if (!demo) {
    const revoked = await revokeDemoKeys(ds);
    if (revoked) logger.warn({ revoked }, 'revoked the demo API keys an earlier demo start had issued (this is not the embedded demo)');
    if (config.seedDemo) logger.info('demo data only: create API keys with `npm run apikey -- create --role ADMIN`');
  }
  if (config.databaseReadUrl) {
    const readDs = createDataSource({
      url: config.databaseReadUrl,
      poolSize: config.poolSize,
      statementTimeoutMs: config.limits.statementTimeoutMs,
      queryTimeoutMs: config.limits.queryTimeoutMs,
      applicationName: 'revenue-alignment-api-reader',
    });
    service.readDs = readDs;
    await readDs.initialize().catch((error: unknown) => {
      throw explainDatabaseError(error, config.databaseReadUrl!, 'DATABASE_READ_URL') ?? error;
    });
    logger.info('reads go to the replica of DATABASE_READ_URL');
  }
  ensureAttributionCacheInBackground(ds, logger);
  const app = await createApp({ ds, readDs: service.readDs ?? undefined, config, logger });
  service.app = app;
  await new Promise<void>((ok, fail) => {
    // taken since the check (another start won the race)
    const onError = (error: NodeJS.ErrnoException) => fail(portProblem(error, config.port, config.host, 'PORT'));
    app.http.once('error', onError);
    app.http.listen(config.port, config.host, () => {
      app.http.off('error', onError);
      ok();
    });
  });
  // the memory budget the guard holds the server to (npm start: --max-old-space-size=128; otherwise Node's own sizing)
  logger.info({ oldGenerationLimitMb: Math.round(oldGenerationLimitBytes() / 1024 ** 2) }, `API ready at http://localhost:${config.port}/graphql (the dashboard at http://localhost:${config.port}/, the GraphQL IDE at /graphql in a browser)`);
  if (service.embedded) {
    watchEmbeddedPostgres(service.embedded, {
      logger,
      onGiveUp: (line) => void die(logger, line),
    });
  }
  if (demo) {
    const file = demoKeysFile(config.embeddedDataDir);
    const { keys, issued } = await ensureDemoKeys(ds, file);
    const lines = Object.entries(keys).map(([role, secret]) => `  ${role.padEnd(12)} ${secret}`);
    const fresh = issued.length === 0 ? '' : issued.length === lines.length ? ' (new)' : ` (new at this start: ${issued.join(', ')})`;
    process.stderr.write(
      `\nDemo API keys${fresh}, kept in ${displayPath(file)} and the same at every start; send "Authorization: Bearer <key>":\n${lines.join('\n')}\n\n` +
        `Open http://localhost:${config.port}/ in a browser for the dashboard (sign in with a key), /graphql for the GraphQL IDE.\n` +
        `Try: curl -s localhost:${config.port}/graphql -H 'content-type: application/json' \\\n` +
        `       -H 'authorization: Bearer ${keys.EXECUTIVE}' -d '{"query":"{ accounts(first: 3) { totalCount edges { node { name } } } }"}'\n\n`,
    );
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

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    tellOperator(`start-up failed: ${error instanceof Error ? error.message : inspect(error)}`);
    process.exit(1);
  }
  const logger = createLogger(config.logLevel);
  installProcessHandlers(logger);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping || exiting) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining requests');
    const force = setTimeout(() => {
      logger.error('shutdown took longer than 15 s; exiting');
      process.exit(1);
    }, 15_000);
    force.unref();
    await release(true);
    logger.info('stopped');
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    // embedded-postgres installs an exit hook that stops the database at once on these
    // signals; ours drains the requests first and stops the database last
    process.removeAllListeners(signal);
    process.on(signal, () => void shutdown(signal));
  }

  try {
    await start(config, logger);
  } catch (error) {
    if (stopping) return; // a signal during start-up: shutdown() exits
    await die(logger, startupFailureLine(error), error);
  }
}

void main();
