import {
  DocumentNode,
  ExecutionResult,
  FieldNode,
  FragmentDefinitionNode,
  getArgumentValues,
  getNamedType,
  getNullableType,
  getVariableValues,
  GraphQLField,
  GraphQLInputType,
  GraphQLObjectType,
  GraphQLOutputType,
  GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  OperationDefinitionNode,
} from 'graphql';
import { collectFields, collectSubfields } from 'graphql/execution/collectFields';
import { getMetadataStorage as typeGraphqlMetadata } from 'type-graphql';
import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { seesPersonalData } from '../auth/analyst-masking';
import { authorizeRootFields } from '../auth/authorization';
import { ListSpec, orderAndSeek } from '../db/list-query';
import { SqlParams, tableOf } from '../db/sql';
import { managerOf } from '../db/with-transaction';
import { PageArgs, PageWindow, resolvePage } from './connection';
import { RawJson } from './raw-json';
import type { Context } from './context';
import { NODE_TYPES } from './node';
import { CHILD_LISTS, PARENT_ROWS, PlannedList, ROOT_LISTS } from './sql-page-lists';
import { validateArgs } from './validate-args';

/** Thrown while planning when a part of the operation is not one the planner answers: the operation then runs as usual. */
class Unplannable extends Error {}

const unplannable = (why: string): never => {
  throw new Unplannable(why);
};

/** An SQL string literal (standard_conforming_strings is on: only quotes are doubled). */
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** The arguments of every list that make its page (PageArgs). */
const PAGE_ARGUMENTS: ReadonlySet<string> = new Set(['first', 'after', 'last', 'before']);

/** A new instance of a class with `given`'s fields, as type-graphql's convertToType makes it (fields the class initializes kept unless absent and undefined). */
function instanceWith(Target: new () => object, given: Record<string, unknown>, value: (key: string, v: unknown) => unknown = (_key, v) => v): Record<string, unknown> {
  const instance = new Target() as Record<string, unknown>;
  for (const key of Object.keys(instance)) {
    if (instance[key] === undefined && !(key in given)) delete instance[key];
  }
  for (const [key, v] of Object.entries(given)) instance[key] = value(key, v);
  return instance;
}

/** json_build_object takes at most 100 arguments: 50 keys. */
const MAX_KEYS = 50;

/**
 * A value PostgreSQL cannot write as the GraphQL scalar would serialize it (a time outside years
 * 1-9999, an amount with more than two decimals, a null in a non-null field, an unknown enum
 * value): the statement fails (migration 1732860000000) and the operation runs as usual, where
 * graphql-js gives its own answer or error.
 */
const refuse = (value: string) => `ra_unrepresentable(${value}::text)`;

/**
 * Answers read-only operations made only of lists (accounts › leads › touchpoints ...) with one
 * SQL statement in which PostgreSQL builds the whole JSON of the response, the way PostGraphile
 * does, instead of fetching rows and resolving every field of every row in Node.
 *
 * It answers only what it can answer exactly as the resolvers do: the root fields of ROOT_LISTS
 * and the child lists of CHILD_LISTS (the same ListSpec, so the same filters, order, page rules
 * and cursors), the rows of PARENT_ROWS (a lead's account, a touchpoint's campaign ...), column
 * fields without a resolver of their own, global ids, `__typename`, edges,
 * cursors, pageInfo and totalCount, fragments, aliases and @skip/@include as graphql-js collects
 * them, for callers who read personal data (ANALYST reads through the masking resolvers). Arguments
 * are converted to the resolvers' input classes and validated by the same rules. Anything else in
 * the operation, a list it cannot read the same way (a score ordering), or any error at all (an
 * argument refused, a forged cursor, a value it cannot write) leaves the whole operation to the
 * usual executor, so every answer and every error stays the one graphql-js gives.
 */
export class SqlPages {
  /** Operations answered here, and operations given back to the executor (for the tests). */
  answered = 0;
  declined = 0;
  private readonly columnFields = new Map<string, Map<string, ColumnMetadata> | null>();
  private readonly inputClasses = new Map(typeGraphqlMetadata().inputTypes.map((input) => [input.name, input.target as new () => object]));

  constructor(readonly schema: GraphQLSchema) {}

