import { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * The journeys of METRICS.md as database functions: the one definition that the direct
 * attribution queries (src/metrics/attribution.sql.ts) and the attribution cache kept
 * current on write (the next migration) both read, so the two can never disagree.
 *
 * A journey is named by where it ends: 'PIPELINE' journeys end at the opportunity's
 * creation, 'REVENUE' journeys at its close (the caller passes won opportunities for
 * revenue, or every closed one for the Markov paths). Touches are ordered by
 * (occurredAt, id); lookbackDays is counted in seconds (86,400 per day), never in
 * calendar days, so that no time zone can shift it.
 */

/**
 * One row per journey and campaign from the rows of attribution_journey_touches in `touches`:
 * what the rule-based models need, without the touches (see attribution_journey_rows).
 * Shared with the attribution cache (next migration), which builds the journeys of many
 * opportunities once for both their rows and their Markov paths.
 */
export const journeyRowsSql = (touches: string, halfLifeDays: string): string => `
        classified AS (
          SELECT t.opportunity_id, t.measure, t.journey_end, t.amount, t.opportunity_kind, t.campaign_id, t.touch_count,
                 (CASE WHEN t.touch_count = 1 THEN 100 ELSE 200 END)
                 + 10 * (CASE WHEN t.conversion_position IS NULL THEN 0 WHEN t.conversion_position = 1 THEN 1
                              WHEN t.conversion_position = t.touch_count THEN 2 ELSE 3 END)
                 + (CASE WHEN t.creation_position IS NULL THEN 0 WHEN t.creation_position = 1 THEN 1
                         WHEN t.creation_position = t.touch_count THEN 2
                         WHEN t.creation_position = t.conversion_position THEN 3 ELSE 4 END) AS sig,
                 CASE WHEN t.position = 1 THEN 1 WHEN t.position = t.touch_count THEN 2
                      WHEN t.position = t.conversion_position THEN 4 WHEN t.position = t.creation_position THEN 8
                      ELSE 0 END AS class_bit,
                 CASE WHEN ${halfLifeDays} IS NOT NULL
                      THEN power(0.5::float8, least(extract(epoch FROM t.last_touch_at - t.occurred_at)::float8 / 86400
                                                    / ${halfLifeDays}, 100))::numeric
                 END AS decay_factor
          FROM ${touches} t
        ),
        campaign_rows AS (   -- grouped by journey then campaign; min() of what is the journey's own (one value)
          SELECT measure, opportunity_id, campaign_id, count(*)::integer AS touches, sum(decay_factor) AS decay_sum,
                 bit_or(class_bit)::smallint AS class_mask, min(journey_end) AS journey_end, min(amount) AS amount,
                 min(opportunity_kind) AS opportunity_kind, min(touch_count)::integer AS touch_count,
                 min(sig)::smallint AS sig
          FROM classified
          GROUP BY measure, opportunity_id, campaign_id
        )
        SELECT opportunity_id, measure, journey_end, amount, opportunity_kind, campaign_id, touches, decay_sum,
               touch_count, sig, class_mask, sum(decay_sum) OVER (PARTITION BY measure, opportunity_id)
        FROM campaign_rows`;

export class AttributionJourneys1732500000000 implements MigrationInterface {
  name = 'AttributionJourneys1732500000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- Every touch of every journey asked for, in order, with what its roles are placed by.
      CREATE FUNCTION attribution_journey_touches(
        p_pipeline_ids bigint[], p_revenue_ids bigint[], p_lookback_days float8, p_scope text)
      RETURNS TABLE (
        opportunity_id bigint, measure text, journey_end timestamptz, amount numeric, opportunity_kind text, won boolean,
        created_at timestamptz, touch_id bigint, campaign_id bigint, occurred_at timestamptz,
        "position" bigint, touch_count bigint, last_touch_at timestamptz,
        conversion_position bigint, creation_position bigint)
      LANGUAGE sql STABLE PARALLEL SAFE ROWS 100000 AS $$
        WITH journey_ends AS (   -- pipeline journeys end at creation, revenue journeys at the close
          SELECT o.id, o.account_id, o.amount, o.kind, o.stage = 'CLOSED_WON' AS won, o.created_at, 'PIPELINE'::text AS measure,
                 o.created_at AS journey_end
          FROM opportunities o
          WHERE o.id IN (SELECT unnest(p_pipeline_ids))
          UNION ALL
          SELECT o.id, o.account_id, o.amount, o.kind, o.stage = 'CLOSED_WON', o.created_at, 'REVENUE'::text, o.closed_at
          FROM opportunities o
          WHERE o.id IN (SELECT unnest(p_revenue_ids)) AND o.closed_at IS NOT NULL
        ),
        journey_leads AS (   -- whose touches make up a journey: every lead of the account, or only the deal's contacts
          SELECT e.*, l.id AS lead_id, l.mql_at
          FROM journey_ends e
          JOIN leads l ON l.account_id = e.account_id
          WHERE p_scope = 'ACCOUNT'
          UNION ALL
          SELECT e.*, l.id, l.mql_at
          FROM journey_ends e
          JOIN opportunity_contacts oc ON oc.opportunity_id = e.id
          JOIN leads l ON l.id = oc.lead_id
          WHERE p_scope = 'CONTACTS'
        ),
        journey_touches AS (   -- touches from lookbackDays before creation up to the end, ordered by (occurredAt, id)
          SELECT jl.id, jl.measure, jl.journey_end, jl.amount, jl.kind, jl.won, jl.created_at,
                 t.id AS touch_id, t.campaign_id, t.occurred_at,
                 row_number() OVER ordered AS position,
                 count(*) OVER journey AS touch_count,
                 max(t.occurred_at) OVER journey AS last_touch_at,
                 min(jl.mql_at) OVER journey AS conversion_at,   -- earliest mqlAt of the leads in the journey
                 nullif(count(*) FILTER (WHERE t.occurred_at <= jl.created_at) OVER journey, 0) AS creation_position
          FROM journey_leads jl
          JOIN touchpoints t ON t.lead_id = jl.lead_id
           AND t.occurred_at >= jl.created_at - make_interval(secs => p_lookback_days * 86400)
           AND t.occurred_at <= jl.journey_end
          WINDOW journey AS (PARTITION BY jl.measure, jl.id), ordered AS (journey ORDER BY t.occurred_at, t.id)
        )
        -- the last touch at or before a time is the one whose position is the number of touches up to it
        SELECT id, measure, journey_end, amount, kind, won, created_at, touch_id, campaign_id, occurred_at,
               position, touch_count, last_touch_at,
               nullif(count(*) FILTER (WHERE occurred_at <= conversion_at) OVER (PARTITION BY measure, id), 0),
               creation_position
        FROM journey_touches
      $$;

      -- One row per journey and campaign: what the rule-based models need, without the touches.
      --   sig: the journey's shape, last_class * 100 + conversion_class * 10 + creation_class, where the
      --     classes name the touch holding a role: 1 the first, 2 the last (1 when it is the first),
      --     3 another touch holding lead conversion, 4 another touch holding opportunity creation
      --     (3 when it also holds lead conversion), 0 undefined. The close is the last touch of a
      --     revenue journey.
      --   class_mask: the classes (bit 1 << (class - 1)) whose touch is with this campaign.
      --   decay_sum: sum of the campaign's TIME_DECAY factors 0.5 ^ (days before the last touch /
      --     halfLifeDays), floored at 100 half-lives, as the numerics METRICS.md sums (null when
      --     p_half_life_days is null); decay_total: the journey's sum of them.
      CREATE FUNCTION attribution_journey_rows(
        p_pipeline_ids bigint[], p_revenue_ids bigint[], p_lookback_days float8, p_half_life_days float8, p_scope text)
      RETURNS TABLE (
        opportunity_id bigint, measure text, journey_end timestamptz, amount numeric, opportunity_kind text,
        campaign_id bigint, touches integer, decay_sum numeric, touch_count integer, sig smallint,
        class_mask smallint, decay_total numeric)
      LANGUAGE sql STABLE PARALLEL SAFE ROWS 100000 AS $$
        WITH touches AS (
          SELECT * FROM attribution_journey_touches(p_pipeline_ids, p_revenue_ids, p_lookback_days, p_scope)
        ),
        ${journeyRowsSql('touches', 'p_half_life_days')}
      $$;

      -- The Markov paths of METRICS.md: START -> c_1 -> ... -> c_n -> end, counted per step.
      -- from_campaign_id null is START, to_campaign_id null the end (CONVERSION when won, else NULL).
      CREATE FUNCTION attribution_path_transitions(p_closed_ids bigint[], p_lookback_days float8, p_scope text)
      RETURNS TABLE (opportunity_id bigint, from_campaign_id bigint, to_campaign_id bigint, transitions integer)
      LANGUAGE sql STABLE PARALLEL SAFE ROWS 100000 AS $$
        WITH path_touches AS MATERIALIZED (
          SELECT * FROM attribution_journey_touches('{}', p_closed_ids, p_lookback_days, p_scope)
        ),
        path_steps AS (   -- from the previous state (START first) to each touch's campaign, then to the end
          SELECT opportunity_id, lag(campaign_id) OVER (PARTITION BY opportunity_id ORDER BY position) AS from_campaign_id,
                 campaign_id AS to_campaign_id
          FROM path_touches
          UNION ALL
          SELECT opportunity_id, campaign_id, NULL
          FROM path_touches
          WHERE position = touch_count
        )
        SELECT opportunity_id, from_campaign_id, to_campaign_id, count(*)::integer AS transitions
        FROM path_steps
        GROUP BY opportunity_id, from_campaign_id, to_campaign_id
      $$;
    `);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP FUNCTION attribution_path_transitions(bigint[], float8, text);
      DROP FUNCTION attribution_journey_rows(bigint[], bigint[], float8, float8, text);
      DROP FUNCTION attribution_journey_touches(bigint[], bigint[], float8, text);
    `);
  }
}
