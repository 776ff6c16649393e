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
  reference?: { label: string; p50Ms: number; ratio: number };
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
    /** (f): the probe of account(id) (quiet, then flooded), the flood's connections, and its ramp-up before the probe. */
    flood?: { probe: RunSettings; flooders: number; rampSec: number };
  };
  load: LoadFigures;
  /** The import scenario: the run's touchpoints as a CSV through the import engine (absent in older reports). */
  importRate?: ImportFigures;
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

/** Checks the targets of issue 6 (set for M on 2 cores) against the figures. */
export function evaluateTargets(report: Omit<BenchReport, 'targets'>): Target[] {
  const targets: Target[] = [];
  const add = (scenario: string, name: string, pass: boolean) => targets.push({ scenario, name, pass });
  for (const s of report.scenarios) {
    const p50 = s.load.p50Ms;
    if (s.key === 'a') add(s.key, '≥ 2,000 req/s', s.load.requestsPerSecond >= 2000);
    if (s.key === 'b') {
      add(s.key, '≤ 5 SQL', s.statements !== null && s.statements <= 5);
      if (s.reference) add(s.key, 'p50 ≤ PostGraphile', s.reference.ratio <= 1);
    }
    if (s.key === 'c-DATA_DRIVEN') add(s.key, 'p50 ≤ 1 s', p50 <= 1000);
    else if (s.key.startsWith('c-')) add(s.key, 'p50 ≤ 250 ms', p50 <= 250);
    if (s.key.startsWith('c-') && s.reference) add(s.key, '≤ 1.2× SQL', s.reference.ratio <= 1.2);
    if (s.key === 'd' || s.key === 'e') add(s.key, 'p50 ≤ 250 ms', p50 <= 250);
    if (s.key === 'f-flooded') add(s.key, 'every request answered', s.load.errors === 0);
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
  add('rss', '≤ 300 MB', report.serverPeakRssBytes !== null && report.serverPeakRssBytes <= 300 * MB);
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
    (comparable ? ' Reference p50 ms | Ours ÷ ref | Target (M) | Result |' : '');
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
  const rv = verdicts(report, 'rss');
  const rss = report.serverPeakRssBytes === null ? '—' : `${num(report.serverPeakRssBytes / MB)} MB`;
  const pgRss = report.postgraphilePeakRssBytes === null ? '' : `${num(report.postgraphilePeakRssBytes / MB)} MB (PostGraphile)`;
  lines.push(`| Server peak RSS (VmHWM) | | | ${rss} | | | | |` + tailCells([pgRss, '', rv.target, rv.result]));
  const m = report.machine;
  const st = report.settings;
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
    `Server: \`NODE_ENV=production node dist/src/main.js\`, API key auth, every limit on; RATE_LIMIT_PER_MINUTE=${num(st.rateLimitPerMinute)} ` +
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
