import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';

/** Collects bound parameters while a statement is assembled: `params.add(v)` returns its `$n`. */
export class SqlParams {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

const selectListCache = new Map<unknown, string>();

/**
 * `alias.column AS "property", ...` for every column of an entity, so raw SQL returns
 * rows shaped like the entity (the GraphQL types read them by property name).
 */
export function selectList(ds: DataSource, entity: EntityTarget<ObjectLiteral>, alias: string): string {
  const key = `${String((entity as { name?: string }).name)}:${alias}`;
  let list = selectListCache.get(key);
  if (!list) {
    list = ds
      .getMetadata(entity)
      .columns.map((c) => `${alias}.${c.databaseName} AS "${c.propertyName}"`)
      .join(', ');
    selectListCache.set(key, list);
  }
  return list;
}

/** The table name of an entity. */
export function tableOf(ds: DataSource, entity: EntityTarget<ObjectLiteral>): string {
  return ds.getMetadata(entity).tableName;
}
