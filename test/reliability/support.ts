import type { TestDatabase } from '../helpers/db';

/** What a client got back: the HTTP status and the GraphQL body. */
export interface WireResult {
  status: number;
  body: {
    data?: unknown;
    errors?: { message: string; path?: readonly (string | number)[]; extensions?: Record<string, unknown> }[];
  };
}

/** Row count and checksum of one table. */
export interface TableState {
  table: string;
  rows: number;
  checksum: string;
}

const snapshotSql = new WeakMap<TestDatabase, string>();

/**
 * Every table of the database with its row count and an md5 of all its rows (in text form,
 * sorted, so tables without an id column are covered too). Two equal snapshots mean no row
 * was added, removed or changed.
 */
export async function snapshotDatabase(db: TestDatabase): Promise<TableState[]> {
  let text = snapshotSql.get(db);
  if (!text) {
    const tables = await db.sql<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
    );
    text = tables
      .map(
        ({ name }) =>
          // an order-free sum of row hashes: no sort and no string of the whole table per call
          `SELECT '${name}' AS "table", count(*)::int AS rows,
                  coalesce(sum(hashtextextended(t::text, 0)::numeric), 0)::text AS checksum FROM "${name}" t`,
      )
      .join(' UNION ALL ');
    snapshotSql.set(db, text);
  }
  return db.sql<TableState>(text);
}

/** Tables whose rows or checksum differ between two snapshots. */
export function changedTables(before: TableState[], after: TableState[]): string[] {
  return after.filter((t, i) => t.rows !== before[i]?.rows || t.checksum !== before[i]?.checksum).map((t) => t.table);
}

/** Codes a client may see; anything else is a masked internal failure or a leak. */
export const CLIENT_ERROR_CODES = new Set([
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'FORBIDDEN',
  'UNAUTHENTICATED',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'QUERY_REJECTED',
  'RATE_LIMITED',
  'SERVICE_UNAVAILABLE',
]);

/** Extension keys a client may see on an error. */
const CLIENT_EXTENSION_KEYS = new Set(['code', 'field', 'retryAfterSeconds', 'scope', 'existingId']);

/** Signs of a stack trace, of server paths or of PostgreSQL's own wording in a message. */
const LEAK_PATTERNS: [string, RegExp][] = [
  ['stack frame', /\n\s+at\s|\bat \S+ \(|at async /],
  ['source path', /\/(src|node_modules|dist)\/|\.(ts|js):\d+/],
  ['error class', /QueryFailedError|TypeORMError|EntityNotFound|DatabaseError|TypeError|ReferenceError|RangeError/],
  ['SQL statement', /\b(SELECT\s.+\sFROM|INSERT INTO|UPDATE\s+"?\w+"?\s+SET|DELETE FROM|RETURNING)\b/is],
  ['SQL parameter', /\$\d+\b|::(text|bigint|int|date|timestamptz|numeric)\b/i],
  [
    'PostgreSQL message',
    /syntax error at|relation "|column "|violates (foreign key|unique|not-null|check) constraint|duplicate key value|invalid input syntax|out of range for type|invalid byte sequence|index row size|\bKey \(/i,
  ],
];

/** Strings of the request (and their JSON-escaped forms), to remove from messages before looking for leaks. */
function echoedInputs(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (typeof value === 'string' && value.length >= 3) {
    into.add(value);
    into.add(JSON.stringify(value).slice(1, -1));
  } else if (Array.isArray(value)) value.forEach((v) => echoedInputs(v, into));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => echoedInputs(v, into));
  return into;
}

function withoutEchoes(text: string, echoes: Set<string>): string {
  let out = text;
  // longest first, so a short input does not cut a longer one apart
  for (const echo of [...echoes].sort((a, b) => b.length - a.length)) out = out.split(echo).join('');
  return out;
}

/**
 * Problems of a response a client should never see: a 5xx, an internal error, an unknown
 * code, extension keys other than code/field, a stack trace or SQL. Empty when clean.
 */
export function leakProblems(result: WireResult, request: unknown): string[] {
  const problems: string[] = [];
  if (result.status >= 500) problems.push(`HTTP ${result.status}`);
  const echoes = echoedInputs(request);
  for (const error of result.body.errors ?? []) {
    const code = error.extensions?.code;
    if (typeof code !== 'string' || !CLIENT_ERROR_CODES.has(code)) problems.push(`code ${String(code)}: ${error.message.slice(0, 300)}`);
    for (const key of Object.keys(error.extensions ?? {})) {
      if (!CLIENT_EXTENSION_KEYS.has(key)) problems.push(`extension "${key}" exposed`);
    }
    const text = withoutEchoes(`${error.message}\n${JSON.stringify(error.extensions ?? {})}`, echoes);
    for (const [what, pattern] of LEAK_PATTERNS) {
      if (pattern.test(text)) problems.push(`${what} in "${text.slice(0, 300)}"`);
    }
  }
  return problems;
}
