import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import type { DataSource, Logger as TypeOrmLogger, QueryRunner } from 'typeorm';
import { createLogger } from '../src/common/logger';
import { Config, loadConfig } from '../src/config';
import { createDataSource, observeQueries } from '../src/db/data-source';
import { createApp } from '../src/http/server';
import { checkAnswer, Scenario } from './scenarios';
import { percentile } from './http-load';

/** One SQL statement the service sent, with its parameters as the driver got them. */
export interface CapturedStatement {
  sql: string;
  params: unknown[];
}

export interface StatementCapture {
  /** Statements of one request once warm (API key cached), as observeQueries saw them. */
  count: number;
  statements: CapturedStatement[];
  /** What was wrong with the answer, if anything. */
  error: string | null;
}

/** Every limit as loadConfig sets it, with a rate limit a bench cannot reach. */
export function benchConfig(rateLimitPerMinute: number): Config {
  const base = loadConfig();
  return { ...base, seedDemo: false, limits: { ...base.limits, rateLimitPoints: rateLimitPerMinute } };
}

/** The counting app keeps the API key cached for the whole run: counts never include its lookup. */
const KEY_CACHE_MS = 24 * 3_600_000;

/**
 * Forwards everything to the data source's own logger (so observeQueries keeps working)
 * and, while `recording`, keeps each statement with its parameters.
 */
class CapturingLogger implements TypeOrmLogger {
  recording = false;
  captured: CapturedStatement[] = [];
  constructor(private readonly inner: TypeOrmLogger) {}
  logQuery(query: string, parameters?: unknown[], queryRunner?: QueryRunner): void {
    if (this.recording) this.captured.push({ sql: query, params: parameters ?? [] });
    this.inner.logQuery(query, parameters, queryRunner);
  }
  logQueryError(error: string | Error, query: string, parameters?: unknown[], queryRunner?: QueryRunner): void {
    this.inner.logQueryError(error, query, parameters, queryRunner);
  }
  logQuerySlow(time: number, query: string, parameters?: unknown[], queryRunner?: QueryRunner): void {
    this.inner.logQuerySlow(time, query, parameters, queryRunner);
  }
  logSchemaBuild(message: string, queryRunner?: QueryRunner): void {
    this.inner.logSchemaBuild(message, queryRunner);
  }
  logMigration(message: string, queryRunner?: QueryRunner): void {
    this.inner.logMigration(message, queryRunner);
  }
  log(level: 'log' | 'info' | 'warn', message: unknown, queryRunner?: QueryRunner): void {
    this.inner.log(level, message, queryRunner);
  }
}

async function post(baseUrl: string, secret: string, body: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
    body,
  });
  return { status: response.status, text: await response.text() };
}

/**
 * Runs each scenario's first request through the service in this process (createApp on
 * the bench database), once to warm up and once counted: how many statements it sends,
 * which, and with what parameters (for timing them directly).
 */
export async function captureStatements(url: string, secret: string, scenarios: Scenario[]): Promise<Map<string, StatementCapture>> {
  const config = { ...benchConfig(10_000_000), apiKeyCacheMs: KEY_CACHE_MS };
  const ds: DataSource = createDataSource({ url, statementTimeoutMs: config.limits.statementTimeoutMs, applicationName: 'bench-count' });
  await ds.initialize();
  const capturing = new CapturingLogger(ds.logger);
  Object.assign(ds, { logger: capturing });
  // failures are reported through the answers, not logged
  const app = await createApp({ ds, config, logger: createLogger('silent'), runImports: false });
  await new Promise<void>((ok) => app.http.listen(0, '127.0.0.1', ok));
  const baseUrl = `http://127.0.0.1:${(app.http.address() as AddressInfo).port}`;
  const captures = new Map<string, StatementCapture>();
  try {
    for (const scenario of scenarios) {
      const body = scenario.bodies[0] as string;
      const send = async () => {
        let observed = 0;
        const unobserve = observeQueries(() => observed++);
        capturing.captured = [];
        capturing.recording = true;
        const answer = await post(baseUrl, secret, body).finally(() => {
          capturing.recording = false;
          unobserve();
        });
        return { count: observed, statements: capturing.captured, error: checkAnswer(scenario, answer.status, answer.text) };
      };
      const warm = await send();
      // a failed request is not sent again (on a large data set it may be a 15 s timeout)
      captures.set(scenario.key, warm.error ? warm : await send());
    }
  } finally {
    await app.stop();
    await ds.destroy();
  }
  return captures;
}

export interface DirectTiming {
  runs: number;
  p50Ms: number;
  /** Every measured run's total, in order. */
  runsMs: number[];
  /** p50 of each statement alone, in order. */
  statementP50Ms: number[];
}

/** Measured runs of a set of statements: each run's total and each statement's time. */
export interface DirectRuns {
  totals: number[];
  each: number[][];
}

/**
 * Sends `statements` straight through `pg` on one connection, in order, `runs` times (after
 * one warm-up run when `warmUp`); a run's time is the sum of its statements, rows fetched
 * included. Slow statements: no more runs once `budgetMs` is spent (but always one).
 */
export async function runDirect(url: string, statements: CapturedStatement[], runs: number, warmUp: boolean, budgetMs = 30_000): Promise<DirectRuns> {
  const client = new Client({ connectionString: url, application_name: 'bench-direct' });
  await client.connect();
  const totals: number[] = [];
  const each: number[][] = statements.map(() => []);
  const started = performance.now();
  const first = warmUp ? 0 : 1;
  try {
    for (let run = first; run <= runs; run++) {
      if (totals.length > 0 && performance.now() - started > budgetMs) break;
      let total = 0;
      for (const [i, statement] of statements.entries()) {
        const sent = performance.now();
        await client.query(statement.sql, statement.params);
        const ms = performance.now() - sent;
        total += ms;
        if (run > 0) each[i]?.push(ms);
      }
      if (run > 0) totals.push(total);
    }
  } finally {
    await client.end();
  }
  return { totals, each };
}

const p50 = (values: number[]) => Math.round(percentile([...values].sort((a, b) => a - b), 50) * 100) / 100;

/** The figures of several sets of runs together (SQL direct before and after the API run). */
export function directTiming(parts: DirectRuns[]): DirectTiming {
  const totals = parts.flatMap((p) => p.totals);
  const count = parts[0]?.each.length ?? 0;
  const each = Array.from({ length: count }, (_, i) => parts.flatMap((p) => p.each[i] ?? []));
  return { runs: totals.length, p50Ms: p50(totals), runsMs: totals.map((t) => Math.round(t * 100) / 100), statementP50Ms: each.map(p50) };
}

/** EXPLAIN (ANALYZE, BUFFERS) of each SELECT among `statements`, as text. */
export async function explainStatements(url: string, statements: CapturedStatement[]): Promise<string[]> {
  const client = new Client({ connectionString: url, application_name: 'bench-explain' });
  await client.connect();
  const plans: string[] = [];
  try {
    for (const statement of statements) {
      if (!/^\s*(SELECT|WITH)\b/i.test(statement.sql)) continue;
      const result = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${statement.sql}`, statement.params);
      plans.push(result.rows.map((r) => r['QUERY PLAN']).join('\n'));
    }
  } finally {
    await client.end();
  }
  return plans;
}
