import type { GraphQLArgument } from 'graphql';
import type { Column, ExportTable } from './export-tables';

/**
 * The GraphQL operation of an export, generated from its table: the same document a client
 * could send to /graphql, so the export is priced, authorized, validated and masked by the one
 * engine that answers /graphql.
 */

interface SelectionTree {
  [field: string]: SelectionTree | string;
}

/** The selection of the columns read at one level: `campaign { id name }` from campaign.id and campaign.name. */
export function selectionOf(columns: readonly Column[], level: number, under: readonly string[] = []): string {
  const tree: SelectionTree = {};
  for (const column of columns) {
    if (column.level !== level || under.some((name, i) => column.path[i] !== name) || column.path.length <= under.length) continue;
    let at = tree;
    column.path.slice(under.length).forEach((name, i) => {
      if (i === column.path.length - under.length - 1) {
        at[name] = column.subSelection ?? '';
        return;
      }
      const next = at[name];
      if (typeof next === 'object') at = next;
      else at = at[name] = {};
    });
  }
  const print = (t: SelectionTree): string =>
    Object.entries(t)
      .map(([name, sub]) => (typeof sub === 'string' ? (sub ? `${name} { ${sub} }` : name) : `${name} { ${print(sub)} }`))
      .join(' ');
  return print(tree);
}

/** `$name: Type` of an argument; one with a default may be left out, so its variable is nullable. */
function variableDefinition(arg: GraphQLArgument): string {
  const type = String(arg.type);
  return `$${arg.name}: ${arg.defaultValue !== undefined && type.endsWith('!') ? type.slice(0, -1) : type}`;
}

/** The operation for `columns` of `table`, with the given arguments as variables of the same names. */
export function exportOperation(table: ExportTable, columns: readonly Column[], args: readonly GraphQLArgument[]): string {
  const segments = table.segments;
  const paged = table.pagedAt === 0;
  const defined = args.map(variableDefinition);
  const passed = args.map((a) => `${a.name}: $${a.name}`);
  if (paged) {
    if (!args.some((a) => a.name === 'after')) defined.push('$after: String');
    defined.push('$first: Int');
    if (!args.some((a) => a.name === 'after')) passed.push('after: $after');
    passed.push('first: $first');
  }
  const body = (index: number): string => {
    const own = selectionOf(columns, index);
    const next = segments[index + 1];
    const inner = next ? `${next.field.name} { ${body(index + 1)} }` : '';
    return [own, inner].filter(Boolean).join(' ');
  };
  const root = segments[0]!.field.name;
  const call = passed.length ? `${root}(${passed.join(', ')})` : root;
  const selection = paged ? `edges { node { ${body(0)} } } pageInfo { hasNextPage endCursor }` : body(0);
  const head = defined.length ? `query Export(${defined.join(', ')})` : 'query Export';
  return `${head} { ${call} { ${selection} } }`;
}

export interface Page {
  rows: unknown[][];
  /** The cursor to continue after, when more rows follow. */
  next: string | null;
}

function valueAt(source: unknown, path: readonly string[]): unknown {
  let value = source;
  for (const name of path) {
    if (value === null || value === undefined) return null;
    value = (value as Record<string, unknown>)[name];
  }
  return value ?? null;
}

/** The flat rows of one answer (`data` of the operation), in the order of `columns`. */
export function pageOf(table: ExportTable, columns: readonly Column[], data: Record<string, unknown>): Page {
  const segments = table.segments;
  const root = data[segments[0]!.field.name] ?? null;
  let next: string | null = null;
  let starts: unknown[];
  if (table.pagedAt === 0) {
    const connection = root as { edges: { node: unknown }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } | null;
    starts = connection?.edges.map((e) => e.node) ?? [];
    if (connection?.pageInfo.hasNextPage && connection.pageInfo.endCursor) next = connection.pageInfo.endCursor;
  } else starts = root === null ? [] : [root];
  // each row is the chain of objects from the root down to the rows' own level
  let chains: unknown[][] = starts.map((s) => [s]);
  for (const segment of segments.slice(1)) {
    chains = chains.flatMap((chain) => {
      const items = (chain[chain.length - 1] as Record<string, unknown> | null)?.[segment.field.name];
      return Array.isArray(items) ? items.map((item: unknown) => [...chain, item]) : [];
    });
  }
  return { rows: chains.map((chain) => columns.map((c) => valueAt(chain[c.level], c.path))), next };
}
