import { Field, ObjectType } from 'type-graphql';
import { managerOf } from '../db/with-transaction';
import type { Context } from '../graphql/context';

@ObjectType('LeadTouchUtm', {
  description: "The UTM parameters of one of a lead's web touchpoints: the first or the latest that carried UTM parameters of its own.",
})
export class LeadTouchUtm {
  @Field(() => String, { nullable: true, description: 'utm_campaign (Segment: context.campaign.name), as sent.' })
  campaign: string | null;

  @Field(() => String, { nullable: true, description: 'utm_source, as sent.' })
  source: string | null;

  @Field(() => String, { nullable: true, description: 'utm_medium, as sent.' })
  medium: string | null;

  @Field(() => String, { nullable: true, description: 'utm_term, as sent (personal for ANALYST: senders put ids in it).' })
  term: string | null;

  @Field(() => String, { nullable: true, description: 'utm_content, as sent (personal for ANALYST: senders put ids in it).' })
  content: string | null;

  @Field({ description: 'When the touch happened.' })
  occurredAt: Date;
}

interface UtmRow extends LeadTouchUtm {
  lead_id: string;
  which: 'first' | 'latest';
}

const HAS_UTM = `(utm_campaign IS NOT NULL OR utm_source IS NOT NULL OR utm_medium IS NOT NULL OR utm_term IS NOT NULL OR utm_content IS NOT NULL)`;
const COLUMNS = `lead_id::text AS lead_id, utm_campaign AS campaign, utm_source AS source, utm_medium AS medium, utm_term AS term, utm_content AS content, occurred_at AS "occurredAt"`;

/**
 * First and latest touch UTMs of leads, one statement for every lead of the request: of a lead's
 * events that are its touchpoints and carry UTM parameters of their own (a conversion that took
 * its session's campaign carries none), the earliest and the latest (ties: the first stored).
 * Read from the events as they are, so stitching, re-placing and erasure show at once.
 */
export function leadUtmLoader(ctx: Context) {
  return ctx.loaders.get<string, { first: LeadTouchUtm | null; latest: LeadTouchUtm | null }>('tracking:leadUtms', async (leadIds) => {
    const rows = (await managerOf(ctx).query(
      `SELECT * FROM (
         SELECT DISTINCT ON (lead_id) 'first' AS which, ${COLUMNS} FROM tracked_events
          WHERE lead_id = ANY ($1::bigint[]) AND outcome = 'TOUCHPOINT' AND session_event_id IS NULL AND ${HAS_UTM}
          ORDER BY lead_id, occurred_at, id) f
       UNION ALL
       SELECT * FROM (
         SELECT DISTINCT ON (lead_id) 'latest' AS which, ${COLUMNS} FROM tracked_events
          WHERE lead_id = ANY ($1::bigint[]) AND outcome = 'TOUCHPOINT' AND session_event_id IS NULL AND ${HAS_UTM}
          ORDER BY lead_id, occurred_at DESC, id DESC) l`,
      [leadIds],
    )) as UtmRow[];
    const byLead = new Map<string, { first: LeadTouchUtm | null; latest: LeadTouchUtm | null }>();
    for (const { lead_id, which, ...utm } of rows) {
      const entry = byLead.get(lead_id) ?? { first: null, latest: null };
      entry[which] = utm;
      byLead.set(lead_id, entry);
    }
    return leadIds.map((id) => byLead.get(id) ?? { first: null, latest: null });
  });
}
