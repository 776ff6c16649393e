import type { EventProcessingFigures } from './event-processing-scenario';
import type { HistoryImportFigures } from './history-import';
import type { ImportFigures } from './import-scenario';
import type { LoadFigures } from './database';
import type { FloodResult, LoadResult } from './http-load';
import type { DirectTiming } from './statements';

/** The figures of one scenario (a row of the table). */
export interface ScenarioFigures {
  key: string;
  label: string;
  load: LoadResult;
  /** SQL statements of one request (warm), or null when not counted. */
  statements: number | null;
  /** The machine's 1-minute load average once this scenario was over. */
  loadAverage1mAfter?: number;
  /** The server's peak RSS (VmHWM) once this scenario was over: which scenario raised it. */
  serverPeakRssAfterBytes?: number | null;
  /** What the scenario is compared with, and ours ÷ theirs on p50. */
  reference?: { label: string; p50Ms: number; ratio: number; requestsPerSecond?: number };
  /** (f) the flood itself: what was sent, and how the server answered it. */
  flood?: FloodFigures;
}

/** The flood of scenario (f): its requests (sent in turn), the answers, and the drain after it. */
export interface FloodFigures extends FloodResult {
  requests: string[];
  /** How long the server went on with the flood's abandoned requests once it stopped. */
  drainMs: number;
}

export interface Target {
  scenario: string;
  name: string;
  pass: boolean;
}

/** How a group of scenarios is loaded (see LoadSettings). */
export interface RunSettings {
  connections: number;
  durationSec: number;
  warmupSec: number;
  minRequests?: number;
}

export interface BenchReport {
  size: string;
  smoke: boolean;
  startedAt: string;
  machine: {
    cores: number;
    cpuModel: string;
    totalMemoryBytes: number;
    platform: string;
    node: string;
    postgres: string;
    database: string;
    /** The commit measured, and whether src/ or migrations/ differed from it (uncommitted work). */
    git: { commit: string; dirty: boolean } | null;
    /** os.loadavg() when the run started and ended: other work on the machine skews the times. */
    loadAverage: { start: number[]; end: number[] };
    /** Share of the CPU time the hypervisor gave to other machines during the run (Linux /proc/stat), or null. */
    stealShare?: number | null;
  };
  settings: {
    rateLimitPerMinute: number;
    poolSize: number;
    throughput: RunSettings;
    nested: RunSettings;
    metrics: RunSettings;
    directRuns: number;
    /** Our servers' old generation in MB: npm start's memory budget, or `--server-heap`; absent: Node's own sizing. */
    serverHeapMb?: number;
    /** (f): the probe of account(id) (quiet, then flooded), the flood's connections, and its ramp-up before the probe. */
    flood?: { probe: RunSettings; flooders: number; rampSec: number };
  };
  load: LoadFigures;
  /** The import scenario: the run's touchpoints as a CSV through the import engine (absent in older reports). */
  importRate?: ImportFigures;
  /** The history import: the whole demo history as a CSV bundle through the CLI (twice) and HTTP (absent in older reports). */
  historyImport?: HistoryImportFigures;
  /** (j) A backlog of web events processed into touchpoints (absent in older reports). */
  eventProcessing?: EventProcessingFigures;
  serverPeakRssBytes: number | null;
  postgraphilePeakRssBytes: number | null;
  scenarios: ScenarioFigures[];
  sqlDirect: Record<string, DirectTiming & { statements: string[] }>;
  targets: Target[];
  errors: string[];
}

const MB = 1024 * 1024;

