import { IsNotEmpty, Length } from 'class-validator';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import type { EntityManager } from 'typeorm';
import { countOf, reasonText, recordReason, RowCount } from '../common/corrections';
import type { Context } from '../graphql/context';
import { ConflictError, NotFoundError } from '../graphql/errors';
import { runMutation } from '../graphql/mutation';
import { decodeId, toGlobalId } from '../graphql/node';
import { scrubImports } from './lead-erasure-imports';
import { Lead } from './lead.entity';

/*
 * The right to erasure (issue 11): a person's personal data goes from every place it is stored,
 * while the anonymous facts the metrics read stay, so no report moves.
 *
 * Erased: the lead's email (the tombstone erased-<id>@erased.invalid takes its place: unique,
 * valid for every CHECK), first and last name, title and external id; the notes of sales'
 * feedback on the lead; the copies of all of these in the audit log (the before/after rows of
 * the lead and of its feedback); the lead as stored in the responses kept for
 * Idempotency-Key retries; and the failed rows and finished files of import jobs that show it
 * (lead-erasure-imports.ts). Kept: the lead row itself (id, account, stage and stage times,
 * version), its touchpoints, stage history, feedback dispositions and reasons, and its places
 * as a deal contact. The audit log records that an erasure happened (who, when, which lead,
 * why) through the eraseLead entry of the lead's row, which holds the tombstone only.
 */

/** The email an erased lead holds: unique per lead, and on a domain (.invalid) no address can have. */
export const erasedEmail = (leadId: string) => `erased-${leadId}@erased.invalid`;

/** Columns of a lead that identify the person, as the audit log's row copies name them. */
const PERSONAL_COLUMNS = ['email', 'first_name', 'last_name', 'title', 'external_id'] as const;
/** Fields of a Lead in a GraphQL response that identify the person. */
const PERSONAL_FIELDS = ['email', 'firstName', 'lastName', 'title', 'externalId'] as const;

@InputType({ description: 'A lead whose personal data is to be erased.' })
export class EraseLeadInput {
  @Field(() => ID, { description: 'The lead.' })
  id: string;

  @Field({ description: 'Why (required, at most 500 characters), e.g. the reference of the request; kept in the audit log entry of the erasure. Name no personal data here.' })
  @IsNotEmpty()
  @Length(1, 500)
  reason: string;
}

@ObjectType({ description: 'Result of eraseLead.' })
export class EraseLeadPayload {
  @Field(() => Lead, { description: 'The lead as it is now: anonymous, its facts unchanged.' })
  lead: Lead;

  @Field(() => [RowCount], { description: 'What was erased besides the lead row, by kind ("feedback notes", "audit log entries", "idempotent responses", "import row errors", "import files").' })
  erased: RowCount[];
}

interface ErasedLeadRow {
  id: string;
  email: string;
  external_id: string | null;
  erased_at: Date | null;
}

/** The audit log's copies of the lead's row and of its feedback rows, with the personal data replaced. */
async function scrubAuditLog(tx: EntityManager, leadId: string): Promise<number> {
  const anonymous = JSON.stringify({ ...Object.fromEntries(PERSONAL_COLUMNS.map((c) => [c, null])), email: erasedEmail(leadId) });
  const leadRows = await countOf(
    tx,
    `UPDATE audit_log SET before = CASE WHEN before IS NOT NULL THEN before || $2::jsonb END,
                          after = CASE WHEN after IS NOT NULL THEN after || $2::jsonb END
      WHERE object_type = 'leads' AND object_id = $1`,
    [leadId, anonymous],
  );
  const feedbackRows = await countOf(
    tx,
    `UPDATE audit_log SET before = CASE WHEN before IS NOT NULL THEN jsonb_set(before, '{note}', 'null') END,
                          after = CASE WHEN after IS NOT NULL THEN jsonb_set(after, '{note}', 'null') END
      WHERE object_type = 'lead_feedback'
        AND object_id IN (SELECT id::text FROM lead_feedback WHERE lead_id = $1)
        AND (before ->> 'note' IS NOT NULL OR after ->> 'note' IS NOT NULL)`,
    [leadId],
  );
  return leadRows + feedbackRows;
}

