import type { Logger } from 'pino';
import type { DataSource, EntityManager } from 'typeorm';
import type { Config } from '../config';
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
}

export function createContext(base: { ds: DataSource; config: Config; logger: Logger; requestId: string }): Context {
  return { ...base, loaders: new LoaderRegistry() };
}
