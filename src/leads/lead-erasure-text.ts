import type { EntityManager } from 'typeorm';
import { countOf } from '../common/corrections';
import { ERASED_TEXT, PersonMarks, sqlPatterns } from './erasure-marks';

/*
 * The free text other rows hold about an erased person, and the audit log's copies of all of it
 * (see erasure-marks.ts for what is searched). Each store is one set-based statement:
 * - feedback notes: a note on the lead itself is about the person and is cleared; a note on
 *   another lead ("duplicate of Jane Roe") has the email and the full name replaced by [erased];
 * - deals: the name and lost reason of a deal the lead is or was a contact of have the email and
 *   the full name replaced; every other deal has the email replaced (an address is the person's
 *   alone; a name on a deal the person is no part of may well be a namesake's);
 * - agreement notes: the email and the full name replaced;
 * - the audit log: each copy of a row is treated as the row is (the lead's own copies lose every
 *   personal column, its feedback's copies their note, the others as above), and the email is
 *   replaced in any other copy that holds it.
 * A deal's version moves, so a client holding the old name cannot write it back without a CONFLICT.
 */

/** The deals the lead is a contact of, or was (the audit log keeps the links removed since). */
const CONTACTED = `SELECT opportunity_id FROM opportunity_contacts WHERE lead_id = $1::bigint
   UNION SELECT (coalesce(after, before) ->> 'opportunity_id')::bigint FROM audit_log
    WHERE object_type = 'opportunity_contacts' AND $1::text IN (before ->> 'lead_id', after ->> 'lead_id')`;

/** Feedback notes: the lead's own cleared, others' with the person replaced. */
export function scrubFeedbackNotes(tx: EntityManager, leadId: string, person: PersonMarks): Promise<number> {
  return countOf(
    tx,
    `UPDATE lead_feedback SET note = CASE WHEN lead_id = $1 THEN NULL ELSE left(regexp_replace(note, $2, $3, 'gi'), 4000) END
      WHERE note IS NOT NULL AND (lead_id = $1 OR note ~* $2)`,
    [leadId, sqlPatterns(person).person, ERASED_TEXT],
  );
}

/** Names and lost reasons of deals. */
export function scrubDeals(tx: EntityManager, leadId: string, person: PersonMarks): Promise<number> {
  const patterns = sqlPatterns(person);
  return countOf(
    tx,
    `UPDATE opportunities o
        SET name = left(regexp_replace(o.name, p.pattern, $4, 'gi'), 200),
            lost_reason = regexp_replace(o.lost_reason, p.pattern, $4, 'gi'),
            version = o.version + 1
       FROM (SELECT d.id, CASE WHEN d.id IN (${CONTACTED}) THEN $2 ELSE $3 END AS pattern FROM opportunities d) p
      WHERE p.id = o.id AND (o.name ~* p.pattern OR o.lost_reason ~* p.pattern)`,
    [leadId, patterns.person, patterns.email, ERASED_TEXT],
  );
}

/** Notes of alignment agreements. */
export function scrubAgreementNotes(tx: EntityManager, person: PersonMarks): Promise<number> {
  return countOf(tx, `UPDATE alignment_agreements SET notes = regexp_replace(notes, $1, $2, 'gi') WHERE notes ~* $1`, [
    sqlPatterns(person).person,
    ERASED_TEXT,
  ]);
}

/** A row copy of the audit log (`col`) as its rule (t.rule, t.pattern) leaves it. */
const scrubbedCopy = (col: string) => `CASE
    WHEN ${col} IS NULL OR jsonb_typeof(${col}) <> 'object' THEN ${col}
    WHEN t.rule = 'lead' THEN ${col} || $4::jsonb
    WHEN t.rule = 'own feedback' THEN jsonb_set(${col}, '{note}', 'null')
    ELSE (SELECT jsonb_object_agg(e.key, CASE WHEN jsonb_typeof(e.value) = 'string'
                                            THEN to_jsonb(regexp_replace(e.value #>> '{}', t.pattern, $5, 'gi')) ELSE e.value END)
            FROM jsonb_each(${col}) e)
  END`;

/**
 * The audit log's copies of rows that show the person: read once (the email by a plain search
 * of the JSON text, the name only in the copies of feedback, agreements and deals), rewritten
 * in one statement. Answers how many entries changed.
 */
export function scrubAuditCopies(tx: EntityManager, leadId: string, person: PersonMarks, tombstone: string): Promise<number> {
  const patterns = sqlPatterns(person);
  const anonymous = JSON.stringify({ email: tombstone, first_name: null, last_name: null, title: null, external_id: null, attributes: {} });
  // the email as the JSON text of a copy spells it
  const emailInJson = JSON.stringify(person.email.trim().toLowerCase()).slice(1, -1);
  const ownLead = `a.object_type = 'leads' AND a.object_id = $1::text AND coalesce(a.after, a.before) ->> 'id' = $1::text`;
  const ownFeedback = `a.object_type = 'lead_feedback' AND $1::text IN (a.before ->> 'lead_id', a.after ->> 'lead_id')`;
  const copies = `(coalesce(a.before::text, '') || ' ' || coalesce(a.after::text, ''))`;
  return countOf(
    tx,
    `WITH contacted AS (${CONTACTED}),
     candidates AS (
       SELECT a.id, a.before, a.after,
              CASE WHEN ${ownLead} THEN 'lead' WHEN ${ownFeedback} THEN 'own feedback' ELSE 'text' END AS rule,
              CASE WHEN a.object_type IN ('lead_feedback', 'alignment_agreements')
                     OR (a.object_type = 'opportunities' AND a.object_id IN (SELECT opportunity_id::text FROM contacted))
                   THEN $2 ELSE $3 END AS pattern
         FROM audit_log a
        WHERE (${ownLead}) OR (${ownFeedback})
           OR strpos(lower(${copies}), $6) > 0
           OR (a.object_type IN ('lead_feedback', 'alignment_agreements', 'opportunities') AND ${copies} ~* $2)),
     scrubbed AS (
       SELECT t.id, t.before AS old_before, t.after AS old_after, ${scrubbedCopy('t.before')} AS before, ${scrubbedCopy('t.after')} AS after
         FROM candidates t)
     UPDATE audit_log a SET before = s.before, after = s.after
       FROM scrubbed s
      WHERE a.id = s.id AND (s.before IS DISTINCT FROM s.old_before OR s.after IS DISTINCT FROM s.old_after)`,
    [leadId, patterns.person, patterns.email, anonymous, ERASED_TEXT, emailInJson],
  );
}
