import type { ApolloServer } from '@apollo/server';
import { Role } from '../../src/auth/roles';
import type { Config } from '../../src/config';
import { createApollo } from '../../src/graphql/apollo';
import { stringifyResponse } from '../../src/graphql/raw-json';
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

/**
 * One operation through an engine as `role`: its HTTP status and its response as the client reads it.
 * `asHttp`: as the HTTP door runs it (its context says the response is written as JSON text, so
 * data PostgreSQL built may stay text) and writes it (Apollo's stringifyResult).
 */
export async function runOperation(
  apollo: ApolloServer<Context>,
  db: TestDatabase,
  config: Config,
  query: string,
  variables?: Record<string, unknown>,
  role: Role = Role.ADMIN,
  asHttp = false,
): Promise<{ status: number; text: string }> {
  const response = await apollo.executeOperation(
    { query, variables },
    {
      contextValue: createContext({
        ds: db.ds,
        config,
        logger: silentLogger,
        requestId: 'engine-test',
        actor: testActor(role),
        ...(asHttp ? { jsonResponse: true } : {}),
      }),
    },
  );
  if (response.body.kind !== 'single') throw new Error('unexpected incremental response');
  const result = response.body.singleResult;
  return { status: response.http.status ?? 200, text: asHttp ? stringifyResponse(result) : JSON.stringify(result) };
}
