import type { DataSource } from 'typeorm';
import type { ImportFormat, ImportKind, ImportMode } from '../engine';
import { rawQuery, withClient } from './job-db';

/** What a new job is to do; one entry of `files` per kind (a bundle has several). */
export interface NewImportJob {
  format: ImportFormat;
  mode: ImportMode;
  atomic: boolean;
  actor: string;
  actorRole: string;
  files: { kind: ImportKind; preset: string | null; mapping: Record<string, string> | null }[];
}

/** The upload went over the byte limit of an import file (IMPORT_MAX_BYTES). */
export class ImportTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the file exceeds ${limit} bytes (IMPORT_MAX_BYTES)`);
  }
}

/** Creates a job in state UPLOADING (shown to no one) with its files; returns its database id. */
export async function createUploadingJob(ds: DataSource, job: NewImportJob): Promise<string> {
  return withClient(ds, async (client) => {
    await client.query('BEGIN');
    try {
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO import_jobs (state, format, mode, atomic, created_by, created_by_role)
         VALUES ('UPLOADING', $1, $2, $3, $4, $5) RETURNING id::text`,
        [job.format, job.mode, job.atomic, job.actor, job.actorRole],
      );
      const id = (rows[0] as { id: string }).id;
      await client.query(
        `INSERT INTO import_job_files (job_id, file_no, kind, preset, mapping)
         SELECT $1, n - 1, kind, preset, mapping FROM unnest($2::text[], $3::text[], $4::jsonb[]) WITH ORDINALITY AS f(kind, preset, mapping, n)`,
        [
          id,
          job.files.map((f) => f.kind),
          job.files.map((f) => f.preset),
          job.files.map((f) => (f.mapping ? JSON.stringify(f.mapping) : null)),
        ],
      );
      await client.query('COMMIT');
      return id;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
}

/**
 * Stores a file's bytes as chunks of `chunkBytes`, reading `input` as it comes (memory holds one
 * chunk, whatever the file's size). Fails with ImportTooLargeError past `maxBytes`.
 */
export async function storeFileBytes(
  ds: DataSource,
  jobId: string,
  fileNo: number,
  input: AsyncIterable<Buffer | string>,
  limits: { maxBytes: number; chunkBytes: number },
): Promise<number> {
  let total = 0;
  let seq = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (pendingBytes === 0) return;
    const data = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    // the job's updated_at shows the upload is alive (abandoned ones are purged by it)
    await rawQuery(
      ds,
      `WITH chunk AS (INSERT INTO import_job_chunks (job_id, file_no, seq, data) VALUES ($1, $2, $3, $4))
       UPDATE import_jobs SET updated_at = now() WHERE id = $1`,
      [jobId, fileNo, seq++, data],
    );
  };
  for await (const part of input) {
    const chunk = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
    total += chunk.length;
    if (total > limits.maxBytes) throw new ImportTooLargeError(limits.maxBytes);
    pending.push(chunk);
    pendingBytes += chunk.length;
    if (pendingBytes >= limits.chunkBytes) await flush();
  }
  await flush();
  await rawQuery(ds, 'UPDATE import_job_files SET bytes = $3 WHERE job_id = $1 AND file_no = $2', [jobId, fileNo, total]);
  return total;
}

/** The upload is complete: the job is QUEUED (and visible) from now on. */
export async function queueUploadedJob(ds: DataSource, jobId: string): Promise<void> {
  await rawQuery(ds, `UPDATE import_jobs SET state = 'QUEUED', created_at = now(), updated_at = now() WHERE id = $1 AND state = 'UPLOADING'`, [jobId]);
}

/** Drops a job whose upload failed, with everything stored of it. */
export async function discardUploadingJob(ds: DataSource, jobId: string): Promise<void> {
  await rawQuery(ds, `DELETE FROM import_jobs WHERE id = $1 AND state = 'UPLOADING'`, [jobId]);
}

/** Drops uploads abandoned for longer than `olderThanSeconds` (their process died mid-upload). */
export async function purgeAbandonedUploads(ds: DataSource, olderThanSeconds: number): Promise<number> {
  const rows = await rawQuery<{ id: string }>(
    ds,
    `DELETE FROM import_jobs WHERE state = 'UPLOADING' AND updated_at < now() - make_interval(secs => $1) RETURNING id::text`,
    [olderThanSeconds],
  );
  return rows.length;
}
