import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startScriptNodeOptions } from '../../src/startup/start-command';
import { ROOT, transpile } from '../helpers/built-service';

export { ROOT, transpile };

/*
 * The service as `npm start` runs it (node with npm start's options, dist/src/main.js), in a child process, for tests of
 * process-level behaviour: start-up failures, kill -9, the embedded PostgreSQL's watchdog.
 * The build transpiles each file the entry imports (as tsc -p tsconfig.build.json does, without
 * the type check) into a folder of its own, so a build elsewhere in the tree cannot hand the
 * test half-written files, and it takes a second or two instead of a full tsc run.
 */

/** A build of src/main.js in a temporary folder; `remove()` deletes it. */
export function buildService(): { main: string; dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'ra-startup-build-'));
  try {
    transpile(['src/main.ts'], dir);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return { main: join(dir, 'src/main.js'), dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface ServiceProcess {
  child: ChildProcess;
  pid: number;
  /** Everything it wrote so far. */
  stdout(): string;
  stderr(): string;
  /** The JSON log lines on stdout. */
  logs(): { level: number; msg: string; [field: string]: unknown }[];
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Waits until `predicate` holds or the process exits; fails after `timeoutMs`. */
  waitFor(what: string, predicate: () => boolean, timeoutMs?: number): Promise<void>;
  /** Kills it (SIGKILL) if it still runs, and waits for the exit. */
  kill(): Promise<void>;
}

/** Starts `node <npm start's options> <main>` with the environment given on top of a clean one (no DATABASE_URL unless given). */
export function startService(main: string, env: Record<string, string>, options: { preload?: string } = {}): ServiceProcess {
  const base: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    // the test run's own settings must not leak into the service
    if (value !== undefined && !/^(DATABASE_URL|DATABASE_READ_URL|SEED_DEMO|NODE_ENV|PORT|HOST|EMBEDDED_PG_|TEST_|JEST_)/.test(name)) base[name] = value;
  }
  const args = [...startScriptNodeOptions(ROOT), ...(options.preload ? ['-r', options.preload, main] : [main])];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...base, HOST: '127.0.0.1', LOG_LEVEL: 'info', RATE_LIMIT_PER_MINUTE: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok) => child.on('exit', (code, signal) => ok({ code, signal })));
  const logs = () =>
    out
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; msg: string });
  return {
    child,
    pid: child.pid!,
    stdout: () => out,
    stderr: () => err,
    logs,
    exited,
    async waitFor(what, predicate, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate()) {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`the service exited (${child.exitCode ?? child.signalCode}) before ${what}:\n${out}\n${err}`);
        }
        if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms:\n${out}\n${err}`);
        await new Promise((ok) => setTimeout(ok, 50));
      }
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** The pid of the postmaster running on `dataDir`, from its postmaster.pid (undefined when none). */
export function postmasterPid(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a process runs (a zombie does not count). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true;
  }
}

/** Waits until the process is gone; false after `timeoutMs`. */
export async function gone(pid: number, timeoutMs = 20_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((ok) => setTimeout(ok, 50));
  }
  return true;
}

/** GET or POST to the service; never throws (status 0 when nothing answers). */
export async function call(port: number, path: string, body?: unknown, key?: string): Promise<{ status: number; json: unknown }> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    let json: unknown = text;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: response.status, json };
  } catch {
    return { status: 0, json: null };
  }
}
