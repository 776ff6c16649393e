import { createHash } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { DocumentNode, GraphQLError, GraphQLSchema, ValidationRule } from 'graphql';
import { ComplexityEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { LRUCache } from 'lru-cache';
import type { Config } from '../config';
import { MAX_VARIABLES_DEPTH, withinDepth } from './json-depth';
import { metricEstimator } from './metric-cost';
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

/** What one remembered cost holds: a 44-character key, the number, the LRU's bookkeeping. */
const COST_ENTRY_BYTES = 200;

/**
 * Costs already computed, by a SHA-256 of the query text's hash, the operation and the
 * variables: client input never becomes a key as it is (a key is 44 characters whatever the
 * variables hold), and the memo is bounded by bytes, not entries.
 */
export class QueryCostMemo {
  private readonly costs: LRUCache<string, number>;

  constructor(readonly maxBytes: number) {
    this.costs = new LRUCache({ maxSize: Math.max(maxBytes, COST_ENTRY_BYTES), sizeCalculation: (_cost, key) => COST_ENTRY_BYTES + key.length * 2 });
  }

  /** The key of one request; variables must be within MAX_VARIABLES_DEPTH (JSON.stringify recurses). */
  static key(queryHash: string, operationName: string | undefined, variables: Record<string, unknown>): string {
    return createHash('sha256').update(queryHash).update('\0').update(operationName ?? '').update('\0').update(JSON.stringify(variables)).digest('base64');
  }

  get(key: string): number | undefined {
    return this.costs.get(key);
  }

  set(key: string, cost: number): void {
    this.costs.set(key, cost);
  }

  /** Bytes held now (as counted: entries × their size). */
  get bytes(): number {
    return this.costs.calculatedSize;
  }

  get size(): number {
    return this.costs.size;
  }
}

/**
 * Refuses, before execution, operations that cost more than `maxCost`. A cost depends only on
 * the document, the operation and the variables, so it is remembered (QueryCostMemo): a
 * dashboard asking the same query again is not priced again.
 */
function costLimitPlugin(schema: GraphQLSchema, maxCost: number, known: QueryCostMemo): ApolloServerPlugin {
  const price = (document: DocumentNode, queryHash: string, operationName: string | undefined, variables: Record<string, unknown>): number => {
    if (!withinDepth(variables, MAX_VARIABLES_DEPTH)) {
      throw new GraphQLError(`variables: nest deeper than ${MAX_VARIABLES_DEPTH} levels`, {
        extensions: { code: 'BAD_USER_INPUT', field: 'variables', http: { status: 400 } },
      });
    }
    const key = QueryCostMemo.key(queryHash, operationName, variables);
    const remembered = known.get(key);
    if (remembered !== undefined) return remembered;
    const cost = getComplexity({
      schema,
      query: document,
      variables,
      ...(operationName ? { operationName } : {}),
      estimators: [metricEstimator, pageSizeEstimator, simpleEstimator({ defaultComplexity: 1 })],
    });
    known.set(key, cost);
    return cost;
  };
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, queryHash }) {
          let cost: number;
          try {
            cost = price(document, queryHash, request.operationName ?? undefined, request.variables ?? {});
          } catch (error) {
            if (error instanceof GraphQLError && error.extensions.field === 'variables') throw error;
            // variables that do not fit their types: execution refuses them as BAD_USER_INPUT
            // before any resolver runs, so there is nothing to price
            if (error instanceof GraphQLError) return;
            throw error;
          }
          if (cost > maxCost) {
            throw rejected(
              `query cost ${cost} exceeds the limit of ${maxCost} (lists cost their page size, metrics their window, rows and models: ask for smaller pages, shorter windows or a coarser grain)`,
            );
          }
        },
      };
    },
  };
}

/** The limits of every GraphQL request: depth, aliases, tokens, directives and cost. */
export function requestLimits(
  schema: GraphQLSchema,
  config: Config,
): { plugins: ApolloServerPlugin[]; validationRules: ValidationRule[]; costMemo: QueryCostMemo } {
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
  const costMemo = new QueryCostMemo(limits.costCacheBytes);
  return { plugins: [...armor.plugins, costLimitPlugin(schema, limits.maxCost, costMemo)], validationRules: armor.validationRules, costMemo };
}
