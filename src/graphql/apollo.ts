import { ApolloServer, ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { QueryCostMemo, requestLimits } from '../http/limits';
import type { Context } from './context';
import { makeFormatError } from './format-error';
import { JitExecutor } from './jit-executor';
import { stringifyResponse } from './raw-json';
import { SqlPages } from './sql-pages';

const costMemos = new WeakMap<ApolloServer<Context>, QueryCostMemo>();
const sqlPagesOfEngine = new WeakMap<ApolloServer<Context>, SqlPages>();

/** The query-cost memo of an engine made by createApollo. */
export function costMemoOf(apollo: ApolloServer<Context>): QueryCostMemo {
  return costMemos.get(apollo)!;
}

/** The one-statement lists of an engine made by createApollo, when they are on (for the tests). */
export function sqlPagesOf(apollo: ApolloServer<Context>): SqlPages | undefined {
  return sqlPagesOfEngine.get(apollo);
}

/** The GraphQL engine, configured the same for the server, the tests and the benchmark. */
export function createApollo(schema: GraphQLSchema, config: Config, logger: Logger, plugins: ApolloServerPlugin<Context>[] = []) {
  const limits = requestLimits(schema, config);
  // repeated operations run as functions graphql-jit compiled from them, through Apollo's gateway hook
  // and lists of lists are answered by one statement whose JSON PostgreSQL builds (src/graphql/sql-pages.ts)
  const { enabled, compileAfterRuns } = config.graphqlJit;
  const sqlPages = config.graphqlJit.sqlPages ? new SqlPages(schema) : undefined;
  const engine =
    enabled || sqlPages
      ? {
          gateway: new JitExecutor(schema, {
            compileAfterRuns: enabled ? compileAfterRuns : Number.POSITIVE_INFINITY,
            ...(sqlPages ? { sqlPages } : {}),
          }).gateway(),
        }
      : { schema };
  const apollo = new ApolloServer<Context>({
    ...engine,
    formatError: makeFormatError(logger),
    includeStacktraceInErrorResponses: false,
    introspection: config.limits.introspection,
    hideSchemaDetailsFromClientErrors: !config.limits.introspection,
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    validationRules: limits.validationRules,
    parseOptions: { maxTokens: config.limits.maxTokens },
    // compact JSON: Apollo's default indents every response, which costs time and bytes on large pages;
    // a page whose JSON PostgreSQL built is written as that text (RawJson)
    stringifyResult: stringifyResponse,
    // no HTTP cache hints are served, and the cache-control plugin would wrap every field of every row
    // Apollo's landing page loads from a CDN: browsers get the bundled GraphiQL instead (src/http/static.ts)
    plugins: [ApolloServerPluginCacheControlDisabled(), ApolloServerPluginLandingPageDisabled(), ...(limits.plugins as ApolloServerPlugin<Context>[]), ...plugins],
    logger: {
      debug: (m) => logger.debug(m),
      info: (m) => logger.info(m),
      warn: (m) => logger.warn(m),
      error: (m) => logger.error(m),
    },
  });
  costMemos.set(apollo, limits.costMemo);
  if (sqlPages) sqlPagesOfEngine.set(apollo, sqlPages);
  return apollo;
}