  /** The answer of the operation, or null when it is left to the executor. */
  async answer(request: {
    document: DocumentNode;
    operation: OperationDefinitionNode;
    variables?: Record<string, unknown>;
    context: unknown;
  }): Promise<ExecutionResult | null> {
    const ctx = request.context as Context;
    if (request.operation.operation !== 'query' || !ctx?.ds || !seesPersonalData(ctx) || !mayBeLists(request.operation)) return null;
    const coerced = getVariableValues(this.schema, request.operation.variableDefinitions ?? [], request.variables ?? {}, { maxErrors: 50 });
    if (coerced.errors) return null;
    let statement: { text: string; values: unknown[] };
    try {
      statement = await new Planner(this, ctx, request.document, coerced.coerced).operation(request.operation);
    } catch {
      this.declined += 1;
      return null;
    }
    let rows: { data: string }[];
    try {
      rows = await managerOf(ctx).query(statement.text, statement.values);
    } catch {
      // a forged cursor, a value the scalar would refuse, a timeout: graphql-js gives its answer
      this.declined += 1;
      return null;
    }
    this.answered += 1;
    // the HTTP door writes the text as it is; any other caller (an export, a test) gets the objects
    const text = rows[0]!.data;
    return { data: (ctx.jsonResponse ? new RawJson(text) : JSON.parse(text)) as Record<string, unknown> };
  }

  /**
   * An argument's value as type-graphql hands it to a resolver: input objects as instances of their
   * classes (fields the class initializes kept unless absent and undefined), nested ones too.
   */
  instanceOf(type: GraphQLInputType, value: unknown): unknown {
    if (value === null || value === undefined) return value;
    const nullable = getNullableType(type);
    if (isListType(nullable)) {
      const item = nullable.ofType as GraphQLInputType;
      return Array.isArray(value) ? value.map((v) => this.instanceOf(item, v)) : this.instanceOf(item, value);
    }
    if (!isInputObjectType(nullable)) return value;
    const Target = this.inputClasses.get(nullable.name) ?? unplannable(`no class for ${nullable.name}`);
    const fields = nullable.getFields();
    return instanceWith(Target, value as Record<string, unknown>, (key, v) => (fields[key] ? this.instanceOf(fields[key].type, v) : v));
  }

  /**
   * The fields of `type` that read one column of `entity` as it is: declared on the entity, with no
   * field resolver of their own (`id`, `owner`, `leads` ... have one).
   */
  columnFieldsOf(ds: DataSource, type: GraphQLObjectType, entity: EntityTarget<ObjectLiteral>): Map<string, ColumnMetadata> | null {
    if (this.columnFields.has(type.name)) return this.columnFields.get(type.name)!;
    const target = entity as object;
    const resolved = new Set(
      typeGraphqlMetadata()
        .fieldResolvers.filter((resolver) => resolver.getObjectType?.() === target)
        .map((resolver) => resolver.schemaName),
    );
    const declared = typeGraphqlMetadata().objectTypes.find((objectType) => objectType.target === target && objectType.name === type.name);
    let fields: Map<string, ColumnMetadata> | null = null;
    if (declared) {
      const columns = new Map(ds.getMetadata(entity).columns.map((column) => [column.propertyName, column]));
      fields = new Map();
      for (const field of declared.fields ?? []) {
        const column = columns.get(field.name);
        if (column && !resolved.has(field.schemaName) && field.schemaName === field.name) fields.set(field.schemaName, column);
      }
    }
    this.columnFields.set(type.name, fields);
    return fields;
  }
}

/** One operation's statement, built level by level: each list a correlated subquery of its parent. */
class Planner {
  private readonly params = new SqlParams();
  private readonly fragments: Record<string, FragmentDefinitionNode>;
  private level = 0;

