import {
  getNamedType,
  getNullableType,
  GraphQLField,
  GraphQLNamedType,
  GraphQLObjectType,
  GraphQLOutputType,
  GraphQLSchema,
  isEnumType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
} from 'graphql';
import { ANALYST_VISIBLE } from '../auth/analyst-fields';
import { METRIC_FIELDS } from '../http/metric-cost';

/**
 * What can be exported, read from the schema itself: every list (a Query field returning a
 * connection) and every metric (a Query field priced as one in metric-cost.ts), with the flat
 * columns of its rows. Nothing here names a type by hand, so a field added to the schema is in
 * the exports the day it ships.
 */

/** How a column's values are typed in the files (see docs/exports.md). */
export type ColumnKind = 'STRING' | 'ENUM' | 'ID' | 'INT' | 'FLOAT' | 'BOOLEAN' | 'MONEY' | 'DECIMAL' | 'DATETIME' | 'DATE' | 'JSON';

export interface Column {
  /** snake_case, nested objects prefixed: campaign_external_id. */
  name: string;
  /** Where the value sits in a row of the GraphQL answer... */
  path: readonly string[];
  /** ...of the rows at this segment (enclosing rows' columns sit at an earlier one). */
  level: number;
  kind: ColumnKind;
  /** `Type.field` of the leaf, for the ANALYST rules. */
  coordinate: string;
  /** Required non-text leaf: refused (not masked) for callers who do not see personal data. */
  refusedWhenMasked: boolean;
  /** For a JSON column of a list of objects: the selection of its elements. */
  subSelection?: string;
}

/** One step from the root to the rows: an object, a list of objects, or the one connection walked page by page. */
export interface Segment {
  field: GraphQLField<unknown, unknown>;
  kind: 'OBJECT' | 'LIST' | 'CONNECTION';
}

export interface ExportTable {
  /** As in the URL: `touchpoints`, `revenueTimeSeries`, `funnel/groups/stages`. */
  name: string;
  /** The Query field, then the fields down to the rows. */
  segments: readonly Segment[];
  /** Columns of the rows; for a table under a list, the enclosing rows' columns come first, prefixed. */
  columns: readonly Column[];
  /** Which segment is paged through, if any. */
  pagedAt: number | null;
}

const PAGE_ARGS = new Set(['first', 'after', 'last', 'before']);

export function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2').toLowerCase();
}

function kindOf(type: GraphQLNamedType): ColumnKind {
  if (isEnumType(type)) return 'ENUM';
  switch (type.name) {
    case 'Int':
      return 'INT';
    case 'Float':
      return 'FLOAT';
    case 'Boolean':
      return 'BOOLEAN';
    case 'ID':
      return 'ID';
    case 'Money':
      return 'MONEY';
    case 'Decimal':
      return 'DECIMAL';
    case 'DateTime':
      return 'DATETIME';
    case 'LocalDate':
      return 'DATE';
    case 'String':
      return 'STRING';
    default:
      return 'JSON';
  }
}

/** The object type of a connection's nodes, or null when `type` is not a connection. */
export function connectionNodeType(type: GraphQLOutputType): GraphQLObjectType | null {
  const named = getNullableType(type);
  if (!isObjectType(named) || !named.name.endsWith('Connection')) return null;
  const edges = named.getFields().edges;
  const edge = edges ? getNamedType(edges.type) : null;
  const node = edge && isObjectType(edge) ? edge.getFields().node : undefined;
  const nodeType = node ? getNamedType(node.type) : null;
  return nodeType && isObjectType(nodeType) ? nodeType : null;
}

function isObjectList(type: GraphQLOutputType): boolean {
  const nullable = getNullableType(type);
  return isListType(nullable) && isObjectType(getNamedType(nullable));
}

/** A node type (an entity with a global id): reached below the root, only its own leaves are columns. */
function isNodeType(type: GraphQLObjectType): boolean {
  return type.getInterfaces().some((i) => i.name === 'Node');
}

/** A field an export reads: one without arguments (a field with arguments is a query of its own). */
function readable(field: GraphQLField<unknown, unknown>): boolean {
  return field.args.length === 0 && !field.name.startsWith('__');
}

/** Leaves that ANALYST callers are refused (rather than read masked): see maskerOf in analyst-masking.ts. */
function refusedWhenMasked(coordinate: string, type: GraphQLOutputType): boolean {
  if (ANALYST_VISIBLE.has(coordinate)) return false;
  const named = getNamedType(type).name;
  if (named === 'String' || named === 'ID') return false;
  return isNonNullType(type) && !isListType(getNullableType(type));
}

/**
 * The columns of a row type: every leaf, nested objects flattened with their name as prefix
 * (a node type below the root contributes its leaves only, which also ends cycles; so does a
 * depth of three), lists of leaves or of objects as one JSON text column.
 */
function flatten(type: GraphQLObjectType, prefix: string, path: readonly string[], depth: number, skip: ReadonlySet<string> = new Set()): Column[] {
  const columns: Column[] = [];
  for (const field of Object.values(type.getFields())) {
    if (!readable(field) || skip.has(field.name)) continue;
    const named = getNamedType(field.type);
    const name = `${prefix}${snakeCase(field.name)}`;
    const at = [...path, field.name];
    const coordinate = `${type.name}.${field.name}`;
    const list = isListType(getNullableType(field.type));
    if (isLeafType(named)) {
      columns.push({ name, path: at, level: 0, kind: list ? 'JSON' : kindOf(named), coordinate, refusedWhenMasked: refusedWhenMasked(coordinate, field.type) });
    } else if (isObjectType(named) && !connectionNodeType(field.type)) {
      if (list) {
        // a list of objects inside a row: one JSON text column of its elements
        const subSelection = jsonSelection(named, new Set([type.name]), 0);
        if (subSelection) columns.push({ name, path: at, level: 0, kind: 'JSON', coordinate, refusedWhenMasked: false, subSelection });
        continue;
      }
      const stop = depth >= 2 || isNodeType(named);
      columns.push(...(stop ? flatten(named, `${name}_`, at, 99, objectFields(named)) : flatten(named, `${name}_`, at, depth + 1)));
    }
  }
  return columns;
}

