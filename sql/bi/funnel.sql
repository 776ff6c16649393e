-- The funnel, or demand waterfall (docs/metrics.md, "Funnel"; docs/bi.md, "Metric functions").
-- Applied by migrations/1732810000000-bi-metric-functions.ts; a change to this file ships with a
-- new migration that applies it again (CREATE OR REPLACE).
--
-- Definition (docs/metrics.md):
--   Cohort: leads with createdAt in the window [from, to), optionally grouped by the channel of
--   their first touch ever ((occurredAt, id) order, even one before the lead's createdAt; leads
--   without touches form a group of their own, channel null). Stages in order: created (NEW),
--   MQL, SAL, SQL, OPPORTUNITY, CUSTOMER. A lead reached a stage when that stage's timestamp is set.
--   count(stage); conversionRate(k -> k+1) = count(k+1) / count(k) (null for CUSTOMER and when
--   count(k) is 0); medianDays(k -> k+1) = percentile_cont(0.5) of the fractional days between the
--   two stages' times over the leads that reached both (null when none did).
--   Groups come in channel-name order, the null group last; their counts add up to the total.
--
-- bi.funnel is what the GraphQL funnel query runs, and what SQL callers run.

/*
 * One row per group and stage, in order: the whole cohort first (is_total, channel null), then,
 * with p_group_by 'CHANNEL', each channel of first touch and the untouched leads (channel null).
 */
CREATE OR REPLACE FUNCTION bi.funnel(p_from timestamptz, p_to timestamptz, p_group_by text DEFAULT 'NONE')
RETURNS TABLE (
  is_total boolean, channel text, stage text, stage_order integer,
  count integer, conversion_rate_to_next float8, median_days_to_next float8)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
SET plan_cache_mode = force_custom_plan
SET jit = off
AS $function$
#variable_conflict use_column
DECLARE
  v_by_channel boolean := upper(p_group_by) = 'CHANNEL';
BEGIN
  PERFORM bi.check_window(p_from, p_to);
  IF p_group_by IS NULL OR upper(p_group_by) NOT IN ('NONE', 'CHANNEL') THEN
    RAISE EXCEPTION 'p_group_by must be NONE or CHANNEL' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN QUERY
  WITH cohort AS (
    SELECT l.id, l.created_at, l.mql_at, l.sal_at, l.sql_at, l.opportunity_at, l.customer_at
      FROM leads l
     WHERE l.created_at >= p_from AND l.created_at < p_to
  ),
  first_touches AS (   -- each lead's first touch ever (only when grouping by channel)
    SELECT co.id AS lead_id, first_touch.campaign_id
      FROM cohort co
      CROSS JOIN LATERAL (
        SELECT t.campaign_id
          FROM touchpoints t
         WHERE v_by_channel AND t.lead_id = co.id
         ORDER BY t.occurred_at, t.id
         LIMIT 1
      ) first_touch
  ),
  cohort_by_first_channel AS (
    SELECT co.*, c.channel
      FROM cohort co
      LEFT JOIN first_touches ft ON ft.lead_id = co.id
      LEFT JOIN campaigns c ON c.id = ft.campaign_id
  ),
  step_days AS (   -- fractional days of each step, null unless the lead reached both stages
    SELECT channel, created_at, mql_at, sal_at, sql_at, opportunity_at, customer_at,
           (extract(epoch FROM mql_at - created_at) / 86400)::float8 AS new_to_mql,
           (extract(epoch FROM sal_at - mql_at) / 86400)::float8 AS mql_to_sal,
           (extract(epoch FROM sql_at - sal_at) / 86400)::float8 AS sal_to_sql,
           (extract(epoch FROM opportunity_at - sql_at) / 86400)::float8 AS sql_to_opportunity,
           (extract(epoch FROM customer_at - opportunity_at) / 86400)::float8 AS opportunity_to_customer
      FROM cohort_by_first_channel
  ),
  waterfalls AS (   -- per group (and the total): the count of each stage and the median days of each step
    SELECT GROUPING(channel) = 1 AS is_total, channel,
           ARRAY[count(created_at), count(mql_at), count(sal_at), count(sql_at), count(opportunity_at), count(customer_at)]::int[] AS counts,
           ARRAY[percentile_cont(0.5) WITHIN GROUP (ORDER BY new_to_mql),
                 percentile_cont(0.5) WITHIN GROUP (ORDER BY mql_to_sal),
                 percentile_cont(0.5) WITHIN GROUP (ORDER BY sal_to_sql),
                 percentile_cont(0.5) WITHIN GROUP (ORDER BY sql_to_opportunity),
                 percentile_cont(0.5) WITHIN GROUP (ORDER BY opportunity_to_customer),
                 NULL] AS days
      FROM step_days
     GROUP BY GROUPING SETS ((), (channel))
  )
  SELECT w.is_total, w.channel, s.stage, s.i::int, w.counts[s.i],
         CASE WHEN s.i < 6 AND w.counts[s.i] > 0 THEN w.counts[s.i + 1]::float8 / w.counts[s.i] END,
         w.days[s.i]
    FROM waterfalls w
    CROSS JOIN unnest(ARRAY['NEW', 'MQL', 'SAL', 'SQL', 'OPPORTUNITY', 'CUSTOMER']) WITH ORDINALITY AS s(stage, i)
   WHERE w.is_total OR v_by_channel
   ORDER BY w.is_total DESC, w.channel NULLS LAST, s.i;
END
$function$;
