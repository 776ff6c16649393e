import type { PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import { withoutQueryTimeout } from '../db/data-source';
import { BatchRunner, BATCH_ROWS } from './kinds/batch';
import { KINDS } from './kinds/index';
import { MappedRow, RowMapper } from './kinds/rows';
import { UnreadableFileError, sourceRows } from './parse';
import { presetFor } from './presets/index';

/**
 * The import engine: one file of one kind (CSV or JSON lines) streamed through a parser into
 * COPY into a temporary staging table in batches, then validated and upserted by external id
 * with set-based SQL. The CLI, HTTP and GraphQL doors all call `importStream`.
 * See docs/import.md for the columns of each kind.
 */

/** What a file holds; one kind per file. */
export type ImportKind = 'accounts' | 'users' | 'campaigns' | 'spend' | 'leads' | 'touchpoints' | 'opportunities' | 'feedback';

/** CREATE: only new external ids (existing ones fail); UPDATE: only existing ones; UPSERT (default): either. */
export type ImportMode = 'CREATE' | 'UPDATE' | 'UPSERT';

export type ImportFormat = 'csv' | 'jsonl';

export interface ImportOptions {
  kind: ImportKind;
  format: ImportFormat;
  /** Default UPSERT. */
  mode?: ImportMode;
  /** A named header mapping, e.g. 'hubspot-contacts', 'salesforce-opportunities' (see src/imports/presets/). */
  preset?: string;
  /** Source header -> our column; applied after (and winning over) the preset. */
  mapping?: Record<string, string>;
  /** All-or-nothing: any failed row rolls the whole import back (every row is then counted failed or not applied). */
  atomic?: boolean;
  /** For the audit log, e.g. 'key:12'. */
  actor: string;
  actorRole: string;
  /** The job this import runs for; written into the audit entry. */
  jobId?: string;
  /** Called after each committed batch with the data rows processed so far. */
  onProgress?: (processedRows: number) => void;
  /** Stops the import between batches; batches already committed stay (re-running is idempotent). */
  signal?: AbortSignal;
}

export interface ImportCounts {
  processed: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
}

export interface ImportRowError {
  /** 1-based line of the file where the row starts; the CSV header is line 1, a JSONL file's first row is line 1. */
  line: number;
  /** Our column name the failure is about, or null when it concerns the row as a whole. */
  column: string | null;
  reason: string;
  /** The row as it was, by source header. */
  values: Record<string, string>;
}

/** Dependency order for bundles: a kind only refers to kinds before it. */
export const IMPORT_ORDER: ImportKind[] = ['users', 'accounts', 'campaigns', 'spend', 'leads', 'touchpoints', 'opportunities', 'feedback'];

export const IMPORT_KINDS: readonly ImportKind[] = IMPORT_ORDER;

/**
 * Imports `input` (a byte stream of the file) into the database of `ds`.
 * Each batch of rows commits in a transaction of its own (or the whole file in one when
 * `options.atomic`); a row applies whole or not at all. Every failed row is passed to
 * `onError` (awaited, in file order within a batch). Resolves with the counts; rejects with
 * ImportFileError for a file-level problem, or with the signal's reason when aborted.
 */
export function importStream(
  ds: DataSource,
  input: NodeJS.ReadableStream,
  options: ImportOptions,
  onError: (error: ImportRowError) => void | Promise<void>,
): Promise<ImportCounts> {
  return runImport(ds, input, options, onError);
}

export { ERROR_COLUMNS, ImportFileError } from './columns';
import { ERROR_COLUMNS, ImportFileError } from './columns';

/** The header line (with CRLF) of the error CSV: the file's own source headers, then _line, _column, _reason. */
export function errorsCsvHeader(sourceHeaders: readonly string[]): string {
  return csvLine([...sourceHeaders.filter((h) => !(ERROR_COLUMNS as readonly string[]).includes(h)), ...ERROR_COLUMNS]);
}

/** One line (with CRLF) of the error CSV for `error`, under `errorsCsvHeader(sourceHeaders)`. */
export function errorsCsvRow(sourceHeaders: readonly string[], error: ImportRowError): string {
  const own = sourceHeaders.filter((h) => !(ERROR_COLUMNS as readonly string[]).includes(h));
  return csvLine([...own.map((h) => error.values[h] ?? ''), String(error.line), error.column ?? '', error.reason]);
}

/** The whole error CSV of `errors` (header first). */
export function errorsCsv(sourceHeaders: readonly string[], errors: readonly ImportRowError[]): string {
  return errorsCsvHeader(sourceHeaders) + errors.map((e) => errorsCsvRow(sourceHeaders, e)).join('');
}

/** One CSV field, quoted when it holds a quote, a comma, a line end or edge spaces (RFC 4180). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) || /^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function csvLine(values: readonly string[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

async function runImport(
  ds: DataSource,
  input: NodeJS.ReadableStream,
  options: ImportOptions,
  onError: (error: ImportRowError) => void | Promise<void>,
): Promise<ImportCounts> {
  const spec = KINDS[options.kind];
  if (!spec) throw new ImportFileError(`unknown kind "${String(options.kind)}"; one of ${IMPORT_ORDER.join(', ')}`);
  const preset = options.preset === undefined ? undefined : presetFor(options.preset, options.kind);
  const counts: ImportCounts = { processed: 0, created: 0, updated: 0, unchanged: 0, failed: 0 };
  const runner = ds.createQueryRunner();
  const client = (await runner.connect()) as PoolClient;
  try {
    return await withoutQueryTimeout(client, async () => {
      const batches = new BatchRunner(client, spec, options, counts, onError);
      await batches.start();
      let mapper: RowMapper | null = null;
      let batch: MappedRow[] = [];
      const rows = sourceRows(input, options.format, (header) => {
        mapper = new RowMapper(spec, header, preset, options.mapping);
      });
      // the database applies one batch while the next is read and mapped (two cores, both busy)
      let applying: Promise<void> | null = null;
      const apply = async (next: MappedRow[]) => {
        const previous = applying;
        applying = null;
        if (previous) await previous;
        const running = batches.run(next);
        running.catch(() => undefined); // awaited at the next batch or the end
        applying = running;
      };
      try {
        for await (const row of rows) {
          mapper ??= new RowMapper(spec, null, preset, options.mapping);
          batch.push(mapper.map(row));
          if (batch.length >= BATCH_ROWS) {
            await apply(batch);
            batch = [];
          }
        }
        if (batch.length > 0) await apply(batch);
        if (applying) await applying;
      } catch (error) {
        if (applying) await (applying as Promise<void>).catch(() => undefined);
        await batches.abandon();
        if (error instanceof UnreadableFileError) throw new ImportFileError(error.message, error.line);
        throw error;
      }
      await batches.finish();
      return counts;
    });
  } finally {
    await runner.release();
  }
}
