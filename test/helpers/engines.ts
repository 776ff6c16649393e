import type { ApolloServer } from '@apollo/server';
import { Role } from '../../src/auth/roles';
import type { Config } from '../../src/config';
import { createApollo } from '../../src/graphql/apollo';
import { Context, createContext } from '../../src/graphql/context';
import { buildAppSchema } from '../../src/graphql/schema';
import { silentLogger, testActor } from './app';
import type { TestDatabase } from './db';

/** A started GraphQL engine with these executor settings (graphql-jit, lists in one statement), to compare engines. */
export async function startEngine(config: Config, executor: Config['graphqlJit']): Promise<ApolloServer<Context>> {
  const apollo = createApollo(await buildAppSchema(), { ...config, graphqlJit: executor }, silentLogger);
  await apollo.start();
  return apollo;
}

/** One operation through an engine as `role`: its HTTP status and its response as the client reads it. */
export async function runOperation(
  apollo: ApolloServer<Context>,
  db: TestDatabase,
  config: Config,
  query: string,
  variables?: Record<string, unknown>,
  role: Role = Role.ADMIN,
): Promise<{ status: number; text: string }> {
  const response = await apollo.executeOperation(
    { query, variables },
    { contextValue: createContext({ ds: db.ds, config, logger: silentLogger, requestId: 'engine-test', actor: testActor(role) }) },
  );
  if (response.body.kind !== 'single') throw new Error('unexpected incremental response');
  return { status: response.http.status ?? 200, text: JSON.stringify(response.body.singleResult) };
}
