import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { IMPORT_ROLES } from '../auth/policy';
import type { Actor } from '../auth/roles';
import { fromGlobalId, toGlobalId } from '../graphql/node';
import type { ImportFormat, ImportKind, ImportMode } from './engine';
import type { ImportJob } from './jobs/import-job.entity';
import { errorsCsvOf } from './jobs/job-errors';
import { filesOfJobs, StoredImportFile } from './jobs/job-files';
import { createJobFromMultipart, ImportPartError } from './jobs/job-multipart';
import { FORMAT_VALUES, KIND_VALUES, MODE_VALUES } from './jobs/job-model';
import { countsOf, createImportJob, findImportJob } from './jobs/job-service';
import type { ImportJobSettings } from './jobs/job-settings';
import { ImportTooLargeError } from './jobs/job-upload';

/** A response the server sends as JSON. */
export interface JsonResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Where an import job's status and error report are, by its global id. */
export function importLinks(globalId: string): { self: string; errorsCsv: string } {
  const self = `/imports/${encodeURIComponent(globalId)}`;
  return { self, errorsCsv: `${self}/errors.csv` };
}

export function isImportPath(pathname: string): boolean {
  return pathname === '/imports' || pathname.startsWith('/imports/');
}

/** What GET /imports/:id and POST /imports answer: the job, its files, counts and links. */
export function jobView(job: ImportJob, files: StoredImportFile[]): Record<string, unknown> {
  const id = toGlobalId('ImportJob', job.id);
  const { processed, ...counts } = countsOf(job);
  return {
    id,
    state: job.state,
    format: job.format,
    mode: job.mode,
    atomic: job.atomic,
    files: files.map((f) => ({
      kind: f.kind,
      preset: f.preset,
      mapping: f.mapping,
      bytes: f.bytes,
      done: f.done,
      processedRows: f.processedRows,
      counts: { created: f.createdRows, updated: f.updatedRows, unchanged: f.unchangedRows, failed: f.failedRows },
    })),
    processedRows: processed,
    counts,
    message: job.message,
    attempts: job.attempts,
    createdBy: job.createdBy,
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
    links: importLinks(id),
  };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): JsonResponse {
  return { status, headers, body: JSON.stringify(body) };
}

function refusal(status: number, code: string, message: string, field?: string): JsonResponse {
  return json(status, { errors: [{ message: field ? `${field}: ${message}` : message, extensions: { code, ...(field ? { field } : {}) } }] });
}

class BadParameter extends Error {
  constructor(
    readonly parameter: string,
    reason: string,
  ) {
    super(reason);
  }
}

const UPLOAD_PARAMETERS = new Set(['kind', 'format', 'mode', 'preset', 'mapping', 'atomic']);

interface UploadParameters {
  kind: ImportKind;
  format: ImportFormat;
  mode: ImportMode;
  preset: string | null;
  mapping: Record<string, string> | null;
  atomic: boolean;
}

function oneOf<T extends string>(params: URLSearchParams, name: string, values: readonly T[], fallback?: T): T {
  const raw = params.get(name);
  if (raw === null || raw === '') {
    if (fallback !== undefined) return fallback;
    throw new BadParameter(name, `is required: one of ${values.join(', ')}`);
  }
  const value = (values as readonly string[]).find((v) => v.toLowerCase() === raw.toLowerCase());
  if (value === undefined) throw new BadParameter(name, `must be one of ${values.join(', ')}, got "${raw.slice(0, 50)}"`);
  return value as T;
}

/** Parameters of a bundle (a multipart body), where kind, preset and mapping are given per part. */
const BUNDLE_PARAMETERS = new Set(['format', 'mode', 'atomic']);

function checkNames(params: URLSearchParams, allowed: Set<string>, multipart: boolean): void {
  for (const name of new Set(params.keys())) {
    if (!allowed.has(name)) {
      if (multipart && UPLOAD_PARAMETERS.has(name)) {
        throw new BadParameter(name, 'is given per part in a multipart body (a file part named by kind, fields preset.<kind> and mapping.<kind>)');
      }
      throw new BadParameter(name, `is not a parameter of POST /imports (${[...allowed].join(', ')})`);
    }
    if (params.getAll(name).length > 1) throw new BadParameter(name, 'is given more than once');
  }
}

function atomicOf(params: URLSearchParams): boolean {
  const atomicRaw = params.get('atomic');
  if (atomicRaw !== null && !['true', 'false', ''].includes(atomicRaw)) throw new BadParameter('atomic', `must be true or false, got "${atomicRaw.slice(0, 50)}"`);
  return atomicRaw === 'true';
}

