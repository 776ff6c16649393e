import { Campaign } from '../campaigns/campaign.entity';
import type { EntityManager } from 'typeorm';
import type { Context } from '../graphql/context';
import { byIdLoader } from '../graphql/entity-loaders';
import { validateWindow } from '../metrics/metric-args';
import {
  TrackedEventOutcome,
  TrackedEventOutcomeCount,
  TrackingHealthInput,
  TrackingHealthReport,
  UnknownSourceMedium,
  UnknownUtmCampaign,
  UntrackedCampaignSpend,
} from './tracking-health.types';

/**
 * The tracking health (docs/events.md): what the processing of the web events of a
 * window could not place. Events are in the window by their time (occurred_at), spend by its day
 * (the day's start, UTC). Each figure is one statement over the window's events.
 */

const OUTCOMES = `
  SELECT coalesce(outcome, 'PENDING') AS outcome, count(*)::int AS events
    FROM tracked_events WHERE occurred_at >= $1 AND occurred_at < $2 GROUP BY 1`;

const UNKNOWN_CAMPAIGNS = `
  SELECT mode() WITHIN GROUP (ORDER BY utm_campaign) AS value, count(*)::int AS events,
         count(*) FILTER (WHERE campaign_id IS NULL)::int AS "unplacedEvents",
         min(occurred_at) AS "firstSeenAt", max(occurred_at) AS "lastSeenAt"
    FROM tracked_events
   WHERE occurred_at >= $1 AND occurred_at < $2 AND unknown_utm_campaign
   GROUP BY lower(btrim(utm_campaign))
   ORDER BY events DESC, value LIMIT $3`;

const UNKNOWN_SOURCE_MEDIA = `
  SELECT tracking_norm(utm_source) AS source, tracking_norm(utm_medium) AS medium, count(*)::int AS events,
         min(occurred_at) AS "firstSeenAt", max(occurred_at) AS "lastSeenAt"
    FROM tracked_events
   WHERE occurred_at >= $1 AND occurred_at < $2 AND unknown_source_medium
   GROUP BY 1, 2
   ORDER BY events DESC, source NULLS FIRST, medium NULLS FIRST LIMIT $3`;

/** Campaigns with spend on the window's days and no event of the window placed on them (touchpoint or anonymous). */
const UNTRACKED_SPEND = `
  WITH spend AS (
    SELECT s.campaign_id, sum(s.amount) AS spend FROM campaign_spend s
     WHERE (s.spent_on::timestamp AT TIME ZONE 'UTC') >= $1 AND (s.spent_on::timestamp AT TIME ZONE 'UTC') < $2
     GROUP BY s.campaign_id
  ),
  tracked AS (
    SELECT DISTINCT campaign_id FROM tracked_events
     WHERE occurred_at >= $1 AND occurred_at < $2 AND campaign_id IS NOT NULL AND outcome IN ('TOUCHPOINT', 'ANONYMOUS')
  ),
  untracked AS (
    SELECT s.* FROM spend s WHERE s.spend > 0 AND NOT EXISTS (SELECT 1 FROM tracked t WHERE t.campaign_id = s.campaign_id)
  )
  SELECT coalesce((SELECT sum(spend) FROM untracked), 0)::text AS total,
         coalesce((SELECT json_agg(json_build_object('campaignId', campaign_id::text, 'spend', spend::text) ORDER BY spend DESC, campaign_id)
                     FROM (SELECT * FROM untracked ORDER BY spend DESC, campaign_id LIMIT $3) l), '[]') AS rows`;

/** Anonymous ids of the window never identified as a lead, and their events. */
const ANONYMOUS = `
  SELECT count(DISTINCT e.anonymous_id)::int AS ids, count(*)::int AS events, count(*) FILTER (WHERE e.outcome = 'ANONYMOUS')::int AS touches
    FROM tracked_events e
   WHERE e.occurred_at >= $1 AND e.occurred_at < $2 AND e.anonymous_id IS NOT NULL AND e.processed_at IS NOT NULL AND e.lead_id IS NULL
     AND NOT EXISTS (SELECT 1 FROM tracking_anonymous_ids a WHERE a.anonymous_id = e.anonymous_id AND a.lead_id IS NOT NULL)`;

const BACKLOG = `SELECT count(*)::int AS backlog, min(received_at) AS oldest FROM tracked_events WHERE processed_at IS NULL`;

const ORDER = Object.values(TrackedEventOutcome);

/** Runs the steps one after the other (one connection, one snapshot), keeping each result's type. */
async function sequence<T extends unknown[]>(...steps: { [K in keyof T]: () => Promise<T[K]> }): Promise<T> {
  const results: unknown[] = [];
  for (const step of steps) results.push(await step());
  return results as T;
}

export async function trackingHealth(ctx: Context, input: TrackingHealthInput): Promise<TrackingHealthReport> {
  validateWindow('input.window', input.window);
  const { from, to } = input.window;
  const limit = input.limit ?? 50;
  const window = [from, to];
  // one snapshot for every figure: statements side by side on separate connections could see a
  // processing chunk commit between them (pending in one, processed in another)
  const read = (db: EntityManager) =>
    sequence(
      () => db.query(OUTCOMES, window) as Promise<TrackedEventOutcomeCount[]>,
      () => db.query(UNKNOWN_CAMPAIGNS, [...window, limit]) as Promise<UnknownUtmCampaign[]>,
      () => db.query(UNKNOWN_SOURCE_MEDIA, [...window, limit]) as Promise<UnknownSourceMedium[]>,
      () => db.query(UNTRACKED_SPEND, [...window, limit]) as Promise<{ total: string; rows: UntrackedCampaignSpend[] }[]>,
      () => db.query(ANONYMOUS, window) as Promise<{ ids: number; events: number; touches: number }[]>,
      () => db.query(BACKLOG) as Promise<{ backlog: number; oldest: Date | null }[]>,
    );
  const [outcomes, campaigns, media, spend, anonymous, backlog] = ctx.tx
    ? await read(ctx.tx)
    : await (ctx.readDs ?? ctx.ds).transaction('REPEATABLE READ', async (tx) => {
        await tx.query('SET TRANSACTION READ ONLY');
        return read(tx);
      });
  outcomes.sort((a, b) => ORDER.indexOf(a.outcome) - ORDER.indexOf(b.outcome));
  return {
    from,
    to,
    events: outcomes.reduce((n, o) => n + o.events, 0),
    outcomes,
    unknownUtmCampaigns: campaigns,
    unknownSourceMedia: media,
    campaignsWithoutTrackedTouches: spend[0]?.rows ?? [],
    untrackedSpend: spend[0]?.total ?? '0',
    anonymousIds: anonymous[0]?.ids ?? 0,
    anonymousIdEvents: anonymous[0]?.events ?? 0,
    anonymousTouches: anonymous[0]?.touches ?? 0,
    backlog: backlog[0]?.backlog ?? 0,
    oldestPendingReceivedAt: backlog[0]?.oldest ?? null,
  };
}

export function untrackedCampaign(ctx: Context, row: UntrackedCampaignSpend): Promise<Campaign | null> {
  return byIdLoader<Campaign>(ctx, Campaign).load(row.campaignId);
}
