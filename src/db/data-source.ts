import 'reflect-metadata';
import { Client, types } from 'pg';
import { DataSource, Logger as TypeOrmLogger } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { ENTITIES } from './entities';
import { timestamptzParser } from './timestamptz';

// DATE columns are calendar days: keep them as 'YYYY-MM-DD' instead of a local-time Date.
types.setTypeParser(1082, (value: string) => value);
// timestamptz: the same Dates as pg's parser, without a regular expression per value
types.setTypeParser(1184, timestamptzParser(types.getTypeParser(1184)));

type QueryListener = (sql: string) => void;
const queryListeners = new Set<QueryListener>();

/** Calls `listener` with every SQL statement the service sends (tests count statements with it). */
export function observeQueries(listener: QueryListener): () => void {
  queryListeners.add(listener);
  return () => queryListeners.delete(listener);
}

class QueryObserver implements TypeOrmLogger {
  logQuery(query: string): void {
    for (const listener of queryListeners) listener(query);
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

/** Marks a client lent to a job whose statements may run for as long as they must. */
const UNBOUNDED = Symbol('unbounded');

interface TimeoutSettings {
  /** While migrations run, no statement is cut short on the client side. */
  migrating: boolean;
}

const timeoutSettings = new WeakMap<DataSource, TimeoutSettings>();

/** Longest timer Node keeps (about 24.8 days): what "no client-side limit" is for one statement. */
const NO_LIMIT_MS = 2 ** 31 - 1;

/**
 * pg's client with a client-side limit on every statement (`query_timeout`): a database that
 * stops answering (frozen, not refusing) fails the statement instead of hanging the request.
 * A statement cut short leaves its connection waiting for an answer, so the connection is
 * closed and the pool opens a new one. Bulk loads, cache builds and migrations turn the limit
 * off for their own connection (withoutQueryTimeout), as they turn off statement_timeout.
 */
function timedClientClass(settings: TimeoutSettings): typeof Client {
  return class TimedClient extends Client {
    [UNBOUNDED] = false;

    // pg's overloads (text, config, stream, callback) are passed through as they are
    override query(...args: unknown[]): never {
      let call = args;
      if ((this[UNBOUNDED] || settings.migrating) && typeof args[0] === 'string' && typeof args[args.length - 1] !== 'function') {
        call = [{ text: args[0], values: args[1], query_timeout: NO_LIMIT_MS }];
      }
      const result = (super.query as (...a: unknown[]) => unknown)(...call);
      if (result instanceof Promise) {
        result.catch((error: unknown) => {
          if (error instanceof Error && error.message === 'Query read timeout') {
            (this as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
          }
        });
      }
      return result as never;
    }
  };
}

/** Lifts the client-side statement limit from a connection of the pool until `work` ends. */
export async function withoutQueryTimeout<T>(client: unknown, work: () => Promise<T>): Promise<T> {
  const timed = client as { [UNBOUNDED]?: boolean };
  if (!(UNBOUNDED in timed)) return work();
  timed[UNBOUNDED] = true;
  try {
    return await work();
  } finally {
    timed[UNBOUNDED] = false;
  }
}

export interface DataSourceOptions {
  url: string;
  poolSize?: number;
  applicationName?: string;
  /** Server-side limit of every statement (ms); 0 = none. */
  statementTimeoutMs?: number;
  /** Client-side limit of every statement (ms): by default 5 s past statementTimeoutMs; 0 = none. */
  queryTimeoutMs?: number;
}

export function createDataSource(options: DataSourceOptions): DataSource {
  const queryTimeoutMs = options.queryTimeoutMs ?? (options.statementTimeoutMs ? options.statementTimeoutMs + 5000 : 0);
  const settings: TimeoutSettings = { migrating: false };
  const ds = new DataSource({
    type: 'postgres',
    url: options.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    logger: new QueryObserver(),
    poolSize: options.poolSize ?? 10,
    applicationName: options.applicationName ?? 'revenue-alignment-api',
    extra: {
      ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
      ...(queryTimeoutMs ? { query_timeout: queryTimeoutMs, Client: timedClientClass(settings) } : {}),
      // fail fast when the database is unreachable instead of queueing forever
      connectionTimeoutMillis: 5000,
      // no JIT compilation: the set-returning functions of the metrics are estimated at 1,000
      // rows whatever they return, which puts plans of a few hundred ms past jit_above_cost;
      // compiling them then took longer than running them (5.4 s of a 13 s backtest at M on
      // PostgreSQL 15). The embedded PostgreSQL has no JIT anyway.
      options: '-c jit=off',
    },
  });
  timeoutSettings.set(ds, settings);
  return ds;
}

/** Connects and brings the schema up to date; returns the migrations that ran. */
export async function connectAndMigrate(options: DataSourceOptions): Promise<{ ds: DataSource; applied: string[] }> {
  const ds = createDataSource(options);
  await ds.initialize();
  const settings = timeoutSettings.get(ds)!;
  settings.migrating = true;
  try {
    const applied = await ds.runMigrations({ transaction: 'each' });
    return { ds, applied: applied.map((m) => m.name) };
  } finally {
    settings.migrating = false;
  }
}
