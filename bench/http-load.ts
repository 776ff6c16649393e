import autocannon from 'autocannon';
import { checkAnswer, Scenario } from './scenarios';

export interface LoadSettings {
  connections: number;
  /** Measured seconds. */
  durationSec: number;
  /** Seconds of load before the measured run, thrown away (JIT, caches, pool). */
  warmupSec: number;
  /** Seconds a single request may take before it counts as an error. */
  timeoutSec: number;
  /**
   * Slow queries: warm up with whole requests (at least one, for warmupSec but at least 1 s),
   * then send a number of requests that fills about durationSec, at least this many.
   */
  minRequests?: number;
}

export interface LatencyFigures {
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
}

export interface LoadResult extends LatencyFigures {
  connections: number;
  durationSec: number;
  /** Requests that failed: HTTP status other than 200, GraphQL errors, timeouts, socket errors. */
  errors: number;
  firstError: string | null;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

export function latencyFigures(samplesMs: number[], elapsedSec: number): LatencyFigures {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    requests: sorted.length,
    requestsPerSecond: round(sorted.length / elapsedSec),
    p50Ms: round(percentile(sorted, 50)),
    p95Ms: round(percentile(sorted, 95)),
    p99Ms: round(percentile(sorted, 99)),
    meanMs: round(sorted.length ? sum / sorted.length : Number.NaN),
    maxMs: round(sorted[sorted.length - 1] ?? Number.NaN),
  };
}

interface RunOutcome {
  latencies: number[];
  elapsedSec: number;
  errors: number;
  firstError: string | null;
}

/** How long one run lasts: seconds, or a number of requests. */
type RunLength = { durationSec: number } | { amount: number };

/**
 * One autocannon run against POST /graphql. Every answer is checked: GraphQL errors are
 * found with a cheap text test on the hot path, and the first failing answer is parsed to
 * say what went wrong. Latencies are kept whole to compute exact percentiles.
 */
function runOnce(
  baseUrl: string,
  headers: Record<string, string>,
  scenario: Scenario,
  connections: number,
  length: RunLength,
  timeoutSec: number,
): Promise<RunOutcome> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  const requests = scenario.bodies.map((text) => ({
    method: 'POST' as const,
    path: '/graphql',
    body: text,
    onResponse: (status: number, answer: string) => {
      if (status !== 200 || answer.includes('"errors":')) {
        errors++;
        firstError ??= checkAnswer(scenario, status, answer) ?? `HTTP ${status}`;
      }
    },
  }));
  return new Promise((ok, reject) => {
    const started = process.hrtime.bigint();
    const instance = autocannon(
      {
        url: baseUrl,
        connections,
        ...('amount' in length ? { amount: length.amount } : { duration: length.durationSec }),
        timeout: timeoutSec,
        headers: { 'content-type': 'application/json', ...headers },
        requests,
      },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        const elapsedSec = Number(process.hrtime.bigint() - started) / 1e9;
        // autocannon's errors are timeouts and connection errors (answers were checked above)
        if (result.errors > 0) {
          errors += result.errors;
          firstError ??= `${result.timeouts} timeouts (over ${timeoutSec} s), ${result.errors - result.timeouts} connection errors`;
        }
        ok({ latencies, elapsedSec, errors, firstError });
      },
    );
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      if (statusCode === 200) latencies.push(responseTime);
    });
  });
}

/** One request outside autocannon, awaited to the end: its time in ms and what was wrong. */
async function timedRequest(baseUrl: string, headers: Record<string, string>, scenario: Scenario): Promise<{ ms: number; error: string | null }> {
  const started = performance.now();
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: scenario.bodies[0],
  });
  const text = await response.text();
  return { ms: performance.now() - started, error: checkAnswer(scenario, response.status, text) };
}

/**
 * Warm-up, then the measured run of one scenario. With `minRequests` (slow metric queries)
 * the warm-up is whole requests and the measured run a number of requests that fills about
 * the duration, so that no request is cut off half-way and left running on the server.
 */
