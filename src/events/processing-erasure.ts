import type { EntityManager } from 'typeorm';
import { ERASED_TEXT, PersonMarks, sqlPatterns } from '../leads/erasure-marks';

/**
 * The erasure of a lead (src/leads/lead-erasure.ts), for its web events: every event of the lead,
 * of its anonymous ids and of its userIds (pending ones too) keeps what places it (the page URL,
 * context.campaign, the referrer: its touchpoints stay) and loses who the person is:
 *
 * - the payload's traits, context.traits, context.ip, context.device, properties.email, userId,
 *   anonymousId and previousId; the email and full name anywhere else in it (plain or in a URL's
 *   query, @ or %40) read [erased];
 * - the event's anonymousId and previousId columns are cleared, its userId reads erased:<lead id>
 *   (an event needs one of the two), and its lead is the erased lead;
 * - the identity rows of the lead (its anonymous ids, userIds, aliases) are deleted: the same
 *   browser or userId identified again later is a new person (the email is a tombstone now).
 * Returns how many events it scrubbed.
 */
export async function scrubTrackedEvents(tx: EntityManager, leadId: string, person: PersonMarks): Promise<number> {
  const [ids] = (await tx.query(
    `SELECT coalesce((SELECT array_agg(anonymous_id) FROM tracking_anonymous_ids WHERE lead_id = $1), '{}') AS anonymous,
            coalesce((SELECT array_agg(user_id) FROM tracking_user_ids WHERE lead_id = $1), '{}') AS users`,
    [leadId],
  )) as { anonymous: string[]; users: string[] }[];
  const anonymous = ids?.anonymous ?? [];
  const users = ids?.users ?? [];
  const patterns = sqlPatterns(person);
  // in a URL the address follows "=" (which erasure-marks reads as part of a longer address), with @ plain or as %40
  const literal = (text: string) => text.replace(/[\\^$.|?*+()[\]{}/]/g, '\\$&');
  const email = person.email.trim();
  const at = email.lastIndexOf('@');
  const inUrl = `(?<![[:alnum:]._%+-])${literal(email.slice(0, at))}(@|%40)${literal(email.slice(at + 1))}(?![[:alnum:]_-]|\\.[[:alnum:]_-])`;
  const result = (await tx.query(
    `UPDATE tracked_events t
        SET payload = regexp_replace(regexp_replace(
                        ((t.payload - 'traits' - 'userId' - 'anonymousId' - 'previousId')
                          #- '{context,traits}' #- '{context,ip}' #- '{context,device}' #- '{properties,email}')::text,
                        $4, $6, 'gi'), $5, $6, 'gi')::jsonb,
            anonymous_id = NULL, previous_id = NULL, user_id = 'erased:' || $1::bigint::text, lead_id = $1::bigint
      WHERE t.lead_id = $1::bigint OR t.anonymous_id = ANY ($2::text[]) OR t.user_id = ANY ($3::text[])
         OR t.previous_id = ANY ($2::text[]) OR t.previous_id = ANY ($3::text[])`,
    [leadId, anonymous, users, patterns.person, inUrl, ERASED_TEXT],
  )) as [unknown[], number];
  const everyId = [...anonymous, ...users];
  await tx.query(`DELETE FROM tracking_aliases WHERE previous_id = ANY ($1::text[]) OR user_id = ANY ($1::text[])`, [everyId]);
  await tx.query(`DELETE FROM tracking_anonymous_ids WHERE lead_id = $1`, [leadId]);
  await tx.query(`DELETE FROM tracking_user_ids WHERE lead_id = $1`, [leadId]);
  return result[1];
}
