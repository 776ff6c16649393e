import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { ImportCounts, ImportFileError, ImportFormat, ImportMode, importStream } from '../engine';
import { rawQuery } from './job-db';
import { ErrorRecorder } from './job-errors';
import { filesOfJobs, StoredImportFile, storedFileStream } from './job-files';
import type { ImportJobSettings } from './job-settings';
import { purgeAbandonedUploads } from './job-upload';

/** Why a running job was stopped from outside the engine. */
class Interruption extends Error {
  constructor(readonly why: 'CANCEL' | 'SHUTDOWN' | 'LEASE_LOST') {
    super(`import interrupted: ${why}`);
  }
}

interface ClaimedJob {
  id: string;
  format: ImportFormat;
  mode: ImportMode;
  atomic: boolean;
  created_by: string;
  created_by_role: string;
  attempts: number;
  cancel_requested: boolean;
  /** The database's time of the claim: this run's batches are audited at or after it. */
  claimed_at: Date;
}

/** An upload stores a chunk at least every IMPORT_UPLOAD_IDLE_MS; one silent this long died with its process. */
const ABANDONED_UPLOAD_SECONDS = 3600;
const PURGE_EVERY_MS = 600_000;
/** How long a shutdown waits for the running job's batch to end. */
const STOP_WAIT_MS = 10_000;

/** Processes that run jobs in this process, kicked when a job is queued here. */
const runners = new Set<ImportJobRunner>();

/** Tells this process's runners a job was queued (no wait for their next poll). */
export function jobQueued(): void {
  for (const runner of runners) runner.kick();
}

/**
 * Runs import jobs, one at a time per process. A replica claims the oldest QUEUED job, or a
 * RUNNING one whose lease ran out (its replica died), with FOR UPDATE SKIP LOCKED, so each job
 * runs on one replica at a time; it renews the lease while it runs. A job interrupted by a crash
 * is run again from its first unfinished file: the engine upserts by external id and applies a
 * row whole or not at all, so the rows the interrupted run stored come out unchanged.
 */
export class ImportJobRunner {
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private timer: NodeJS.Timeout | null = null;
  private current: { jobId: string; abort: AbortController; done: Promise<void> } | null = null;
  private stopped = false;
  private kicked = false;
  private purgedAt = 0;

  constructor(
    private readonly ds: DataSource,
    private readonly logger: Logger,
    private readonly settings: ImportJobSettings,
  ) {}

  /** Starts polling at once: jobs left QUEUED, or interrupted by a restart, are taken up. */
  start(): void {
    runners.add(this);
    this.schedule(0);
  }

  /** Looks for a job now (one was queued in this process). */
  kick(): void {
    if (this.stopped) return;
    if (this.current) this.kicked = true;
    else this.schedule(0);
  }

  /** Stops taking jobs; a running one stops after its current batch and goes back to QUEUED for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    runners.delete(this);
    if (this.timer) clearTimeout(this.timer);
    const current = this.current;
    if (current) {
      current.abort.abort(new Interruption('SHUTDOWN'));
      // a batch that will not end in time is left to its lease: another start takes the job up
      await Promise.race([current.done, new Promise((ok) => setTimeout(ok, STOP_WAIT_MS).unref())]);
    }
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.poll(), ms);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    this.timer = null;
    if (this.stopped || this.current) return;
    let job: ClaimedJob | null = null;
    try {
      if (Date.now() - this.purgedAt > PURGE_EVERY_MS) {
        this.purgedAt = Date.now();
        const purged = await purgeAbandonedUploads(this.ds, ABANDONED_UPLOAD_SECONDS);
        if (purged) this.logger.info({ purged }, 'import jobs: dropped uploads abandoned mid-way');
      }
      job = await this.claim();
    } catch (error) {
      this.logger.warn({ err: error }, 'import jobs: could not look for a job; retrying');
    }
    if (!job) {
      this.schedule(this.kicked ? 0 : this.settings.pollMs);
      this.kicked = false;
      return;
    }
    const abort = new AbortController();
    const claimed = job;
    const done = this.run(claimed, abort).catch((error: unknown) => this.logger.error({ err: error, jobId: claimed.id }, 'import job failed unexpectedly'));
    this.current = { jobId: claimed.id, abort, done };
    await done;
    this.current = null;
    this.schedule(0);
  }

  private async claim(): Promise<ClaimedJob | null> {
    const [job] = await rawQuery<ClaimedJob>(
      this.ds,
      `WITH next AS (
         SELECT id FROM import_jobs
          WHERE state = 'QUEUED' OR (state = 'RUNNING' AND lease_expires_at < now())
          ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
       UPDATE import_jobs j
          SET state = 'RUNNING', lease_owner = $1, lease_expires_at = now() + make_interval(secs => $2),
              started_at = coalesce(j.started_at, now()), attempts = j.attempts + 1, updated_at = now()
         FROM next WHERE j.id = next.id
       RETURNING j.id::text, j.format, j.mode, j.atomic, j.created_by, j.created_by_role, j.attempts, j.cancel_requested, now() AS claimed_at`,
      [this.owner, this.settings.leaseSeconds],
    );
    return job ?? null;
  }

  /**
   * Ends the job in a final state, if this replica still holds it, and drops its files' bytes:
   * they served the run (the failed rows are kept apart), and they may hold personal data.
   * With `recount`, the job's counts are summed from its files' (a file cut short included).
   */
  private async finish(jobId: string, state: 'DONE' | 'FAILED' | 'CANCELLED', message: string | null, recount = false): Promise<void> {
    await rawQuery(
      this.ds,
      `WITH job AS (
         UPDATE import_jobs j SET state = $3, message = $4, finished_at = now(), updated_at = now(), lease_owner = NULL, lease_expires_at = NULL,
                processed_rows = CASE WHEN $5 THEN t.processed ELSE j.processed_rows END,
                created_rows = CASE WHEN $5 THEN t.created ELSE j.created_rows END,
                updated_rows = CASE WHEN $5 THEN t.updated ELSE j.updated_rows END,
                unchanged_rows = CASE WHEN $5 THEN t.unchanged ELSE j.unchanged_rows END,
                failed_rows = CASE WHEN $5 THEN t.failed ELSE j.failed_rows END
           FROM (SELECT coalesce(sum(processed_rows), 0) AS processed, coalesce(sum(created_rows), 0) AS created,
                        coalesce(sum(updated_rows), 0) AS updated, coalesce(sum(unchanged_rows), 0) AS unchanged,
                        coalesce(sum(failed_rows), 0) AS failed
                   FROM import_job_files WHERE job_id = $1) t
          WHERE j.id = $1 AND j.lease_owner = $2 AND j.state = 'RUNNING' RETURNING j.id)
       DELETE FROM import_job_chunks c USING job WHERE c.job_id = job.id`,
      [jobId, this.owner, state, message, recount],
    );
  }

