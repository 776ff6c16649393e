import type { DataSource } from 'typeorm';
import { errorsCsvHeader, errorsCsvRow, ImportRowError } from '../engine';
import { rawQuery } from './job-db';

const FLUSH_AT = 500;

/**
 * Keeps the failed rows of one file of a job, in batches of FLUSH_AT rows (one INSERT each),
 * and the source headers they came with, in the file's order (the error CSV's columns).
 */
export class ErrorRecorder {
  private pending: ImportRowError[] = [];
  private readonly headers: string[] = [];
  private readonly known = new Set<string>();

  constructor(
    private readonly ds: DataSource,
    private readonly jobId: string,
    private readonly fileNo: number,
  ) {}

  async add(error: ImportRowError): Promise<void> {
    this.pending.push(error);
    if (this.pending.length >= FLUSH_AT) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    let headersGrew = false;
    for (const error of batch) {
      for (const header of Object.keys(error.values)) {
        if (!this.known.has(header)) {
          this.known.add(header);
          this.headers.push(header);
          headersGrew = true;
        }
      }
    }
    await rawQuery(
      this.ds,
      `INSERT INTO import_job_errors (job_id, file_no, line, column_name, reason, "values")
       SELECT $1, $2, e.line, e.column_name, e.reason, e.vals
         FROM unnest($3::int[], $4::text[], $5::text[], $6::jsonb[]) AS e(line, column_name, reason, vals)`,
      [
        this.jobId,
        this.fileNo,
        batch.map((e) => e.line),
        batch.map((e) => e.column),
        batch.map((e) => e.reason),
        batch.map((e) => JSON.stringify(Object.entries(e.values))),
      ],
    );
    if (headersGrew) {
      await rawQuery(this.ds, 'UPDATE import_job_files SET source_headers = $3::jsonb WHERE job_id = $1 AND file_no = $2', [
        this.jobId,
        this.fileNo,
        JSON.stringify(this.headers),
      ]);
    }
  }
}

/** A stored failed row. */
export interface StoredRowError {
  id: string;
  fileNo: number;
  line: number;
  column: string | null;
  reason: string;
  /** [source header, value] in the file's order. */
  values: [string, string][];
}

interface ErrorRow {
  id: string;
  file_no: number;
  line: number;
  column_name: string | null;
  reason: string;
  values: [string, string][];
}

function toStored(row: ErrorRow): StoredRowError {
  return { id: row.id, fileNo: row.file_no, line: row.line, column: row.column_name, reason: row.reason, values: row.values };
}

/** Failed rows of a job after `afterId` (file by file, in file order), at most `limit`. */
export async function rowErrorsAfter(ds: DataSource, jobId: string, afterId: string | null, limit: number, fileNo?: number): Promise<StoredRowError[]> {
  const rows = await rawQuery<ErrorRow>(
    ds,
    `SELECT id::text, file_no, line, column_name, reason, "values" FROM import_job_errors
      WHERE job_id = $1 AND id > $2::bigint AND ($4::int IS NULL OR file_no = $4)
      ORDER BY id LIMIT $3`,
    [jobId, afterId ?? '0', limit, fileNo ?? null],
  );
  return rows.map(toStored);
}

/** Failed rows of a job before `beforeId`, nearest first, at most `limit`. */
export async function rowErrorsBefore(ds: DataSource, jobId: string, beforeId: string | null, limit: number): Promise<StoredRowError[]> {
  const rows = await rawQuery<ErrorRow>(
    ds,
    `SELECT id::text, file_no, line, column_name, reason, "values" FROM import_job_errors
      WHERE job_id = $1 AND ($2::bigint IS NULL OR id < $2::bigint) ORDER BY id DESC LIMIT $3`,
    [jobId, beforeId, limit],
  );
  return rows.map(toStored);
}

export async function countRowErrors(ds: DataSource, jobId: string): Promise<number> {
  const [row] = await rawQuery<{ n: number }>(ds, 'SELECT count(*)::int AS n FROM import_job_errors WHERE job_id = $1', [jobId]);
  return row?.n ?? 0;
}

/**
 * The error CSV of one file of a job: the file's own columns, then _line, _column, _reason (the
 * engine ignores those), one line per failed row in file order; fixed, it imports as is.
 * Read a page at a time, so memory stays flat however many rows failed.
 */
export async function* errorsCsvOf(ds: DataSource, jobId: string, fileNo: number, sourceHeaders: readonly string[]): AsyncGenerator<string> {
  yield errorsCsvHeader(sourceHeaders);
  let after: string | null = null;
  for (;;) {
    const page = await rowErrorsAfter(ds, jobId, after, 1000, fileNo);
    if (page.length === 0) return;
    let text = '';
    for (const error of page) {
      text += errorsCsvRow(sourceHeaders, { line: error.line, column: error.column, reason: error.reason, values: Object.fromEntries(error.values) });
    }
    yield text;
    after = page[page.length - 1]?.id ?? null;
  }
}
