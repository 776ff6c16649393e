import type { MemoryGuardOptions } from './http/memory-guard';

/** Every setting of the service, read once from the environment (documented in the README). */
export interface Config {
  /** PostgreSQL to use; when absent an embedded server is started. */
  databaseUrl: string | undefined;
  /** A read replica for metric and list queries; writes stay on databaseUrl. */
  databaseReadUrl: string | undefined;
  /** After a caller's write, its reads stay on the primary this long (read-your-writes). */
  readYourWritesMs: number;
  /** How often the read replica's replay position is checked (REPLICA_CHECK_MS). */
  replicaCheckMs: number;
  /** Past this lag every read goes to the primary (REPLICA_MAX_LAG_MS). */
  replicaMaxLagMs: number;
  /** Folder of the embedded server's data (npm start). */
  embeddedDataDir: string;
  /** Port of the embedded server; 0 picks a free one. */
  embeddedPort: number;
  port: number;
  host: string;
  /** Load the demo data set into an empty database on start. */
  seedDemo: boolean;
  /** Size of the demo data set: S, M, L or a number of accounts. */
  demoSize: string;
  logLevel: string;
  maxPageSize: number;
  production: boolean;
  /** Operations compiled once with graphql-jit (src/graphql/jit-executor.ts). */
  graphqlJit: { enabled: boolean; compileAfterRuns: number; sqlPages: boolean };
  /** Limits of a GraphQL request (see the README's table). */
  limits: {
    maxDepth: number;
    maxAliases: number;
    maxTokens: number;
    maxDirectives: number;
    maxCost: number;
    maxBodyBytes: number;
    introspection: boolean;
    statementTimeoutMs: number;
    /** Requests per key per window; 0 turns rate limiting off. */
    rateLimitPoints: number;
    rateLimitWindowSeconds: number;
    /** Bytes of remembered query costs (per process). */
    costCacheBytes: number;
    /** Failed authentications per client address per minute before it is refused without a lookup. */
    failedAuthPerMinute: number;
    /** Time to receive a request's headers, and the whole request (ms). */
    headersTimeoutMs: number;
    requestTimeoutMs: number;
    /** Client-side limit of every SQL statement (ms): a database that stops answering fails the request. */
    queryTimeoutMs: number;
    /** Rows a revenue time series may answer (periods × campaigns or channels): its memory is bounded whatever the data. */
    maxSeriesRows: number;
  };
  /** Connections of the pool (DATABASE_POOL_SIZE). */
  poolSize: number;
  /** How much metric work may hold database connections at once (see src/db/metric-work.ts). */
  metricWork: {
    /** In the whole process: the rest of the pool stays free for interactive reads and writes. */
    connections: number;
    perCaller: number;
    perRequest: number;
    /** How long a metric statement may wait for its turn before the request is told to retry. */
    queueMs: number;
  };
  /** Shared store of the rate limiter for several replicas; in memory when absent. */
  redisUrl: string | undefined;
  /** Prefix of the rate limiter's Redis keys (deployments sharing one Redis keep their counts apart). */
  redisKeyPrefix: string;
  /** How long a committed request with an Idempotency-Key may take to keep its response before a retry is told it is lost. */
  idempotencyResponseGraceSeconds: number;
  /** Count clients by the address the proxy in front saw (last X-Forwarded-For hop), not the socket's. */
  trustProxy: boolean;
  /** How long a revoked API key may still be accepted by a replica that cached it. */
  apiKeyCacheMs: number;
  /** How far before now a caller other than ADMIN or REVENUE_OPS may date a write (createdAt, at, ...). */
  backdateToleranceMinutes: number;
  /** New requests wait (503 BUSY) while a full collection leaves more than `share` of the old generation's limit live (src/http/memory-guard.ts). */
  memoryGuard: MemoryGuardOptions;
}

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  }
  return value;
}

function percentFromEnv(name: string, fallback: number): number {
  const value = intFromEnv(name, fallback);
  if (value > 100) throw new Error(`${name} is a percentage from 0 to 100, got "${process.env[name]}"`);
  return value;
}

function boolFromEnv(name: string, fallback: boolean): boolean {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
  throw new Error(`${name} must be true or false, got "${raw}"`);
}