function presetOf(raw: string | null, field = 'preset'): string | null {
  const preset = raw || null;
  if (preset !== null && !/^[a-z0-9][a-z0-9-]{0,63}$/.test(preset)) throw new BadParameter(field, 'is not the name of a preset (e.g. hubspot-contacts)');
  return preset;
}

/** The query string of POST /imports, checked whole before a byte of the file is read. */
function uploadParameters(params: URLSearchParams): UploadParameters {
  checkNames(params, UPLOAD_PARAMETERS, false);
  const kind = oneOf(params, 'kind', KIND_VALUES);
  const format = oneOf(params, 'format', FORMAT_VALUES, 'csv');
  const mode = oneOf(params, 'mode', MODE_VALUES, 'UPSERT');
  const atomic = atomicOf(params);
  return { kind, format, mode, preset: presetOf(params.get('preset')), mapping: mappingOf(params.get('mapping')), atomic };
}

/** The query string of POST /imports with a multipart body (a bundle); format null: by each part's filename. */
function bundleParameters(params: URLSearchParams): { format: ImportFormat | null; mode: ImportMode; atomic: boolean } {
  checkNames(params, BUNDLE_PARAMETERS, true);
  const format = params.get('format') ? oneOf(params, 'format', FORMAT_VALUES) : null;
  return { format, mode: oneOf(params, 'mode', MODE_VALUES, 'UPSERT'), atomic: atomicOf(params) };
}

/** A multipart/form-data body is a bundle: one file part per kind. */
function isMultipart(req: IncomingMessage): boolean {
  return /^multipart\/form-data\b/i.test(req.headers['content-type'] ?? '');
}

/** `mapping` is a JSON object of source header → column, e.g. {"E-mail":"email"}. */
export function mappingOf(raw: string | null | undefined, field = 'mapping'): Record<string, string> | null {
  if (raw === null || raw === undefined || raw === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new BadParameter(field, 'must be a JSON object of source header to column, e.g. {"E-mail":"email"}');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new BadParameter(field, 'must be a JSON object of source header to column, e.g. {"E-mail":"email"}');
  }
  const entries = Object.entries(parsed);
  if (entries.length > 500 || entries.some(([, v]) => typeof v !== 'string')) {
    throw new BadParameter(field, 'must map each source header to a column name (a string), at most 500 of them');
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

export { BadParameter as ImportParameterError };

/**
 * The node server's request time limit (HTTP_REQUEST_TIMEOUT_MS) applies to every request; an
 * upload to POST /imports may take longer (gigabytes over a slow link). Node reports a timed-out
 * request as `clientError`: for a socket that carries an upload it is ignored (the upload has
 * its own idle limit, IMPORT_UPLOAD_IDLE_MS), every other one is answered as Node would.
 */
export function exemptUploadsFromRequestTimeout(http: Server, uploads: WeakSet<Socket>): void {
  http.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT' && uploads.has(socket)) return;
    const pending = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (socket.writable && !pending?.headersSent) {
      const status =
        error.code === 'HPE_HEADER_OVERFLOW'
          ? '431 Request Header Fields Too Large'
          : error.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW'
            ? '413 Payload Too Large'
            : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
              ? '408 Request Timeout'
              : '400 Bad Request';
      socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
    }
    socket.destroy(error);
  });
}

/** POST /imports, GET /imports/:id and GET /imports/:id/errors.csv. */
export class ImportRoutes {
  /** Sockets carrying an upload right now (exempt from the request time limit). */
  readonly uploads = new WeakSet<Socket>();

  constructor(
    private readonly ds: DataSource,
    private readonly logger: Logger,
    private readonly settings: ImportJobSettings,
  ) {}

