/**
 * (k) The event intake (issue 15): POST /v1/batch of Segment's tracking API, several senders at
 * once, each sending batches of 100 realistic analytics.js-like events (page views with UTM
 * parameters and referrers, tracks, identifies) back to back, authenticated with a write key by
 * HTTP Basic as @segment/analytics-node does. Every event has its own messageId, so each is
 * stored (one INSERT per request). Figures: events accepted per second (stored, committed,
 * answered 200) and the latency of one batch request (p50, p99). Targets: >= 20,000 events/s on
 * 2 cores, p99 < 50 ms. Afterwards the stored count is checked against what was answered 200,
 * and the bench's events are deleted (they are no backlog for other scenarios).
 *
 * Hooked into `npm run bench` after the export (bench/run.ts). On its own, on a fresh database:
 *   npm run build && node dist/bench/intake-scenario.js [--senders 8] [--duration 10]
 */
import 'reflect-metadata';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { findFreePort } from '../src/db/embedded-postgres';
import { generateWriteKey } from '../src/events/event-sources';
import { createBenchDatabase, migrateAndLoad } from './database';
import { latencyFigures } from './http-load';
import type { ScenarioFigures } from './report';
import { healthy, ourServerEnv, ServerProcess, spawnServer } from './server-process';

export const INTAKE_BATCH_SIZE = 100;

export interface IntakeSettings {
  senders: number;
  durationSec: number;
  warmupSec: number;
  /** A smoke run: this many requests in all instead of a duration. */
  amount?: number;
}

export interface IntakeFigures {
  senders: number;
  batchSize: number;
  requests: number;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Events the database holds for the bench's source, once the run is over: must be `events` plus the warm-up's. */
  stored: number;
  errors: number;
  error: string | null;
}

/** A source of its own, straight into the database (its write key is what the senders send). */
async function createSource(url: string): Promise<{ id: string; writeKey: string }> {
  const { secret, prefix, hash } = generateWriteKey();
  const client = new Client({ connectionString: url, application_name: 'bench' });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO event_sources (name, prefix, key_hash, created_by) VALUES ('bench intake', $1, $2, 'bench') RETURNING id::text AS id`,
      [prefix, hash],
    );
    return { id: rows[0]!.id, writeKey: secret };
  } finally {
    await client.end();
  }
}

const PAGES = ['/', '/pricing', '/product/attribution', '/blog/b2b-journeys', '/customers', '/demo', '/docs/getting-started', '/webinars/q4'];
const CAMPAIGNS = ['spring-launch', 'retargeting-eu', 'webinar-q4', 'brand-search'];

/**
 * One batch as analytics.js or analytics-node would send it, with `@@` where the request's
 * number goes (messageIds and ids differ from request to request; the rest repeats).
 */
export function batchTemplate(size = INTAKE_BATCH_SIZE): string {
  const now = Date.now();
  const events = Array.from({ length: size }, (_, i) => {
    const path = PAGES[i % PAGES.length]!;
    const campaign = CAMPAIGNS[i % CAMPAIGNS.length]!;
    const utm = i % 3 === 0 ? `?utm_source=google&utm_medium=cpc&utm_campaign=${campaign}&utm_content=ad-${i % 5}` : '';
    const context = {
      ip: `203.0.113.${i % 250}`,
      locale: 'en-US',
      userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
      library: { name: 'analytics.js', version: 'next-1.64.0' },
      page: { path, referrer: i % 4 === 0 ? 'https://www.google.com/' : '', search: utm, title: `Bench ${path}`, url: `https://www.example.com${path}${utm}` },
      ...(utm ? { campaign: { source: 'google', medium: 'cpc', name: campaign, content: `ad-${i % 5}` } } : {}),
    };
    const common = { messageId: `bench-@@-${i}`, anonymousId: `anon-@@-${i % 20}`, timestamp: new Date(now - (size - i) * 1000).toISOString(), context };
    if (i % 20 === 19) return { type: 'identify', ...common, userId: `user-@@-${i % 20}`, traits: { email: `visitor@@.${i}@prospect.example`, company: 'Acme' } };
    if (i % 7 === 3) return { type: 'track', ...common, event: i % 2 ? 'Demo Requested' : 'Whitepaper Downloaded', properties: { plan: 'enterprise', form: 'hero' } };
    return { type: 'page', ...common, name: `Bench ${path}`, properties: { path, url: context.page.url, referrer: context.page.referrer, title: context.page.title } };
  });
  return JSON.stringify({ batch: events, sentAt: new Date(now).toISOString() });
}

interface Outcome {
  latencies: number[];
  elapsedSec: number;
  errors: number;
  firstError: string | null;
}

