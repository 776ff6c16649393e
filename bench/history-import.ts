import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { findFreePort } from '../src/db/embedded-postgres';
import { Role } from '../src/auth/roles';
import type { ImportKind } from '../src/imports/engine';
import { writeDemoCsv } from '../src/seed/demo-csv';
import type { DemoSizeOption } from '../src/seed/load-demo';
import { BenchDatabase, ExtraDatabase, issueBenchKey, migrate } from './database';
import { countRows, DERIVED_TABLES, METRIC_LABEL, MetricAnswer, metricAnswer, TableCount, tableOf } from './history-checks';
import { HttpRun, importBundleOverHttp, KindRun } from './history-http';
import { healthy, ourServerEnv, ServerProcess, spawnServer } from './server-process';

/**
 * The history import: the whole demo history of the run's size written as a CSV bundle by
 * the generator, imported through the two doors users have, each into a fresh, empty, migrated
 * database: the CLI (`node dist/src/imports/import.cli.js --bundle <dir> --json`, a process of
 * its own), run twice (the second must leave every row unchanged), and HTTP (`POST /imports`,
 * one multipart bundle, to our server started on the other database). Then each table's rows
 * are checked against what the generator wrote, and one metric is compared between the two and
 * with the demo the bench loaded by COPY from the same seed (asked before any scenario wrote to it).
 */

export interface HistoryFile {
  kind: ImportKind;
  rows: number;
  bytes: number;
}

export interface CliRun {
  kinds: KindRun[];
  rows: number;
  /** The kinds' own times summed (the CLI's figures: from opening a file to its last commit). */
  ms: number;
  rowsPerSecond: number;
  /** The child process's wall time: Node's start, connecting and the migration check included. */
  processMs: number;
  /** The importing process's peak RSS (maxrss) at its end. */
  peakRssBytes: number | null;
  exitCode: number | null;
  /** The first failed row the CLI reported (stderr). */
  firstError: string | null;
}

/** Which doors the history goes through: both (CLI twice, then HTTP), or the CLI once (the load of size L). */
export type HistoryDoors = 'all' | 'cli';

export interface HistoryImportFigures {
  /** Absent in older reports: all. */
  doors?: HistoryDoors;
  files: HistoryFile[];
  rows: number;
  bytes: number;
  /** The generator writing the bundle. */
  writeMs: number;
  cli: CliRun | null;
  /** The same bundle through the CLI again: every row must come out unchanged. */
  cliAgain: CliRun | null;
  http: HttpRun | null;
  tables: TableCount[];
  metric: {
    label: string;
    cli: Omit<MetricAnswer, 'canonical'> | null;
    http: Omit<MetricAnswer, 'canonical'> | null;
    /** Null when either side could not be asked. */
    cliEqualsHttp: boolean | null;
    /**
     * The same answer in every door's database as in the demo the run loaded by COPY, asked right
     * after that load (before any scenario wrote to it): the same seed, size and anchor, so the
     * same rows. Null when that answer was not taken.
     */
    equalsCopyLoad: boolean | null;
  };
  /** What went wrong: each is an error of the run. */
  problems: string[];
}

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'src', 'imports', 'import.cli.js');
const DOOR_TIMEOUT_MS = 60 * 60_000;

/** Processes of this scenario still running (stopped by the bench's Ctrl-C). */
const running = new Set<{ stop(): Promise<void> | void }>();

export async function stopHistoryProcesses(): Promise<void> {
  await Promise.allSettled([...running].map((p) => p.stop()));
}