  /**
   * Counts what the committed batches of a file cut short (a cancel) applied, from their audit
   * entries of this run (one per batch, with its counts): the rows stay, so the job says so. An
   * atomic file's batches rolled back with their entries, so it counts nothing.
   */
  private async countCutShortFile(job: ClaimedJob, fileNo: number, kind: string): Promise<void> {
    await rawQuery(
      this.ds,
      `WITH batches AS (
         SELECT coalesce(sum((a.after ->> 'created')::bigint), 0) AS created, coalesce(sum((a.after ->> 'updated')::bigint), 0) AS updated,
                coalesce(sum((a.after ->> 'unchanged')::bigint), 0) AS unchanged, coalesce(sum((a.after ->> 'failed')::bigint), 0) AS failed
           FROM audit_log a
          WHERE a.at >= $4 AND a.mutation = 'import' AND a.request_id = $1::text AND a.after ->> 'kind' = $3)
       UPDATE import_job_files f
          SET created_rows = b.created, updated_rows = b.updated, unchanged_rows = b.unchanged, failed_rows = b.failed,
              processed_rows = b.created + b.updated + b.unchanged + b.failed
         FROM batches b
        WHERE f.job_id = $1::bigint AND f.file_no = $2 AND NOT f.done
          AND EXISTS (SELECT FROM import_jobs j WHERE j.id = $1::bigint AND j.lease_owner = $5 AND j.state = 'RUNNING')`,
      [job.id, fileNo, kind, job.claimed_at, this.owner],
    );
  }

  /** Hands the job back to the queue (a shutdown, or a failure worth another attempt). */
  private async release(jobId: string, countAttempt: boolean): Promise<void> {
    await rawQuery(
      this.ds,
      `UPDATE import_jobs SET state = 'QUEUED', lease_owner = NULL, lease_expires_at = NULL, updated_at = now(),
              attempts = attempts - CASE WHEN $3 THEN 0 ELSE 1 END
        WHERE id = $1 AND lease_owner = $2 AND state = 'RUNNING'`,
      [jobId, this.owner, countAttempt],
    );
  }