export async function loadScenario(baseUrl: string, headers: Record<string, string>, scenario: Scenario, settings: LoadSettings): Promise<LoadResult> {
  const { connections, timeoutSec } = settings;
  let length: RunLength = { durationSec: settings.durationSec };
  if (settings.minRequests) {
    // at least one request and one second; the first (cold) request is left out of the estimate
    const times: number[] = [];
    let spentMs = 0;
    do {
      const warm = await timedRequest(baseUrl, headers, scenario);
      if (warm.error) return failed(settings, warm.error);
      times.push(warm.ms);
      spentMs += warm.ms;
    } while (spentMs < Math.max(1, settings.warmupSec) * 1000);
    const warmTimes = times.length > 1 ? times.slice(1) : times;
    const perRequestMs = warmTimes.reduce((a, b) => a + b, 0) / warmTimes.length;
    const amount = Math.max(settings.minRequests, Math.round((settings.durationSec * 1000 * connections) / perRequestMs));
    length = { amount: Math.min(amount, 100_000) };
  } else if (settings.warmupSec > 0) {
    const warm = await runOnce(baseUrl, headers, scenario, connections, { durationSec: settings.warmupSec }, timeoutSec);
    const longest = warm.latencies.reduce((a, b) => Math.max(a, b), 0);
    await new Promise((ok) => setTimeout(ok, Math.min(timeoutSec * 1000, 200 + 1.5 * longest)));
  }
  const outcome = await runOnce(baseUrl, headers, scenario, connections, length, timeoutSec);
  if ('durationSec' in length) {
    // autocannon drops the requests still open when the time is up, but the server finishes
    // them: let it, so that they don't weigh on the next scenario
    const longest = outcome.latencies.reduce((a, b) => Math.max(a, b), 0);
    await new Promise((ok) => setTimeout(ok, Math.min(timeoutSec * 1000, 200 + 1.5 * longest)));
  }
  const figures = latencyFigures(outcome.latencies, outcome.elapsedSec);
  return {
    ...figures,
    connections,
    durationSec: Math.round(outcome.elapsedSec * 10) / 10,
    errors: outcome.errors + (figures.requests === 0 && outcome.errors === 0 ? 1 : 0),
    firstError: outcome.firstError ?? (figures.requests === 0 ? 'no request completed' : null),
  };
}

function failed(settings: LoadSettings, reason: string): LoadResult {
  return { ...latencyFigures([], 1), connections: settings.connections, durationSec: 0, errors: 1, firstError: reason };
}

/** How the server answered one request of a flood. */
export type FloodVerdict = 'answered' | 'refused' | 'failed' | 'invalid';

/** Error codes of a server that turns work away ("busy, retry", over cost, rate limited): a refusal, not a failure. */
const REFUSAL_CODES = new Set(['BUSY', 'QUERY_REJECTED', 'RATE_LIMITED', 'SERVICE_UNAVAILABLE']);
/** Error codes that say the flood's own request is wrong: the bench is broken, not the server. */
const INVALID_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'BAD_REQUEST', 'UNAUTHENTICATED', 'FORBIDDEN']);

/**
 * Sorts one answer of the flood: `answered` (200, data, no error), `refused` (HTTP 429 or 503,
 * or only errors of a refusal code), `invalid` (the request itself is wrong) or `failed`
 * (anything else: a 500, a cancelled statement, a timeout). `reason` names the status and code.
 */
export function classifyFloodAnswer(status: number, text: string): { verdict: FloodVerdict; reason: string } {
  let parsed: { data?: unknown; errors?: { message?: string; extensions?: { code?: string } }[] } | undefined;
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    parsed = undefined;
  }
  const codes = (parsed?.errors ?? []).map((e) => e.extensions?.code ?? 'NO_CODE');
  const reason = `HTTP ${status}${codes.length ? ` ${[...new Set(codes)].join('/')}` : ''}`;
  if (status === 429 || status === 503) return { verdict: 'refused', reason };
  if (codes.length > 0 && codes.every((code) => REFUSAL_CODES.has(code))) return { verdict: 'refused', reason };
  if (codes.some((code) => INVALID_CODES.has(code))) {
    return { verdict: 'invalid', reason: `${reason}: ${(parsed?.errors ?? []).map((e) => e.message).join('; ').slice(0, 300)}` };
  }
  if (status === 200 && parsed?.data && codes.length === 0) return { verdict: 'answered', reason };
  const message = parsed?.errors?.[0]?.message ?? text.slice(0, 200);
  return { verdict: 'failed', reason: `${reason}: ${message}` };
}