export function loadConfig(): Config {
  const production = process.env.NODE_ENV === 'production';
  const statementTimeoutMs = intFromEnv('STATEMENT_TIMEOUT_MS', 15_000);
  const poolSize = Math.max(2, intFromEnv('DATABASE_POOL_SIZE', 10));
  return {
    databaseUrl: process.env.DATABASE_URL || undefined,
    databaseReadUrl: process.env.DATABASE_READ_URL || undefined,
    readYourWritesMs: intFromEnv('READ_YOUR_WRITES_MS', 5000),
    replicaCheckMs: intFromEnv('REPLICA_CHECK_MS', 500),
    replicaMaxLagMs: intFromEnv('REPLICA_MAX_LAG_MS', 5000),
    embeddedDataDir: process.env.EMBEDDED_PG_DIR ?? '.data/postgres',
    embeddedPort: intFromEnv('EMBEDDED_PG_PORT', 0),
    port: intFromEnv('PORT', 4000),
    host: process.env.HOST ?? '0.0.0.0',
    // the demo company and its printed keys are for the embedded demo only, never a real database
    seedDemo: boolFromEnv('SEED_DEMO', !process.env.DATABASE_URL && !production),
    demoSize: process.env.DEMO_SIZE ?? 'S',
    logLevel: process.env.LOG_LEVEL ?? 'info',
    maxPageSize: intFromEnv('MAX_PAGE_SIZE', 100),
    production,
    graphqlJit: {
      enabled: boolFromEnv('GRAPHQL_JIT', true),
      compileAfterRuns: intFromEnv('GRAPHQL_JIT_AFTER_RUNS', 2),
      sqlPages: boolFromEnv('GRAPHQL_SQL_PAGES', true),
    },
    limits: {
      maxDepth: intFromEnv('MAX_QUERY_DEPTH', 15),
      maxAliases: intFromEnv('MAX_QUERY_ALIASES', 30),
      maxTokens: intFromEnv('MAX_QUERY_TOKENS', 5000),
      maxDirectives: intFromEnv('MAX_QUERY_DIRECTIVES', 50),
      maxCost: intFromEnv('MAX_QUERY_COST', 50_000),
      maxBodyBytes: intFromEnv('MAX_BODY_BYTES', 1_000_000),
      introspection: boolFromEnv('GRAPHQL_INTROSPECTION', !production),
      statementTimeoutMs,
      rateLimitPoints: intFromEnv('RATE_LIMIT_PER_MINUTE', 1200),
      rateLimitWindowSeconds: 60,
      costCacheBytes: intFromEnv('COST_CACHE_BYTES', 4_000_000),
      failedAuthPerMinute: intFromEnv('FAILED_AUTH_PER_MINUTE', 30),
      headersTimeoutMs: intFromEnv('HTTP_HEADERS_TIMEOUT_MS', 10_000),
      requestTimeoutMs: intFromEnv('HTTP_REQUEST_TIMEOUT_MS', 30_000),
      queryTimeoutMs: intFromEnv('QUERY_TIMEOUT_MS', statementTimeoutMs + 5_000),
      maxSeriesRows: Math.max(1, intFromEnv('MAX_SERIES_ROWS', 20_000)),
    },
    poolSize,
    metricWork: {
      connections: intFromEnv('METRIC_CONNECTIONS', Math.max(1, poolSize - 4)),
      perCaller: intFromEnv('METRIC_CONNECTIONS_PER_CALLER', 2),
      perRequest: intFromEnv('METRIC_CONNECTIONS_PER_REQUEST', 2),
      queueMs: intFromEnv('METRIC_QUEUE_MS', 10_000),
    },
    redisUrl: process.env.REDIS_URL || undefined,
    redisKeyPrefix: process.env.REDIS_KEY_PREFIX || 'ra-rate',
    apiKeyCacheMs: intFromEnv('API_KEY_CACHE_MS', 10_000),
    backdateToleranceMinutes: intFromEnv('BACKDATE_TOLERANCE_MINUTES', 15),
    trustProxy: boolFromEnv('TRUST_PROXY', false),
    idempotencyResponseGraceSeconds: intFromEnv('IDEMPOTENCY_RESPONSE_GRACE_SECONDS', 10),
    memoryGuard: { share: percentFromEnv('MEMORY_GUARD_PERCENT', 85) / 100, holdMs: intFromEnv('MEMORY_GUARD_HOLD_MS', 1000) },
  };
}
