/**
 * Demand waterfall of the leads created in [$1, $2). $3 (boolean) groups by the channel
 * of each lead's first touch ever (touches ordered by occurred_at, id); when false every
 * lead gets a null channel and the caller drops the per-channel grouping set.
 *
 * One row per (grouping, stage). `reached` counts the leads with the stage's timestamp
 * set, `reached_next` those with the next stage's timestamp set, and the median runs over
 * the leads with both, in fractional days.
 */
export const FUNNEL_SQL = `
WITH cohort AS (
  SELECT l.id, l.created_at, l.mql_at, l.sal_at, l.sql_at, l.opportunity_at, l.customer_at
    FROM leads l
   WHERE l.created_at >= $1 AND l.created_at < $2
),
first_touch_channel AS (
  SELECT DISTINCT ON (t.lead_id) t.lead_id, c.channel
    FROM touchpoints t
    JOIN campaigns c ON c.id = t.campaign_id
   WHERE $3::boolean AND t.lead_id IN (SELECT id FROM cohort)
   ORDER BY t.lead_id, t.occurred_at, t.id
),
stage_steps AS (
  SELECT ftc.channel, step.position, step.stage, step.reached_at, step.next_reached_at
    FROM cohort co
    LEFT JOIN first_touch_channel ftc ON ftc.lead_id = co.id
   CROSS JOIN LATERAL (VALUES
     (1, 'NEW',         co.created_at,     co.mql_at),
     (2, 'MQL',         co.mql_at,         co.sal_at),
     (3, 'SAL',         co.sal_at,         co.sql_at),
     (4, 'SQL',         co.sql_at,         co.opportunity_at),
     (5, 'OPPORTUNITY', co.opportunity_at, co.customer_at),
     (6, 'CUSTOMER',    co.customer_at,    NULL::timestamptz)
   ) AS step(position, stage, reached_at, next_reached_at)
)
SELECT GROUPING(channel) = 1 AS "isTotal",
       channel,
       position,
       stage,
       count(reached_at)::int AS reached,
       count(next_reached_at)::int AS "reachedNext",
       percentile_cont(0.5) WITHIN GROUP (
         ORDER BY (extract(epoch FROM next_reached_at - reached_at) / 86400)::float8
       ) FILTER (WHERE reached_at IS NOT NULL AND next_reached_at IS NOT NULL) AS "medianDaysToNext"
  FROM stage_steps
 GROUP BY GROUPING SETS ((position, stage), (channel, position, stage))
 ORDER BY "isTotal" DESC, channel NULLS LAST, position
`;