export interface FloodResult {
  connections: number;
  elapsedSec: number;
  /** Latencies of the answered requests. */
  answered: LatencyFigures;
  refused: number;
  /** Refusals by status and code, e.g. "HTTP 429 BUSY": 12. */
  refusedBy: Record<string, number>;
  failed: number;
  firstFailure: string | null;
  /** The first answer that says the flood's request is wrong (a broken bench), if any. */
  invalid: string | null;
  /** GET /health while the flood ran: probes sent, answered 200, and the first other answer. */
  health: { probes: number; ok: number; firstOther: string | null };
}

export interface Flood {
  /** Stops sending, abandons the requests still open (the server finishes them) and sums up. */
  stop(): Promise<FloodResult>;
}

/**
 * Floods the server: `connections` loops, each sending the next of `bodies` (in turn) as soon
 * as its previous request is answered, until stopped; and one probe of GET /health every
 * `healthEveryMs`. Every answer is sorted with classifyFloodAnswer; nothing is thrown for a
 * refusal or a failure, they are counted.
 */
export function startFlood(
  baseUrl: string,
  headers: Record<string, string>,
  bodies: string[],
  connections: number,
  timeoutSec: number,
  healthEveryMs = 500,
): Flood {
  const stopping = new AbortController();
  const started = performance.now();
  const latencies: number[] = [];
  const refusedBy: Record<string, number> = {};
  let refused = 0;
  let failed = 0;
  let firstFailure: string | null = null;
  let invalid: string | null = null;
  let next = 0;
  const health = { probes: 0, ok: 0, firstOther: null as string | null };

  const worker = async () => {
    while (!stopping.signal.aborted) {
      const text = bodies[next++ % bodies.length] as string;
      const sent = performance.now();
      try {
        const response = await fetch(`${baseUrl}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: text,
          signal: AbortSignal.any([stopping.signal, AbortSignal.timeout(timeoutSec * 1000)]),
        });
        const answer = await response.text();
        const { verdict, reason } = classifyFloodAnswer(response.status, answer);
        if (verdict === 'answered') latencies.push(performance.now() - sent);
        else if (verdict === 'refused') {
          refused++;
          refusedBy[reason] = (refusedBy[reason] ?? 0) + 1;
          // a refusal comes back at once: don't spin on the CPU the server needs
          await new Promise((ok) => setTimeout(ok, 20));
        } else if (verdict === 'invalid') invalid ??= reason;
        else {
          failed++;
          firstFailure ??= reason;
        }
      } catch (error) {
        if (stopping.signal.aborted) break; // abandoned when stopped: not an answer
        failed++;
        firstFailure ??= error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${timeoutSec} s` : String(error);
      }
    }
  };
  const probeHealth = async () => {
    while (!stopping.signal.aborted) {
      health.probes++;
      try {
        const response = await fetch(`${baseUrl}/health`, { signal: AbortSignal.any([stopping.signal, AbortSignal.timeout(5000)]) });
        const answer = await response.text();
        if (response.status === 200) health.ok++;
        else health.firstOther ??= `HTTP ${response.status} ${answer.slice(0, 120)}`;
      } catch (error) {
        if (stopping.signal.aborted) {
          health.probes--; // cut off by the stop, not by the server
          break;
        }
        health.firstOther ??= error instanceof Error && error.name === 'TimeoutError' ? 'no answer within 5 s' : String(error);
      }
      await new Promise((ok) => setTimeout(ok, healthEveryMs));
    }
  };
  const running = [...Array.from({ length: connections }, worker), probeHealth()];
  return {
    async stop() {
      const elapsedSec = (performance.now() - started) / 1000;
      stopping.abort();
      await Promise.allSettled(running);
      return {
        connections,
        elapsedSec: Math.round(elapsedSec * 10) / 10,
        answered: latencyFigures(latencies, elapsedSec),
        refused,
        refusedBy,
        failed,
        firstFailure,
        invalid,
        health,
      };
    },
  };
}
