import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

/** A server the bench started as a child process (ours or PostGraphile). */
export interface ServerProcess {
  child: ChildProcess;
  baseUrl: string;
  /** Peak resident set size so far (VmHWM), in bytes; null when it cannot be read. */
  peakRssBytes(): number | null;
  /** SIGTERM, then SIGKILL after 20 s; resolves when the process is gone. */
  stop(): Promise<void>;
}

export interface SpawnOptions {
  script: string;
  env: Record<string, string>;
  port: number;
  /** Where the child's stdout and stderr go. */
  logFile: string;
  /** An IPC channel to the child (PostGraphile's statement count). */
  ipc?: boolean;
  /** Resolves true once the server answers. */
  ready(baseUrl: string): Promise<boolean>;
  readyTimeoutMs?: number;
}

function peakRss(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    if (match) return Number(match[1]) * 1024;
  } catch {
    // no /proc (macOS): the current RSS from ps is the best we have
  }
  try {
    const rssKb = Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim());
    return Number.isFinite(rssKb) ? rssKb * 1024 : null;
  } catch {
    return null;
  }
}

let serverHeapMb: number | null = null;

/** The old generation of every server of ours the run starts: `mb` MB (npm start's budget, or `--server-heap`); null: Node's own sizing. */
export function setServerHeap(mb: number | null): void {
  serverHeapMb = mb;
}

/** Node's options for that budget (none for Node's own sizing): the import scenario's process runs under it too. */
export function serverHeapOptions(): string[] {
  return serverHeapMb ? [`--max-old-space-size=${serverHeapMb}`] : [];
}

/**
 * The environment of our server as the bench runs it: as deployed (`NODE_ENV=production`:
 * graphql-js and grafast skip their development checks), no demo data, its own port on
 * 127.0.0.1, every limit of loadConfig() on, the rate limit set out of the bench's reach.
 */
export function ourServerEnv(databaseUrl: string, port: number, rateLimitPerMinute: number): Record<string, string> {
  return {
    // the run's memory budget (npm start's, or --server-heap), or none: Node's own sizing, from the machine's memory
    ...(serverHeapMb ? { NODE_OPTIONS: `--max-old-space-size=${serverHeapMb}` } : {}),
    DATABASE_URL: databaseUrl,
    DATABASE_READ_URL: '',
    NODE_ENV: 'production',
    SEED_DEMO: 'false',
    PORT: String(port),
    HOST: '127.0.0.1',
    RATE_LIMIT_PER_MINUTE: String(rateLimitPerMinute),
  };
}

/** Starts `node <script>` with `env` added to ours and waits until `ready` says yes. */
export async function spawnServer(options: SpawnOptions): Promise<ServerProcess> {
  const log = openSync(options.logFile, 'a');
  const child = spawn(process.execPath, [options.script], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', log, log, ...(options.ipc ? (['ipc'] as const) : [])],
  });
  closeSync(log);
  const baseUrl = `http://127.0.0.1:${options.port}`;
  let exited: number | string | null = null;
  const gone = new Promise<void>((ok) =>
    child.once('exit', (code, signal) => {
      exited = code ?? signal ?? 'unknown';
      ok();
    }),
  );
  const stop = async () => {
    if (exited !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await gone;
    clearTimeout(timer);
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
  for (;;) {
    if (exited !== null) throw new Error(`${options.script} exited (${String(exited)}) before it was ready; see ${options.logFile}`);
    if (await options.ready(baseUrl).catch(() => false)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${options.script} was not ready in time; see ${options.logFile}`);
    }
    await new Promise((ok) => setTimeout(ok, 200));
  }
  return { child, baseUrl, peakRssBytes: () => peakRss(child.pid), stop };
}

/** Ready when GET /health answers 200 (our server). */
export async function healthy(baseUrl: string): Promise<boolean> {
  const response = await fetch(`${baseUrl}/health`);
  await response.text();
  return response.ok;
}

/** Ready when a trivial GraphQL query answers 200 (PostGraphile). */
export async function answersGraphQL(baseUrl: string): Promise<boolean> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  await response.text();
  return response.ok;
}

/** Asks the PostGraphile child how many SQL statements it has sent so far. */
export function askStatementCount(server: ServerProcess): Promise<number> {
  return new Promise((ok, fail) => {
    const { child } = server;
    const timer = setTimeout(() => fail(new Error('PostGraphile did not say its statement count')), 5000);
    child.once('message', (message: unknown) => {
      clearTimeout(timer);
      ok((message as { statements?: number }).statements ?? Number.NaN);
    });
    child.send('statements');
  });
}
