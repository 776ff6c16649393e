import type { ImportKind } from '../engine';

/** The standard export headers of a CRM for one kind, mapped to our columns, and its values mapped to ours. */
export interface Preset {
  name: string;
  kind: ImportKind;
  description: string;
  /** Export header (compared case-insensitively) -> our column. Other headers are ignored. */
  columns: Record<string, string>;
  /** Our column -> lower-case export value -> our value (lifecycle stages, deal stages...). */
  values?: Record<string, Record<string, string>>;
  /**
   * Our columns a CRM does not export as such, computed from the row (a source header, compared
   * case-insensitively, gives its cell or undefined): a domain from a website URL, a segment from
   * the number of employees, a constant. A computed value goes through the same cell checks; a
   * column also named by a header or the mapping keeps that header's value. Return undefined
   * (or omit the key) to leave a column out of the row.
   */
  derive?: (cell: (header: string) => string | undefined) => Record<string, string | undefined>;
}
