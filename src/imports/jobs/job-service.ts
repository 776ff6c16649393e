import { Readable } from 'node:stream';
import type { DataSource } from 'typeorm';
import { selectList } from '../../db/sql';
import type { ImportKind } from '../engine';
import { ImportJob } from './import-job.entity';
import { rawQuery } from './job-db';
import { jobQueued } from './job-runner';
import { createUploadingJob, discardUploadingJob, NewImportJob, queueUploadedJob, storeFileBytes } from './job-upload';

/** A job by its database id; UPLOADING ones (still arriving) are no one's to see. */
export async function findImportJob(ds: DataSource, id: string): Promise<ImportJob | null> {
  const [job] = await rawQuery<ImportJob & Record<string, unknown>>(
    ds,
    `SELECT ${selectList(ds, ImportJob, 't')} FROM import_jobs t WHERE t.id = $1 AND t.state <> 'UPLOADING'`,
    [id],
  );
  return job ?? null;
}

/** One file of a new job and where its bytes come from. */
export interface NewImportFile {
  kind: ImportKind;
  preset: string | null;
  mapping: Record<string, string> | null;
  content: AsyncIterable<Buffer | string>;
}

/**
 * Stores a job and its files (streamed in, chunk by chunk) and queues it; a failure on the way
 * (a file too large, a client gone) leaves nothing behind. Returns the job's database id.
 */
export async function createImportJob(
  ds: DataSource,
  spec: Omit<NewImportJob, 'files'> & { files: NewImportFile[] },
  limits: { maxBytes: number; chunkBytes: number },
): Promise<string> {
  const jobId = await createUploadingJob(ds, { ...spec, files: spec.files.map(({ kind, preset, mapping }) => ({ kind, preset, mapping })) });
  try {
    for (const [fileNo, file] of spec.files.entries()) await storeFileBytes(ds, jobId, fileNo, file.content, limits);
    await queueUploadedJob(ds, jobId);
  } catch (error) {
    await discardUploadingJob(ds, jobId).catch(() => undefined);
    throw error;
  }
  jobQueued();
  return jobId;
}

/** Inline content (GraphQL's createImport) as the byte stream storeFileBytes reads. */
export function contentOf(text: string): AsyncIterable<Buffer> {
  return Readable.from([Buffer.from(text, 'utf8')]);
}

export type CancelOutcome = { job: ImportJob } | { notFound: true } | { alreadyFinal: ImportJob };

/**
 * Cancels a job: a QUEUED one (or a RUNNING one whose replica died) at once; a running one
 * stops after its current batch (its replica sees the request within a second).
 */
export async function cancelImportJob(ds: DataSource, id: string): Promise<CancelOutcome> {
  const [updated] = await rawQuery<ImportJob & Record<string, unknown>>(
    ds,
    `WITH job AS (UPDATE import_jobs t SET cancel_requested = true, updated_at = now(),
            state = CASE WHEN t.state = 'QUEUED' OR t.lease_expires_at < now() THEN 'CANCELLED' ELSE t.state END,
            finished_at = CASE WHEN t.state = 'QUEUED' OR t.lease_expires_at < now() THEN now() ELSE t.finished_at END,
            lease_owner = CASE WHEN t.state = 'QUEUED' OR t.lease_expires_at < now() THEN NULL ELSE t.lease_owner END
      WHERE t.id = $1 AND t.state IN ('QUEUED', 'RUNNING')
      RETURNING ${selectList(ds, ImportJob, 't')}),
     -- a job cancelled before it ran keeps no bytes of its files
     dropped AS (DELETE FROM import_job_chunks c USING job j WHERE c.job_id = j.id AND j.state = 'CANCELLED')
     SELECT * FROM job`,
    [id],
  );
  if (updated) return { job: updated };
  const job = await findImportJob(ds, id);
  return job ? { alreadyFinal: job } : { notFound: true };
}

/** Counts of a job as numbers. */
export function countsOf(job: ImportJob): { processed: number; created: number; updated: number; unchanged: number; failed: number } {
  return {
    processed: Number(job.processedRows),
    created: Number(job.createdRows),
    updated: Number(job.updatedRows),
    unchanged: Number(job.unchangedRows),
    failed: Number(job.failedRows),
  };
}
