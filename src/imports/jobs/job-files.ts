import { Readable } from 'node:stream';
import type { DataSource } from 'typeorm';
import type { ImportKind } from '../engine';
import { IMPORT_ORDER } from '../engine';
import { rawQuery } from './job-db';

/** One file of a job as stored. */
export interface StoredImportFile {
  fileNo: number;
  kind: ImportKind;
  preset: string | null;
  mapping: Record<string, string> | null;
  bytes: number;
  done: boolean;
  processedRows: number;
  createdRows: number;
  updatedRows: number;
  unchangedRows: number;
  failedRows: number;
  sourceHeaders: string[];
}

interface FileRow {
  file_no: number;
  kind: ImportKind;
  preset: string | null;
  mapping: Record<string, string> | null;
  bytes: string;
  done: boolean;
  processed_rows: string;
  created_rows: string;
  updated_rows: string;
  unchanged_rows: string;
  failed_rows: string;
  source_headers: string[];
}

/** The files of jobs, in the order they load: IMPORT_ORDER (a kind refers only to kinds before it). */
export async function filesOfJobs(ds: DataSource, jobIds: readonly string[]): Promise<Map<string, StoredImportFile[]>> {
  const rows = await rawQuery<FileRow & { job_id: string }>(
    ds,
    `SELECT job_id::text, file_no, kind, preset, mapping, bytes, done, processed_rows, created_rows, updated_rows, unchanged_rows,
            failed_rows, source_headers
       FROM import_job_files WHERE job_id = ANY($1::bigint[]) ORDER BY job_id, file_no`,
    [jobIds],
  );
  const byJob = new Map<string, StoredImportFile[]>(jobIds.map((id) => [id, []]));
  for (const row of rows) {
    byJob.get(row.job_id)?.push({
      fileNo: row.file_no,
      kind: row.kind,
      preset: row.preset,
      mapping: row.mapping,
      bytes: Number(row.bytes),
      done: row.done,
      processedRows: Number(row.processed_rows),
      createdRows: Number(row.created_rows),
      updatedRows: Number(row.updated_rows),
      unchangedRows: Number(row.unchanged_rows),
      failedRows: Number(row.failed_rows),
      sourceHeaders: row.source_headers,
    });
  }
  for (const files of byJob.values()) files.sort((a, b) => IMPORT_ORDER.indexOf(a.kind) - IMPORT_ORDER.indexOf(b.kind));
  return byJob;
}

/** A stored file's bytes as a stream, one chunk read at a time (memory holds a chunk or two). */
export function storedFileStream(ds: DataSource, jobId: string, fileNo: number): Readable {
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let seq = 0; ; seq++) {
      const rows = await rawQuery<{ data: Buffer }>(ds, 'SELECT data FROM import_job_chunks WHERE job_id = $1 AND file_no = $2 AND seq = $3', [
        jobId,
        fileNo,
        seq,
      ]);
      const row = rows[0];
      if (!row) return;
      yield row.data;
    }
  }
  return Readable.from(chunks(), { objectMode: false, highWaterMark: 1 });
}
