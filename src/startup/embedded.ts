import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { EmbeddedPostgresError, EmbeddedServer, startEmbeddedPostgres } from '../db/embedded-postgres';
import { claimDataFolder, folderHolder, heldMessage } from './data-folder';
import { displayPath } from './paths';
import { ensurePortFree } from './port';
import { StartupError } from './startup-error';

/**
 * The embedded PostgreSQL of `npm start`: its port checked, the data folder claimed (an
 * orphaned server of an API that was killed is stopped first; a folder a live process uses is
 * refused), then started. Every failure is a StartupError of one line.
 */
export async function startServiceDatabase(options: { dataDir: string; port: number; logger: Logger }): Promise<EmbeddedServer> {
  const { logger } = options;
  const dataDir = displayPath(options.dataDir);
  await claimDataFolder(resolve(options.dataDir), (message, fields) => logger.warn({ ...fields, dataDir }, message));
  await ensurePortFree(options.port, '127.0.0.1', 'EMBEDDED_PG_PORT');
  try {
    return await startEmbeddedPostgres({
      dataDir: options.dataDir,
      port: options.port,
      persistent: true,
      onLog: (line) => logger.debug({ postgres: line.trim() }),
    });
  } catch (error) {
    throw explainStartFailure(error, options.dataDir, options.port);
  }
}

/** PostgreSQL's reason for not starting, as one line that says what to do. */
export function explainStartFailure(error: unknown, dataDir: string, port: number): Error {
  if (!(error instanceof EmbeddedPostgresError)) return error instanceof Error ? error : new Error(String(error));
  const shown = displayPath(dataDir);
  if (error.reason === 'folder-in-use') {
    // another start won the race for the folder
    const holder = folderHolder(resolve(dataDir));
    if (holder.kind === 'held') return new StartupError(heldMessage(shown, holder));
    return new StartupError(`the data folder ${shown} is in use (${error.fatal}): stop the process that uses it, or set EMBEDDED_PG_DIR to another folder`);
  }
  if (error.reason === 'port-in-use') {
    return new StartupError(`the embedded PostgreSQL could not listen on port ${port} (${error.fatal}): set EMBEDDED_PG_PORT to a free port, or to 0 for any`);
  }
  return new StartupError(`${error.message.replace(resolve(dataDir), shown)} (LOG_LEVEL=debug shows its whole log)`);
}
