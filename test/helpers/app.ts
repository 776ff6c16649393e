import type { ApolloServer } from '@apollo/server';
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { createApollo } from '../../src/graphql/apollo';
import { Context, createContext } from '../../src/graphql/context';
import { buildAppSchema } from '../../src/graphql/schema';
import { createTestDatabase, TestDatabase } from './db';

export interface GraphQLResult<T> {
  data?: T | null;
  errors?: { message: string; path?: readonly (string | number)[]; extensions?: Record<string, unknown> }[];
}

export interface TestApp {
  db: TestDatabase;
  apollo: ApolloServer<Context>;
  /** Runs one operation through the real schema, as a client would. */
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResult<T>>;
  /** Like gql, but fails the test on any error and returns the data. */
  ok<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

export const silentLogger = pino({ level: 'silent' });

/** A fresh database and the GraphQL engine over it, for one test file. */
export async function createTestApp(): Promise<TestApp> {
  const db = await createTestDatabase();
  const config = { ...loadConfig(), production: false };
  const apollo = createApollo(await buildAppSchema(), config, silentLogger);
  await apollo.start();
  const gql = async <T>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResult<T>> => {
    const response = await apollo.executeOperation<T>(
      { query, variables },
      { contextValue: createContext({ ds: db.ds, config, logger: silentLogger, requestId: 'test' }) },
    );
    if (response.body.kind !== 'single') throw new Error('unexpected incremental response');
    // what a client sees on the wire: scalars serialized to JSON
    return JSON.parse(JSON.stringify(response.body.singleResult)) as GraphQLResult<T>;
  };
  return {
    db,
    apollo,
    gql,
    async ok<T>(query: string, variables?: Record<string, unknown>) {
      const result = await gql<T>(query, variables);
      if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors, null, 2)}`);
      return result.data as T;
    },
    async close() {
      await apollo.stop();
      await db.drop();
    },
  };
}
