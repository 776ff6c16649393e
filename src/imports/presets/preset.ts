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
}
