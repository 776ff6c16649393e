import { attributeHeader, AttributeHeader, CellValue, parseAttributeCell, parseCell } from '../columns';
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
  /** Whether the kind takes custom attributes (`attributes.<key>[:type]` columns, merged into its map). */
  private readonly attributes: boolean;

  constructor(
    private readonly spec: KindSpec,
    header: string[] | null,
    private readonly preset: Preset | undefined,
    private readonly mapping: Record<string, string> | undefined,
  ) {
    this.columns = new Map(spec.columns.map((c) => [c.name, c]));
    this.attributes = spec.columns.some((c) => c.type === 'attributes');
    this.lenient = preset !== undefined || (mapping !== undefined && Object.keys(mapping).length > 0);
    for (const target of Object.values(mapping ?? {})) {
      if (target !== '' && (!this.columns.has(target) || this.columns.get(target)?.type === 'attributes') && !this.attributeOf(target)) {
        throw new ImportFileError(`the mapping names "${target}", which is not a column of ${spec.kind}`);
      }
    }
    if (header) {
      const seen = new Map<string, string>();
      for (const name of header) {
        const ours = this.resolve(name);
        if (ours === undefined) {
          const names = spec.columns.map((c) => (c.type === 'attributes' ? 'attributes.<key>[:number|:boolean|:text]' : c.name));
          throw new ImportFileError(`unknown column "${name}" for ${spec.kind}; the columns are ${names.join(', ')}`, 1);
        }
        if (ours === null) continue;
        // two columns of one attribute key (with or without a type) are one column twice
        const column = this.attributeOf(ours)?.name ?? ours;
        const earlier = seen.get(column);
        if (earlier !== undefined) throw new ImportFileError(`the columns "${earlier}" and "${name}" are both ${column}`, 1);
        seen.set(column, name);
      }
    }
  }

  /** The custom attribute a column of ours names (kinds with attributes only); a key over 100 characters fails the file. */
  private attributeOf(ours: string): AttributeHeader | null {
    if (!this.attributes) return null;
    const parsed = attributeHeader(ours);
    if (parsed && 'error' in parsed) throw new ImportFileError(parsed.error, 1);
    return parsed;
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
      const own = this.spec.columns.find((c) => c.type !== 'attributes' && c.name.toLowerCase() === lower)?.name;
      const attribute = this.attributeOf(header)?.name !== undefined ? header.trim() : undefined;
      ours = fromPreset ?? own ?? attribute ?? (this.lenient ? null : undefined);
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
    const attributes: string[] = [];
    for (const [header, raw] of Object.entries(row.values)) {
      const ours = this.resolve(header);
      if (ours === undefined) {
        mapped.error = { column: null, reason: `unknown column "${header}"` };
        return mapped;
      }
      if (ours === null) continue;
      const attribute = this.attributeOf(ours);
      if (attribute) {
        // an empty cell leaves the attribute as it is
        if (raw.trim() === '') continue;
        const result = parseAttributeCell(attribute.type, raw);
        if (!result.ok) {
          mapped.error = { column: ours, reason: result.reason };
          return mapped;
        }
        attributes.push(`${JSON.stringify(attribute.key)}:${String(result.value)}`);
        continue;
      }
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
    if (attributes.length > 0) cells.set('attributes', `{${attributes.join(',')}}`);
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