  constructor(
    private readonly pages: SqlPages,
    private readonly ctx: Context,
    document: DocumentNode,
    private readonly variables: Record<string, unknown>,
  ) {
    this.fragments = Object.fromEntries(
      document.definitions.flatMap((definition) => (definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition]] : [])),
    );
  }

  private get schema(): GraphQLSchema {
    return this.pages.schema;
  }

  async operation(operation: OperationDefinitionNode): Promise<{ text: string; values: unknown[] }> {
    const queryType = this.schema.getQueryType() ?? unplannable('no query type');
    const fields = collectFields(this.schema, this.fragments, this.variables, queryType, operation.selectionSet);
    const parts: string[] = [];
    for (const [key, nodes] of fields) {
      const name = nodes[0]!.name.value;
      if (name === '__typename') {
        parts.push(literal(key), literal(queryType.name));
        continue;
      }
      const list = ROOT_LISTS[name] ?? unplannable(`Query.${name}`);
      const field = queryType.getFields()[name] ?? unplannable(`Query.${name}`);
      // the same check as the root field's guard, before anything is read
      await authorizeRootFields({ context: this.ctx, info: { parentType: queryType, fieldName: name } } as never, async () => undefined);
      parts.push(literal(key), await this.connection(field, nodes, list, null));
    }
    if (parts.length === 0 || parts.length > 2 * MAX_KEYS) unplannable('keys');
    return { text: `SELECT json_build_object(${parts.join(', ')})::text AS data`, values: this.params.values };
  }

  /**
   * The keys and values of `type`'s selection (`nodes`), as graphql-js collects its fields:
   * `__typename` is the type's name, the others are what `valueOf` makes of each field.
   */
  private async selection(
    type: GraphQLObjectType,
    nodes: readonly FieldNode[],
    valueOf: (name: string, keyNodes: readonly FieldNode[]) => string | Promise<string>,
  ): Promise<string[]> {
    const parts: string[] = [];
    for (const [key, keyNodes] of collectSubfields(this.schema, this.fragments, this.variables, type, nodes)) {
      const name = keyNodes[0]!.name.value;
      parts.push(literal(key), name === '__typename' ? literal(type.name) : await valueOf(name, keyNodes));
    }
    if (parts.length > 2 * MAX_KEYS) unplannable('keys');
    return parts;
  }

  /** A spec's conditions with its parameters renumbered into the statement's. */
  private adopt(spec: ListSpec): string[] {
    const numbers = spec.params.values.map((value) => this.params.add(value));
    return spec.where.map((condition) => {
      // a parameter mark inside a quoted literal would be renumbered too: such conditions are not planned
      if (condition.includes("'")) unplannable('a condition with a literal');
      return condition.replace(/\$(\d+)\b/g, (_mark, n: string) => numbers[Number(n) - 1] ?? unplannable('a parameter'));
    });
  }

  /**
   * A list field's arguments as its resolver gets them: coerced by graphql-js, the page's as a
   * PageArgs, the others as instances of their input classes, each validated as type-graphql
   * validates it (a refusal leaves the operation to the resolvers, which give that error).
   */
  private async argumentsOf(field: GraphQLField<unknown, unknown>, nodes: readonly FieldNode[]): Promise<{ page: PageArgs; args: Record<string, never> }> {
    const values = getArgumentValues(field, nodes[0]!, this.variables);
    const page = instanceWith(PageArgs, Object.fromEntries(Object.entries(values).filter(([name]) => PAGE_ARGUMENTS.has(name))));
    const args: Record<string, unknown> = {};
    for (const argument of field.args) {
      if (PAGE_ARGUMENTS.has(argument.name)) continue;
      args[argument.name] = this.pages.instanceOf(argument.type, values[argument.name]);
      await validateArgs(args[argument.name]);
    }
    await validateArgs(page);
    return { page: page as PageArgs, args: args as Record<string, never> };
  }

  /**
   * The JSON of one page of a list: for a child list, a subquery correlated with its parent's row
   * (`parent`), which walks that parent's index as the resolvers' LATERAL query does.
   */
  private async connection(
    field: GraphQLField<unknown, unknown>,
    nodes: readonly FieldNode[],
    list: PlannedList & { parentColumn?: string },
    parent: string | null,
  ): Promise<string> {
    const { page: pageArgs, args } = await this.argumentsOf(field, nodes);
    const spec = list.spec(this.ctx, args);
    if (spec.scored) unplannable('scores');
    const page = resolvePage(pageArgs, spec.sortName, this.ctx.config.maxPageSize);
    if (!Number.isSafeInteger(page.limit)) unplannable('limit');
    const connectionType = objectType(field.type);
    const table = tableOf(this.ctx.ds, spec.entity);
    const row = `__r${++this.level}`;
    const scope = [...(parent ? [`t.${list.parentColumn} = ${parent}.id`] : []), ...this.adopt(spec)];
    const { seek, order, direction } = orderAndSeek(spec, page, this.params);
    const conditions = [...scope, ...(seek ? [seek] : [])];
    const pageList: PageList = { spec, page, row };
    const parts = await this.selection(connectionType, nodes, (name, keyNodes) => {
      if (name === 'edges') return this.edges(connectionType, keyNodes, pageList);
      if (name === 'pageInfo') return this.pageInfo(connectionType, keyNodes, pageList);
      if (name === 'totalCount') return `(SELECT count(*)::int FROM ${table} t ${scope.length ? `WHERE ${scope.join(' AND ')}` : ''})`;
      return unplannable(`${connectionType.name}.${name}`);
    });
    // one row whatever the page holds (every reference to its rows is inside an aggregate): a
    // connection asked only for its totalCount reads as one object, over no rows or many. The
    // rows' places are numbered over the page only (a window over the whole list would sort all
    // of it, where LIMIT alone lets PostgreSQL stop early or keep only the top rows)
    return `(SELECT json_build_object(${parts.join(', ')})
       FROM (SELECT page.*, row_number() OVER (ORDER BY page.__sort_value ${direction}, page.id ${direction}) AS __rn
               FROM (SELECT t.*, (${spec.sortColumn})::text AS __sort, (${spec.sortColumn}) AS __sort_value
                       FROM ${table} t ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
                      ORDER BY ${order} LIMIT ${page.limit + 1}) page) ${row}
      GROUP BY ())`;
  }

  /** The page's rows in the order the client reads them (a backward page is read in reverse, then flipped). */
  private aggregate(expression: string, list: PageList, reversed = false): string {
    const backwards = list.page.backwards !== reversed;
    return `${expression} ORDER BY ${list.row}.__rn ${backwards ? 'DESC' : 'ASC'}) FILTER (WHERE ${list.row}.__rn <= ${list.page.limit})`;
  }

  private async edges(connectionType: GraphQLObjectType, nodes: readonly FieldNode[], list: PageList): Promise<string> {
    const edgesType = connectionType.getFields().edges?.type ?? unplannable('edges');
    const edgeType = getNamedType(edgesType);
    if (!isListType(getNullableType(edgesType)) || !isObjectType(edgeType)) return unplannable('edges');
    const parts = await this.selection(edgeType, nodes, (name, keyNodes) => {
      if (name === 'cursor') return cursorOf(list);
      if (name === 'node') return this.object(objectType(edgeType.getFields().node!.type), list.spec.entity, list.row, keyNodes);
      return unplannable(`${edgeType.name}.${name}`);
    });
    return `COALESCE(${this.aggregate(`json_agg(json_build_object(${parts.join(', ')})`, list)}, '[]'::json)`;
  }

  private async pageInfo(connectionType: GraphQLObjectType, nodes: readonly FieldNode[], list: PageList): Promise<string> {
    const infoType = objectType(connectionType.getFields().pageInfo?.type ?? unplannable('pageInfo'));
    const { page } = list;
    const hasMore = `(count(*) > ${page.limit})`;
    const fromCursor = page.cursor !== null ? 'TRUE' : 'FALSE';
    const parts = await this.selection(infoType, nodes, (name) => {
      if (name === 'hasNextPage') return page.backwards ? fromCursor : hasMore;
      if (name === 'hasPreviousPage') return page.backwards ? hasMore : fromCursor;
      if (name === 'startCursor') return `(${this.aggregate(`array_agg(${cursorOf(list)}`, list)})[1]`;
      if (name === 'endCursor') return `(${this.aggregate(`array_agg(${cursorOf(list)}`, list, true)})[1]`;
      return unplannable(`${infoType.name}.${name}`);
    });
    return `json_build_object(${parts.join(', ')})`;
  }

  /** The JSON object of one row (`row`, of `entity`) as `type`. */
  private async object(type: GraphQLObjectType, entity: EntityTarget<ObjectLiteral>, row: string, nodes: readonly FieldNode[]): Promise<string> {
    const columns = this.pages.columnFieldsOf(this.ctx.ds, type, entity) ?? unplannable(`${type.name} is not the entity's type`);
    const parts = await this.selection(type, nodes, (name, keyNodes) => {
      const child = type.getFields()[name] ?? unplannable(`${type.name}.${name}`);
      const coordinate = `${type.name}.${name}`;
      // toGlobalId: base64 of "Type:id" (short enough that encode() breaks no line)
      if (name === 'id' && (NODE_TYPES as readonly string[]).includes(type.name)) return `encode(convert_to(${literal(`${type.name}:`)} || ${row}.id, 'UTF8'), 'base64')`;
      if (columns.has(name)) return this.column(child.type, columns.get(name)!, row);
      if (CHILD_LISTS[coordinate]) return this.connection(child, keyNodes, CHILD_LISTS[coordinate], row);
      if (PARENT_ROWS[coordinate]) return this.parentRow(child, keyNodes, PARENT_ROWS[coordinate], row);
      return unplannable(coordinate);
    });
    return `json_build_object(${parts.join(', ')})`;
  }

  /** The row a column of `row` points at (the account of a lead ...), or null when it points nowhere. */
  private async parentRow(
    field: GraphQLField<unknown, unknown>,
    nodes: readonly FieldNode[],
    parent: { entity: EntityTarget<ObjectLiteral>; column: string },
    row: string,
  ): Promise<string> {
    const alias = `__r${++this.level}`;
    const object = await this.object(objectType(field.type), parent.entity, alias, nodes);
    const found = `(SELECT ${object} FROM ${tableOf(this.ctx.ds, parent.entity)} ${alias} WHERE ${alias}.id = ${row}.${parent.column})`;
    // a required one that is missing: graphql-js's error
    return isNonNullType(field.type) ? `COALESCE(${found}, ${refuse("'null'")}::json)` : found;
  }

  /** A column as its GraphQL scalar serializes it. */
  private column(type: GraphQLOutputType, column: ColumnMetadata, row: string): string {
    const named = getNamedType(type);
    if (isListType(getNullableType(type))) unplannable('a list column');
    const value = `${row}."${column.databaseName.replace(/"/g, '""')}"`;
    const stored = this.ctx.ds.driver.normalizeType(column);
    // the expression, and its SQL type
    let expression: string;
    let sqlType = 'text';
    if (isEnumType(named) && stored === 'text') {
      const cases = named.getValues().map((v) => (typeof v.value === 'string' ? `WHEN ${literal(v.value)} THEN ${literal(v.name)}` : unplannable('enum')));
      expression = `CASE WHEN ${value} IS NULL THEN NULL ELSE CASE ${value} ${cases.join(' ')} ELSE ${refuse(value)} END END`;
    } else if ((named.name === 'String' || named.name === 'ID') && (stored === 'text' || stored === 'character varying')) {
      expression = `${value}::text`;
    } else if (named.name === 'Int' && (stored === 'integer' || stored === 'int' || stored === 'smallint')) {
      expression = `${value}::integer`;
      sqlType = 'integer';
    } else if (named.name === 'Boolean' && stored === 'boolean') {
      expression = value;
      sqlType = 'boolean';
    } else if (named.name === 'DateTime' && (stored === 'timestamp with time zone' || stored === 'timestamptz')) {
      // Date#toISOString: milliseconds, truncated, in UTC, for years 1 to 9999
      expression = `CASE WHEN ${value} IS NULL THEN NULL
        WHEN ${value} >= '0001-01-01 00:00:00+00' AND ${value} < '10000-01-01 00:00:00+00'
        THEN to_char(${value} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') ELSE ${refuse(value)} END`;
    } else if (named.name === 'LocalDate' && stored === 'date') {
      expression = `CASE WHEN ${value} IS NULL THEN NULL WHEN ${value} >= '0001-01-01' AND ${value} < '10000-01-01'
        THEN to_char(${value}, 'YYYY-MM-DD') ELSE ${refuse(value)} END`;
    } else if (named.name === 'Money' && stored === 'numeric') {
      // MoneyScalar: the NUMERIC text padded to two decimals; more decimals are refused
      expression = `CASE WHEN ${value} IS NULL THEN NULL WHEN scale(${value}) <= 2 THEN round(${value}, 2)::text ELSE ${refuse(value)} END`;
    } else {
      return unplannable(`${named.name} from ${stored}`);
    }
    // a null where GraphQL promises a value: graphql-js's error, not a null in the JSON
    if (isNonNullType(type) && column.isNullable) expression = `COALESCE(${expression}, ${refuse("'null'")}::${sqlType})`;
    return expression;
  }
}

interface PageList {
  spec: ListSpec;
  page: PageWindow;
  /** Alias of the page's rows. */
  row: string;
}

/** encodeCursor in SQL: base64url (no padding) of {"s":sort,"v":value,"id":"id"}, JSON written as JSON.stringify writes it. */
function cursorOf(list: PageList): string {
  const { row } = list;
  const json = `'{"s":' || to_json(${literal(list.spec.sortName)}::text)::text || ',"v":' || to_json(${row}.__sort)::text || ',"id":"' || ${row}.id || '"}'`;
  return `translate(encode(convert_to(${json}, 'UTF8'), 'base64'), E'+/=\\n', '-_')`;
}

/**
 * Whether every root field written in the operation may be a planned list: `account(id)` and the
 * metric queries go to the executor before their variables are coerced a first time here. (A
 * fragment's fields are decided while planning.)
 */
function mayBeLists(operation: OperationDefinitionNode): boolean {
  return operation.selectionSet.selections.every(
    (selection) => selection.kind !== Kind.FIELD || selection.name.value === '__typename' || Object.hasOwn(ROOT_LISTS, selection.name.value),
  );
}

function objectType(type: GraphQLOutputType): GraphQLObjectType {
  const named = getNamedType(type);
  return isObjectType(named) && !isListType(getNullableType(type)) ? named : unplannable(`${String(type)} is not an object`);
}
