-- Closed-loop feedback (docs/metrics.md, "Closed-loop feedback"; docs/bi.md, "Metric functions").
-- Applied by migrations/1732810000000-bi-metric-functions.ts; a change to this file ships with a
-- new migration that applies it again (CREATE OR REPLACE).
--
-- Definition (docs/metrics.md):
--   Window on givenAt. Counts of each disposition given in the window, per campaign and per
--   channel of the lead's first touch ever ((occurredAt, id) order, whenever it happened; leads
--   without touches: a row with no campaign and no channel), and in total, with
--   rejectionRate = rejected / (accepted + rejected) (null when there is no entry) and the
--   rejections per reason code. Every feedback entry counts once (a lead accepted and later
--   rejected in the window counts once in each).
--
-- bi.feedback_summary is what the GraphQL leadFeedbackSummary query runs, and what SQL callers run.

/*
 * The feedback given in [p_from, p_to), three groupings at once: level 'TOTAL' (one row, always),
 * 'CHANNEL' (per channel of first touch) and 'CAMPAIGN' (per campaign of first touch, with its
 * channel); ordered by level, then campaign id and channel, the rows without one last.
 */
CREATE OR REPLACE FUNCTION bi.feedback_summary(p_from timestamptz, p_to timestamptz)
RETURNS TABLE (
  level text, campaign_id bigint, channel text,
  feedback_count integer, accepted integer, rejected integer, rejection_rate float8,
  bad_fit integer, no_budget integer, bad_timing integer, duplicate integer, unreachable integer,
  already_customer integer, other integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
SET plan_cache_mode = force_custom_plan
SET jit = off
AS $function$
#variable_conflict use_column
BEGIN
  PERFORM bi.check_window(p_from, p_to);
  RETURN QUERY
  WITH window_feedback AS (
    SELECT f.lead_id, f.disposition, f.reason
      FROM lead_feedback f
     WHERE f.given_at >= p_from AND f.given_at < p_to
  ),
  first_touches AS (   -- the first touch ever of each lead with feedback in the window
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
  ),
  counted AS (
    SELECT CASE GROUPING(campaign_id, channel) WHEN 3 THEN 'TOTAL' WHEN 2 THEN 'CHANNEL' ELSE 'CAMPAIGN' END AS level,
           campaign_id, channel,
           count(*)::int AS feedback_count,
           count(*) FILTER (WHERE disposition = 'ACCEPTED')::int AS accepted,
           count(*) FILTER (WHERE disposition = 'REJECTED')::int AS rejected,
           count(*) FILTER (WHERE reason = 'BAD_FIT')::int AS bad_fit,
           count(*) FILTER (WHERE reason = 'NO_BUDGET')::int AS no_budget,
           count(*) FILTER (WHERE reason = 'BAD_TIMING')::int AS bad_timing,
           count(*) FILTER (WHERE reason = 'DUPLICATE')::int AS duplicate,
           count(*) FILTER (WHERE reason = 'UNREACHABLE')::int AS unreachable,
           count(*) FILTER (WHERE reason = 'ALREADY_CUSTOMER')::int AS already_customer,
           count(*) FILTER (WHERE reason = 'OTHER')::int AS other
      FROM feedback_by_source
     GROUP BY GROUPING SETS ((), (channel), (campaign_id, channel))
  )
  SELECT c.level, c.campaign_id, c.channel, c.feedback_count, c.accepted, c.rejected,
         c.rejected::float8 / nullif(c.accepted + c.rejected, 0),
         c.bad_fit, c.no_budget, c.bad_timing, c.duplicate, c.unreachable, c.already_customer, c.other
    FROM counted c
   ORDER BY c.level, c.campaign_id NULLS LAST, c.channel NULLS LAST;
END
$function$;
