import { EntityManager, EntityTarget, ObjectLiteral, QueryFailedError } from 'typeorm';
import type { Context } from '../graphql/context';
import { ConnectionResult, PageArgs, PageWindow, resolvePage, toConnection } from '../graphql/connection';
import { BadInputError } from '../graphql/errors';
import { managerOf } from './with-transaction';
import { selectList, SqlParams, tableOf } from './sql';

export type Direction = 'ASC' | 'DESC';

/** One list of one entity: its filters (conditions over alias `t`) and its ordering. */
export interface ListSpec {
  entity: EntityTarget<ObjectLiteral>;
  /** Conditions over alias `t`, with their values already added to `params`. */
  where: string[];
  params: SqlParams;
  /** Name of the ordering, kept in cursors (e.g. "createdAt:DESC"). */
  sortName: string;
  /** Non-null column over alias `t` to order by; ties break on `t.id`. */
  sortColumn: string;
  direction: Direction;
  /**
   * Leads only: scores under the policy in force at `at` (a parameter of `params`), joined as
   * `sc` (lead_id, score). `min` (a parameter) keeps leads scoring at least that; `byScore` says
   * the list is ordered by `sc.score`. A top-level list reads them through the stored scores
   * (qualification_score_page / qualification_score_at_least, migration 1732800000000): only the
   * candidates of the page, each scored exactly. A child list (a few leads per parent) scores
   * its leads directly with qualification_scores, `where` filtering them. Without a policy in
   * force no lead has a score (a score order ties every lead at 0).
   */
  scored?: { at: string; min: string | null; byScore: boolean; where: string[] };
}

/** The CTE and join of a child list's scores (see ListSpec.scored), over the rows of `scope` (a condition over t). */
function scoreParts(spec: ListSpec, table: string, scope: string[]): { with: string; join: string; where: string[] } {
  if (!spec.scored) return { with: '', join: '', where: [] };
  const { at, where } = spec.scored;
  return {
    with: `WITH sc AS MATERIALIZED (
             SELECT * FROM qualification_scores(qualification_policy_at(${at}::timestamptz),
               ARRAY(SELECT t.id FROM ${table} t ${scope.length ? `WHERE ${scope.join(' AND ')}` : ''}), ${at}::timestamptz))`,
    join: 'LEFT JOIN sc ON sc.lead_id = t.id',
    where,
  };
}

/**
 * The CTE and join of a top-level list's scores through the stored scores: for a page ordered by
 * score, the candidates of that page (`page`: its effective direction, cursor and row count);
 * otherwise, with `min`, the leads scoring at least that; nothing else needs scores.
 */
function storedScoreParts(
  spec: ListSpec,
  table: string,
  params: SqlParams,
  page: { direction: Direction; cursor: PageWindow['cursor']; rows: number } | null,
): { with: string; join: string } {
  const scored = spec.scored;
  if (!scored) return { with: '', join: '' };
  if ((!page || !scored.byScore) && scored.min == null) {
    // no scores needed; the statement still names the parameters the list added for them
    return { with: `WITH score_parameters AS (SELECT ${scored.at}::timestamptz)`, join: '' };
  }
  // every lead: walk the stored scores' indexes (..._all); a filtered list: its leads' bounds
  const all = spec.where.length === 0;
  const ids = all ? '' : `ARRAY(SELECT t.id FROM ${table} t WHERE ${spec.where.join(' AND ')}), `;
  const policy = `qualification_policy_at(${scored.at}::timestamptz)`;
  const min = scored.min ?? 'NULL';
  const call = page && scored.byScore
    ? `qualification_score_page${all ? '_all' : ''}(${policy}, ${ids}${scored.at}::timestamptz, ${page.direction === 'DESC'},
         ${page.cursor ? `${params.add(page.cursor.v)}::numeric` : 'NULL'}, ${page.cursor ? `${params.add(page.cursor.id)}::bigint` : 'NULL'},
         ${params.add(page.rows)}::integer, ${min}::numeric)`
    : `qualification_score_at_least${all ? '_all' : ''}(${policy}, ${ids}${scored.at}::timestamptz, ${min}::numeric)`;
  return { with: `WITH sc AS MATERIALIZED (SELECT * FROM ${call})`, join: 'JOIN sc ON sc.lead_id = t.id' };
}

export function orderAndSeek(spec: ListSpec, page: PageWindow, params: SqlParams): { seek: string | null; order: string; direction: Direction } {
  // walking backwards reads the list in reverse, then flips the page
  const effective: Direction = page.backwards ? (spec.direction === 'ASC' ? 'DESC' : 'ASC') : spec.direction;
  const op = effective === 'ASC' ? '>' : '<';
  const seek = page.cursor
    ? `(${spec.sortColumn}, t.id) ${op} (${params.add(page.cursor.v)}, ${params.add(page.cursor.id)}::bigint)`
    : null;
  return { seek, order: `${spec.sortColumn} ${effective}, t.id ${effective}`, direction: effective };
}

/** Invalid text, date-time or out-of-range number: what a forged cursor value makes PostgreSQL say. */
const BAD_VALUE_CODES = new Set(['22P02', '22007', '22008', '22003']);

/**
 * Runs a page query; a cursor whose sort value the column cannot take (a forged or damaged
 * cursor that still decodes) is refused as bad input naming the argument, not masked as internal.
 */
async function queryPage<R>(db: EntityManager, text: string, values: unknown[], page: PageWindow, fieldPrefix: string): Promise<R[]> {
  try {
    return (await db.query(text, values)) as R[];
  } catch (error) {
    const code = error instanceof QueryFailedError ? (error.driverError as { code?: string }).code : undefined;
    if (page.cursor && code && BAD_VALUE_CODES.has(code)) {
      throw new BadInputError(`${fieldPrefix}${page.backwards ? 'before' : 'after'}`, 'is not a cursor of this list');
    }
    throw error;
  }
}

