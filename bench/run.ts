import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { findFreePort } from '../src/db/embedded-postgres';
import { oldSpaceFlagMb } from '../src/http/memory-guard';
import { startScriptNodeOptions } from '../src/startup/start-command';
import { DemoSizeOption, parseDemoSize } from '../src/seed/load-demo';
import { Role } from '../src/auth/roles';
import { createBenchDatabase, databaseSize, issueBenchKey, migrateAndLoad, sampleAccountIds, waitForIdleDatabase } from './database';
import { LoadSettings, loadScenario, startFlood } from './http-load';
import { METRIC_LABEL, MetricAnswer, metricAnswer } from './history-checks';
import { HistoryDoors, HistoryImportFigures, historyImportScenario, stopHistoryProcesses } from './history-import';
import { backtestScenario } from './backtest-scenario';
import { leadsByScoreScenario } from './leads-by-score-scenario';
import { EventProcessingFigures, eventProcessingScenario } from './event-processing-scenario';
import { exportScenarioFigures, measureExport } from './export-scenario';
import { intakeScenarioFigures, measureIntake } from './intake-scenario';
import { giveExternalIds, ImportFigures, importScenario } from './import-scenario';
import { BenchReport, evaluateTargets, markdownTable, ScenarioFigures } from './report';
import {
  accountProbeScenario,
  accountScenario,
  checkAnswer,
  floodRequests,
  MODELS,
  nestedScenario,
  performanceScenario,
  postgraphileAccountScenario,
  postgraphileNestedScenario,
  Scenario,
  timeSeriesScenario,
  walletScenario,
} from './scenarios';
import { answersGraphQL, askStatementCount, healthy, ourServerEnv, ServerProcess, setServerHeap, spawnServer } from './server-process';
import { captureStatements, directTiming, explainStatements, runDirect, StatementCapture } from './statements';

const USAGE = `npm run bench -- [--size S|M|L|<accounts>] [--smoke] [--duration <s>] [--explain] [--record] [--no-bulk|--bulk]

  --size      data set (default S: ~10k touchpoints; M: 10k accounts, 1M touchpoints;
              L: 100k accounts, 10M touchpoints, about 25 minutes and ~7 GB of disk)
  --smoke     CI: short runs, no timing assertions; exits non-zero when a scenario errors
  --duration  measured seconds per scenario (default 10)
  --explain   also write EXPLAIN (ANALYZE, BUFFERS) of the (c)-(e) statements beside the results
  --record    write the results into the tracked bench/results/ (to commit them); without it
              they go to bench/results/local/, which git ignores
  --no-bulk   leave out the export (h) and the touchpoint import, which move every row (the
              default at L; --bulk puts them back), and the history import unless --history
              or the size (L) says otherwise
  --history   the history import (the demo's whole history as a CSV bundle, into a fresh
              database): all = through the CLI twice and through HTTP (the default), cli =
              through the CLI once (the default at L: the load through the import path),
              none = left out (the default with --no-bulk at other sizes)
  --server-heap  our servers' old generation in MB (node --max-old-space-size); by default the
              memory budget npm start gives the server (package.json's start script); 0: Node's
              own sizing, from the machine's memory
  DATABASE_URL  run on that server (a fresh database, dropped at the end) instead of an embedded one`;

/** The memory budget (old generation, MB) package.json's start script gives the server: the bench runs it so. */
function startHeapMb(): number | null {
  return oldSpaceFlagMb(startScriptNodeOptions(ROOT));
}

/** The rate limit of the bench's server: a setting high enough not to throttle it, not a disabled limit. */
const RATE_LIMIT_PER_MINUTE = 10_000_000;
/** The statement timeout of the servers at size L (see main). */
const L_STATEMENT_TIMEOUT_MS = 120_000;
/** createDataSource's default pool; PostGraphile gets the same. */
const POOL_SIZE = 10;
const ROOT = resolve(__dirname, '..', '..');

