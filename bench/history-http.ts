import { openAsBlob } from 'node:fs';
import { join } from 'node:path';
import type { ImportCounts, ImportKind } from '../src/imports/engine';

/**
 * The HTTP door of the history import: the bundle sent as one multipart upload to
 * `POST /imports` (a file part per kind, streamed from disk), then the job polled through
 * `GET /imports/:id` until it ends. Each kind's time is read off the polls: from the moment
 * the previous file was seen done (the first: the upload's answer) to the moment its own was.
 */

/** One kind of a door's import: its time, rate and counts. */
export interface KindRun {
  kind: ImportKind;
  ms: number;
  /** Rows processed ÷ ms; null when the time is below what the door can measure (HTTP: one poll). */
  rowsPerSecond: number | null;
  counts: ImportCounts;
  /** CLI: the importing process's peak RSS (maxrss) once this kind was done. */
  peakRssBytes?: number;
}

export interface HttpRun {
  /** The job's global id. */
  jobId: string;
  state: string;
  message: string | null;
  /** POST /imports until its 202: the whole bundle sent and stored as the job's chunks. */
  uploadMs: number;
  /** POST /imports until the job was seen ended: upload, queue and run. */
  ms: number;
  /** The job's own startedAt → finishedAt (the server's clock). */
  jobMs: number | null;
  kinds: KindRun[];
  rows: number;
  /** Rows ÷ `ms` (upload included). */
  rowsPerSecond: number;
  pollMs: number;
  /** Our server's peak RSS (VmHWM) once the job had ended. */
  serverPeakRssBytes: number | null;
  /** The first line of the first error report that has one (`kind: values,_line,_column,_reason`). */
  firstError: string | null;
}

interface JobFileView {
  kind: ImportKind;
  done: boolean;
  processedRows: number;
  counts: Omit<ImportCounts, 'processed'>;
}

interface JobView {
  id: string;
  state: string;
  message: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  files: JobFileView[];
  links: { self: string; errorsCsv: string };
}

const POLL_MS = 100;
const FINAL = ['DONE', 'FAILED', 'CANCELLED'];

async function getJob(baseUrl: string, path: string, secret: string): Promise<JobView> {
  const response = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${secret}` } });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as JobView;
}

/** The first failed row of the job's error reports, kind by kind. */
async function firstFailedRow(baseUrl: string, job: JobView, secret: string): Promise<string | null> {
  const file = job.files.find((f) => f.counts.failed > 0);
  if (!file) return null;
  const response = await fetch(`${baseUrl}${job.links.errorsCsv}?kind=${file.kind}`, { headers: { authorization: `Bearer ${secret}` } });
  const lines = (await response.text()).split('\n');
  return `${file.kind}: ${(lines[1] ?? lines[0] ?? '').slice(0, 300)}`;
}

/**
 * Uploads the files of `dir` (`<kind>.csv`, in the order given) as one bundle with an ADMIN
 * or REVENUE_OPS key and waits for the job to end (at most `timeoutMs`).
 */
export async function importBundleOverHttp(
  baseUrl: string,
  secret: string,
  dir: string,
  kinds: readonly ImportKind[],
  timeoutMs: number,
): Promise<Omit<HttpRun, 'serverPeakRssBytes'>> {
  const form = new FormData();
  // file-backed blobs: fetch streams them from disk, nothing holds a whole file
  for (const kind of kinds) form.append(kind, await openAsBlob(join(dir, `${kind}.csv`), { type: 'text/csv' }), `${kind}.csv`);
  const started = performance.now();
  const response = await fetch(`${baseUrl}/imports?mode=UPSERT`, { method: 'POST', headers: { authorization: `Bearer ${secret}` }, body: form });
  const answer = await response.text();
  const uploaded = performance.now();
  if (response.status !== 202) throw new Error(`POST /imports answered ${response.status}: ${answer.slice(0, 300)}`);
  let job = JSON.parse(answer) as JobView;
  const doneAt = new Map<ImportKind, number>();
  for (;;) {
    const now = performance.now();
    for (const file of job.files) if (file.done && !doneAt.has(file.kind)) doneAt.set(file.kind, now);
    if (FINAL.includes(job.state)) break;
    if (now - started > timeoutMs) throw new Error(`the import job was still ${job.state} after ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((ok) => setTimeout(ok, POLL_MS));
    job = await getJob(baseUrl, job.links.self, secret);
  }
  const ended = performance.now();
  let previous = uploaded;
  const runs: KindRun[] = job.files.map((file) => {
    const at = doneAt.get(file.kind) ?? ended;
    const ms = Math.max(0, at - previous);
    previous = at;
    const counts = { processed: file.processedRows, ...file.counts };
    return { kind: file.kind, ms: Math.round(ms), rowsPerSecond: ms >= POLL_MS ? Math.round(counts.processed / (ms / 1000)) : null, counts };
  });
  const rows = runs.reduce((n, r) => n + r.counts.processed, 0);
  const jobMs = job.startedAt && job.finishedAt ? new Date(job.finishedAt).getTime() - new Date(job.startedAt).getTime() : null;
  return {
    jobId: job.id,
    state: job.state,
    message: job.message,
    uploadMs: Math.round(uploaded - started),
    ms: Math.round(ended - started),
    jobMs,
    kinds: runs,
    rows,
    rowsPerSecond: Math.round(rows / ((ended - started) / 1000)),
    pollMs: POLL_MS,
    firstError: await firstFailedRow(baseUrl, job, secret),
  };
}
