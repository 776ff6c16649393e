import { randomUUID } from 'node:crypto';

/**
 * Segment's events checked one by one (the spec: https://segment.com/docs/connections/spec/),
 * each either made into a row for the one INSERT of its request or rejected with the field and
 * the reason. The work per event is what the checks need and one JSON.stringify, whose text is
 * both the event's measured size and its stored payload; the columns the processing reads are
 * extracted by PostgreSQL from that payload in the same statement (event-http.ts).
 */

export const EVENT_TYPES = ['identify', 'track', 'page', 'screen', 'group', 'alias'] as const;
export type EventType = (typeof EVENT_TYPES)[number];
const KNOWN_TYPES: ReadonlySet<string> = new Set(EVENT_TYPES);

/** Segment's limits: 32 KB an event (its JSON), 500 KB a request. */
export const MAX_EVENT_BYTES = 32 * 1024;
export const MAX_REQUEST_BYTES = 500 * 1024;
/** userId, anonymousId, previousId, groupId and messageId (the columns' CHECKs). */
export const MAX_ID_LENGTH = 255;
/** Arrays and objects within arrays and objects: a request nesting deeper is refused as a whole. */
export const MAX_DEPTH = 32;

/** An event that was not stored: its place in the request, the field and why. */
export interface Rejection {
  index: number;
  field: string;
  reason: string;
}

/** What the request's other parts give every event: the endpoint's type, the batch's sentAt and context. */
export interface BatchDefaults {
  type?: EventType;
  /** The batch's sentAt (epoch ms), checked by the caller. */
  sentAt?: number;
  context?: Record<string, unknown>;
  integrations?: Record<string, unknown>;
}

export interface PreparedEvents {
  /** One JSON object per stored event, `{"m": messageId, "t": type, "o": occurred at (epoch ms), "p": payload}`. */
  rows: string[];
  rejected: Rejection[];
}

/** Years 0001 to 9999: what both JavaScript and PostgreSQL take. */
const MIN_TIME = -62135596800000;
const MAX_TIME = 253402300799999;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
const HAS_OFFSET = /(?:Z|[+-]\d{2}(?::?\d{2})?)$/i;
/** What jsonb refuses in a JSON text that JSON.stringify writes: \u0000 and unpaired surrogates (the only \ud800-\udfff escapes it writes). */
const NOT_FOR_JSONB = /(?:^|[^\\])(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/i;

export class Invalid {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {}
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Epoch ms of an ISO-8601 time (no offset: UTC), or Invalid. */
export function parseTime(field: string, value: unknown): number | Invalid {
  if (typeof value !== 'string' || !ISO_8601.test(value)) return new Invalid(field, 'must be an ISO-8601 date-time, e.g. "2012-12-02T00:30:08.276Z"');
  const text = value.length > 10 && !HAS_OFFSET.test(value) ? `${value.replace(' ', 'T').replace(',', '.')}Z` : value.replace(' ', 'T').replace(',', '.');
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) return new Invalid(field, 'is not a valid date-time');
  return ms;
}

/**
 * An id field: absent (undefined, null, "") is null; a string or a safe integer up to 255
 * characters is kept (jsonb then spells the integer as JavaScript does); anything else is Invalid.
 */
function idOf(field: string, value: unknown): string | null | Invalid {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'string') return value.length <= MAX_ID_LENGTH ? value : new Invalid(field, `must be at most ${MAX_ID_LENGTH} characters (it has ${value.length})`);
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return new Invalid(field, 'must be a string');
}

function required(field: string, value: string | null | Invalid, why: string): Invalid | null {
  if (value instanceof Invalid) return value;
  return value === null ? new Invalid(field, why) : null;
}

