import type { ApolloServerOptionsWithGateway } from '@apollo/server';
import {
  DocumentNode,
  execute,
  ExecutionResult,
  FieldNode,
  getVariableValues,
  GraphQLError,
  GraphQLInputType,
  GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  Kind,
  locatedError,
  OperationDefinitionNode,
  SelectionSetNode,
  typeFromAST,
} from 'graphql';
import { compileQuery, CompiledQuery, isCompiledQuery } from 'graphql-jit';
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { SqlPages } from './sql-pages';

type Gateway = ApolloServerOptionsWithGateway<Record<string, unknown>>['gateway'];

export interface JitOptions {
  /** The run of an operation (counted per source text and operation name) from which it is compiled; 0 and 1: the first. */
  compileAfterRuns: number;
  /** Operations whose runs are counted. */
  maxCounted?: number;
  /** Compiled operations kept. */
  maxCompiled?: number;
  /** Estimated bytes the compiled operations may hold in all (each counted as 32 bytes per character of its source). */
  maxCompiledBytes?: number;
  /** Lists answered in one statement before anything is executed (src/graphql/sql-pages.ts). */
  sqlPages?: SqlPages;
}

/** Estimated memory of an operation compiled from `sourceLength` characters (code and closures). */
const compiledBytes = (sourceLength: number) => 4_096 + 32 * sourceLength;

/** A compiled operation, or why it could not be compiled (then graphql-js keeps running it). */
type Compiled = ({ query: CompiledQuery } | { failed: true }) & { bytes: number };

/**
 * Runs operations with graphql-js until one has been seen `compileAfterRuns` times, then with a
 * function graphql-jit compiled from it, which skips graphql-js's per-field interpretation.
 * What the client sees stays graphql-js's: variables are coerced by graphql-js (same errors,
 * same defaults), and errors carry the field node, path and original error graphql-js gives.
 */
export class JitExecutor {
  private readonly runs: LRUCache<string, number>;
  private readonly compiled: LRUCache<string, Compiled>;
  private readonly maxCompiledBytes: number;
  private schema: GraphQLSchema;
  /** How many operations were compiled (for the tests). */
  compilations = 0;

  constructor(
    schema: GraphQLSchema,
    private readonly options: JitOptions,
  ) {
    this.schema = schema;
    this.runs = new LRUCache({ max: options.maxCounted ?? 10_000 });
    this.maxCompiledBytes = options.maxCompiledBytes ?? 64 * 1024 * 1024;
    // keys are digests (fixed size, whatever the source's); compiled operations are bounded in
    // number and by their estimated size, so no stream of distinct operations grows memory past it
    this.compiled = new LRUCache({ max: options.maxCompiled ?? 1_000, maxSize: this.maxCompiledBytes, sizeCalculation: (entry) => entry.bytes });
  }

  /** The executor handed to Apollo Server as a gateway (its one documented executor hook). */
  gateway(): Gateway {
    const schema = this.schema;
    return {
      onSchemaLoadOrUpdate: (callback) => {
        callback({ apiSchema: schema, coreSupergraphSdl: '' });
        return () => undefined;
      },
      load: async () => ({
        executor: (requestContext) =>
          this.execute({
            document: requestContext.document,
            operation: requestContext.operation,
            source: requestContext.source ?? requestContext.request.query ?? '',
            operationName: requestContext.operationName ?? requestContext.request.operationName ?? null,
            variables: requestContext.request.variables,
            context: requestContext.context,
          }),
      }),
      stop: async () => {
        this.runs.clear();
        this.compiled.clear();
      },
    };
  }

  /** Whether the operation is compiled (for the tests). */
  isCompiled(source: string, operationName: string | null): boolean {
    const entry = this.compiled.get(keyOf(source, operationName));
    return !!entry && 'query' in entry;
  }

