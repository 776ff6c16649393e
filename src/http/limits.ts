import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { DocumentNode, GraphQLError, GraphQLSchema, ValidationRule } from 'graphql';
import { ComplexityEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import type { Config } from '../config';
import { DEFAULT_PAGE_SIZE } from '../graphql/connection';

function rejected(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'QUERY_REJECTED', http: { status: 400 } } });
}

/**
 * A list field costs its page size times what each item costs, so 100 accounts × 100 leads
 * × 100 touchpoints is priced as the million rows it asks for.
 */
const pageSizeEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  const isConnection = String(field.type).replace(/!$/, '').endsWith('Connection');
  const requested = typeof args.first === 'number' ? args.first : typeof args.last === 'number' ? args.last : null;
  const size = requested ?? (isConnection ? DEFAULT_PAGE_SIZE : null);
  if (size !== null) return 1 + size * Math.max(childComplexity, 1);
  return undefined;
};

/** How many costs are remembered per parsed document (one per operation name and variables). */
const COSTS_PER_DOCUMENT = 512;

/**
 * Refuses, before execution, operations that cost more than `maxCost`. A cost depends only on
 * the document, the operation and the variables, so it is remembered per parsed document
 * (Apollo keeps one parsed document per query text) for the last few hundred variable sets:
 * a dashboard asking the same query again is not priced again.
 */
function costLimitPlugin(schema: GraphQLSchema, maxCost: number): ApolloServerPlugin {
  const known = new WeakMap<DocumentNode, Map<string, number>>();
  const price = (document: DocumentNode, operationName: string | undefined, variables: Record<string, unknown>): number => {
    const key = JSON.stringify([operationName ?? null, variables]);
    let costs = known.get(document);
    const remembered = costs?.get(key);
    if (remembered !== undefined) return remembered;
    const cost = getComplexity({
      schema,
      query: document,
      variables,
      ...(operationName ? { operationName } : {}),
      estimators: [pageSizeEstimator, simpleEstimator({ defaultComplexity: 1 })],
    });
    if (!costs) known.set(document, (costs = new Map()));
    if (costs.size >= COSTS_PER_DOCUMENT) costs.delete(costs.keys().next().value!);
    costs.set(key, cost);
    return cost;
  };
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          let cost: number;
          try {
            cost = price(document, request.operationName ?? undefined, request.variables ?? {});
          } catch (error) {
            // variables that do not fit their types: execution refuses them as BAD_USER_INPUT
            // before any resolver runs, so there is nothing to price
            if (error instanceof GraphQLError) return;
            throw error;
          }
          if (cost > maxCost) {
            throw rejected(`query cost ${cost} exceeds the limit of ${maxCost} (lists cost their page size: ask for smaller pages)`);
          }
        },
      };
    },
  };
}

/** The limits of every GraphQL request: depth, aliases, tokens, directives and cost. */
export function requestLimits(schema: GraphQLSchema, config: Config): { plugins: ApolloServerPlugin[]; validationRules: ValidationRule[] } {
  const { limits } = config;
  const armor = new ApolloArmor({
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true, exposeLimits: true },
    maxAliases: { n: limits.maxAliases, exposeLimits: true },
    // graphql-js counts tokens while parsing (parseOptions in apollo.ts): armor's check throws
    // from a plugin hook, which Apollo answers with a 500 as if the server had failed
    maxTokens: { enabled: false },
    maxDirectives: { n: limits.maxDirectives, exposeLimits: true },
    costLimit: { enabled: false }, // ours counts page sizes
    blockFieldSuggestion: { enabled: !limits.introspection },
  }).protect();
  return { plugins: [...armor.plugins, costLimitPlugin(schema, limits.maxCost)], validationRules: armor.validationRules };
}