/** Checks one event and makes its row, or says what is wrong with it. */
function rowOf(raw: unknown, defaults: BatchDefaults, receivedAt: number): string | Invalid {
  if (!isObject(raw)) return new Invalid('', 'an event must be a JSON object');
  const event = raw;
  // a single call (analytics.js) carries the write key in the event: it is not stored
  if (event.writeKey !== undefined) delete event.writeKey;
  let type: string;
  if (defaults.type) {
    if (event.type !== undefined && event.type !== defaults.type) return new Invalid('type', `is "${String(event.type)}" but this endpoint takes ${defaults.type} events`);
    type = defaults.type;
  } else {
    if (typeof event.type !== 'string' || !KNOWN_TYPES.has(event.type)) {
      return new Invalid('type', event.type === undefined ? `is required (one of ${EVENT_TYPES.join(', ')})` : `must be one of ${EVENT_TYPES.join(', ')}`);
    }
    type = event.type;
  }
  const userId = idOf('userId', event.userId);
  if (userId instanceof Invalid) return userId;
  const anonymousId = idOf('anonymousId', event.anonymousId);
  if (anonymousId instanceof Invalid) return anonymousId;
  if (type === 'alias') {
    const problem = required('previousId', idOf('previousId', event.previousId), 'is required in an alias (the id the user had before)') ??
      required('userId', userId, 'is required in an alias (the id the user has now)');
    if (problem) return problem;
  } else if (userId === null && anonymousId === null) {
    return new Invalid('userId', 'an event needs a userId or an anonymousId');
  }
  if (type === 'group') {
    const problem = required('groupId', idOf('groupId', event.groupId), 'is required in a group call');
    if (problem) return problem;
  } else if (type === 'track') {
    if (typeof event.event !== 'string' || event.event.trim() === '') return new Invalid('event', 'a track needs the name of the event (a non-empty string)');
  } else if ((type === 'page' || type === 'screen') && event.name !== undefined && event.name !== null && typeof event.name !== 'string') {
    return new Invalid('name', 'must be a string');
  }
  for (const field of ['context', 'properties', 'traits', 'integrations'] as const) {
    const value = event[field];
    if (value !== undefined && value !== null && !isObject(value)) return new Invalid(field, 'must be a JSON object');
  }
  let messageId: string;
  if (event.messageId === undefined || event.messageId === null || event.messageId === '') messageId = `api-${randomUUID()}`;
  else if (typeof event.messageId !== 'string') return new Invalid('messageId', 'must be a string');
  else if (event.messageId.length > MAX_ID_LENGTH) return new Invalid('messageId', `must be at most ${MAX_ID_LENGTH} characters (it has ${event.messageId.length})`);
  else messageId = event.messageId;

  // Segment's clock-skew rule: the sender's clock is off by sentAt - receivedAt, its timestamp as much
  const stamp = event.timestamp ?? event.originalTimestamp;
  const stampField = event.timestamp !== undefined && event.timestamp !== null ? 'timestamp' : 'originalTimestamp';
  let occurredAt = receivedAt;
  if (stamp !== undefined && stamp !== null) {
    const at = parseTime(stampField, stamp);
    if (at instanceof Invalid) return at;
    occurredAt = at;
    const sentAt = event.sentAt !== undefined && event.sentAt !== null ? parseTime('sentAt', event.sentAt) : defaults.sentAt;
    if (sentAt instanceof Invalid) return sentAt;
    if (sentAt !== undefined) {
      occurredAt = receivedAt - (sentAt - at);
      if (occurredAt < MIN_TIME || occurredAt > MAX_TIME) return new Invalid('sentAt', `with ${stampField} puts the event outside the years 1 to 9999`);
    }
  } else if (event.sentAt !== undefined && event.sentAt !== null) {
    const sentAt = parseTime('sentAt', event.sentAt);
    if (sentAt instanceof Invalid) return sentAt;
  }

  // the batch's context and integrations hold for each of its events (the event's own keys win)
  if (defaults.context) event.context = isObject(event.context) ? { ...defaults.context, ...event.context } : defaults.context;
  if (defaults.integrations) event.integrations = isObject(event.integrations) ? { ...defaults.integrations, ...event.integrations } : defaults.integrations;

  const text = JSON.stringify(event);
  // a UTF-8 byte is at most 3 per UTF-16 unit: short texts need no count
  const bytes = text.length * 3 <= MAX_EVENT_BYTES ? text.length : Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_EVENT_BYTES) return new Invalid('', `the event is ${bytes} bytes of JSON; the limit is ${MAX_EVENT_BYTES} bytes (32 KB) an event`);
  if (text.includes('\\u') && NOT_FOR_JSONB.test(text)) return new Invalid('', 'holds a \\u0000 character or an unpaired surrogate, which cannot be stored');
  const m = /^[\w.:@-]*$/.test(messageId) ? `"${messageId}"` : JSON.stringify(messageId);
  return `{"m":${m},"t":"${type}","o":${occurredAt},"p":${text}}`;
}

/** Checks `events` (a batch, or the one event of a single call) and makes the rows of the valid ones. */
export function prepareEvents(events: readonly unknown[], defaults: BatchDefaults, receivedAt: number, inBatch: boolean): PreparedEvents {
  const rows: string[] = [];
  const rejected: Rejection[] = [];
  for (let index = 0; index < events.length; index++) {
    const row = rowOf(events[index], defaults, receivedAt);
    if (typeof row === 'string') rows.push(row);
    else {
      // the field as a path in the request: batch[3].userId, or userId in a single call's body
      const field = inBatch ? `batch[${index}]${row.field ? `.${row.field}` : ''}` : row.field || 'body';
      rejected.push({ index, field, reason: row.reason });
    }
  }
  return { rows, rejected };
}

/**
 * Whether a JSON text nests arrays and objects deeper than `max`: counted on the text, so no
 * walk of the parsed value (and no recursion, which a deep value would overflow) is needed.
 */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}