/** Replaces the person's data in a JSON value: in every object that is the lead, and any text holding the email. */
function scrubJson(value: unknown, globalId: string, email: string, tombstone: string): unknown {
  if (typeof value === 'string') return value.toLowerCase().includes(email) ? value.split(new RegExp(escapeRegExp(email), 'gi')).join(tombstone) : value;
  if (Array.isArray(value)) return value.map((v) => scrubJson(v, globalId, email, tombstone));
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, scrubJson(v, globalId, email, tombstone)] as const);
    const out: Record<string, unknown> = Object.fromEntries(entries);
    if (out.id === globalId) {
      for (const field of PERSONAL_FIELDS) if (field in out) out[field] = field === 'email' ? tombstone : null;
    }
    return out;
  }
  return value;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Responses kept for Idempotency-Key retries that show the lead (its id or its email). */
async function scrubKeptResponses(tx: EntityManager, lead: ErasedLeadRow): Promise<number> {
  const globalId = toGlobalId('Lead', lead.id);
  const email = lead.email.toLowerCase();
  const tombstone = erasedEmail(lead.id);
  const rows = (await tx.query(
    `SELECT actor, key, response FROM idempotency_keys
      WHERE response IS NOT NULL AND (strpos(response::text, $1) > 0 OR strpos(lower(response::text), $2) > 0)
      FOR UPDATE`,
    [globalId, email],
  )) as { actor: string; key: string; response: { body?: unknown } }[];
  for (const row of rows) {
    const response = row.response;
    if (typeof response.body === 'string') {
      let body: unknown;
      try {
        body = JSON.parse(response.body);
      } catch {
        body = response.body;
      }
      const scrubbed = scrubJson(body, globalId, email, tombstone);
      response.body = typeof scrubbed === 'string' ? scrubbed : JSON.stringify(scrubbed);
    }
    const cleaned = scrubJson(response, globalId, email, tombstone);
    await tx.query(`UPDATE idempotency_keys SET response = $3 WHERE actor = $1 AND key = $2`, [row.actor, row.key, JSON.stringify(cleaned)]);
  }
  return rows.length;
}

/**
 * Erases the personal data of a lead, in one transaction (see the comment at the top). An
 * erased lead stays erased: the database refuses an email other than its tombstone, a name, a
 * title or an external id on it. The person may come back later as a new lead.
 */
export function eraseLead(ctx: Context, input: EraseLeadInput): Promise<EraseLeadPayload> {
  return runMutation(ctx, async (tx) => {
    const id = decodeId('input.id', 'Lead', input.id);
    const reason = reasonText('input.reason', input.reason);
    const [lead] = (await tx.query(`SELECT id::text, email, external_id, erased_at FROM leads WHERE id = $1 FOR UPDATE`, [id])) as ErasedLeadRow[];
    if (!lead) throw new NotFoundError('input.id', 'Lead', id);
    if (lead.erased_at) throw new ConflictError('input.id', `the lead was erased already (${lead.erased_at.toISOString()})`);
    await recordReason(tx, 'input.reason', reason);
    const notes = await countOf(tx, `UPDATE lead_feedback SET note = NULL WHERE lead_id = $1 AND note IS NOT NULL`, [id]);
    await tx.query(
      `UPDATE leads SET email = $2, first_name = NULL, last_name = NULL, title = NULL, external_id = NULL,
                        erased_at = now(), updated_at = now(), version = version + 1
        WHERE id = $1`,
      [id, erasedEmail(id)],
    );
    // after the writes above: their own audit entries hold the personal data before the erasure
    const auditEntries = await scrubAuditLog(tx, id);
    const responses = await scrubKeptResponses(tx, lead);
    const imports = await scrubImports(tx, [lead.email], lead.external_id);
    const erased = await tx.getRepository(Lead).findOneByOrFail({ id });
    return {
      lead: erased,
      erased: [
        { kind: 'feedback notes', count: notes },
        { kind: 'audit log entries', count: auditEntries },
        { kind: 'idempotent responses', count: responses },
        ...imports,
      ],
    };
  });
}
