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
