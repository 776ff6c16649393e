import { CellValue, parseCell } from '../columns';
import { ERROR_COLUMNS, ImportFileError } from '../columns';
import type { SourceRow } from '../parse';
import type { Preset } from '../presets/preset';
import type { KindSpec } from './kind';

/** A source row turned into our columns: its cells, or why it failed before reaching the database. */
export interface MappedRow {
  line: number;
  values: Record<string, string>;
  cells: Map<string, CellValue>;
  error: { column: string | null; reason: string } | null;
}

const IGNORED = new Set<string>([...ERROR_COLUMNS, '_raw']);

/**
 * Maps source headers to our columns (the mapping argument, then the preset, then our own
 * names) and parses each cell. A file without a preset or mapping must use only our names; with
 * one, the other columns of an export are ignored.
 */
export class RowMapper {
  private readonly byHeader = new Map<string, string | null | undefined>();
  private readonly columns: Map<string, KindSpec['columns'][number]>;
  private readonly lenient: boolean;
  private readonly now = Date.now();

  constructor(
    private readonly spec: KindSpec,
    header: string[] | null,
    private readonly preset: Preset | undefined,
    private readonly mapping: Record<string, string> | undefined,
  ) {
    this.columns = new Map(spec.columns.map((c) => [c.name, c]));
    this.lenient = preset !== undefined || (mapping !== undefined && Object.keys(mapping).length > 0);
    for (const target of Object.values(mapping ?? {})) {
      if (target !== '' && !this.columns.has(target)) throw new ImportFileError(`the mapping names "${target}", which is not a column of ${spec.kind}`);
    }
    if (header) {
      const seen = new Map<string, string>();
      for (const name of header) {
        const ours = this.resolve(name);
        if (ours === undefined) {
          throw new ImportFileError(`unknown column "${name}" for ${spec.kind}; the columns are ${spec.columns.map((c) => c.name).join(', ')}`, 1);
        }
        if (ours === null) continue;
        const earlier = seen.get(ours);
        if (earlier !== undefined) throw new ImportFileError(`the columns "${earlier}" and "${name}" are both ${ours}`, 1);
        seen.set(ours, name);
      }
    }
  }

  /** Our column for a source header: null to ignore it, undefined when unknown. */
  private resolve(header: string): string | null | undefined {
    const known = this.byHeader.get(header);
    if (known !== undefined || this.byHeader.has(header)) return known;
    let ours: string | null | undefined;
    const lower = header.trim().toLowerCase();
    const mapped = this.mapping?.[header] ?? Object.entries(this.mapping ?? {}).find(([k]) => k.trim().toLowerCase() === lower)?.[1];
    if (mapped !== undefined) ours = mapped === '' ? null : mapped;
    else if (IGNORED.has(header)) ours = null;
    else {
      const fromPreset = this.preset ? Object.entries(this.preset.columns).find(([k]) => k.toLowerCase() === lower)?.[1] : undefined;
      const own = this.spec.columns.find((c) => c.name.toLowerCase() === lower)?.name;
      ours = fromPreset ?? own ?? (this.lenient ? null : undefined);
    }
    this.byHeader.set(header, ours);
    return ours;
  }

  map(row: SourceRow): MappedRow {
    const cells = new Map<string, CellValue>();
    const mapped: MappedRow = { line: row.line, values: row.values, cells, error: null };
    if (row.malformed) {
      mapped.error = { column: null, reason: row.malformed };
      return mapped;
    }
    for (const [header, raw] of Object.entries(row.values)) {
      const ours = this.resolve(header);
      if (ours === undefined) {
        mapped.error = { column: null, reason: `unknown column "${header}"` };
        return mapped;
      }
      if (ours === null) continue;
      const column = this.columns.get(ours);
      if (!column) continue;
      const text = this.preset?.values?.[ours]?.[raw.trim().toLowerCase()] ?? raw;
      const result = parseCell(column, text, this.now);
      if (!result.ok) {
        mapped.error = { column: ours, reason: result.reason };
        return mapped;
      }
      cells.set(ours, result.value);
    }
    if (this.preset?.derive) return this.derived(this.preset.derive, row.values, mapped);
    return mapped;
  }

  /** Adds a preset's computed columns to `mapped` (those no header filled). */
  private derived(derive: NonNullable<Preset['derive']>, values: Record<string, string>, mapped: MappedRow): MappedRow {
    const byLower = new Map(Object.entries(values).map(([h, v]) => [h.trim().toLowerCase(), v]));
    for (const [ours, text] of Object.entries(derive((header) => byLower.get(header.toLowerCase())))) {
      const column = this.columns.get(ours);
      if (text === undefined || !column || mapped.cells.has(ours)) continue;
      const result = parseCell(column, text, this.now);
      if (!result.ok) {
        mapped.error = { column: ours, reason: result.reason };
        return mapped;
      }
      mapped.cells.set(ours, result.value);
    }
    return mapped;
  }
}
