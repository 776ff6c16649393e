import type { IncomingMessage, ServerResponse } from 'node:http';
import { createGunzip } from 'node:zlib';
import { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { isDatabaseUnavailable, isPoolExhausted } from '../db/db-errors';
import type { StoredResponse } from '../http/idempotency';
import { WRITE_KEY_PREFIX, WriteKeyAuthenticator } from './event-sources';
import { GateRefusal, IntakeGate, IntakeLimits } from './intake-gate';
import {
  BatchDefaults,
  EventType,
  Invalid,
  MAX_DEPTH,
  MAX_REQUEST_BYTES,
  nestsDeeperThan,
  parseTime,
  prepareEvents,
  Rejection,
} from './event-validation';

/**
 * Segment's HTTP tracking API (https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/):
 * POST /v1/batch and the single calls, authenticated by a write key (HTTP Basic, the key as user
 * name, or `writeKey` in the body), with Segment's limits and answers. The valid events of a
 * request are stored by one INSERT, committed before the 200; what the processing does with
 * them starts from the `onAccepted` hook. The contract is in docs/events.md.
 */

/** The endpoints, with the short names analytics.js uses. */
const ENDPOINTS: Record<string, EventType | 'batch'> = {
  '/v1/batch': 'batch',
  '/v1/import': 'batch',
  '/v1/identify': 'identify',
  '/v1/track': 'track',
  '/v1/page': 'page',
  '/v1/screen': 'screen',
  '/v1/group': 'group',
  '/v1/alias': 'alias',
  '/v1/b': 'batch',
  '/v1/i': 'identify',
  '/v1/t': 'track',
  '/v1/p': 'page',
  '/v1/s': 'screen',
  '/v1/g': 'group',
  '/v1/a': 'alias',
};

export function isEventPath(pathname: string): boolean {
  return pathname === '/v1' || pathname.startsWith('/v1/');
}

/** The rate limiter's part the intake uses: failed authentications per address (src/http/rate-limit.ts). */
export interface FailedAuthLimiter {
  assertMayAuthenticate(address: string): Promise<void>;
  authenticationFailed(address: string): Promise<void>;
}

export interface EventRoutesDeps {
  ds: DataSource;
  logger: Logger;
  limits: IntakeLimits;
  failedAuth: FailedAuthLimiter;
  /** The client's address, as the rest of the API counts it (TRUST_PROXY). */
  addressOf(req: IncomingMessage): string;
  /** How long a write key's lookup is remembered (API_KEY_CACHE_MS). */
  keyCacheMs?: number;
  /** Called after events were stored (not for duplicates only): the processing's wake-up. */
  onAccepted?: (stored: number) => void;
}

const INSERT = `
  WITH stored AS (
  INSERT INTO tracked_events (source_id, message_id, type, event, anonymous_id, user_id, previous_id, group_id, occurred_at, received_at, payload)
  SELECT $1::bigint, r.m, r.t,
         CASE r.t WHEN 'track' THEN r.p->>'event' WHEN 'page' THEN nullif(r.p->>'name', '') WHEN 'screen' THEN nullif(r.p->>'name', '') END,
         nullif(r.p->>'anonymousId', ''), nullif(r.p->>'userId', ''),
         CASE WHEN r.t = 'alias' THEN nullif(r.p->>'previousId', '') END,
         CASE WHEN r.t = 'group' THEN nullif(r.p->>'groupId', '') END,
         to_timestamp(r.o / 1000.0), $2::timestamptz, r.p
    FROM jsonb_to_recordset($3::jsonb) AS r(m text, t text, o float8, p jsonb)
  ON CONFLICT (source_id, message_id) DO NOTHING
  RETURNING 1)
  SELECT count(*)::int AS n FROM stored`;

/** A request refused before its events were looked at. */
class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    /** The body was not read (whole): it is discarded, or the connection closes after the answer. */
    readonly closeConnection = false,
  ) {
    super(message);
  }
}

const RETRY_AFTER = { 'retry-after': '1' };

function answer(status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): StoredResponse {
  return { status, headers, body: JSON.stringify(body) };
}