function cloneParams(params: SqlParams): SqlParams {
  const copy = new SqlParams();
  for (const v of params.values) copy.add(v);
  return copy;
}

/** One page of a top-level list, keyset-paginated; totalCount runs only when asked for. */
export async function fetchPage<T extends { id: string }>(
  ctx: Context,
  spec: ListSpec,
  args: PageArgs,
): Promise<ConnectionResult<T>> {
  const page = resolvePage(args, spec.sortName, ctx.config.maxPageSize);
  const db = managerOf(ctx);
  const table = tableOf(ctx.ds, spec.entity);
  const params = cloneParams(spec.params);
  const { seek, order, direction } = orderAndSeek(spec, page, params);
  const scores = storedScoreParts(spec, table, params, { direction, cursor: page.cursor, rows: page.limit + 1 });
  const where = [...spec.where, ...(scores.join ? (spec.scored?.where ?? []) : []), ...(seek ? [seek] : [])];
  const rows = await queryPage<T & { __sort: string }>(
    db,
    `${scores.with} SELECT ${selectList(ctx.ds, spec.entity, 't')}, (${spec.sortColumn})::text AS "__sort"
       FROM ${table} t ${scores.join} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY ${order} LIMIT ${params.add(page.limit + 1)}`,
    params.values,
    page,
    '',
  );
  const countWhere = spec.where.length ? `WHERE ${spec.where.join(' AND ')}` : '';
  return toConnection(rows, page, spec.sortName, async () => {
    const countParams = cloneParams(spec.params);
    const counted = storedScoreParts(spec, table, countParams, null);
    const [row] = await db.query(`${counted.with} SELECT count(*)::int AS n FROM ${table} t ${counted.join} ${countWhere}`, countParams.values);
    return (row as { n: number }).n;
  });
}

/**
 * The same page of a child list for many parents at once (Account.leads for 50 accounts):
 * one LATERAL query that walks each parent's index, plus one grouped count when asked for.
 */
export async function fetchChildPages<T extends { id: string }>(
  ctx: Context,
  spec: ListSpec,
  parentColumn: string,
  parentIds: readonly string[],
  args: PageArgs,
  fieldPrefix = '',
): Promise<ConnectionResult<T>[]> {
  const page = resolvePage(args, spec.sortName, ctx.config.maxPageSize, fieldPrefix);
  const db = managerOf(ctx);
  const table = tableOf(ctx.ds, spec.entity);
  const params = cloneParams(spec.params);
  const parents = params.add(parentIds);
  const { seek, order } = orderAndSeek(spec, page, params);
  // scores, when the list has them: one call for the rows of every parent at once
  const scores = scoreParts(spec, table, [`t.${parentColumn} = ANY(${parents}::bigint[])`, ...spec.where]);
  const where = [`t.${parentColumn} = p.parent_id`, ...spec.where, ...scores.where, ...(seek ? [seek] : [])];
  const rows = await queryPage<T & { __sort: string; __parent: string }>(
    db,
    `${scores.with} SELECT p.parent_id::text AS "__parent", c.*
       FROM unnest(${parents}::bigint[]) AS p(parent_id)
       CROSS JOIN LATERAL (
         SELECT ${selectList(ctx.ds, spec.entity, 't')}, (${spec.sortColumn})::text AS "__sort"
           FROM ${table} t ${scores.join} WHERE ${where.join(' AND ')}
          ORDER BY ${order} LIMIT ${params.add(page.limit + 1)}
       ) c`,
    params.values,
    page,
    fieldPrefix,
  );
  const byParent = new Map<string, (T & { __sort: string })[]>();
  // rows keep __parent and __sort (GraphQL reads declared fields only): no copy per row
  for (const row of rows) {
    const list = byParent.get(row.__parent);
    if (list) list.push(row);
    else byParent.set(row.__parent, [row]);
  }
  let counts: Promise<Map<string, number>> | null = null;
  const countAll = () => {
    counts ??= (async () => {
      const countParams = cloneParams(spec.params);
      const ids = countParams.add(parentIds);
      const scope = [`t.${parentColumn} = ANY(${ids}::bigint[])`, ...spec.where];
      const counted = scoreParts(spec, table, scope);
      const filters = [...scope, ...counted.where];
      const result: { parent: string; n: number }[] = await db.query(
        `${counted.with} SELECT t.${parentColumn}::text AS parent, count(*)::int AS n FROM ${table} t ${counted.join}
          WHERE ${filters.join(' AND ')} GROUP BY t.${parentColumn}`,
        countParams.values,
      );
      return new Map(result.map((r) => [r.parent, r.n]));
    })();
    return counts;
  };
  return parentIds.map((id) =>
    toConnection<T>(byParent.get(id) ?? [], page, spec.sortName, async () => (await countAll()).get(id) ?? 0),
  );
}

/**
 * A child connection of one parent, batched with the same child list of every other parent
 * in the request (same filters and page), e.g. Account.leads over 50 accounts: one query.
 */
export function loadChildConnection<T extends { id: string }>(
  ctx: Context,
  spec: ListSpec,
  parentColumn: string,
  parentId: string,
  args: PageArgs,
): Promise<ConnectionResult<T>> {
  const table = tableOf(ctx.ds, spec.entity);
  const key = JSON.stringify([table, parentColumn, spec.sortName, spec.where, spec.scored ?? null, spec.params.values, args]);
  return ctx.loaders
    .get<string, ConnectionResult<T>>(`children:${key}`, (ids) => fetchChildPages<T>(ctx, spec, parentColumn, ids, args))
    .load(parentId);
}
