import { BadInputError } from './errors';
import { SortDirection } from '../common/enums';

/** Sort name (kept in cursors) and SQL column of an `orderBy` choice. */
export function sortOf<F extends string>(
  columns: Record<F, string>,
  order: { field: F; direction?: SortDirection | null } | null | undefined,
  fallback: F,
): { sortName: string; sortColumn: string; direction: 'ASC' | 'DESC' } {
  const field = order?.field ?? fallback;
  const direction = order?.direction ?? SortDirection.ASC;
  return { sortName: `${field}:${direction}`, sortColumn: columns[field], direction };
}

/** Adds `t.column >= from` / `< to` conditions of an optional half-open time range named `field`. */
export function addRange(
  where: string[],
  add: (v: unknown) => string,
  column: string,
  range: { from?: Date | null; to?: Date | null } | null | undefined,
  field: string,
): void {
  if (range?.from && range.to && range.from.getTime() >= range.to.getTime()) {
    throw new BadInputError(`${field}.to`, 'must be after from');
  }
  if (range?.from) where.push(`${column} >= ${add(range.from)}`);
  if (range?.to) where.push(`${column} < ${add(range.to)}`);
}

/**
 * Adds `t.updated_at > updatedAfter` (strictly after): what a sync passes to pull only the rows
 * changed since the `updatedAt` it saw last. Every list of an imported kind takes it in its filter.
 */
export function addUpdatedAfter(where: string[], add: (v: unknown) => string, updatedAfter: Date | null | undefined, field: string): void {
  if (updatedAfter == null) return;
  if (Number.isNaN(updatedAfter.getTime())) throw new BadInputError(field, 'is not a valid date-time');
  where.push(`t.updated_at > ${add(updatedAfter)}`);
}

/** An `orderBy` choice whose cursors carry a name of their own ("version", "updatedAt"). */
export interface NamedSort {
  column: string;
  name: string;
}

/**
 * Sort name (kept in cursors) and SQL column of an `orderBy` choice among named columns (ASC
 * unless told otherwise); without `orderBy`, the list's own default, which may be one no choice
 * names (newest first by id), so the cursors of a list that had no `orderBy` stay valid.
 */
export function namedSortOf<F extends string>(
  choices: Record<F, NamedSort>,
  order: { field: F; direction?: SortDirection | null } | null | undefined,
  fallback: NamedSort & { direction: SortDirection },
): { sortName: string; sortColumn: string; direction: 'ASC' | 'DESC' } {
  const chosen = order ? { ...choices[order.field], direction: order.direction ?? SortDirection.ASC } : fallback;
  const direction = chosen.direction === SortDirection.DESC ? 'DESC' : 'ASC';
  return { sortName: `${chosen.name}:${chosen.direction}`, sortColumn: chosen.column, direction };
}