function num(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return '—';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function ms(value: number): string {
  return num(value, value < 10 ? 2 : value < 100 ? 1 : 0);
}

/**
 * Checks the targets (set for M on 2 cores: issues 6, 15 and 16) against the figures. At L the
 * latency targets of M do not apply: L has its own for (c), and the rest is read beside M.
 */
export function evaluateTargets(report: Omit<BenchReport, 'targets'>): Target[] {
  const targets: Target[] = [];
  const large = report.size === 'L';
  const add = (scenario: string, name: string, pass: boolean) => targets.push({ scenario, name, pass });
  for (const s of report.scenarios) {
    const p50 = s.load.p50Ms;
    // issue 16's targets (M, 2 cores): ratios to PostGraphile measured in the same run
    if (s.key === 'a') {
      if (!large) add(s.key, '≥ 2,000 req/s', s.load.requestsPerSecond >= 2000);
      if (s.reference?.requestsPerSecond !== undefined) add(s.key, 'req/s ≥ PostGraphile', s.load.requestsPerSecond >= s.reference.requestsPerSecond);
    }
    if (s.key === 'b') {
      add(s.key, '≤ 5 SQL', s.statements !== null && s.statements <= 5);
      if (s.reference && !large) add(s.key, 'p50 ≤ 0.8× PostGraphile', s.reference.ratio <= 0.8);
    }
    if (large) {
      // issue 16 at L (10x M): 12 months of a rule-based model within 300 ms; the rest is reported beside M
      if (s.key.startsWith('c-') && s.key !== 'c-DATA_DRIVEN') add(s.key, 'p50 ≤ 300 ms at L', p50 <= 300);
    } else {
      if (s.key === 'c-DATA_DRIVEN') add(s.key, 'p50 ≤ 500 ms', p50 <= 500);
      else if (s.key.startsWith('c-')) add(s.key, 'p50 ≤ 150 ms', p50 <= 150);
      if (s.key === 'd' || s.key === 'e' || s.key === 'g') add(s.key, 'p50 ≤ 250 ms', p50 <= 250);
      if (s.key === 'i') add(s.key, 'p50 ≤ 250 ms', p50 <= 250);
    }
    if (s.key.startsWith('c-') && s.reference) add(s.key, '≤ 1.2× SQL', s.reference.ratio <= 1.2);
    if (s.key === 'f-flooded') add(s.key, 'every request answered', s.load.errors === 0);
    // the event intake (issue 15, 2 cores): batches of 100 events
    if (s.key === 'k') {
      add(s.key, '≥ 20,000 events/s', s.load.requestsPerSecond * 100 >= 20_000);
      add(s.key, 'p99 < 50 ms', s.load.p99Ms < 50);
    }
    if (s.key === 'f-flood' && s.flood) {
      add(s.key, '/health 200 throughout', s.flood.health.ok === s.flood.health.probes);
      add(s.key, 'refused or answered, none failed', s.flood.failed === 0);
    }
  }
  add('load', '≥ 50,000 rows/s', report.load.rowsPerSecond >= 50_000);
  const imp = report.importRate;
  if (imp) {
    add('import', '≥ 100,000 rows/s', imp.rowsPerSecond >= 100_000);
    // flat in file size: the peak after a quarter of the rows is (nearly) the peak at the end
    add('import', 'peak RSS ≤ 1.25× its value after ¼ of the file', imp.quarterPeakRssBytes !== null && imp.peakRssBytes <= imp.quarterPeakRssBytes * 1.25);
  }
  // the issue's target, on a first import of a whole history: its touchpoint file through the CLI
  const touchpoints = report.historyImport?.cli?.kinds.find((k) => k.kind === 'touchpoints');
  if (touchpoints) add('history', '≥ 100,000 rows/s', (touchpoints.rowsPerSecond ?? 0) >= 100_000);
  // issue 15: the backlog processed at least as fast as the intake's target
  if (report.eventProcessing) add('events', '≥ 20,000 events/s', report.eventProcessing.eventsPerSecond >= 20_000);
  add('rss', '≤ 250 MB', report.serverPeakRssBytes !== null && report.serverPeakRssBytes <= 250 * MB);
  return targets;
}

function verdicts(report: BenchReport, key: string): { target: string; result: string } {
  const mine = report.targets.filter((t) => t.scenario === key);
  return {
    target: mine.map((t) => t.name).join('; '),
    result: mine.map((t) => (t.pass ? 'PASS' : 'MISS')).join('; '),
  };
}

function describe(name: string, run: RunSettings): string {
  const conn = `${run.connections} connection${run.connections === 1 ? '' : 's'}`;
  if (run.minRequests) return `${name} ${conn}, about ${run.durationSec} s and at least ${run.minRequests} requests each, after at least 1 s of warm-up requests`;
  return `${name} ${conn} × ${run.durationSec} s after ${run.warmupSec} s of warm-up`;
}

/** What a scenario's row says in its first cell: the label, the flood's outcome, the errors. */
function scenarioCell(s: ScenarioFigures): string {
  const failed = s.load.errors > 0 ? ` **${s.load.errors} errors**` : '';
  if (!s.flood) return `${s.label}${failed}`;
  const f = s.flood;
  const refusals = Object.entries(f.refusedBy).map(([why, n]) => `${num(n)} ${why}`).join(', ');
  return (
    `${s.label}: ${num(f.answered.requests)} answered, ${num(f.refused)} refused${refusals ? ` (${refusals})` : ''}, ` +
    `${num(f.failed)} failed${f.firstFailure ? ` (first: ${f.firstFailure.replace(/\|/g, '/').slice(0, 80)})` : ''}; ` +
    `/health 200 on ${num(f.health.ok)} of ${num(f.health.probes)} probes`
  );
}

/**
 * The one Markdown table of a run, with a few lines saying what it ran on. A smoke run sends a
 * handful of cold requests per scenario: its times compare with nothing (not with the SQL run
 * alone, not with PostGraphile, not with a target), so its table leaves those columns out.
 */
export function markdownTable(report: BenchReport): string {
  const comparable = !report.smoke;
  const head = '| Scenario | Conn | Requests | Throughput | p50 ms | p95 ms | p99 ms | SQL/req |' +
    (comparable ? ` Reference p50 ms | Ours ÷ ref | Target (${report.size === 'L' ? 'L' : 'M'}) | Result |` : '');
  const rule = '|---|--:|--:|--:|--:|--:|--:|--:|' + (comparable ? '--:|--:|---|---|' : '');
  const lines = [head, rule];
  /** The comparison and target cells of a row (none in a smoke run). */
  const tailCells = (cells: string[]) => (comparable ? ` ${cells.join(' | ')} |` : '');
  for (const s of report.scenarios) {
    const v = verdicts(report, s.key);
    const ref = s.reference;
    const requests = s.flood ? s.flood.answered.requests + s.flood.refused + s.flood.failed : s.load.requests;
    lines.push(
      `| ${scenarioCell(s)} | ${s.load.connections} | ${num(requests)} | ${num(s.load.requestsPerSecond, 1)} req/s | ` +
        `${ms(s.load.p50Ms)} | ${ms(s.load.p95Ms)} | ${ms(s.load.p99Ms)} | ${s.statements ?? '—'} |` +
        tailCells([ref ? `${ms(ref.p50Ms)} (${ref.label})` : '', ref ? `${num(ref.ratio, 2)}×` : '', v.target, v.result]),
    );
  }
  const load = report.load;
  const lv = verdicts(report, 'load');
  lines.push(
    `| Load with COPY: ${num(load.totalRows)} rows in ${num(load.ms / 1000, 1)} s | 1 | | ${num(load.rowsPerSecond)} rows/s | | | | |` +
      tailCells(['', '', lv.target, lv.result]),
  );
  lines.push(
    `| Attribution cache built after the load (reports read the touches meanwhile) | 1 | | ${num(load.cacheMs / 1000, 1)} s | | | | |` +
      tailCells(['', '', '', '']),
  );
  if (load.databaseBytes !== undefined) {
    lines.push(
      `| Database size after the load (touchpoints with their indexes: ${num((load.touchpointBytes ?? 0) / MB)} MB) | | | ${num(load.databaseBytes / MB)} MB | | | | |` +
        tailCells(['', '', '', '']),
    );
  }
  const imp = report.importRate;
  if (imp) {
    const iv = verdicts(report, 'import');
    const quarter = imp.quarterPeakRssBytes === null ? '—' : `${num(imp.quarterPeakRssBytes / MB)} MB`;
    lines.push(
      `| Import a touchpoint CSV (${num(imp.rows)} rows, ${num(imp.fileBytes / MB, 1)} MB) through the engine: ${num(imp.created)} created, ` +
        `${num(imp.failed)} failed in ${num(imp.ms / 1000, 1)} s; importer peak RSS ${num(imp.peakRssBytes / MB)} MB (${quarter} after ¼) | 1 | | ` +
        `${num(imp.rowsPerSecond)} rows/s | | | | |` + tailCells(['', '', iv.target, iv.result]),
    );
  }
  if (report.historyImport) lines.push(...historyRows(report, report.historyImport, tailCells));
  const ev = report.eventProcessing;
  if (ev) {
    const evv = verdicts(report, 'events');
    lines.push(
      `| (j) Process ${num(ev.events)} queued web events (chunks of ${num(ev.chunkSize)}): ${num(ev.touchpoints)} touchpoints, ${num(ev.leadsCreated)} new leads ` +
        `in ${num(ev.ms / 1000, 1)} s | 1 | | ${num(ev.eventsPerSecond)} events/s | | | | |` + tailCells(['', '', evv.target, evv.result]),
    );
  }
  const rv = verdicts(report, 'rss');
  const rss = report.serverPeakRssBytes === null ? '—' : `${num(report.serverPeakRssBytes / MB)} MB`;
  const pgRss = report.postgraphilePeakRssBytes === null ? '' : `${num(report.postgraphilePeakRssBytes / MB)} MB (PostGraphile)`;
  lines.push(`| Server peak RSS (VmHWM) | | | ${rss} | | | | |` + tailCells([pgRss, '', rv.target, rv.result]));
  const m = report.machine;
  const st = report.settings;
  if (report.historyImport) lines.push('', ...historyKindTable(report.historyImport));
  lines.push(
    '',
    ...(comparable
      ? []
      : [
          'Smoke run: a few cold requests per scenario on a busy machine, to check that every scenario answers. ' +
            'Its times are not comparable with one another, with the SQL run alone, with PostGraphile or with the targets, ' +
            'so those columns are left out; run `npm run bench` (without `--smoke`) for figures.',
          '',
        ]),
    `Size ${report.size}${report.smoke ? ' (smoke run: short, no timing assertions)' : ''}, ${report.startedAt}` +
      `${m.git ? `, commit ${m.git.commit.slice(0, 10)}${m.git.dirty ? ' with uncommitted changes to src/ or migrations/' : ''}` : ''}; ` +
      `${m.cores} cores (${m.cpuModel}), ${num(m.totalMemoryBytes / 1024 ** 3, 1)} GiB, ${m.platform}; Node ${m.node}; ` +
      `PostgreSQL ${m.postgres} (${m.database}); load average (1 min) ${num(m.loadAverage.start[0] ?? Number.NaN, 1)} at the start, ` +
      `${num(m.loadAverage.end[0] ?? Number.NaN, 1)} at the end (above ~2.5 other work shared the cores)` +
      `${m.stealShare == null ? '' : `; CPU steal ${num(m.stealShare * 100, 0)}% of the run (time the hypervisor gave to other machines)`}.`,
    `Server: \`NODE_ENV=production node ${st.serverHeapMb ? `--max-old-space-size=${st.serverHeapMb} ` : ''}dist/src/main.js\`${st.serverHeapMb ? " (npm start's memory budget)" : " (Node's own heap sizing, --server-heap 0)"}, API key auth, every limit on; RATE_LIMIT_PER_MINUTE=${num(st.rateLimitPerMinute)} ` +
      `(a setting high enough not to throttle the bench); pool ${st.poolSize} connections, PostGraphile the same (also NODE_ENV=production). ` +
      `autocannon over loopback: ${describe('(a)', st.throughput)}; ${describe('(b)', st.nested)}; ${describe('(c)-(e)', st.metrics)}; ` +
      `SQL direct = the statements of one (c) request sent through pg, p50 of up to ${st.directRuns} runs, half before and half after the API run.` +
      (st.flood
        ? ` (f): ${describe('account(id)', st.flood.probe)}, quiet and then while ${st.flood.flooders} connections of an ANALYST key ` +
          `send the flood's requests in turn (from ${st.flood.rampSec} s before the probe until its end); the flooded row's reference is the quiet p50.`
        : ''),
  );
  return lines.join('\n');
}

const counted = (c: { created: number; updated: number; unchanged: number; failed: number }) =>
  [c.created && `${num(c.created)} created`, c.updated && `${num(c.updated)} updated`, c.unchanged && `${num(c.unchanged)} unchanged`, `${num(c.failed)} failed`]
    .filter(Boolean)
    .join(', ');

/** The rows of the history import in the main table: its touchpoint file (the target), each door, the checks. */
function historyRows(report: BenchReport, h: HistoryImportFigures, tailCells: (cells: string[]) => string): string[] {
  const rows: string[] = [];
  const row = (label: string, rate: string, cells: string[] = ['', '', '', ''], conn = '1') => rows.push(`| ${label} | ${conn} | | ${rate} | | | | |${tailCells(cells)}`);
  const sum = (runs: { counts: { created: number; updated: number; unchanged: number; failed: number } }[]) =>
    runs.reduce((t, r) => ({ created: t.created + r.counts.created, updated: t.updated + r.counts.updated, unchanged: t.unchanged + r.counts.unchanged, failed: t.failed + r.counts.failed }), { created: 0, updated: 0, unchanged: 0, failed: 0 });
  const bundle = `${h.files.length} files, ${num(h.rows)} rows, ${num(h.bytes / MB, 1)} MB`;
  const cli = h.cli;
  const touch = cli?.kinds.find((k) => k.kind === 'touchpoints');
  const file = h.files.find((f) => f.kind === 'touchpoints');
  const hv = verdicts(report, 'history');
  if (touch && file) {
    row(
      `History import through the CLI into an empty database: its touchpoints.csv (${num(file.rows)} rows, ${num(file.bytes / MB, 1)} MB), ${counted(touch.counts)} in ${num(touch.ms / 1000, 1)} s`,
      `${num(touch.rowsPerSecond ?? Number.NaN)} rows/s`,
      ['', '', hv.target, hv.result],
    );
  }
  if (cli) {
    const rss = cli.peakRssBytes === null ? '—' : `${num(cli.peakRssBytes / MB)} MB`;
    row(`History import through the CLI (\`npm run import -- --bundle\`, ${bundle}): ${counted(sum(cli.kinds))} in ${num(cli.ms / 1000, 1)} s (the process: ${num(cli.processMs / 1000, 1)} s); importer peak RSS ${rss}`, `${num(cli.rowsPerSecond)} rows/s`);
  } else row('History import through the CLI: **did not run through** (see the errors)', '—');
  const oneDoor = h.doors === 'cli';
  const again = h.cliAgain;
  if (oneDoor) row('The same bundle through the CLI again, and through HTTP: not run (`--history cli`, the default at L)', '—');
  if (again) {
    const noOp = again.kinds.every((k) => k.counts.unchanged === k.counts.processed) && again.rows === h.rows;
    row(`The same bundle through the CLI again: ${counted(sum(again.kinds))} in ${num(again.ms / 1000, 1)} s: ${noOp ? 'a no-op' : '**not a no-op**'}`, `${num(again.rowsPerSecond)} rows/s`);
  }
  const http = h.http;
  if (http) {
    const rss = http.serverPeakRssBytes === null ? '—' : `${num(http.serverPeakRssBytes / MB)} MB`;
    row(
      `History import through HTTP (\`POST /imports\`, the bundle as one multipart upload, to our server on an empty database): job ${http.state === 'DONE' ? 'DONE' : `**${http.state}**`}, ` +
        `${counted(sum(http.kinds))} in ${num(http.ms / 1000, 1)} s (upload ${num(http.uploadMs / 1000, 1)} s, job ${http.jobMs === null ? '—' : `${num(http.jobMs / 1000, 1)} s`}); server peak RSS ${rss}`,
      `${num(http.rowsPerSecond)} rows/s`,
    );
  } else if (!oneDoor) row('History import through HTTP: **did not run through** (see the errors)', '—');
  const kindTables = h.tables.filter((t) => t.written !== null);
  const asWritten = kindTables.length > 0 && kindTables.every((t) => t.cli === t.written && (oneDoor || t.http === t.written));
  const derivedSame = h.tables.filter((t) => t.written === null).every((t) => t.cli === t.http);
  const metric = h.metric;
  const metricText = oneDoor
    ? `${metric.label}: total revenue ${metric.cli?.totalRevenue ?? '—'} over ${num(metric.cli?.campaigns ?? Number.NaN)} campaigns` +
      (metric.equalsCopyLoad === null ? '' : `, ${metric.equalsCopyLoad ? 'the same as' : '**not the same as**'} the demo loaded by COPY`)
    : metric.cliEqualsHttp === null
      ? `${metric.label}: not compared`
      : `${metric.label}: ${metric.cliEqualsHttp ? 'the same' : '**different**'} in both (total revenue ${metric.cli?.totalRevenue ?? '—'}, ${num(metric.cli?.campaigns ?? Number.NaN)} campaigns)` +
        (metric.equalsCopyLoad === null ? '' : `, ${metric.equalsCopyLoad ? 'and' : '**but not**'} as the demo loaded by COPY`);
  row(
    `History import checks: rows of ${kindTables.length} tables ${h.tables.length === 0 ? 'not counted' : asWritten ? 'as written' : '**not as written**'} ${oneDoor ? 'in the CLI\'s database' : 'in both databases'}, ` +
      `${oneDoor ? '' : `${h.tables.length - kindTables.length} derived tables ${derivedSame ? 'alike' : '**different**'}; `}${metricText}`,
    '',
    undefined,
    '',
  );
  return rows;
}

/** The history import kind by kind: rows, size, and each door's time and rate. */
function historyKindTable(h: HistoryImportFigures): string[] {
  const lines = [
    '| History import, per kind | Rows | MB | CLI s | CLI rows/s | CLI again s | CLI again rows/s | HTTP s | HTTP rows/s |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  const cells = (run: { ms: number; rowsPerSecond: number | null } | undefined) =>
    run ? `${num(run.ms / 1000, 1)} | ${run.rowsPerSecond === null ? '—' : num(run.rowsPerSecond)}` : '— | —';
  for (const f of h.files) {
    const of = (runs: { kind: string; ms: number; rowsPerSecond: number | null }[] | undefined) => cells(runs?.find((r) => r.kind === f.kind));
    lines.push(`| ${f.kind}.csv | ${num(f.rows)} | ${num(f.bytes / MB, 1)} | ${of(h.cli?.kinds)} | ${of(h.cliAgain?.kinds)} | ${of(h.http?.kinds)} |`);
  }
  const total = (run: { ms: number; rowsPerSecond: number } | null) => cells(run ?? undefined);
  lines.push(`| all (HTTP: upload included) | ${num(h.rows)} | ${num(h.bytes / MB, 1)} | ${total(h.cli)} | ${total(h.cliAgain)} | ${total(h.http)} |`);
  lines.push(
    '',
    `History import: the generator wrote the bundle in ${num(h.writeMs / 1000, 1)} s. CLI times are the CLI's own (\`--json\`: opening a file to its last commit); ` +
      `HTTP times per kind are read off \`GET /imports/:id\` polled every ${h.http?.pollMs ?? 100} ms, the first from the upload's answer (— : within one poll).`,
  );
  return lines;
}