const mb = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(1)} MB`;
const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function parseKindLine(line: string): KindRun | null {
  if (!line.startsWith('{')) return null;
  const r = JSON.parse(line) as { kind: ImportKind; processed: number; created: number; updated: number; unchanged: number; failed: number; ms: number; rowsPerSecond: number; peakRssBytes: number };
  const { processed, created, updated, unchanged, failed } = r;
  return { kind: r.kind, ms: r.ms, rowsPerSecond: r.rowsPerSecond, counts: { processed, created, updated, unchanged, failed }, peakRssBytes: r.peakRssBytes };
}

/** Runs the import CLI on the bundle into `url`, as `npm run import -- --bundle <dir> --json` does; its stderr goes to `logFile`. */
async function importWithCli(dir: string, url: string, logFile: string, log: (line: string) => void): Promise<CliRun> {
  const started = performance.now();
  const out = openSync(logFile, 'a');
  const child: ChildProcess = spawn(process.execPath, [CLI, '--bundle', dir, '--json'], {
    env: { ...process.env, DATABASE_URL: url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const handle = { stop: () => void child.kill('SIGTERM') };
  running.add(handle);
  const timer = setTimeout(() => child.kill('SIGTERM'), DOOR_TIMEOUT_MS);
  const kinds: KindRun[] = [];
  let firstError: string | null = null;
  const stdout = createInterface({ input: child.stdout! });
  stdout.on('line', (line) => {
    writeSync(out, `${line}\n`);
    const run = parseKindLine(line);
    if (!run) return;
    kinds.push(run);
    const c = run.counts;
    log(`  ${run.kind}: ${c.processed} rows (${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, ${c.failed} failed) in ${sec(run.ms)}, ${run.rowsPerSecond} rows/s`);
  });
  createInterface({ input: child.stderr! }).on('line', (line) => {
    writeSync(out, `${line}\n`);
    firstError ??= line.slice(0, 300);
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((ok) => child.once('close', (c, s) => ok([c, s])));
  clearTimeout(timer);
  running.delete(handle);
  closeSync(out);
  // 0: done, 2: done with failed rows (counted below); anything else: the import did not run through
  if (code !== 0 && code !== 2) throw new Error(`the import CLI exited with ${code ?? signal}${firstError ? `: ${firstError}` : ''} (log: ${logFile})`);
  const rows = kinds.reduce((n, k) => n + k.counts.processed, 0);
  const ms = kinds.reduce((n, k) => n + k.ms, 0);
  return {
    kinds,
    rows,
    ms,
    rowsPerSecond: Math.round(rows / (Math.max(ms, 1) / 1000)),
    processMs: Math.round(performance.now() - started),
    peakRssBytes: kinds.at(-1)?.peakRssBytes ?? null,
    exitCode: code,
    firstError,
  };
}

/** Every file imported whole: each row processed, none failed (`again`: each unchanged, the re-import is a no-op). */
function checkDoor(door: string, files: HistoryFile[], runs: KindRun[], again: boolean): string[] {
  const problems: string[] = [];
  for (const file of files) {
    const run = runs.find((r) => r.kind === file.kind);
    if (!run) {
      problems.push(`${door}: no result for ${file.kind}.csv`);
      continue;
    }
    const c = run.counts;
    if (c.processed !== file.rows) problems.push(`${door}: ${file.kind} processed ${c.processed} of the ${file.rows} rows written`);
    if (c.failed > 0) problems.push(`${door}: ${file.kind}: ${c.failed} rows failed`);
    if (again && c.unchanged !== c.processed) {
      problems.push(`${door}: not a no-op: ${file.kind} ${c.created} created, ${c.updated} updated, ${c.failed} failed of ${c.processed}`);
    }
  }
  return problems;
}

async function stopServer(held: { server?: ServerProcess }): Promise<void> {
  const server = held.server;
  if (!server) return;
  delete held.server;
  running.delete(server);
  await server.stop();
}

export interface HistoryImportOptions {
  db: BenchDatabase;
  size: DemoSizeOption;
  work: string;
  rateLimitPerMinute: number;
  log: (line: string) => void;
  /** Default all. */
  doors?: HistoryDoors;
  /** The metric of the demo loaded by COPY, asked before any scenario wrote to it (each door's answer must equal it). */
  loaded?: MetricAnswer;
}

export async function historyImportScenario(options: HistoryImportOptions): Promise<HistoryImportFigures> {
  const { db, size, work, log } = options;
  const doors = options.doors ?? 'all';
  const dir = join(work, 'history');
  const started = performance.now();
  const written = await writeDemoCsv(dir, { size });
  const writeMs = Math.round(performance.now() - started);
  const files: HistoryFile[] = Object.entries(written).map(([kind, rows]) => ({ kind: kind as ImportKind, rows, bytes: statSync(join(dir, `${kind}.csv`)).size }));
  const figures: HistoryImportFigures = {
    doors,
    files,
    rows: files.reduce((n, f) => n + f.rows, 0),
    bytes: files.reduce((n, f) => n + f.bytes, 0),
    writeMs,
    cli: null,
    cliAgain: null,
    http: null,
    tables: [],
    metric: { label: METRIC_LABEL, cli: null, http: null, cliEqualsHttp: null, equalsCopyLoad: null },
    problems: [],
  };
  const problems = figures.problems;
  /** Runs one step; what goes wrong in it is a problem of the scenario, and the next steps still run. */
  const attempt = async (what: string, step: () => Promise<void>) => {
    try {
      await step();
    } catch (error) {
      problems.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  log(`history import: wrote the ${figures.rows} rows of ${files.length} files (${mb(figures.bytes)}) in ${sec(writeMs)}`);
  let cliDb: ExtraDatabase | undefined;
  let httpDb: ExtraDatabase | undefined;
  /** Our server on the HTTP door's database while it runs. */
  const held: { server?: ServerProcess } = {};
  try {
    cliDb = await db.another('history_cli');
    await migrate(cliDb.url);
    const cliUrl = cliDb.url;
    await attempt('CLI', async () => {
      log('history import: npm run import -- --bundle <dir> --json into a fresh database');
      const cli = await importWithCli(dir, cliUrl, join(work, 'history-cli.log'), log);
      figures.cli = cli;
      log(`  ${cli.rows} rows in ${sec(cli.ms)} (process ${sec(cli.processMs)}): ${cli.rowsPerSecond} rows/s; importer peak RSS ${cli.peakRssBytes === null ? '—' : mb(cli.peakRssBytes)}`);
      problems.push(...checkDoor('CLI', files, cli.kinds, false));
      if (cli.firstError && cli.kinds.some((k) => k.counts.failed > 0)) problems.push(`CLI: first failed row: ${cli.firstError}`);
      if (doors === 'cli') return;
      log('history import: the same bundle through the CLI again');
      const again = await importWithCli(dir, cliUrl, join(work, 'history-cli-again.log'), log);
      figures.cliAgain = again;
      log(`  ${again.rows} rows in ${sec(again.ms)}: ${again.rowsPerSecond} rows/s`);
      problems.push(...checkDoor('CLI again', files, again.kinds, true));
    });

    /** The doors that ran, each with the database it filled. */
    const filled: { door: string; url: string }[] = [{ door: 'the CLI', url: cliUrl }];
    if (doors === 'all') {
      httpDb = await db.another('history_http');
      const httpUrl = httpDb.url;
      await attempt('HTTP', async () => {
        const secret = await issueBenchKey(httpUrl, Role.ADMIN, 'bench-history'); // migrates the database first
        const port = await findFreePort();
        const logFile = join(work, 'history-server.log');
        log(`history import: POST /imports (one multipart bundle) to our server on a fresh database, port ${port} (log: ${logFile})`);
        const server = await spawnServer({ script: join(ROOT, 'dist', 'src', 'main.js'), env: ourServerEnv(httpUrl, port, options.rateLimitPerMinute), port, logFile, ready: healthy });
        held.server = server;
        running.add(server);
        const run = await importBundleOverHttp(server.baseUrl, secret, dir, files.map((f) => f.kind), DOOR_TIMEOUT_MS);
        const http: HttpRun = { ...run, serverPeakRssBytes: server.peakRssBytes() };
        figures.http = http;
        for (const k of http.kinds) log(`  ${k.kind}: ${k.counts.processed} rows (${k.counts.created} created, ${k.counts.failed} failed) in ${sec(k.ms)}`);
        log(`  job ${http.state} after ${sec(http.ms)} (upload ${sec(http.uploadMs)}, job ${http.jobMs === null ? '—' : sec(http.jobMs)}): ` +
          `${http.rowsPerSecond} rows/s; server peak RSS ${http.serverPeakRssBytes === null ? '—' : mb(http.serverPeakRssBytes)}`);
        if (http.state !== 'DONE') problems.push(`HTTP: the job ended ${http.state}${http.message ? `: ${http.message}` : ''}`);
        problems.push(...checkDoor('HTTP', files, http.kinds, false));
        if (http.firstError) problems.push(`HTTP: first failed row: ${http.firstError}`);
      });
      await stopServer(held);
      filled.push({ door: 'HTTP', url: httpUrl });
    }

    await attempt('row counts', async () => {
      const tables = [...files.map((f) => tableOf(f.kind)), ...DERIVED_TABLES];
      const counts = await Promise.all(filled.map((d) => countRows(d.url, tables)));
      figures.tables = tables.map((table) => {
        const file = files.find((f) => tableOf(f.kind) === table);
        return { table, kind: file?.kind ?? null, written: file?.rows ?? null, cli: counts[0]?.get(table) ?? null, http: counts[1]?.get(table) ?? null };
      });
      for (const t of figures.tables) {
        const found = counts.map((c) => c.get(t.table));
        const after = filled.map((d, i) => `${found[i]} after ${d.door}`).join(', ');
        // a kind's table holds what was written; a derived one, the same in every door's database
        if (t.written !== null && found.some((n) => n !== t.written)) problems.push(`rows of ${t.table}: ${t.written} written, ${after}`);
        if (t.written === null && new Set(found).size > 1) problems.push(`rows of ${t.table}: ${after}`);
      }
      log(`history import: rows per table (written / ${filled.map((d) => d.door).join(' / ')}): ` +
        figures.tables.map((t) => `${t.table} ${[t.written ?? '-', ...counts.map((c) => c.get(t.table))].join('/')}`).join(', '));
    });
    await attempt(METRIC_LABEL, async () => {
      const answers = await Promise.all(filled.map((d) => metricAnswer(d.url)));
      const [cli, http] = answers as [MetricAnswer, MetricAnswer | undefined];
      const figuresOf = ({ canonical: _, ...rest }: MetricAnswer) => rest;
      const loaded = options.loaded;
      const asLoaded = loaded ? answers.map((a) => a.canonical === loaded.canonical) : null;
      const sameAsLoaded = asLoaded ? asLoaded.every(Boolean) : null;
      figures.metric = {
        label: METRIC_LABEL,
        cli: figuresOf(cli),
        http: http ? figuresOf(http) : null,
        cliEqualsHttp: http ? cli.canonical === http.canonical : null,
        equalsCopyLoad: sameAsLoaded,
      };
      log(`history import: ${METRIC_LABEL}: total revenue ${filled.map((d, i) => `${answers[i]?.totalRevenue} (${d.door})`).join(', ')} over ${cli.campaigns} campaigns; ` +
        (loaded ? `${loaded.totalRevenue} in the demo as loaded by COPY: ${sameAsLoaded ? 'the same answer' : 'DIFFERENT'}` : 'not compared with the demo loaded by COPY'));
      if (http && cli.canonical !== http.canonical) problems.push(`${METRIC_LABEL} differs between the CLI's and HTTP's databases (total revenue ${cli.totalRevenue} and ${http.totalRevenue})`);
      for (const [i, same] of (asLoaded ?? []).entries()) {
        if (!same) problems.push(`${METRIC_LABEL} after ${filled[i]?.door} is not the demo's as loaded by COPY (total revenue ${answers[i]?.totalRevenue} and ${loaded?.totalRevenue})`);
      }
    });
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
  } finally {
    await stopServer(held).catch(() => undefined);
    await cliDb?.drop().catch((error: unknown) => log(`could not drop the CLI's history database: ${String(error)}`));
    await httpDb?.drop().catch((error: unknown) => log(`could not drop the HTTP history database: ${String(error)}`));
    // the bundle is the generator's: `node dist/src/seed/seed.cli.js --csv <dir> --size ...` writes it again
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}