function refusalResponse(refusal: Refusal): StoredResponse {
  return answer(refusal.status, { success: false, code: refusal.code, message: refusal.message }, refusal.headers);
}

function busy(who: GateRefusal, closeConnection = false): Refusal {
  return who === 'SOURCE'
    ? new Refusal(429, 'RATE_LIMITED', 'this source already has as many requests in progress as it may; retry shortly', RETRY_AFTER, closeConnection)
    : new Refusal(503, 'BUSY', 'the event intake is at capacity; retry shortly', RETRY_AFTER, closeConnection);
}

/**
 * A write key in an Authorization header meant for the rest of the API (GraphQL, imports,
 * exports): refused there with a message saying where it belongs. Null for any other credential.
 */
export function writeKeyElsewhere(authorization: string | undefined): GraphQLError | null {
  if (!authorization || !credentialOf(authorization)?.startsWith(WRITE_KEY_PREFIX)) return null;
  return new GraphQLError('a write key can only send events to /v1/*; use an API key (Authorization: Bearer <API key>) here', {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
  });
}

/** The credential of an Authorization header: Basic's user name (Segment's convention), or a Bearer token. */
function credentialOf(authorization: string): string | null {
  const basic = /^Basic\s+([A-Za-z0-9+/=_-]{1,1000})\s*$/i.exec(authorization);
  if (basic) {
    const decoded = Buffer.from(basic[1] as string, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(0, colon) : decoded;
  }
  const bearer = /^Bearer\s+(\S{1,4096})\s*$/i.exec(authorization);
  return bearer ? (bearer[1] as string) : null;
}

/** Reads the body, inflating gzip, refusing more than `limit` bytes (sent or inflated). */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const encoding = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip' && encoding !== '') {
    return Promise.reject(new Refusal(415, 'UNSUPPORTED_ENCODING', `Content-Encoding "${encoding}" is not supported: send gzip or no encoding`, {}, true));
  }
  const tooLarge = () =>
    new Refusal(400, 'REQUEST_TOO_LARGE', `the request body exceeds ${limit} bytes (500 KB${encoding === 'gzip' ? ' once inflated' : ''}), Segment's limit for a batch: send smaller batches`, {}, true);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge());
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    let sent = 0;
    let size = 0;
    let settled = false;
    const gunzip = encoding === 'gzip' ? createGunzip() : null;
    const stop = (error: Refusal) => {
      if (settled) return;
      settled = true;
      if (gunzip) {
        req.unpipe(gunzip);
        gunzip.destroy();
      }
      req.resume(); // the rest is discarded; the connection closes after the answer
      fail(error);
    };
    req.on('data', (chunk: Buffer) => {
      sent += chunk.length;
      if (sent > limit) stop(tooLarge());
    });
    // a client that goes away mid-body: no answer is read, but the request must end here
    const cutOff = () => {
      if (settled || req.complete) return;
      settled = true;
      gunzip?.destroy();
      fail(new Refusal(400, 'BAD_REQUEST', 'the request body was cut off', {}, true));
    };
    req.on('error', cutOff);
    req.on('close', cutOff);
    const out = gunzip ?? req;
    if (gunzip) {
      req.pipe(gunzip);
      gunzip.on('error', () => stop(new Refusal(400, 'BAD_REQUEST', 'the body is not valid gzip (Content-Encoding: gzip)', {}, true)));
      out.on('data', (chunk: Buffer) => {
        if (settled) return;
        size += chunk.length;
        if (size > limit) stop(tooLarge());
        else chunks.push(chunk);
      });
    } else {
      req.on('data', (chunk: Buffer) => {
        if (!settled) chunks.push(chunk);
      });
    }
    out.on('end', () => {
      if (settled) return;
      settled = true;
      ok(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The events of a request's body, and what the batch gives each of them; or a Refusal. */
function eventsOf(body: unknown, kind: EventType | 'batch'): { events: unknown[]; defaults: BatchDefaults } {
  if (kind === 'batch') {
    // what a webhook forwards (Segment's Webhooks (Actions), RudderStack's Webhook): an array of
    // events when it batches, one event with its type when it does not
    if (Array.isArray(body) && body.length > 0) return { events: body, defaults: {} };
    if (isObject(body) && body.batch === undefined && typeof body.type === 'string') return { events: [body], defaults: {} };
  }
  if (!isObject(body)) throw new Refusal(400, 'BAD_REQUEST', kind === 'batch' ? 'the body must be a JSON object with a "batch" array (or an array of events)' : 'the body must be a JSON object (the event)');
  if (kind !== 'batch') return { events: [body], defaults: { type: kind } };
  const { batch } = body;
  if (!Array.isArray(batch)) throw new Refusal(400, 'BAD_REQUEST', 'batch: must be an array of events');
  if (batch.length === 0) throw new Refusal(400, 'BAD_REQUEST', 'batch: must hold at least one event');
  const defaults: BatchDefaults = {};
  if (body.sentAt !== undefined && body.sentAt !== null) {
    const sentAt = parseTime('sentAt', body.sentAt);
    if (sentAt instanceof Invalid) throw new Refusal(400, 'BAD_REQUEST', `${sentAt.field}: ${sentAt.reason}`);
    defaults.sentAt = sentAt;
  }
  for (const field of ['context', 'integrations'] as const) {
    const value = body[field];
    if (value === undefined || value === null) continue;
    if (!isObject(value)) throw new Refusal(400, 'BAD_REQUEST', `${field}: must be a JSON object`);
    defaults[field] = value;
  }
  return { events: batch, defaults };
}

/** POST /v1/*: Segment's tracking API. */
export class EventRoutes {
  readonly writeKeys: WriteKeyAuthenticator;
  private readonly gate: IntakeGate;

  constructor(private readonly deps: EventRoutesDeps) {
    this.writeKeys = new WriteKeyAuthenticator(deps.ds, deps.keyCacheMs);
    this.gate = new IntakeGate(deps.limits);
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<StoredResponse> {
    // browsers (analytics.js) send from the site's origin, with the write key in the body
    if (req.headers.origin) res.setHeader('access-control-allow-origin', '*');
    if (req.method === 'OPTIONS') {
      return {
        status: 204,
        headers: {
          'access-control-allow-methods': 'POST',
          'access-control-allow-headers': 'authorization, content-type, content-encoding',
          'access-control-max-age': '86400',
        },
        body: '',
      };
    }
    const kind = ENDPOINTS[url.pathname];
    let response: StoredResponse;
    try {
      if (!kind) throw new Refusal(404, 'NOT_FOUND', `not found: ${url.pathname} (the endpoints are /v1/batch, /v1/identify, /v1/track, /v1/page, /v1/screen, /v1/group, /v1/alias)`, {}, true);
      if (req.method !== 'POST') throw new Refusal(405, 'METHOD_NOT_ALLOWED', `${url.pathname} takes POST`, { allow: 'POST' }, true);
      const full = this.gate.enterService();
      if (full) throw busy(full, true);
      try {
        response = await this.accept(req, kind);
      } finally {
        this.gate.leaveService();
      }
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      if (error.closeConnection) {
        // what is left of a body of a declared size up to 4 times the limit is read and discarded
        // by Node, keeping the connection (closing it on unread bytes would reset it, and the
        // sender could lose the answer); any other (chunked, larger) is not: the connection closes
        const declared = Number(req.headers['content-length']);
        if (!(declared <= 4 * MAX_REQUEST_BYTES)) res.setHeader('connection', 'close');
        req.resume();
      }
      response = refusalResponse(error);
    }
    return response;
  }

  /** The source of a credential (a write key), or a 401 Refusal; failures count against the address. */
  private async sourceOf(req: IncomingMessage, credential: string | null, closeOnRefusal: boolean): Promise<string> {
    const address = this.deps.addressOf(req);
    try {
      await this.deps.failedAuth.assertMayAuthenticate(address);
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      const seconds = String(error.extensions.retryAfterSeconds ?? 60);
      throw new Refusal(429, 'RATE_LIMITED', error.message, { 'retry-after': seconds }, closeOnRefusal);
    }
    const caller = credential ? await this.writeKeys.authenticate(credential) : null;
    if (caller) return caller.sourceId;
    if (credential) await this.deps.failedAuth.authenticationFailed(address);
    if (credential?.startsWith('ra_')) {
      throw new Refusal(401, 'UNAUTHENTICATED', 'API keys cannot send events: /v1/* takes a write key (HTTP Basic with the write key as user name and an empty password)', {}, closeOnRefusal);
    }
    throw new Refusal(
      401,
      'UNAUTHENTICATED',
      credential
        ? 'the write key is not valid (unknown or revoked)'
        : 'authentication required: send the write key as the user name of HTTP Basic authentication (empty password), or as "writeKey" in the body',
      {},
      closeOnRefusal,
    );
  }

  private async accept(req: IncomingMessage, kind: EventType | 'batch'): Promise<StoredResponse> {
    const header = req.headers.authorization;
    let sourceId: string | null = null;
    if (header) {
      const credential = credentialOf(header);
      // a refused credential: the body is not read
      sourceId = await this.sourceOf(req, credential, true);
    }
    if (sourceId !== null) return this.acceptFor(req, kind, sourceId, null);
    // no header: the write key is in the body (analytics.js), read first within the limits
    const text = await readBody(req, MAX_REQUEST_BYTES);
    const body = this.parse(text);
    const key = isObject(body) && typeof body.writeKey === 'string' ? body.writeKey : null;
    return this.acceptFor(req, kind, await this.sourceOf(req, key, false), body);
  }

  private parse(text: string): unknown {
    if (nestsDeeperThan(text, MAX_DEPTH + 2)) throw new Refusal(400, 'BAD_REQUEST', `the body nests arrays and objects deeper than ${MAX_DEPTH} levels in an event`);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new Refusal(400, 'BAD_REQUEST', 'the body is not valid JSON');
    }
  }

  private async acceptFor(req: IncomingMessage, kind: EventType | 'batch', sourceId: string, parsed: unknown): Promise<StoredResponse> {
    const full = this.gate.enterSource(sourceId);
    if (full) throw busy(full, parsed === null);
    try {
      const body = parsed ?? this.parse(await readBody(req, MAX_REQUEST_BYTES));
      const receivedAt = Date.now();
      const { events, defaults } = eventsOf(body, kind);
      const { rows, rejected } = prepareEvents(events, defaults, receivedAt, kind === 'batch');
      if (rows.length === 0) return this.allRejected(kind, rejected);
      const stored = await this.store(sourceId, receivedAt, rows);
      if (stored > 0) this.deps.onAccepted?.(stored);
      return answer(200, rejected.length ? { success: true, rejected } : { success: true });
    } finally {
      this.gate.leaveSource(sourceId);
    }
  }

  private allRejected(kind: EventType | 'batch', rejected: Rejection[]): StoredResponse {
    const [first] = rejected;
    if (kind !== 'batch' && first) {
      const code = first.reason.includes('bytes (32 KB)') ? 'EVENT_TOO_LARGE' : 'INVALID_EVENT';
      return answer(400, { success: false, code, message: `${first.field}: ${first.reason}`, field: first.field, reason: first.reason });
    }
    return answer(400, { success: false, code: 'INVALID_EVENT', message: `none of the ${rejected.length} events of the batch is valid; nothing was stored`, rejected });
  }

  /** One INSERT of every row, committed before the answer; duplicates (source, messageId) change nothing. Returns the rows stored. */
  private async store(sourceId: string, receivedAt: number, rows: string[]): Promise<number> {
    const result = await this.gate.withConnection(sourceId, async () => {
      try {
        const [row] = (await this.deps.ds.query(INSERT, [sourceId, new Date(receivedAt).toISOString(), `[${rows.join(',')}]`])) as { n: number }[];
        return row?.n ?? 0;
      } catch (error) {
        if (isPoolExhausted(error) || isDatabaseUnavailable(error)) {
          this.deps.logger.warn({ err: error }, 'events not stored: the database is unavailable or busy');
          throw new Refusal(503, 'SERVICE_UNAVAILABLE', 'the events could not be stored now; retry shortly', RETRY_AFTER);
        }
        throw error;
      }
    });
    if ('refused' in result) throw busy(result.refused);
    return result.done;
  }
}
