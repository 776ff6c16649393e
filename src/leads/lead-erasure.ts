import { IsNotEmpty, Length } from 'class-validator';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import type { EntityManager } from 'typeorm';
import { reasonText, recordReason, RowCount } from '../common/corrections';
import type { Context } from '../graphql/context';
import { ConflictError, NotFoundError } from '../graphql/errors';
import { runMutation } from '../graphql/mutation';
import { decodeId } from '../graphql/node';
import { scrubTrackedEvents } from '../events/processing-erasure';
import { PersonMarks } from './erasure-marks';
import { scrubImports } from './lead-erasure-imports';
import { scrubKeptResponses } from './lead-erasure-responses';
import { scrubAgreementNotes, scrubAuditCopies, scrubDeals, scrubFeedbackNotes } from './lead-erasure-text';
import { Lead } from './lead.entity';

/*
 * The right to erasure (issue 11): a person's personal data goes from every place it is stored,
 * while the anonymous facts the metrics read stay, so no report moves. In one transaction:
 *
 * - the lead row: its email (the tombstone erased-<id>@erased.invalid takes its place: unique,
 *   valid for every CHECK), first and last name, title, external id and custom attributes;
 * - free text about the person (lead-erasure-text.ts): the notes of sales' feedback on the lead
 *   (cleared), and the email and full name (erasure-marks.ts) in other feedback notes, in the
 *   names and lost reasons of the deals the lead is or was a contact of (the email in any deal),
 *   and in agreement notes, as [erased];
 * - the audit log's copies of all of these, each as its row;
 * - the responses kept for Idempotency-Key retries (lead-erasure-responses.ts);
 * - import jobs' failed rows, messages and leftover files that show the person (lead-erasure-imports.ts).
 * - the lead's web events: traits, IP, ids and the email in them, and its identities (src/events/processing-erasure.ts).
 *
 * Kept: the lead row itself (id, account, stage and stage times, version), its touchpoints, stage
 * history, feedback dispositions and reasons, its places as a deal contact, and every amount and
 * date of the deals. The audit log records that an erasure happened, not what was erased: the
 * eraseLead entry of the lead's row (who, when, which lead, why) is the erasure's only entry; it
 * holds the tombstone only. The rows it rewrites elsewhere get no audit entries of their own
 * (each would hold the text taken out); their earlier copies in the log are scrubbed instead.
 */

/** The email an erased lead holds: unique per lead, and on a domain (.invalid) no address can have. */
export const erasedEmail = (leadId: string) => `erased-${leadId}@erased.invalid`;

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

  @Field(() => [RowCount], { description: 'What was erased besides the lead row, by kind, zeros included: "feedback notes" (cleared or with the person replaced), "opportunities" (names and lost reasons), "agreement notes", "audit log entries", "idempotent responses", "import row errors" (deleted), "import job messages", "import files" (deleted).' })
  erased: RowCount[];
}

interface ErasedLeadRow {
  id: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  external_id: string | null;
  erased_at: Date | null;
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
    const [lead] = (await tx.query(`SELECT id::text, email, first_name, last_name, external_id, erased_at FROM leads WHERE id = $1 FOR UPDATE`, [
      id,
    ])) as ErasedLeadRow[];
    if (!lead) throw new NotFoundError('input.id', 'Lead', id);
    if (lead.erased_at) throw new ConflictError('input.id', `the lead was erased already (${lead.erased_at.toISOString()})`);
    const person: PersonMarks = { email: lead.email, firstName: lead.first_name, lastName: lead.last_name };
    const tombstone = erasedEmail(id);
    await recordReason(tx, 'input.reason', reason);
    // the erasure's one audit entry: the lead's row, with the reason (its copies are scrubbed below)
    await tx.query(
      `UPDATE leads SET email = $2, first_name = NULL, last_name = NULL, title = NULL, external_id = NULL, attributes = '{}',
                        erased_at = now(), updated_at = now(), version = version + 1
        WHERE id = $1`,
      [id, tombstone],
    );
    const feedbackIds = ((await tx.query(`SELECT id::text FROM lead_feedback WHERE lead_id = $1`, [id])) as { id: string }[]).map((r) => r.id);
    const counts = await unaudited(tx, async () => {
      const notes = await scrubFeedbackNotes(tx, id, person);
      const deals = await scrubDeals(tx, id, person);
      const agreements = await scrubAgreementNotes(tx, person);
      // last: the entries written above (the lead's) and before hold what they replaced
      const auditEntries = await scrubAuditCopies(tx, id, person, tombstone);
      const responses = await scrubKeptResponses(tx, id, person, feedbackIds, tombstone);
      const imports = await scrubImports(tx, person, lead.external_id);
      // web events (issue 15): who the person is goes, what placed their touchpoints stays
      await scrubTrackedEvents(tx, id, person);
      return [
        { kind: 'feedback notes', count: notes },
        { kind: 'opportunities', count: deals },
        { kind: 'agreement notes', count: agreements },
        { kind: 'audit log entries', count: auditEntries },
        { kind: 'idempotent responses', count: responses },
        ...imports,
      ];
    });
    const erased = await tx.getRepository(Lead).findOneByOrFail({ id });
    return { lead: erased, erased: counts };
  });
}

/**
 * Runs `work` with the audit trigger off for this transaction (it logs only while `app.actor`
 * is set), then puts the actor back: the rows an erasure rewrites must not be logged with the
 * text it takes out of them.
 */
async function unaudited<T>(tx: EntityManager, work: () => Promise<T>): Promise<T> {
  const [row] = (await tx.query(`SELECT current_setting('app.actor', true) AS actor, set_config('app.actor', '', true)`)) as { actor: string | null }[];
  const result = await work();
  await tx.query(`SELECT set_config('app.actor', $1, true)`, [row?.actor ?? '']);
  return result;
}
