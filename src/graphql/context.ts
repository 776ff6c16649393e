import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../auth/roles';
import type { Config } from '../config';
import type { MetricWorkTicket } from '../db/metric-work';
import type { DbContext } from '../db/with-transaction';
import { LoaderRegistry } from './loaders';

/** Everything a resolver gets, built fresh for each request. */
export interface Context extends DbContext {
  requestId: string;
  ds: DataSource;
  /** Open transaction of the current mutation (see withTransaction). */
  tx?: EntityManager;
  loaders: LoaderRegistry;
  config: Config;
  logger: Logger;
  /** The authenticated caller; null only for the service's own jobs (CLI, seeding). */
  actor: Actor | null;
  /** The mutation being executed, for the audit log (set by the authorization middleware). */
  mutation?: string;
  /** This request's share of the database connections metrics may hold (HTTP requests). */
  metricWork?: MetricWorkTicket;
  /** The response is written as JSON text by the HTTP door: data PostgreSQL built may stay text (RawJson). */
  jsonResponse?: boolean;
}

export function createContext(base: {
  ds: DataSource;
  readDs?: DataSource;
  config: Config;
  logger: Logger;
  requestId: string;
  actor?: Actor | null;
  metricWork?: MetricWorkTicket;
  jsonResponse?: boolean;
}): Context {
  return { ...base, actor: base.actor ?? null, loaders: new LoaderRegistry() };
}