  async execute(request: {
    document: DocumentNode;
    operation: OperationDefinitionNode;
    source: string;
    operationName: string | null;
    variables?: Record<string, unknown>;
    context: unknown;
  }): Promise<ExecutionResult> {
    const { document, operation, context } = request;
    const planned = await this.options.sqlPages?.answer(request);
    if (planned) return planned;
    const key = keyOf(request.source, request.operationName);
    const interpret = () =>
      execute({ schema: this.schema, document, operationName: request.operationName, variableValues: request.variables, contextValue: context });
    let entry = this.compiled.get(key);
    if (!entry) {
      const runs = (this.runs.get(key) ?? 0) + 1;
      this.runs.set(key, runs);
      // subscriptions, and operations too large to keep compiled, stay with graphql-js
      if (runs < this.options.compileAfterRuns || operation.operation === 'subscription' || compiledBytes(request.source.length) > this.maxCompiledBytes / 64) {
        return interpret();
      }
      entry = this.compile(document, request.operationName, request.source.length);
      this.compiled.set(key, entry);
      this.runs.delete(key);
    }
    if ('failed' in entry) return interpret();
    const coerced = getVariableValues(this.schema, operation.variableDefinitions ?? [], request.variables ?? {}, { maxErrors: 50 });
    if (coerced.errors) return { errors: coerced.errors };
    const variables = externalVariables(this.schema, operation, coerced.coerced);
    const result = await entry.query.query(undefined, context, variables);
    if (!result.errors?.length) return result;
    return { ...result, errors: result.errors.map((error) => graphqlJsError(error, operation, document)) };
  }

  private compile(document: DocumentNode, operationName: string | null, sourceLength: number): Compiled {
    const bytes = compiledBytes(sourceLength);
    try {
      const query = compileQuery(this.schema, document, operationName ?? undefined, { customJSONSerializer: false });
      if (!isCompiledQuery(query)) return { failed: true, bytes: 64 };
      this.compilations += 1;
      return { query, bytes };
    } catch {
      return { failed: true, bytes: 64 };
    }
  }
}

/** The cache key of an operation: a digest of its name and source text. */
function keyOf(source: string, operationName: string | null): string {
  return createHash('sha256').update(operationName ?? '').update('\u0000').update(source).digest('base64');
}

/**
 * Coerced variables back in the form a client sends them: graphql-jit coerces again, but
 * without input-object field defaults, so it gets graphql-js's result with every default spelled out.
 */
function externalVariables(schema: GraphQLSchema, operation: OperationDefinitionNode, coerced: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (!(name in coerced)) continue;
    const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
    out[name] = type ? externalValue(type, coerced[name]) : coerced[name];
  }
  return out;
}

export function externalValue(type: GraphQLInputType, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (isNonNullType(type)) return externalValue(type.ofType, value);
  if (isListType(type)) {
    return Array.isArray(value) ? value.map((item) => externalValue(type.ofType as GraphQLInputType, item)) : externalValue(type.ofType as GraphQLInputType, value);
  }
  if (isInputObjectType(type)) {
    const fields = type.getFields();
    const object = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [name, field] of Object.entries(fields)) {
      if (name in object) out[name] = externalValue(field.type, object[name]);
    }
    return out;
  }
  if (isEnumType(type)) return type.serialize(value);
  if (isScalarType(type)) {
    try {
      return type.serialize(value);
    } catch {
      return value;
    }
  }
  return value;
}

/** A graphql-jit error as graphql-js makes it: located at the field node of its path, with its original error. */
function graphqlJsError(error: GraphQLError, operation: OperationDefinitionNode, document: DocumentNode): GraphQLError {
  const path = error.path as ReadonlyArray<string | number> | undefined;
  if (!path) return error;
  const node = fieldNodeAt(operation, document, path);
  const original = error.originalError ?? new Error(error.message);
  return locatedError(original, node ? [node] : undefined, path);
}

/** The field node a response path points at, through aliases, fragments and inline fragments. */
export function fieldNodeAt(operation: OperationDefinitionNode, document: DocumentNode, path: ReadonlyArray<string | number>): FieldNode | undefined {
  const fragments = new Map(
    document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])),
  );
  const find = (set: SelectionSetNode, key: string, seen: Set<string>): FieldNode | undefined => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if ((selection.alias?.value ?? selection.name.value) === key) return selection;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const found = find(selection.selectionSet, key, seen);
        if (found) return found;
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (fragment && !seen.has(name)) {
          const found = find(fragment.selectionSet, key, new Set(seen).add(name));
          if (found) return found;
        }
      }
    }
    return undefined;
  };
  let set: SelectionSetNode | undefined = operation.selectionSet;
  let node: FieldNode | undefined;
  for (const segment of path) {
    if (typeof segment === 'number') continue;
    if (!set) return node;
    node = find(set, segment, new Set());
    if (!node) return undefined;
    set = node.selectionSet;
  }
  return node;
}
