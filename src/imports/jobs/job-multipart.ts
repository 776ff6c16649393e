import type { IncomingMessage } from 'node:http';
import { Transform, TransformCallback } from 'node:stream';
import busboy from 'busboy';
import type { DataSource } from 'typeorm';
import { IMPORT_ORDER, ImportFormat, ImportKind, ImportMode } from '../engine';
import { rawQuery } from './job-db';
import { jobQueued } from './job-runner';
import { createUploadingJob, discardUploadingJob, ImportTooLargeError, queueUploadedJob, storeFileBytes } from './job-upload';

/** A part (or the shape) of a multipart bundle is wrong; `field` names it (a part name, `format`, `body`). */
export class ImportPartError extends Error {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(reason);
  }
}

/** The job-wide settings of a bundle upload (from the query string); `format` null: by each part's filename. */
export interface MultipartJob {
  format: ImportFormat | null;
  mode: ImportMode;
  atomic: boolean;
  actor: string;
  actorRole: string;
}

/** Checks the value of a `preset.<kind>` or `mapping.<kind>` field; throws naming `field`. */
export interface PartOptionParsers {
  preset(field: string, raw: string): string | null;
  mapping(field: string, raw: string): Record<string, string> | null;
}

/** A part's format by its filename: .csv, or .jsonl / .ndjson; null for any other name. */
export function formatOfFilename(name: string | undefined): ImportFormat | null {
  if (name === undefined) return null;
  if (/\.csv$/i.test(name)) return 'csv';
  if (/\.(jsonl|ndjson)$/i.test(name)) return 'jsonl';
  return null;
}

const kindOf = (name: string): ImportKind | undefined => IMPORT_ORDER.find((k) => k === name);

/** Passes the body through, failing with ImportTooLargeError once it exceeds `max` bytes. */
class ByteLimit extends Transform {
  private seen = 0;
  constructor(private readonly max: number) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.max) done(new ImportTooLargeError(this.max));
    else done(null, chunk);
  }
}

interface PartOptions {
  preset?: string | null;
  mapping?: Record<string, string> | null;
}

/**
 * Stores a bundle sent as a multipart/form-data body and queues it; returns the job's database id.
 * Each file part is named by its kind (`accounts`, `leads`, ...) and streamed into the job's
 * stored chunks as it arrives, one part after the other (memory holds a chunk, whatever the
 * sizes); fields `preset.<kind>` and `mapping.<kind>` set a file's preset and mapping. The whole
 * body is bounded by `maxBytes`. Any failure (a bad part, a body too large, a client gone)
 * leaves nothing behind.
 */