  private async run(job: ClaimedJob, abort: AbortController): Promise<void> {
    const log = this.logger.child({ importJob: job.id });
    if (job.cancel_requested) return this.finish(job.id, 'CANCELLED', null);
    if (job.attempts > this.settings.maxAttempts) {
      return this.finish(job.id, 'FAILED', `given up after ${this.settings.maxAttempts} interrupted runs`);
    }
    const files = (await filesOfJobs(this.ds, [job.id])).get(job.id) ?? [];
    // a resumed job runs its unfinished files again from the start: their errors come again
    await rawQuery(
      this.ds,
      `WITH cleared AS (DELETE FROM import_job_errors e USING import_job_files f
                         WHERE e.job_id = $1 AND f.job_id = $1 AND f.file_no = e.file_no AND NOT f.done)
       UPDATE import_job_files SET processed_rows = 0, created_rows = 0, updated_rows = 0, unchanged_rows = 0, failed_rows = 0,
              source_headers = '[]' WHERE job_id = $1 AND NOT done`,
      [job.id],
    );
    let doneRows = files.filter((f) => f.done).reduce((n, f) => n + f.processedRows, 0);
    let progress = doneRows;
    let heartbeatFailure: Interruption | null = null;
    const heartbeat = setInterval(() => {
      rawQuery<{ cancel_requested: boolean }>(
        this.ds,
        `UPDATE import_jobs SET lease_expires_at = now() + make_interval(secs => $3), processed_rows = $4, updated_at = now()
          WHERE id = $1 AND lease_owner = $2 AND state = 'RUNNING' RETURNING cancel_requested`,
        [job.id, this.owner, this.settings.leaseSeconds, progress],
      )
        .then(([row]) => {
          if (!row) heartbeatFailure = new Interruption('LEASE_LOST');
          else if (row.cancel_requested) heartbeatFailure = new Interruption('CANCEL');
          if (heartbeatFailure) abort.abort(heartbeatFailure);
        })
        .catch((error: unknown) => log.warn({ err: error }, 'import job: heartbeat failed'));
    }, Math.min(1000, (this.settings.leaseSeconds * 1000) / 3));
    heartbeat.unref();
    let atomicFailure: string | null = null;
    let current: { file: StoredImportFile; recorder: ErrorRecorder } | null = null;
    try {
      for (const file of files) {
        if (file.done) continue;
        const recorder = new ErrorRecorder(this.ds, job.id, file.fileNo);
        current = { file, recorder };
        // the engine stops between batches when the signal is aborted; the batch under way commits or rolls back whole
        const input = storedFileStream(this.ds, job.id, file.fileNo);
        const counts: ImportCounts = await importStream(
          this.ds,
          input,
          {
            kind: file.kind,
            format: job.format,
            mode: job.mode,
            ...(file.preset ? { preset: file.preset } : {}),
            ...(file.mapping ? { mapping: file.mapping } : {}),
            atomic: job.atomic,
            actor: job.created_by,
            actorRole: job.created_by_role,
            jobId: job.id,
            onProgress: (rows) => (progress = doneRows + rows),
            signal: abort.signal,
          },
          (error) => recorder.add(error),
        );
        await recorder.flush();
        await rawQuery(
          this.ds,
          `WITH file AS (
             UPDATE import_job_files SET done = true, processed_rows = $3, created_rows = $4, updated_rows = $5, unchanged_rows = $6, failed_rows = $7
              WHERE job_id = $1 AND file_no = $2 RETURNING job_id)
           UPDATE import_jobs j SET processed_rows = t.processed, created_rows = t.created, updated_rows = t.updated,
                  unchanged_rows = t.unchanged, failed_rows = t.failed, updated_at = now()
             -- the statement sees the files as they were before it: the other finished ones, plus this one's counts
             FROM (SELECT coalesce(sum(processed_rows), 0) + $3 AS processed, coalesce(sum(created_rows), 0) + $4 AS created,
                          coalesce(sum(updated_rows), 0) + $5 AS updated, coalesce(sum(unchanged_rows), 0) + $6 AS unchanged,
                          coalesce(sum(failed_rows), 0) + $7 AS failed
                     FROM import_job_files WHERE job_id = $1 AND done AND file_no <> $2) t
            WHERE j.id = $1`,
          [job.id, file.fileNo, counts.processed, counts.created, counts.updated, counts.unchanged, counts.failed],
        );
        doneRows += counts.processed;
        progress = doneRows;
        current = null;
        if (job.atomic && counts.failed > 0) {
          atomicFailure = `${file.kind}: ${counts.failed} of ${counts.processed} rows failed; atomic, so nothing of the file was applied`;
          break;
        }
      }
      clearInterval(heartbeat);
      await this.finish(job.id, atomicFailure ? 'FAILED' : 'DONE', atomicFailure);
      log.info({ rows: progress }, 'import job finished');
    } catch (error) {
      clearInterval(heartbeat);
      const reason = abort.signal.aborted ? (abort.signal.reason as unknown) : error;
      if (reason instanceof Interruption) {
        if (reason.why === 'CANCEL') {
          // the batches that committed stay: their failed rows go into the report, their counts into the job's
          let counted = false;
          if (current) {
            try {
              await current.recorder.flush();
              await this.countCutShortFile(job, current.file.fileNo, current.file.kind);
              counted = true;
            } catch (failure) {
              // the job still ends CANCELLED, with the rows its heartbeat last reported
              log.warn({ err: failure }, 'import job: could not count the batches of a cancelled file');
            }
          }
          await this.finish(job.id, 'CANCELLED', null, counted);
        } else if (reason.why === 'SHUTDOWN') await this.release(job.id, false);
        // LEASE_LOST: another replica holds the job now
        log.info({ why: reason.why }, 'import job interrupted');
      } else if (error instanceof ImportFileError) {
        await this.finish(job.id, 'FAILED', error.line === null ? error.message : `line ${error.line}: ${error.message}`);
      } else {
        log.error({ err: error }, 'import job failed');
        if (job.attempts < this.settings.maxAttempts) await this.release(job.id, true);
        else await this.finish(job.id, 'FAILED', `internal error after ${job.attempts} runs (the log has the details)`);
      }
    }
  }
}
