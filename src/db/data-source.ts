import 'reflect-metadata';
import { types } from 'pg';
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

export interface DataSourceOptions {
  url: string;
  poolSize?: number;
  applicationName?: string;
  /** Server-side limit of every statement (ms); 0 = none. */
  statementTimeoutMs?: number;
}

export function createDataSource(options: DataSourceOptions): DataSource {
  return new DataSource({
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
      // fail fast when the database is unreachable instead of queueing forever
      connectionTimeoutMillis: 5000,
    },
  });
}

/** Connects and brings the schema up to date; returns the migrations that ran. */
export async function connectAndMigrate(options: DataSourceOptions): Promise<{ ds: DataSource; applied: string[] }> {
  const ds = createDataSource(options);
  await ds.initialize();
  const applied = await ds.runMigrations({ transaction: 'each' });
  return { ds, applied: applied.map((m) => m.name) };
}
