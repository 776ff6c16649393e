import { PassThrough, pipeline, Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { parse } from 'csv-parse';
import type { ImportFormat } from './engine';

/** One data row of a file: where it starts, and its cells by source header. */
export interface SourceRow {
  line: number;
  values: Record<string, string>;
  /** Why the row could not be read as a row at all (wrong field count, not a JSON object). */
  malformed?: string;
}

/** Thrown for a file that cannot be read at all (broken quoting, no header). */
export class UnreadableFileError extends Error {
  constructor(message: string, readonly line: number | null) {
    super(message);
  }
}

function asReadable(input: NodeJS.ReadableStream): Readable {
  return input instanceof Readable ? input : Readable.from(input as AsyncIterable<Buffer>);
}

/**
 * The rows of an RFC 4180 CSV with a header row, UTF-8 with or without a BOM, streamed
 * (csv-parse pulls from `input` only as fast as the rows are taken). `onHeader` gets the header.
 */
async function* csvRows(input: NodeJS.ReadableStream, onHeader: (header: string[]) => void): AsyncGenerator<SourceRow> {
  const parser = parse({ bom: true, relax_column_count: true, skip_empty_lines: true, info: true });
  // pipeline, not pipe: an input that fails or is cut off mid-file (a dropped upload) fails the
  // parser too, so the rows end with that error instead of waiting forever for the rest
  pipeline(asReadable(input), parser, () => undefined);
  let header: string[] | null = null;
  // csv-parse counts a CRLF inside a quoted field as two lines: take those back out
  let crlfInFields = 0;
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const { record, info } = item;
      // csv-parse counts the line a record ends on; a quoted field may span lines
      const spanned = record.reduce((n, field) => n + (field.match(/\r\n|\r|\n/g)?.length ?? 0), 0);
      crlfInFields += record.reduce((n, field) => n + (field.match(/\r\n/g)?.length ?? 0), 0);
      const line = info.lines - crlfInFields - spanned;
      if (header === null) {
        header = record.map((h) => h.trim());
        onHeader(header);
        continue;
      }
      const values: Record<string, string> = {};
      header.forEach((name, i) => {
        values[name] = record[i] ?? '';
      });
      const malformed = record.length === header.length ? undefined : `the row has ${record.length} fields; the header has ${header.length}`;
      yield { line, values, ...(malformed ? { malformed } : {}) };
    }
  } catch (error) {
    if (error instanceof Error && 'code' in error && typeof (error as { code: unknown }).code === 'string' && (error as { code: string }).code.startsWith('CSV_')) {
      const lines = (error as { lines?: unknown }).lines;
      throw new UnreadableFileError(`the CSV cannot be read: ${error.message}`, typeof lines === 'number' ? lines : null);
    }
    throw error;
  }
  if (header === null) throw new UnreadableFileError('the file is empty: a CSV import needs a header row', 1);
}

/** A JSON value as a cell: text as is, numbers and booleans as text, lists joined with ";". */
function cellOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(cellOf).join(';');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** The lines of `input` as UTF-8 text, without their line ends; fails when the input fails or is cut off. */
async function* textLines(input: NodeJS.ReadableStream): AsyncGenerator<string> {
  const source = new PassThrough();
  pipeline(asReadable(input), source, () => undefined);
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of source as AsyncIterable<Buffer>) {
    const parts = (rest + decoder.write(chunk)).split('\n');
    rest = parts.pop() ?? '';
    for (const part of parts) yield part.endsWith('\r') ? part.slice(0, -1) : part;
  }
  rest += decoder.end();
  if (rest !== '') yield rest.endsWith('\r') ? rest.slice(0, -1) : rest;
}

/** The rows of a JSON lines file: one object per line (blank lines skipped). */
async function* jsonlRows(input: NodeJS.ReadableStream): AsyncGenerator<SourceRow> {
  let line = 0;
  for await (const rawLine of textLines(input)) {
    line++;
    const text = line === 1 ? rawLine.replace(/^\uFEFF/, '') : rawLine;
    if (text.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      yield { line, values: { _raw: text }, malformed: 'the line is not valid JSON' };
      continue;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      yield { line, values: { _raw: text }, malformed: 'the line is not a JSON object' };
      continue;
    }
    const values: Record<string, string> = {};
    for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) values[key] = cellOf(value);
    yield { line, values };
  }
}

/** The data rows of `input` in `format`; for CSV, `onHeader` is called with the header before the first row. */
export function sourceRows(input: NodeJS.ReadableStream, format: ImportFormat, onHeader: (header: string[]) => void): AsyncGenerator<SourceRow> {
  return format === 'csv' ? csvRows(input, onHeader) : jsonlRows(input);
}
