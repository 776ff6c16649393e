import type { EntityTarget, ObjectLiteral } from 'typeorm';
import { selectList, tableOf } from '../db/sql';
import { managerOf } from '../db/with-transaction';
import type { Context } from './context';
import { NotFoundError } from './errors';

/** Batches every `id` lookup of one entity in a request into one `WHERE id = ANY($1)`. */
export function byIdLoader<T extends { id: string }>(ctx: Context, entity: EntityTarget<T & ObjectLiteral>) {
  const table = tableOf(ctx.ds, entity);
  return ctx.loaders.get<string, T | null>(`${table}:byId`, async (ids) => {
    const rows: T[] = await managerOf(ctx).query(
      `SELECT ${selectList(ctx.ds, entity, 't')} FROM ${table} t WHERE t.id = ANY($1::bigint[])`,
      [ids],
    );
    const byId = new Map(rows.map((r) => [String(r.id), r]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}

/** Loads one row by id or fails with NOT_FOUND naming the field. */
export async function findOrFail<T extends { id: string }>(
  ctx: Context,
  entity: EntityTarget<T & ObjectLiteral>,
  typeName: string,
  field: string,
  id: string,
): Promise<T> {
  const row = await byIdLoader<T>(ctx, entity).load(id);
  if (!row) throw new NotFoundError(field, typeName, id);
  return row;
}

/** Children of many parents in one query, grouped by parent (e.g. contact leads of opportunities). */
export function childrenLoader<T>(ctx: Context, name: string, sql: string) {
  return ctx.loaders.get<string, T[]>(name, async (parentIds) => {
    const rows: (T & { __parent: string })[] = await managerOf(ctx).query(sql, [parentIds]);
    const byParent = new Map<string, T[]>();
    for (const { __parent, ...row } of rows) {
      const list = byParent.get(__parent) ?? [];
      list.push(row as unknown as T);
      byParent.set(__parent, list);
    }
    return parentIds.map((id) => byParent.get(id) ?? []);
  });
}
