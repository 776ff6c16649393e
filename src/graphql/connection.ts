import { ArgsType, ClassType, Field, Int, ObjectType } from 'type-graphql';
import { BadInputError } from './errors';

@ObjectType('PageInfo', { description: 'Where a page sits in its list (Relay cursor connections).' })
export class PageInfo {
  @Field({ description: 'More items follow the last edge of this page.' })
  hasNextPage: boolean;

  @Field({ description: 'More items precede the first edge of this page.' })
  hasPreviousPage: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the first edge; null on an empty page.' })
  startCursor: string | null;

  @Field(() => String, { nullable: true, description: 'Cursor of the last edge; null on an empty page.' })
  endCursor: string | null;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: 'Return the first n items after `after` (default 20, at most the page limit).' })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Cursor to continue after (an `endCursor` or edge cursor).' })
  after?: string | null;

  @Field(() => Int, { nullable: true, description: 'Return the last n items before `before`.' })
  last?: number | null;

  @Field(() => String, { nullable: true, description: 'Cursor to continue before (a `startCursor` or edge cursor).' })
  before?: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

/** A connection as resolvers return it; `totalCount` is a getter that counts only when the field is asked for. */
export interface ConnectionResult<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
  readonly totalCount: Promise<number>;
}

/** Builds `XxxConnection { edges { cursor node } pageInfo totalCount }` and `XxxEdge` for a node type. */
export function connectionTypes<T extends object>(nodeType: ClassType<T>, typeName: string, plural: string) {
  @ObjectType(`${typeName}Edge`, { description: `One ${typeName} in a connection, with its cursor.` })
  class EdgeType {
    @Field({ description: 'Opaque cursor of this edge, for `after` / `before`.' })
    cursor: string;

    @Field(() => nodeType, { description: `The ${typeName}.` })
    node: T;
  }

  @ObjectType(`${typeName}Connection`, { description: `A page of ${plural}.` })
  class ConnectionType {
    @Field(() => [EdgeType], { description: 'The items of this page, in order.' })
    edges: EdgeType[];

    @Field(() => PageInfo, { description: 'Where this page sits in the list.' })
    pageInfo: PageInfo;

    @Field(() => Int, { description: 'Number of items in the whole filtered list, all pages together.' })
    totalCount: number;
  }
  return { EdgeType, ConnectionType };
}

export const DEFAULT_PAGE_SIZE = 20;

/** A cursor names the sort it belongs to, the sort value (as text, exact) and the id. */
interface CursorPayload {
  s: string;
  v: string;
  id: string;
}

export function encodeCursor(sort: string, value: string, id: string): string {
  return Buffer.from(JSON.stringify({ s: sort, v: value, id } satisfies CursorPayload), 'utf8').toString('base64url');
}

export function decodeCursor(field: string, sort: string, cursor: string): CursorPayload {
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new BadInputError(field, 'is not a cursor of this list');
  }
  const p = payload as Partial<CursorPayload> | null;
  if (!p || typeof p.s !== 'string' || typeof p.v !== 'string' || typeof p.id !== 'string' || !/^\d{1,19}$/.test(p.id)) {
    throw new BadInputError(field, 'is not a cursor of this list');
  }
  if (p.s !== sort) throw new BadInputError(field, `is a cursor of another ordering (${p.s}); pass the same orderBy`);
  return p as CursorPayload;
}

export interface PageWindow {
  /** Rows to return. */
  limit: number;
  /** Walking backwards (last/before): fetch in reverse order, then flip. */
  backwards: boolean;
  cursor: CursorPayload | null;
}

/** Validates first/after/last/before against the page limit. */
export function resolvePage(args: PageArgs, sort: string, maxPageSize: number, fieldPrefix = ''): PageWindow {
  const f = (name: string) => `${fieldPrefix}${name}`;
  if (args.first != null && args.last != null) throw new BadInputError(f('last'), 'cannot be combined with first');
  if (args.after != null && args.before != null) throw new BadInputError(f('before'), 'cannot be combined with after');
  for (const name of ['first', 'last'] as const) {
    const n = args[name];
    if (n != null && (n < 0 || n > maxPageSize)) {
      throw new BadInputError(f(name), `must be between 0 and ${maxPageSize}`);
    }
  }
  const backwards = args.last != null || (args.before != null && args.first == null);
  const limit = (backwards ? args.last : args.first) ?? DEFAULT_PAGE_SIZE;
  const raw = backwards ? args.before : args.after;
  const cursor = raw != null ? decodeCursor(f(backwards ? 'before' : 'after'), sort, raw) : null;
  if (!backwards && args.before != null) throw new BadInputError(f('before'), 'needs last, not first');
  // a backward page starts from `before` (or the end): an `after` would be silently ignored
  if (backwards && args.after != null) throw new BadInputError(f('after'), 'needs first, not last');
  return { limit, backwards, cursor };
}

/** An edge whose cursor is encoded when read. */
class LazyEdge<T extends { id: string }> {
  constructor(
    private readonly sort: string,
    private readonly sortValue: string,
    readonly node: T,
  ) {}

  get cursor(): string {
    return encodeCursor(this.sort, this.sortValue, this.node.id);
  }
}

/** Turns `limit + 1` fetched rows into a page. `rows` are in fetch order. */
export function toConnection<T extends { id: string }>(
  fetched: (T & { __sort: string })[],
  page: PageWindow,
  sort: string,
  totalCount: () => Promise<number>,
): ConnectionResult<T> {
  const hasMore = fetched.length > page.limit;
  const rows = fetched.slice(0, page.limit);
  if (page.backwards) rows.reverse();
  // cursors are encoded only when asked for: a nested page of thousands of edges seldom asks
  const edges = rows.map((row) => new LazyEdge(sort, row.__sort, row as T));
  let counted: Promise<number> | null = null;
  return {
    edges,
    pageInfo: {
      hasNextPage: page.backwards ? page.cursor !== null : hasMore,
      hasPreviousPage: page.backwards ? hasMore : page.cursor !== null,
      get startCursor() {
        return edges[0]?.cursor ?? null;
      },
      get endCursor() {
        return edges[edges.length - 1]?.cursor ?? null;
      },
    },
    get totalCount() {
      counted ??= totalCount();
      return counted;
    },
  };
}
