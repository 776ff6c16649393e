/**
 * Feedback given in [$1, $2), counted by disposition and reason for three groupings at once:
 * all of it, per channel and per campaign of the lead's first touch ever (touches ordered
 * by occurred_at, id). "level" says which: 'TOTAL', 'CHANNEL' or 'CAMPAIGN'.
 */
export const LEAD_FEEDBACK_SQL = `
WITH window_feedback AS (
  SELECT f.lead_id, f.disposition, f.reason
    FROM lead_feedback f
   WHERE f.given_at >= $1 AND f.given_at < $2
),
first_touches AS (
  SELECT fl.lead_id, first_touch.campaign_id
    FROM (SELECT DISTINCT lead_id FROM window_feedback) fl
    CROSS JOIN LATERAL (
      SELECT t.campaign_id
        FROM touchpoints t
       WHERE t.lead_id = fl.lead_id
       ORDER BY t.occurred_at, t.id
       LIMIT 1
    ) first_touch
),
feedback_by_source AS (
  SELECT wf.disposition, wf.reason, ft.campaign_id, c.channel
    FROM window_feedback wf
    LEFT JOIN first_touches ft ON ft.lead_id = wf.lead_id
    LEFT JOIN campaigns c ON c.id = ft.campaign_id
)
SELECT CASE GROUPING(campaign_id, channel) WHEN 3 THEN 'TOTAL' WHEN 2 THEN 'CHANNEL' ELSE 'CAMPAIGN' END AS level,
       campaign_id::text AS "campaignId",
       channel,
       count(*)::int AS "feedbackCount",
       count(*) FILTER (WHERE disposition = 'ACCEPTED')::int AS accepted,
       count(*) FILTER (WHERE disposition = 'REJECTED')::int AS rejected,
       count(*) FILTER (WHERE reason = 'BAD_FIT')::int AS "BAD_FIT",
       count(*) FILTER (WHERE reason = 'NO_BUDGET')::int AS "NO_BUDGET",
       count(*) FILTER (WHERE reason = 'BAD_TIMING')::int AS "BAD_TIMING",
       count(*) FILTER (WHERE reason = 'DUPLICATE')::int AS "DUPLICATE",
       count(*) FILTER (WHERE reason = 'UNREACHABLE')::int AS "UNREACHABLE",
       count(*) FILTER (WHERE reason = 'ALREADY_CUSTOMER')::int AS "ALREADY_CUSTOMER",
       count(*) FILTER (WHERE reason = 'OTHER')::int AS "OTHER"
  FROM feedback_by_source
 GROUP BY GROUPING SETS ((), (channel), (campaign_id, channel))
 ORDER BY level, campaign_id NULLS LAST, channel NULLS LAST
`;