export async function createJobFromMultipart(
  ds: DataSource,
  req: IncomingMessage,
  job: MultipartJob,
  limits: { maxBytes: number; chunkBytes: number },
  parsers: PartOptionParsers,
): Promise<string> {
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      // one file more than there are kinds, so that a duplicate is reported as such
      limits: { files: IMPORT_ORDER.length + 1, fields: 2 * IMPORT_ORDER.length + 1, fieldSize: 256 * 1024, fieldNameSize: 100, headerPairs: 20 },
    });
  } catch (error) {
    throw new ImportPartError('content-type', `is not a usable multipart/form-data type (${error instanceof Error ? error.message : String(error)})`);
  }
  const abort = new AbortController();
  const state: { failure: unknown; failed: boolean; jobId: string | null; format: ImportFormat | null } = { failure: null, failed: false, jobId: null, format: job.format };
  const fail = (error: unknown) => {
    if (state.failed) return;
    state.failed = true;
    state.failure = error;
    abort.abort();
  };
  const kinds = new Map<ImportKind, number>();
  const options = new Map<ImportKind, PartOptions>();
  const partNames = `${IMPORT_ORDER.join(', ')}`;
  let work: Promise<void> = Promise.resolve();

  parser.on('file', (name, stream, info) => {
    // parts are stored one after the other; a later part waits (its stream applies backpressure)
    work = work
      .then(async () => {
        if (state.failed) {
          stream.resume();
          return;
        }
        const kind = kindOf(name);
        if (kind === undefined) throw new ImportPartError(name, `is not a kind of import file: name each file part by its kind (${partNames})`);
        if (kinds.has(kind)) throw new ImportPartError(name, 'is given more than once: a bundle holds one file per kind');
        const format = job.format ?? formatOfFilename(info.filename);
        if (format === null) {
          throw new ImportPartError('format', `the ${name} part's filename "${(info.filename ?? '').slice(0, 80)}" ends in neither .csv nor .jsonl: rename it or give the format parameter`);
        }
        if (state.format !== null && state.format !== format) {
          throw new ImportPartError('format', `a bundle's files share one format: ${name} is ${format}, an earlier file ${state.format}`);
        }
        state.format = format;
        state.jobId ??= await createUploadingJob(ds, { ...job, format, files: [] });
        const fileNo = kinds.size;
        kinds.set(kind, fileNo);
        await rawQuery(ds, 'INSERT INTO import_job_files (job_id, file_no, kind) VALUES ($1, $2, $3)', [state.jobId, fileNo, kind]);
        await storeFileBytes(ds, state.jobId, fileNo, stream, limits);
      })
      .catch((error: unknown) => {
        stream.resume();
        fail(error);
      });
  });

  parser.on('field', (name, value, info) => {
    try {
      if (kindOf(name) !== undefined) throw new ImportPartError(name, `must be a file part with a filename (curl -F '${name}=@${name}.csv')`);
      const match = /^(preset|mapping)\.(.*)$/.exec(name);
      if (!match) throw new ImportPartError(name, `is not a part of a bundle: file parts named by kind (${partNames}), fields preset.<kind> and mapping.<kind>`);
      const kind = kindOf(match[2] ?? '');
      if (kind === undefined) throw new ImportPartError(name, `names no kind of import file (${partNames})`);
      if (info.nameTruncated || info.valueTruncated) throw new ImportPartError(name, 'is too long');
      const entry = options.get(kind) ?? {};
      if (match[1] === 'preset') {
        if (entry.preset !== undefined) throw new ImportPartError(name, 'is given more than once');
        entry.preset = parsers.preset(name, value);
      } else {
        if (entry.mapping !== undefined) throw new ImportPartError(name, 'is given more than once');
        entry.mapping = parsers.mapping(name, value);
      }
      options.set(kind, entry);
    } catch (error) {
      fail(error);
    }
  });
  const tooMany = () => fail(new ImportPartError('body', `has more parts than a bundle holds (a file per kind: ${partNames}, and their preset.<kind> and mapping.<kind>)`));
  parser.on('filesLimit', tooMany);
  parser.on('fieldsLimit', tooMany);
  parser.on('partsLimit', tooMany);

  // piped by hand, not with stream.pipeline: a failure must not destroy the request, whose
  // socket carries the answer (the caller drains the rest of the body and closes)
  const limit = new ByteLimit(limits.maxBytes);
  const finished = new Promise<void>((resolve) => {
    parser.once('finish', () => resolve());
    abort.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  limit.on('error', fail);
  parser.on('error', (error: unknown) => {
    // a body that arrived whole yet does not parse is the client's mistake; a client gone is not
    fail(req.complete ? new ImportPartError('body', `is not a well-formed multipart/form-data body (${error instanceof Error ? error.message : String(error)})`) : error);
  });
  req.on('error', fail);
  req.on('close', () => {
    if (!req.complete) fail(new Error('the client went away mid-upload'));
  });
  abort.signal.addEventListener(
    'abort',
    () => {
      req.unpipe(limit);
      limit.unpipe(parser);
      limit.destroy();
      // ends the part being stored with an error, so that its storing stops
      parser.destroy(new Error('the upload was stopped'));
    },
    { once: true },
  );
  req.pipe(limit).pipe(parser);
  await finished;
  await work;
  if (!state.failed && kinds.size === 0) fail(new ImportPartError('body', `holds no file: name each file part by its kind (${partNames})`));
  if (!state.failed) {
    for (const [kind, entry] of options) {
      if (!kinds.has(kind)) fail(new ImportPartError(`${entry.preset !== undefined ? 'preset' : 'mapping'}.${kind}`, `names a kind the bundle has no file of (it has ${[...kinds.keys()].join(', ')})`));
    }
  }
  const jobId = state.jobId;
  try {
    if (state.failed || jobId === null) throw state.failure;
    for (const [kind, entry] of options) {
      await rawQuery(ds, 'UPDATE import_job_files SET preset = $3, mapping = $4 WHERE job_id = $1 AND file_no = $2', [
        jobId,
        kinds.get(kind),
        entry.preset ?? null,
        entry.mapping ? JSON.stringify(entry.mapping) : null,
      ]);
    }
    await queueUploadedJob(ds, jobId);
  } catch (error) {
    if (jobId !== null) await discardUploadingJob(ds, jobId).catch(() => undefined);
    throw error;
  }
  jobQueued();
  return jobId;
}