  /** Answers the request; null when the answer was streamed (errors.csv). `actor` was authenticated from the headers. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL, actor: Actor): Promise<JsonResponse | null> {
    const refuse = (response: JsonResponse) => {
      // the body is not read: discard it and close the connection after the answer
      res.setHeader('connection', 'close');
      req.resume();
      return response;
    };
    if (!IMPORT_ROLES.includes(actor.role)) {
      return refuse(refusal(403, 'FORBIDDEN', `role ${actor.role} may not import (${IMPORT_ROLES.join(' and ')} may)`));
    }
    const segments = url.pathname.split('/').slice(2).map((s) => decodeURIComponent(s));
    try {
      if (segments.length === 0 && req.method === 'POST') return await this.upload(req, url, actor);
      const [globalId, tail, ...rest] = segments;
      if (globalId && rest.length === 0 && (tail === undefined || tail === 'errors.csv') && req.method === 'GET') {
        const decoded = fromGlobalId(globalId);
        const job = decoded?.type === 'ImportJob' ? await findImportJob(this.ds, decoded.id) : null;
        if (!job) return refuse(refusal(404, 'NOT_FOUND', `no import job with id "${globalId.slice(0, 100)}"`, 'id'));
        const files = (await filesOfJobs(this.ds, [job.id])).get(job.id) ?? [];
        if (tail === undefined) return json(200, jobView(job, files));
        return await this.errorsCsv(res, url, job, files);
      }
    } catch (error) {
      if (error instanceof BadParameter) return refuse(refusal(400, 'BAD_USER_INPUT', error.message, error.parameter));
      if (error instanceof ImportPartError) return refuse(refusal(400, 'BAD_USER_INPUT', error.message, error.field));
      if (error instanceof ImportTooLargeError) return refuse(refusal(413, 'BAD_USER_INPUT', error.message));
      throw error;
    }
    return refuse(refusal(404, 'NOT_FOUND', 'not found: POST /imports, GET /imports/:id, GET /imports/:id/errors.csv'));
  }

  private async upload(req: IncomingMessage, url: URL, actor: Actor): Promise<JsonResponse> {
    const limits = { maxBytes: this.settings.maxBytes, chunkBytes: this.settings.chunkBytes };
    const owner = { actor: actor.id, actorRole: actor.role };
    if (isMultipart(req)) {
      const params = bundleParameters(url.searchParams);
      const parsers = { preset: (field: string, raw: string) => presetOf(raw, field), mapping: (field: string, raw: string) => mappingOf(raw, field) };
      return this.receive(req, () => createJobFromMultipart(this.ds, req, { ...params, ...owner }, limits, parsers));
    }
    const params = uploadParameters(url.searchParams);
    return this.receive(req, () =>
      createImportJob(
        this.ds,
        {
          format: params.format,
          mode: params.mode,
          atomic: params.atomic,
          ...owner,
          files: [{ kind: params.kind, preset: params.preset, mapping: params.mapping, content: req }],
        },
        limits,
      ),
    );
  }

  /** Reads the body with `store` (exempt from the request time limit, cut off when idle) and answers 202 with the job. */
  private async receive(req: IncomingMessage, store: () => Promise<string>): Promise<JsonResponse> {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > this.settings.maxBytes) throw new ImportTooLargeError(this.settings.maxBytes);
    const socket = req.socket;
    this.uploads.add(socket);
    // an upload that stalls is cut off; one that keeps sending may take as long as it needs
    req.setTimeout(this.settings.uploadIdleMs, () => req.destroy(new Error('import upload idle for too long')));
    let jobId: string;
    try {
      jobId = await store();
    } finally {
      this.uploads.delete(socket);
      req.setTimeout(0);
    }
    const job = await findImportJob(this.ds, jobId);
    if (!job) throw new Error(`import job ${jobId} vanished after its upload`);
    const files = (await filesOfJobs(this.ds, [jobId])).get(jobId) ?? [];
    this.logger.info({ importJob: jobId, files: files.map((f) => ({ kind: f.kind, bytes: f.bytes })) }, 'import job queued');
    const view = jobView(job, files);
    return json(202, view, { location: importLinks(String(view.id)).self });
  }

  private async errorsCsv(res: ServerResponse, url: URL, job: ImportJob, files: StoredImportFile[]): Promise<JsonResponse | null> {
    const kind = url.searchParams.get('kind');
    let file: StoredImportFile | undefined;
    if (kind) {
      file = files.find((f) => f.kind === kind);
      if (!file) throw new BadParameter('kind', `the job has no ${kind.slice(0, 30)} file (it has ${files.map((f) => f.kind).join(', ')})`);
    } else if (files.length === 1) file = files[0];
    else throw new BadParameter('kind', `the job is a bundle: name its file (${files.map((f) => f.kind).join(', ')})`);
    if (!file) throw new BadParameter('kind', 'the job has no file');
    res.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="import-${job.id}-${file.kind}-errors.csv"`,
    });
    for await (const text of errorsCsvOf(this.ds, job.id, file.fileNo, file.sourceHeaders)) {
      if (!res.write(text)) await new Promise((ok) => res.once('drain', ok));
    }
    res.end();
    return null;
  }
}
