/**
 * (h) Every touchpoint exported over HTTP (GET /export/touchpoints.<format>): the rows per
 * second of a whole export and what it costs the server in memory. The export walks the list
 * page by page (MAX_PAGE_SIZE rows each, the cursor between), so the server's resident memory
 * must stay flat however many rows there are: at size M, 1M touchpoints.
 *
 * Hooked into `npm run bench` after the flood (bench/run.ts). On its own, on a fresh database:
 *   npm run build && node dist/bench/export-scenario.js [--size S|M|L|<accounts>] [--format csv|jsonl|parquet]
 */
import 'reflect-metadata';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { findFreePort } from '../src/db/embedded-postgres';
import { DemoSizeOption, parseDemoSize } from '../src/seed/load-demo';
import { createBenchDatabase, issueBenchKey, migrateAndLoad } from './database';
import type { ScenarioFigures } from './report';
import { healthy, ourServerEnv, ServerProcess, spawnServer } from './server-process';

export type ExportFormatName = 'csv' | 'jsonl' | 'parquet';

export interface ExportFigures {
  format: ExportFormatName;
  /** Data rows received (CSV and JSON lines: lines, less the header; Parquet: the database's count). */
  rows: number;
  /** Touchpoints in the database: what the export should have had. */
  expectedRows: number;
  bytes: number;
  seconds: number;
  rowsPerSecond: number;
  /** The server's resident memory just before the export, and the most seen while it ran (sampled every 100 ms). */
  serverRssBeforeBytes: number | null;
  serverRssPeakDuringBytes: number | null;
  /** Whether the transfer ended whole (its trailer) rather than cut off. */
  complete: boolean;
  error: string | null;
}

function currentRss(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

async function countTouchpoints(url: string): Promise<number> {
  const client = new Client({ connectionString: url, application_name: 'bench' });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>('SELECT count(*)::text AS n FROM touchpoints');
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

/** Downloads the whole export, counting rows and bytes as they arrive, sampling the server's RSS. */
export async function measureExport(server: ServerProcess, secret: string, databaseUrl: string, format: ExportFormatName = 'csv'): Promise<ExportFigures> {
  const expectedRows = await countTouchpoints(databaseUrl);
  const pid = server.child.pid;
  const before = currentRss(pid);
  let peak = before;
  const sampler = setInterval(() => {
    const rss = currentRss(pid);
    if (rss !== null && (peak === null || rss > peak)) peak = rss;
  }, 100);
  const started = process.hrtime.bigint();
  let bytes = 0;
  let newlines = 0;
  let complete = false;
  let error: string | null = null;
  try {
    const response = await fetch(`${server.baseUrl}/export/touchpoints.${format}`, { headers: { authorization: `Bearer ${secret}` } });
    if (response.status !== 200 || !response.body) throw new Error(`HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`);
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
      if (format !== 'parquet') for (const byte of value) if (byte === 10) newlines++;
    }
    complete = true;
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  } finally {
    clearInterval(sampler);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rows = format === 'csv' ? Math.max(0, newlines - 1) : format === 'jsonl' ? newlines : complete ? expectedRows : 0;
  if (!error && format !== 'parquet' && rows !== expectedRows) error = `received ${rows} rows, the database has ${expectedRows}`;
  return {
    format,
    rows,
    expectedRows,
    bytes,
    seconds: Math.round(seconds * 100) / 100,
    rowsPerSecond: seconds > 0 ? Math.round(rows / seconds) : 0,
    serverRssBeforeBytes: before,
    serverRssPeakDuringBytes: peak,
    complete,
    error,
  };
}

const mb = (bytes: number | null) => (bytes === null ? '?' : `${Math.round(bytes / 1048576)} MB`);

/** The export as a row of the bench's table (one request; its label carries rows/s and memory). */
export function exportScenarioFigures(f: ExportFigures, server: ServerProcess): ScenarioFigures {
  const ms = f.seconds * 1000;
  return {
    key: 'h-export',
    label: `(h) export of every touchpoint as ${f.format.toUpperCase()}: ${f.rows} rows, ${f.rowsPerSecond} rows/s, server RSS ${mb(f.serverRssBeforeBytes)} -> peak ${mb(f.serverRssPeakDuringBytes)}`,
    load: {
      requests: 1,
      requestsPerSecond: f.seconds > 0 ? Math.round((1 / f.seconds) * 100) / 100 : 0,
      p50Ms: ms,
      p95Ms: ms,
      p99Ms: ms,
      meanMs: ms,
      maxMs: ms,
      connections: 1,
      durationSec: f.seconds,
      errors: f.error ? 1 : 0,
      firstError: f.error,
    },
    statements: null,
    serverPeakRssAfterBytes: server.peakRssBytes(),
  };
}

/** Runs (h) alone: a fresh database of `size`, our server, one export, the figures as JSON. */
async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  let size: DemoSizeOption = 'S';
  let format: ExportFormatName = 'csv';
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--size') size = parseDemoSize(argv[++i] ?? '');
    else if (argv[i] === '--format') format = (argv[++i] ?? 'csv') as ExportFormatName;
    else throw new Error(`unknown argument ${argv[i]}: --size S|M|L|<accounts>, --format csv|jsonl|parquet`);
  }
  if (!['csv', 'jsonl', 'parquet'].includes(format)) throw new Error(`--format must be csv, jsonl or parquet`);
  const log = (line: string) => process.stderr.write(`[export bench] ${line}\n`);
  const db = await createBenchDatabase(log);
  const logFile = join(tmpdir(), `ra-export-bench-${process.pid}.log`);
  let server: ServerProcess | undefined;
  let failed = true;
  try {
    await migrateAndLoad(db.url, size, log);
    const secret = await issueBenchKey(db.url);
    const port = await findFreePort();
    server = await spawnServer({
      script: join(resolve(__dirname, '..', '..'), 'dist', 'src', 'main.js'),
      env: ourServerEnv(db.url, port, 10_000_000),
      port,
      logFile,
      ready: healthy,
    });
    const figures = await measureExport(server, secret, db.url, format);
    console.log(JSON.stringify(figures, null, 2));
    failed = figures.error !== null;
    return failed ? 1 : 0;
  } finally {
    await server?.stop().catch(() => undefined);
    await db.drop().catch(() => undefined);
    // the server's log is kept only when something went wrong
    if (failed) log(`the server's log: ${logFile}`);
    else rmSync(logFile, { force: true });
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : error);
      process.exit(1);
    },
  );
}