/**
 * The selection of an object written as JSON text: its leaves, and its objects and lists of
 * objects to a depth of three (a type already on the way is not entered again). Leaves that
 * ANALYST callers are refused are left out.
 */
function jsonSelection(type: GraphQLObjectType, seen: ReadonlySet<string>, depth: number): string {
  const parts: string[] = [];
  for (const field of Object.values(type.getFields())) {
    if (!readable(field)) continue;
    const named = getNamedType(field.type);
    if (isLeafType(named)) {
      if (!refusedWhenMasked(`${type.name}.${field.name}`, field.type)) parts.push(field.name);
    } else if (isObjectType(named) && !connectionNodeType(field.type) && depth < 2 && !seen.has(named.name)) {
      const inner = jsonSelection(named, new Set([...seen, type.name]), depth + 1);
      if (inner) parts.push(`${field.name} { ${inner} }`);
    }
  }
  return parts.join(' ');
}

/** The fields of `type` that are objects (left out when only its leaves are wanted). */
function objectFields(type: GraphQLObjectType): Set<string> {
  return new Set(Object.values(type.getFields()).filter((f) => !isLeafType(getNamedType(f.type))).map((f) => f.name));
}

function assertUniqueColumns(table: string, columns: readonly Column[]): void {
  const seen = new Set<string>();
  for (const column of columns) {
    if (seen.has(column.name)) throw new Error(`export ${table}: two columns are named ${column.name}`);
    seen.add(column.name);
  }
}

/**
 * The tables under a metric report: the report itself as one row (without its lists), and each
 * list of objects in it, to any depth (`funnel/groups/stages`), the enclosing rows' leaves
 * repeated on each row with the list's name as prefix (`groups_channel`).
 */
function metricTables(root: GraphQLField<unknown, unknown>, report: GraphQLObjectType): ExportTable[] {
  const tables: ExportTable[] = [];
  const listsOf = (type: GraphQLObjectType) => Object.values(type.getFields()).filter((f) => readable(f) && isObjectList(f.type));
  const reportTable: ExportTable = {
    name: root.name,
    segments: [{ field: root, kind: 'OBJECT' }],
    columns: flatten(report, '', [], 0, new Set(listsOf(report).map((f) => f.name))),
    pagedAt: null,
  };
  assertUniqueColumns(root.name, reportTable.columns);
  const walk = (type: GraphQLObjectType, name: string, segments: Segment[], outer: Column[]) => {
    for (const field of listsOf(type)) {
      const rowType = getNamedType(field.type) as GraphQLObjectType;
      const nested = listsOf(rowType);
      const tableName = `${name}/${field.name}`;
      const level = segments.length;
      const at = (columns: Column[]) => columns.map((c) => ({ ...c, level }));
      const here: ExportTable = {
        name: tableName,
        segments: [...segments, { field, kind: 'LIST' }],
        columns: [...outer, ...at(flatten(rowType, '', [], 1))],
        pagedAt: null,
      };
      assertUniqueColumns(tableName, here.columns);
      tables.push(here);
      if (nested.length) {
        // the enclosing row's own columns (its lists are tables of their own), prefixed, then the nested rows'
        const own = at(flatten(rowType, '', [], 1, new Set(nested.map((f) => f.name))));
        walk(rowType, tableName, [...here.segments], [...outer, ...own.map((c) => ({ ...c, name: `${snakeCase(field.name)}_${c.name}` }))]);
      }
    }
  };
  walk(report, root.name, [{ field: root, kind: 'OBJECT' }], []);
  // the report's name alone: its only list when it has one, else the report as one row
  const top = tables.filter((t) => t.segments.length === 2);
  const only = top.length === 1 ? top[0] : undefined;
  tables.push(only ? { ...only, name: root.name } : reportTable);
  if (only) tables.push({ ...reportTable, name: `${root.name}/report` });
  return tables;
}

/** Every export of the schema, by name. */
export function exportTables(schema: GraphQLSchema): Map<string, ExportTable> {
  const tables = new Map<string, ExportTable>();
  const query = schema.getQueryType();
  if (!query) return tables;
  for (const root of Object.values(query.getFields())) {
    const nodeType = connectionNodeType(root.type);
    if (nodeType) {
      const columns = flatten(nodeType, '', [], 0);
      assertUniqueColumns(root.name, columns);
      tables.set(root.name, { name: root.name, segments: [{ field: root, kind: 'CONNECTION' }], columns, pagedAt: 0 });
      continue;
    }
    const report = getNamedType(root.type);
    if (METRIC_FIELDS.has(`Query.${root.name}`) && isObjectType(report)) {
      for (const table of metricTables(root, report)) tables.set(table.name, table);
    }
  }
  return tables;
}

/** The arguments an export takes from its URL: the root field's, without the paging ones of a paged table. */
export function exportArguments(table: ExportTable): GraphQLField<unknown, unknown>['args'] {
  const root = table.segments[0]!.field;
  return table.pagedAt === 0 ? root.args.filter((a) => !PAGE_ARGS.has(a.name) || a.name === 'after') : root.args;
}
