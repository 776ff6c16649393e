import type { EntityManager } from 'typeorm';
import { toGlobalId } from '../graphql/node';
import { ERASED_TEXT, hasFullName, jsPattern, PersonMarks } from './erasure-marks';

/*
 * The responses kept for Idempotency-Key retries (24 hours) that show an erased person: the lead
 * itself (its personal fields read as after the erasure), the notes of its feedback (null), and
 * the email or full name in any other text of the response (a deal's name, a note) as [erased].
 * The rows are found by one search of the stored JSON, rewritten in JavaScript (a response body
 * is JSON inside JSON) and written back by one statement.
 */

/** Fields of a Lead in a GraphQL response that identify the person. */
const PERSONAL_FIELDS = ['email', 'firstName', 'lastName', 'title', 'externalId'] as const;

interface Marks {
  leadGlobalId: string;
  feedbackGlobalIds: ReadonlySet<string>;
  pattern: RegExp;
  tombstone: string;
}

/** A JSON value with the person taken out. */
function scrubJson(value: unknown, marks: Marks): unknown {
  if (typeof value === 'string') return value.replace(marks.pattern, ERASED_TEXT);
  if (Array.isArray(value)) return value.map((v) => scrubJson(v, marks));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, scrubJson(v, marks)]));
    if (out.id === marks.leadGlobalId) {
      for (const field of PERSONAL_FIELDS) if (field in out) out[field] = field === 'email' ? marks.tombstone : null;
      // its custom attributes (imported CRM fields about the person) go with them
      if ('attributes' in out) out.attributes = [];
    }
    if (typeof out.id === 'string' && marks.feedbackGlobalIds.has(out.id) && 'note' in out) out.note = null;
    return out;
  }
  return value;
}

/** A kept response: its body is the JSON text sent, scrubbed as JSON when it parses. */
function scrubResponse(response: { body?: unknown }, marks: Marks): unknown {
  const copy: Record<string, unknown> = { ...response };
  if (typeof response.body === 'string') {
    let body: unknown;
    try {
      body = JSON.parse(response.body);
    } catch {
      body = response.body;
    }
    const scrubbed = scrubJson(body, marks);
    copy.body = typeof scrubbed === 'string' ? scrubbed : JSON.stringify(scrubbed);
  }
  return scrubJson(copy, marks);
}

/** Rewrites the kept responses that show the person; answers how many changed. */
export async function scrubKeptResponses(
  tx: EntityManager,
  leadId: string,
  person: PersonMarks,
  feedbackIds: readonly string[],
  tombstone: string,
): Promise<number> {
  const marks: Marks = {
    leadGlobalId: toGlobalId('Lead', leadId),
    feedbackGlobalIds: new Set(feedbackIds.map((id) => toGlobalId('LeadFeedback', id))),
    pattern: jsPattern(person),
    tombstone,
  };
  const lower = (text: string | null) => (text ?? '').trim().toLowerCase();
  // a superset of what the rewrite changes: the ids, the email, or both names anywhere in the JSON text
  const rows = (await tx.query(
    `SELECT actor, key, response FROM idempotency_keys
      WHERE response IS NOT NULL
        AND (strpos(response::text, $1) > 0 OR strpos(lower(response::text), $2) > 0
             OR EXISTS (SELECT FROM unnest($3::text[]) g WHERE strpos(response::text, g) > 0)
             OR ($4 AND strpos(lower(response::text), $5) > 0 AND strpos(lower(response::text), $6) > 0))
      FOR UPDATE`,
    [marks.leadGlobalId, lower(person.email), [...marks.feedbackGlobalIds], hasFullName(person), lower(person.firstName), lower(person.lastName)],
  )) as { actor: string; key: string; response: { body?: unknown } }[];
  const changed = rows
    .map((row) => ({ ...row, scrubbed: JSON.stringify(scrubResponse(row.response, marks)) }))
    .filter((row) => row.scrubbed !== JSON.stringify(row.response));
  if (changed.length === 0) return 0;
  await tx.query(
    `UPDATE idempotency_keys k SET response = u.response
       FROM unnest($1::text[], $2::text[], $3::jsonb[]) AS u(actor, key, response)
      WHERE k.actor = u.actor AND k.key = u.key`,
    [changed.map((r) => r.actor), changed.map((r) => r.key), changed.map((r) => r.scrubbed)],
  );
  return changed.length;
}
