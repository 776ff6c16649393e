import type { ApolloServer } from '@apollo/server';
import pino from 'pino';
import { Actor, Role } from '../../src/auth/roles';
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
  /** Runs one operation through the real schema, as a client would (as ADMIN unless `as` says otherwise). */
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, as?: Actor | Role | null): Promise<GraphQLResult<T>>;
  /** Like gql, but fails the test on any error and returns the data. */
  ok<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, as?: Actor | Role | null): Promise<T>;
  close(): Promise<void>;
}

export const silentLogger = pino({ level: 'silent' });

/** A caller of the given role, as if authenticated by an API key. */
export function testActor(role: Role, userId: string | null = null): Actor {
  return { kind: 'API_KEY', id: `key:test-${role.toLowerCase()}`, role, userId };
}

/** A fresh database and the GraphQL engine over it, for one test file. */
export async function createTestApp(): Promise<TestApp> {
  const db = await createTestDatabase();
  const config = { ...loadConfig(), production: false };
  const apollo = createApollo(await buildAppSchema(), config, silentLogger);
  await apollo.start();
  const gql = async <T>(query: string, variables?: Record<string, unknown>, as: Actor | Role | null = Role.ADMIN): Promise<GraphQLResult<T>> => {
    const actor = typeof as === 'string' ? testActor(as) : as;
    const response = await apollo.executeOperation<T>(
      { query, variables },
      { contextValue: createContext({ ds: db.ds, config, logger: silentLogger, requestId: 'test', actor }) },
    );
    if (response.body.kind !== 'single') throw new Error('unexpected incremental response');
    // what a client sees on the wire: scalars serialized to JSON
    return JSON.parse(JSON.stringify(response.body.singleResult)) as GraphQLResult<T>;
  };
  return {
    db,
    apollo,
    gql,
    async ok<T>(query: string, variables?: Record<string, unknown>, as?: Actor | Role | null) {
      const result = await gql<T>(query, variables, as);
      if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors, null, 2)}`);
      return result.data as T;
    },
    async close() {
      await apollo.stop();
      await db.drop();
    },
  };
}