interface Args {
  size: DemoSizeOption;
  smoke: boolean;
  durationSec: number;
  explain: boolean;
  record: boolean;
  /**
   * The steps that move every row (the export (h), the touchpoint import, the history import):
   * on by default, off by default at L, where they would take hours at M's measured rates.
   */
  bulk: boolean;
  history: HistoryDoors | 'none';
  /** --server-heap: our servers' old generation capped at this many MB (Node's --max-old-space-size); null: Node's default. */
  serverHeapMb: number | null;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { size: 'S', smoke: false, durationSec: 10, explain: false, record: false, bulk: true, history: 'all', serverHeapMb: startHeapMb() };
  let bulk: boolean | undefined;
  let history: Args['history'] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${flag} needs a value\n\n${USAGE}`);
      return next;
    };
    if (flag === '--size') args.size = parseDemoSize(value());
    else if (flag === '--smoke') args.smoke = true;
    else if (flag === '--duration') args.durationSec = Number(value());
    else if (flag === '--explain') args.explain = true;
    else if (flag === '--record') args.record = true;
    else if (flag === '--bulk') bulk = true;
    else if (flag === '--no-bulk') bulk = false;
    else if (flag === '--history') {
      const doors = value();
      if (doors !== 'all' && doors !== 'cli' && doors !== 'none') throw new Error(`--history is all, cli or none, not "${doors}"\n\n${USAGE}`);
      history = doors;
    }
    else if (flag === '--server-heap') {
      const mb = Number(value());
      if (!Number.isInteger(mb) || (mb !== 0 && mb < 64)) throw new Error(`--server-heap is a whole number of MB, at least 64 (or 0: Node's own sizing)\n\n${USAGE}`);
      args.serverHeapMb = mb || null;
    }
    else if (flag === '--help' || flag === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${flag}\n\n${USAGE}`);
  }
  args.bulk = bulk ?? args.size !== 'L';
  args.history = history ?? (args.size === 'L' ? 'cli' : args.bulk ? 'all' : 'none');
  if (!(args.durationSec > 0)) throw new Error('--duration must be a positive number of seconds');
  if (args.record && args.smoke) throw new Error('--record keeps figures to compare; a smoke run has none (leave out one of them)');
  return args;
}

function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

function settingsFor(args: Args): BenchReport['settings'] {
  if (args.smoke) {
    // every scenario by a number of whole requests: it completes on a slow or busy machine
    return {
      rateLimitPerMinute: RATE_LIMIT_PER_MINUTE,
      poolSize: POOL_SIZE,
      ...(args.serverHeapMb ? { serverHeapMb: args.serverHeapMb } : {}),
      throughput: { connections: 4, durationSec: 1, warmupSec: 0, minRequests: 20 },
      nested: { connections: 2, durationSec: 1, warmupSec: 0, minRequests: 4 },
      metrics: { connections: 1, durationSec: 1, warmupSec: 0, minRequests: 2 },
      directRuns: 2,
      flood: { probe: { connections: 2, durationSec: 1, warmupSec: 0 }, flooders: 2, rampSec: 1 },
    };
  }
  return {
    rateLimitPerMinute: RATE_LIMIT_PER_MINUTE,
    poolSize: POOL_SIZE,
    ...(args.serverHeapMb ? { serverHeapMb: args.serverHeapMb } : {}),
    throughput: { connections: 10, durationSec: args.durationSec, warmupSec: 3 },
    nested: { connections: 8, durationSec: args.durationSec, warmupSec: 3 },
    metrics: { connections: 1, durationSec: args.durationSec, warmupSec: 0, minRequests: 3 },
    directRuns: 8,
    flood: { probe: { connections: 2, durationSec: args.durationSec, warmupSec: 2 }, flooders: 4, rampSec: 3 },
  };
}

/** The commit of the working tree, and whether src/ or migrations/ differ from it. */
function gitState(): { commit: string; dirty: boolean } | null {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return { commit: git('rev-parse', 'HEAD'), dirty: git('status', '--porcelain', '--', 'src', 'migrations') !== '' };
  } catch {
    return null;
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '';
  }
}

/** The CPU time counters of /proc/stat (Linux): total and steal (time the hypervisor gave to other machines). */
function cpuTimes(): { total: number; steal: number } | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    return { total: fields.slice(0, 8).reduce((a, b) => a + b, 0), steal: fields[7] ?? 0 };
  } catch {
    return null;
  }
}

/** The share of CPU time stolen by the hypervisor between two readings (null off Linux). */
function stealShare(start: ReturnType<typeof cpuTimes>, end: ReturnType<typeof cpuTimes>): number | null {
  if (!start || !end || end.total <= start.total) return null;
  return (end.steal - start.steal) / (end.total - start.total);
}

async function vacuumAnalyze(url: string): Promise<void> {
  const client = new Client({ connectionString: url, application_name: 'bench' });
  await client.connect();
  try {
    await client.query('VACUUM (ANALYZE)');
  } finally {
    await client.end();
  }
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const settings = settingsFor(args);
  setServerHeap(args.serverHeapMb);
  const sizeName = typeof args.size === 'number' ? `n${args.size}` : String(args.size);
  // At L a 12-month report or backtest may run past the production statement timeout (15 s):
  // it is raised (for the in-process capture and our server, which inherits it) so that the
  // slowest are measured, not cut off
  if (args.size === 'L') process.env.STATEMENT_TIMEOUT_MS ??= String(L_STATEMENT_TIMEOUT_MS);
  const startedAt = new Date().toISOString();
  const loadAtStart = loadavg();
  const cpuAtStart = cpuTimes();
  const work = mkdtempSync(join(tmpdir(), 'ra-bench-'));
  const errors: string[] = [];
  const db = await createBenchDatabase(log);
  let server: ServerProcess | undefined;
  let postgraphile: ServerProcess | undefined;
  // Ctrl-C: stop the servers and drop the database before leaving (embedded-postgres's own
  // hook would stop the database at once and leave the servers running)
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal);
    process.once(signal, () => {
      log(`${signal}: stopping`);
      void Promise.allSettled([server?.stop(), postgraphile?.stop(), stopHistoryProcesses()])
        .then(() => db.drop())
        .finally(() => process.exit(130));
    });
  }
  try {
    log(`loading the ${sizeName} data set into ${db.where} PostgreSQL ${db.serverVersion}`);
    const load = await migrateAndLoad(db.url, args.size, log);
    // what autovacuum would soon do after a bulk load (visibility map, statistics); not part of the load's time
    await vacuumAnalyze(db.url);
    Object.assign(load, await databaseSize(db.url));
    log(`vacuumed and analyzed the loaded database: ${Math.round((load.databaseBytes ?? 0) / 2 ** 20)} MB`);
    // the history import's reference: the demo's metric before any scenario below writes to the database
    let loadedMetric: MetricAnswer | undefined;
    if (args.history !== 'none') {
      try {
        loadedMetric = await metricAnswer(db.url);
      } catch (error) {
        errors.push(`history import: ${METRIC_LABEL} of the demo as loaded: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    const secret = await issueBenchKey(db.url);
    // (f): the key that floods, another caller than the one that measures
    const floodSecret = await issueBenchKey(db.url, Role.ANALYST, 'bench-flood');
    const accountIds = await sampleAccountIds(db.url, 100);
    const resultsDir = join(ROOT, 'bench', 'results', ...(args.record ? [] : ['local']));

    const a = accountScenario(accountIds);
    const b = nestedScenario();
    const metrics: Scenario[] = [...MODELS.map(performanceScenario), timeSeriesScenario(), walletScenario(), backtestScenario(), leadsByScoreScenario()];
    const ours = [a, b, ...metrics];

    log('counting the SQL statements of one request of each scenario (in-process, observeQueries)');
    const captures = await captureStatements(db.url, secret, ours);
    for (const [key, capture] of captures) if (capture.error) errors.push(`${key} (statement count run): ${capture.error}`);

    const sqlDirect: BenchReport['sqlDirect'] = {};
    /**
     * SQL direct of a (c) model: its statements straight through pg, half the runs before
     * its API run and half after, so that both see the machine in the same state.
     */
    const sqlDirectRuns = async (scenario: Scenario, half: 'before' | 'after') => {
      const capture = captures.get(scenario.key);
      if (!capture || capture.error || capture.statements.length === 0) return undefined;
      const runs = half === 'before' ? Math.ceil(settings.directRuns / 2) : Math.floor(settings.directRuns / 2);
      return runDirect(db.url, capture.statements, runs, half === 'before');
    };
    if (args.explain) {
      const out: string[] = [];
      for (const scenario of metrics) {
        const capture = captures.get(scenario.key) as StatementCapture;
        for (const [i, plan] of (await explainStatements(db.url, capture.statements)).entries()) {
          out.push(`==== ${scenario.label}, statement ${i + 1}\n${plan}\n`);
        }
      }
      const file = join(resultsDir, `explain-${sizeName}.txt`);
      mkdirSync(resultsDir, { recursive: true });
      writeFileSync(file, out.join('\n'));
      log(`plans written to ${file}`);
    }

    const serverPort = await findFreePort();
    const serverLog = join(work, 'server.log');
    log(`starting the server: node dist/src/main.js on port ${serverPort} (log: ${serverLog})`);
    server = await spawnServer({
      script: join(ROOT, 'dist', 'src', 'main.js'),
      env: ourServerEnv(db.url, serverPort, RATE_LIMIT_PER_MINUTE),
      port: serverPort,
      logFile: serverLog,
      ready: healthy,
    });
    const auth = { authorization: `Bearer ${secret}` };
    const figures: ScenarioFigures[] = [];
    /** Loads one scenario; its failed requests are errors of the run unless they are what it measures (`failuresAreFigures`). */
    const run = async (scenario: Scenario, loadSettings: LoadSettings, target: ServerProcess, headers: Record<string, string>, failuresAreFigures = false) => {
      log(`${scenario.label}: ${loadSettings.connections} connections`);
      const result = await loadScenario(target.baseUrl, headers, scenario, loadSettings);
      log(`  ${result.requests} requests, ${result.requestsPerSecond} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms` +
        (result.errors ? `, ${result.errors} errors: ${result.firstError}` : ''));
      if (result.errors && !failuresAreFigures) errors.push(`${scenario.key}: ${result.errors} errors, first: ${result.firstError}`);
      const entry: ScenarioFigures = {
        key: scenario.key,
        label: scenario.label,
        load: result,
        statements: captures.get(scenario.key)?.count ?? null,
        serverPeakRssAfterBytes: target.peakRssBytes(),
        loadAverage1mAfter: loadavg()[0],
      };
      figures.push(entry);
      return entry;
    };
    const throughput = { ...settings.throughput, timeoutSec: 60 };
    const nested = { ...settings.nested, timeoutSec: 60 };
    const metricLoad = { ...settings.metrics, timeoutSec: 120 };
    /**
     * (f) One key floods, another reads: account(id) from the measuring key, quiet, then while
     * an ANALYST key sends the heaviest metric requests from several connections. The flood's
     * refusals (busy, over cost) are counted, not errors; the flooded probe's failures are its
     * figures (a target), not errors of the run. Afterwards the server finishes what the flood
     * left running before anything else is measured.
     */
    const floodScenario = async (target: ServerProcess, probeHeaders: Record<string, string>, floodHeaders: Record<string, string>) => {
      const f = settings.flood as NonNullable<BenchReport['settings']['flood']>;
      const probe = { ...f.probe, timeoutSec: 60 };
      const quiet = await run(accountProbeScenario(accountIds, 'quiet'), probe, target, probeHeaders);
      const requests = floodRequests();
      log(`(f) the flood: ${f.flooders} connections of an ANALYST key, in turn: ${requests.map((r) => r.label).join('; ')}`);
      const flood = startFlood(target.baseUrl, floodHeaders, requests.map((r) => r.body), f.flooders, 120);
      await new Promise((ok) => setTimeout(ok, f.rampSec * 1000));
      const flooded = await run(accountProbeScenario(accountIds, 'flooded'), { ...probe, warmupSec: 0 }, target, probeHeaders, true);
      const result = await flood.stop();
      log(`  the flood: ${result.answered.requests} answered, ${result.refused} refused ${JSON.stringify(result.refusedBy)}, ` +
        `${result.failed} failed${result.firstFailure ? ` (first: ${result.firstFailure})` : ''}; /health 200 on ${result.health.ok} of ${result.health.probes}`);
      if (result.invalid) errors.push(`f-flood: the flood's request is wrong: ${result.invalid}`);
      const drainMs = await waitForIdleDatabase(db.url, 180_000);
      log(`  the server finished the flood's abandoned requests ${(drainMs / 1000).toFixed(1)} s after it stopped`);
      flooded.reference = { label: 'quiet', p50Ms: quiet.load.p50Ms, ratio: flooded.load.p50Ms / quiet.load.p50Ms };
      figures.push({
        key: 'f-flood',
        label: '(f) the flood (ANALYST key)',
        load: { ...result.answered, connections: result.connections, durationSec: result.elapsedSec, errors: 0, firstError: null },
        statements: null,
        flood: { ...result, requests: requests.map((r) => r.label), drainMs },
        serverPeakRssAfterBytes: target.peakRssBytes(),
        loadAverage1mAfter: loadavg()[0],
      });
    };
    const ourAccount = await run(a, throughput, server, auth);
    const ourNested = await run(b, nested, server, auth);
    for (const scenario of metrics) {
      const isPerformance = scenario.key.startsWith('c-');
      const before = isPerformance ? await sqlDirectRuns(scenario, 'before') : undefined;
      const entry = await run(scenario, metricLoad, server, auth);
      const after = isPerformance ? await sqlDirectRuns(scenario, 'after') : undefined;
      const direct = before && after ? directTiming([before, after]) : undefined;
      if (direct) {
        const capture = captures.get(scenario.key) as StatementCapture;
        const statements = capture.statements.map((st) => st.sql.replace(/\s+/g, ' ').trim().slice(0, 120));
        sqlDirect[scenario.key] = { ...direct, statements };
        log(`  SQL direct: ${statements.length} statements, p50 ${direct.p50Ms} ms over ${direct.runs} runs`);
      }
      if (direct) entry.reference = { label: 'SQL direct', p50Ms: direct.p50Ms, ratio: entry.load.p50Ms / direct.p50Ms };
    }
    await floodScenario(server, auth, { authorization: `Bearer ${floodSecret}` });
    // (h) every touchpoint as CSV over GET /export: rows per second, and the server's memory while it streams
    if (args.bulk) {
      log('(h) exporting every touchpoint as CSV');
      const exported = await measureExport(server, secret, db.url);
      log(`  ${exported.rows} rows in ${exported.seconds} s, ${exported.rowsPerSecond} rows/s; server RSS ${exported.serverRssBeforeBytes} -> peak ${exported.serverRssPeakDuringBytes} bytes`);
      if (exported.error) errors.push(`h-export: ${exported.error}`);
      figures.push(exportScenarioFigures(exported, server));
    } else log('(h) left out (--no-bulk)');
    // (k) the event intake: POST /v1/batch of 100 events from several senders at once (bench/intake-scenario.ts)
    const intakeSettings = args.smoke ? { senders: 2, durationSec: 1, warmupSec: 0, amount: 20 } : { senders: 8, durationSec: args.durationSec, warmupSec: 3 };
    log(`(k) event intake: ${intakeSettings.senders} senders, batches of 100 events`);
    const intake = await measureIntake(server, db.url, intakeSettings);
    log(`  ${intake.events} events in ${intake.seconds} s, ${intake.eventsPerSecond} events/s, p50 ${intake.p50Ms} ms, p99 ${intake.p99Ms} ms`);
    if (intake.error) errors.push(`k-intake: ${intake.error}`);
    figures.push(intakeScenarioFigures(intake, server));
    const serverPeakRssBytes = server.peakRssBytes();
    await server.stop();
    server = undefined;

    const pgPort = await findFreePort();
    const pgLog = join(work, 'postgraphile.log');
    log(`starting PostGraphile 5 on port ${pgPort} (log: ${pgLog})`);
    postgraphile = await spawnServer({
      script: join(ROOT, 'dist', 'bench', 'postgraphile-server.js'),
      env: { DATABASE_URL: db.url, NODE_ENV: 'production', PORT: String(pgPort), POOL_SIZE: String(POOL_SIZE) },
      port: pgPort,
      logFile: pgLog,
      ipc: true,
      ready: answersGraphQL,
    });
    /**
     * One scenario on PostGraphile, as the reference of ours: one probe request (its answer
     * checked, its statements counted), then the load; the reference row goes right after ours.
     */
    const reference = async (pg: ServerProcess, scenario: Scenario, loadSettings: LoadSettings, ours: ScenarioFigures) => {
      const before = await askStatementCount(pg);
      const probe = await fetch(`${pg.baseUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: scenario.bodies[0] });
      const probeError = checkAnswer(scenario, probe.status, await probe.text());
      if (probeError) errors.push(`${scenario.key}: ${probeError}`);
      const statements = (await askStatementCount(pg)) - before;
      const theirs = await run(scenario, loadSettings, pg, {});
      theirs.statements = statements;
      ours.reference = {
        label: 'PostGraphile',
        p50Ms: theirs.load.p50Ms,
        ratio: ours.load.p50Ms / theirs.load.p50Ms,
        requestsPerSecond: theirs.load.requestsPerSecond,
      };
      figures.splice(figures.indexOf(theirs), 1);
      figures.splice(figures.indexOf(ours) + 1, 0, theirs);
    };
    await reference(postgraphile, postgraphileNestedScenario(), nested, ourNested);
    // (a) on PostGraphile: the same 100 accounts, by primary key, under the same load
    await reference(postgraphile, postgraphileAccountScenario(accountIds), throughput, ourAccount);
    const postgraphilePeakRssBytes = postgraphile.peakRssBytes();
    await postgraphile.stop();
    postgraphile = undefined;

    // last: it rewrites the touchpoints the scenarios above read
    let importRate: ImportFigures | undefined;
    // the whole history through the CLI and HTTP, each into a database of its own
    let historyImport: HistoryImportFigures | undefined;
    if (args.bulk) {
      try {
        importRate = await importScenario(db.url, args.size, work, log);
        if (importRate.failed > 0) errors.push(`import: ${importRate.failed} rows failed, first: ${importRate.firstError ?? ''}`);
      } catch (error) {
        errors.push(`import: ${error instanceof Error ? error.message : String(error)}`);
      }
    } else log('the touchpoint import left out (--no-bulk)');
    if (args.history !== 'none') {
      try {
        historyImport = await historyImportScenario({ db, size: args.size, work, rateLimitPerMinute: RATE_LIMIT_PER_MINUTE, log, doors: args.history, ...(loadedMetric ? { loaded: loadedMetric } : {}) });
        errors.push(...historyImport.problems.map((problem) => `history import: ${problem}`));
      } catch (error) {
        errors.push(`history import: ${error instanceof Error ? error.message : String(error)}`);
      }
    } else log('the history import left out (--history none)');

    // (j) a backlog of web events processed into touchpoints and leads (after the import: it uses the campaigns' external ids)
    let eventProcessing: EventProcessingFigures | undefined;
    try {
      if (!args.bulk) {
        // what the touchpoint import would have done first
        const client = new Client({ connectionString: db.url, application_name: 'bench' });
        await client.connect();
        await giveExternalIds(client).finally(() => client.end());
      }
      eventProcessing = await eventProcessingScenario(db.url, args.smoke ? 5_000 : 200_000, log);
      if (eventProcessing.outcomes.PENDING) errors.push(`event processing: ${eventProcessing.outcomes.PENDING} events left pending`);
    } catch (error) {
      errors.push(`event processing: ${error instanceof Error ? error.message : String(error)}`);
    }

    const cpu = cpus();
    const partial: Omit<BenchReport, 'targets'> = {
      size: sizeName,
      smoke: args.smoke,
      startedAt,
      machine: {
        cores: cpu.length,
        cpuModel: cpu[0]?.model.trim() ?? 'unknown',
        totalMemoryBytes: totalmem(),
        platform: `${process.platform}-${process.arch}`,
        node: process.version,
        postgres: db.serverVersion,
        database: db.where,
        git: gitState(),
        loadAverage: { start: loadAtStart, end: loadavg() },
        stealShare: stealShare(cpuAtStart, cpuTimes()),
      },
      settings,
      load,
      ...(importRate ? { importRate } : {}),
      ...(historyImport ? { historyImport } : {}),
      ...(eventProcessing ? { eventProcessing } : {}),
      serverPeakRssBytes,
      postgraphilePeakRssBytes,
      scenarios: figures,
      sqlDirect,
      errors,
    };
    const report: BenchReport = { ...partial, targets: evaluateTargets(partial) };
    const table = markdownTable(report);
    console.log(`\n${table}\n`);
    const json = `${JSON.stringify(report, null, 2)}\n`;
    if (args.smoke) {
      // a smoke run keeps its figures only when something failed, beside the servers' logs
      if (errors.length) writeFileSync(join(work, `smoke-${sizeName}.json`), json);
    } else {
      // bench/results/ (tracked) only when asked to --record; bench/results/local/ (git-ignored) otherwise
      mkdirSync(resultsDir, { recursive: true });
      const file = join(resultsDir, `${sizeName}-${startedAt.slice(0, 10)}.json`);
      writeFileSync(file, json);
      writeFileSync(join(resultsDir, `latest-${sizeName}.json`), json);
      writeFileSync(join(resultsDir, `latest-${sizeName}.md`), `${table}\n`);
      log(`figures written to ${file}${args.record ? '' : ' (not tracked; --record writes them into bench/results/)'}`);
      if (args.record && partial.machine.git?.dirty) log('note: src/ or migrations/ have uncommitted changes; the table says so');
    }
    if (errors.length) {
      log(`FAILED: ${errors.length} error(s); logs and figures in ${work}:\n  ${errors.join('\n  ')}`);
      return 1;
    }
    return 0;
  } catch (error) {
    for (const file of [join(work, 'server.log'), join(work, 'postgraphile.log'), join(work, 'history-server.log')]) {
      const lines = tail(file);
      if (lines) log(`last lines of ${file}:\n${lines}`);
    }
    throw error;
  } finally {
    await server?.stop().catch(() => undefined);
    await postgraphile?.stop().catch(() => undefined);
    await db.drop().catch((error: unknown) => log(`could not drop the bench database: ${String(error)}`));
    if (errors.length === 0) rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