/** One autocannon run: `senders` connections, each batch with its own number. */
function runLoad(baseUrl: string, writeKey: string, template: string, senders: number, length: { durationSec: number } | { amount: number }, first: number): Promise<Outcome & { sent: number }> {
  const parts = template.split('@@');
  let next = first;
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  return new Promise((ok, fail) => {
    const started = process.hrtime.bigint();
    const instance = autocannon(
      {
        url: baseUrl,
        connections: senders,
        ...('amount' in length ? { amount: length.amount } : { duration: length.durationSec }),
        timeout: 30,
        headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` },
        requests: [
          {
            method: 'POST',
            path: '/v1/batch',
            setupRequest: (req) => ({ ...req, body: parts.join(String(next++)) }),
            onResponse: (status: number, body: string) => {
              if (status !== 200 || body !== '{"success":true}') {
                errors++;
                firstError ??= `HTTP ${status}: ${body.slice(0, 200)}`;
              }
            },
          },
        ],
      },
      (error, result) => {
        if (error) {
          fail(error);
          return;
        }
        if (result.errors > 0) {
          errors += result.errors;
          firstError ??= `${result.timeouts} timeouts, ${result.errors - result.timeouts} connection errors`;
        }
        ok({ latencies, elapsedSec: Number(process.hrtime.bigint() - started) / 1e9, errors, firstError, sent: next - first });
      },
    );
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      if (statusCode === 200) latencies.push(responseTime);
    });
  });
}

/** Runs (k) against a running server of the database at `url`. */
export async function measureIntake(server: ServerProcess, url: string, settings: IntakeSettings): Promise<IntakeFigures> {
  const source = await createSource(url);
  const template = batchTemplate();
  let first = 0;
  let warmed = 0;
  if (settings.warmupSec > 0) {
    const warm = await runLoad(server.baseUrl, source.writeKey, template, settings.senders, { durationSec: settings.warmupSec }, first);
    first += warm.sent + 1000;
    warmed = warm.latencies.length;
    await new Promise((ok) => setTimeout(ok, 500));
  }
  const outcome = await runLoad(server.baseUrl, source.writeKey, template, settings.senders, settings.amount ? { amount: settings.amount } : { durationSec: settings.durationSec }, first);
  // the requests autocannon left open at the end are finished by the server: let them be
  await new Promise((ok) => setTimeout(ok, 500));
  const figures = latencyFigures(outcome.latencies, outcome.elapsedSec);
  const client = new Client({ connectionString: url, application_name: 'bench' });
  await client.connect();
  let stored = 0;
  try {
    stored = Number((await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM tracked_events WHERE source_id = $1`, [source.id])).rows[0]?.n ?? 0);
    // the bench's events are no backlog for the scenarios after it
    await client.query(`DELETE FROM tracked_events WHERE source_id = $1`, [source.id]);
  } finally {
    await client.end();
  }
  const events = figures.requests * INTAKE_BATCH_SIZE;
  const answered = (figures.requests + warmed) * INTAKE_BATCH_SIZE;
  let error = outcome.firstError;
  // every answered event is stored; requests cut off by the end of the run may be stored unanswered
  if (!error && stored < answered) error = `${answered} events were answered 200 but ${stored} are stored`;
  if (!error && figures.requests === 0) error = 'no request completed';
  return {
    senders: settings.senders,
    batchSize: INTAKE_BATCH_SIZE,
    requests: figures.requests,
    events,
    seconds: Math.round(outcome.elapsedSec * 100) / 100,
    eventsPerSecond: Math.round(events / outcome.elapsedSec),
    p50Ms: figures.p50Ms,
    p95Ms: figures.p95Ms,
    p99Ms: figures.p99Ms,
    maxMs: figures.maxMs,
    stored,
    errors: outcome.errors,
    error,
  };
}

/** (k) as a row of the bench's table; its label carries events/s. */
export function intakeScenarioFigures(f: IntakeFigures, server: ServerProcess): ScenarioFigures {
  return {
    key: 'k',
    label: `(k) event intake: POST /v1/batch of ${f.batchSize} events, ${f.senders} senders: ${f.eventsPerSecond.toLocaleString('en-US')} events/s`,
    load: {
      requests: f.requests,
      requestsPerSecond: f.seconds > 0 ? Math.round((f.requests / f.seconds) * 100) / 100 : 0,
      p50Ms: f.p50Ms,
      p95Ms: f.p95Ms,
      p99Ms: f.p99Ms,
      meanMs: Number.NaN,
      maxMs: f.maxMs,
      connections: f.senders,
      durationSec: f.seconds,
      errors: f.errors + (f.error && f.errors === 0 ? 1 : 0),
      firstError: f.error,
    },
    statements: 1,
    serverPeakRssAfterBytes: server.peakRssBytes(),
  };
}

/** Runs (k) alone: a fresh, empty migrated database (size S data), our server, the figures as JSON. */
async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const settings: IntakeSettings = { senders: 8, durationSec: 10, warmupSec: 3 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--senders') settings.senders = Number(argv[++i]);
    else if (argv[i] === '--duration') settings.durationSec = Number(argv[++i]);
    else if (argv[i] === '--smoke') Object.assign(settings, { senders: 2, warmupSec: 0, amount: 20 });
    else throw new Error(`unknown argument ${argv[i]}: --senders <n>, --duration <s>, --smoke`);
  }
  const log = (line: string) => process.stderr.write(`[intake bench] ${line}\n`);
  const db = await createBenchDatabase(log);
  const logFile = join(tmpdir(), `ra-intake-bench-${process.pid}.log`);
  let server: ServerProcess | undefined;
  let failed = true;
  try {
    await migrateAndLoad(db.url, 'S', log);
    const port = await findFreePort();
    server = await spawnServer({
      script: join(resolve(__dirname, '..', '..'), 'dist', 'src', 'main.js'),
      env: ourServerEnv(db.url, port, 10_000_000),
      port,
      logFile,
      ready: healthy,
    });
    const figures = await measureIntake(server, db.url, settings);
    console.log(JSON.stringify({ ...figures, serverPeakRssBytes: server.peakRssBytes() }, null, 2));
    failed = figures.error !== null;
    return failed ? 1 : 0;
  } finally {
    await server?.stop().catch(() => undefined);
    await db.drop().catch(() => undefined);
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
