/** Every setting of the service, read once from the environment (documented in the README). */
export interface Config {
  /** PostgreSQL to use; when absent an embedded server is started. */
  databaseUrl: string | undefined;
  /** A read replica for metric and list queries; writes stay on databaseUrl. */
  databaseReadUrl: string | undefined;
  /** After a caller's write, its reads stay on the primary this long (read-your-writes). */
  readYourWritesMs: number;
  /** Folder of the embedded server's data (npm start). */
  embeddedDataDir: string;
  /** Port of the embedded server; 0 picks a free one. */
  embeddedPort: number;
  port: number;
  host: string;
  /** Load the demo data set into an empty database on start. */
  seedDemo: boolean;
  /** Size of the demo data set: S, M or a number of accounts. */
  demoSize: string;
  logLevel: string;
  maxPageSize: number;
  production: boolean;
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
  };
  /** Shared store of the rate limiter for several replicas; in memory when absent. */
  redisUrl: string | undefined;
  /** Prefix of the rate limiter's Redis keys (deployments sharing one Redis keep their counts apart). */
  redisKeyPrefix: string;
  /** How long a revoked API key may still be accepted by a replica that cached it. */
  apiKeyCacheMs: number;
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

function boolFromEnv(name: string, fallback: boolean): boolean {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
  throw new Error(`${name} must be true or false, got "${raw}"`);
}

export function loadConfig(): Config {
  const production = process.env.NODE_ENV === 'production';
  return {
    databaseUrl: process.env.DATABASE_URL || undefined,
    databaseReadUrl: process.env.DATABASE_READ_URL || undefined,
    readYourWritesMs: intFromEnv('READ_YOUR_WRITES_MS', 5000),
    embeddedDataDir: process.env.EMBEDDED_PG_DIR ?? '.data/postgres',
    embeddedPort: intFromEnv('EMBEDDED_PG_PORT', 0),
    port: intFromEnv('PORT', 4000),
    host: process.env.HOST ?? '0.0.0.0',
    seedDemo: boolFromEnv('SEED_DEMO', true),
    demoSize: process.env.DEMO_SIZE ?? 'S',
    logLevel: process.env.LOG_LEVEL ?? 'info',
    maxPageSize: intFromEnv('MAX_PAGE_SIZE', 100),
    production,
    limits: {
      maxDepth: intFromEnv('MAX_QUERY_DEPTH', 15),
      maxAliases: intFromEnv('MAX_QUERY_ALIASES', 30),
      maxTokens: intFromEnv('MAX_QUERY_TOKENS', 5000),
      maxDirectives: intFromEnv('MAX_QUERY_DIRECTIVES', 50),
      maxCost: intFromEnv('MAX_QUERY_COST', 50_000),
      maxBodyBytes: intFromEnv('MAX_BODY_BYTES', 1_000_000),
      introspection: boolFromEnv('GRAPHQL_INTROSPECTION', !production),
      statementTimeoutMs: intFromEnv('STATEMENT_TIMEOUT_MS', 15_000),
      rateLimitPoints: intFromEnv('RATE_LIMIT_PER_MINUTE', 1200),
      rateLimitWindowSeconds: 60,
    },
    redisUrl: process.env.REDIS_URL || undefined,
    redisKeyPrefix: process.env.REDIS_KEY_PREFIX || 'ra-rate',
    apiKeyCacheMs: intFromEnv('API_KEY_CACHE_MS', 10_000),
  };
}
