-- The revenue time series (docs/metrics.md, "Time series"; docs/bi.md, "Metric functions").
-- Applied by migrations/1732810000000-bi-metric-functions.ts; a change to this file ships with a
-- new migration that applies it again (CREATE OR REPLACE).
--
-- Definition (docs/metrics.md):
--   Time series (window, grain DAY | WEEK | MONTH | QUARTER, by NONE | CHANNEL | CAMPAIGN): rows
--   (periodStart, key, spend, attributedPipeline, attributedRevenue), periods in UTC, weeks
--   starting Monday; each row computed as campaign performance over that period.
--   So a period's credits are shared out (largest remainder) over the period clipped to the
--   window, as campaignPerformance over it would; rows by NONE also carry the period's
--   unattributed pipeline and revenue. By NONE every period has a row (zeros when nothing
--   happened); by CHANNEL or CAMPAIGN only the keys with spend or credit in the period.
--
-- bi.time_series_report is what the GraphQL revenueTimeSeries runs; bi.revenue_time_series is
-- the same with named, checked arguments for SQL callers.

/*
 * The series of one model (see bi.attribution_report for the model, Markov and journey arguments):
 * one row per period (p_by NONE) or per period and key, ordered by period, then campaign id or channel.
 */
CREATE OR REPLACE FUNCTION bi.time_series_report(
  p_from timestamptz, p_to timestamptz, p_grain text, p_by text,
  p_lookback_days float8, p_half_life_days float8, p_journey_scope text, p_opportunity_kinds text[],
  p_pipeline boolean, p_revenue boolean, p_model text, p_family text,
  p_w_first numeric, p_w_last numeric, p_w_conversion numeric, p_w_creation numeric, p_w_close numeric,
  p_markov_periods timestamptz[], p_markov_campaign_ids bigint[], p_markov_fractions numeric[],
  p_campaign_ids bigint[], p_channels text[], p_journeys text DEFAULT 'AUTO')
RETURNS TABLE (
  period_start timestamptz, period_from timestamptz, period_to timestamptz, campaign_id bigint, channel text,
  spend numeric, attributed_pipeline numeric, attributed_revenue numeric,
  unattributed_pipeline numeric, unattributed_revenue numeric)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $function$
  WITH periods AS (   -- the UTC calendar periods covering the window, the first and last clipped to it
    SELECT g AT TIME ZONE 'UTC' AS period_start,
           greatest(g AT TIME ZONE 'UTC', p_from) AS period_from,
           least((g + s.step) AT TIME ZONE 'UTC', p_to) AS period_to
    FROM (SELECT CASE lower(p_grain) WHEN 'day' THEN interval '1 day' WHEN 'week' THEN interval '7 days'
                                     WHEN 'month' THEN interval '1 month' WHEN 'quarter' THEN interval '3 months' END AS step) s
    CROSS JOIN generate_series(date_trunc(lower(p_grain), p_from AT TIME ZONE 'UTC'), p_to AT TIME ZONE 'UTC', s.step) AS g
    WHERE g AT TIME ZONE 'UTC' < p_to
  ),
  report AS (
    SELECT *
    FROM bi.attribution_report(
      p_from, p_to, lower(p_grain), p_lookback_days, p_half_life_days, p_journey_scope, p_opportunity_kinds,
      p_pipeline, p_revenue, ARRAY[p_model], ARRAY[p_family], ARRAY[p_w_first], ARRAY[p_w_last], ARRAY[p_w_conversion],
      ARRAY[p_w_creation], ARRAY[p_w_close], p_markov_periods, p_markov_campaign_ids, p_markov_fractions,
      p_campaign_ids, p_channels, p_by, 'SPEND', p_journeys)
  ),
  pipeline_computed AS (SELECT p_pipeline AND p_family <> 'MARKOV' AS yes),
  series AS (
  SELECT p.period_start, p.period_from, p.period_to, NULL::bigint AS campaign_id, NULL::text AS channel,
         coalesce(r.spend, 0.00),
         CASE WHEN (SELECT yes FROM pipeline_computed) THEN coalesce(r.attributed_pipeline, 0.00) END,
         CASE WHEN p_revenue THEN coalesce(r.attributed_revenue, 0.00) END,
         CASE WHEN (SELECT yes FROM pipeline_computed) THEN coalesce(r.unattributed_pipeline, 0.00) END,
         CASE WHEN p_revenue THEN coalesce(r.unattributed_revenue, 0.00) END
  FROM periods p
  LEFT JOIN report r ON r.row_kind = 'TOTAL' AND r.period_start = p.period_start
  WHERE p_by = 'NONE'
  UNION ALL
  SELECT p.period_start, p.period_from, p.period_to,
         CASE WHEN p_by = 'CAMPAIGN' THEN r.row_key::bigint END,
         CASE WHEN p_by = 'CAMPAIGN' THEN c.channel ELSE r.row_key END,
         r.spend, r.attributed_pipeline, r.attributed_revenue, NULL, NULL
  FROM report r
  JOIN periods p ON p.period_start = r.period_start
  LEFT JOIN campaigns c ON p_by = 'CAMPAIGN' AND c.id::text = r.row_key   -- (row keys are channels unless by CAMPAIGN)
  WHERE p_by <> 'NONE' AND r.row_kind = 'ROW'
  )
  SELECT * FROM series s ORDER BY s.period_start, s.campaign_id, s.channel COLLATE "C"
$function$;

/*
 * The revenue time series for SQL callers: arguments as bi.campaign_performance, plus p_grain
 * (DAY | WEEK | MONTH | QUARTER) and p_by (NONE | CHANNEL | CAMPAIGN).
 */
CREATE OR REPLACE FUNCTION bi.revenue_time_series(
  p_from timestamptz, p_to timestamptz, p_grain text DEFAULT 'MONTH', p_by text DEFAULT 'NONE',
  p_model text DEFAULT 'LINEAR', p_journey_scope text DEFAULT 'ACCOUNT', p_lookback_days integer DEFAULT 90,
  p_half_life_days float8 DEFAULT 7, p_opportunity_kinds text[] DEFAULT ARRAY['NEW_BUSINESS', 'EXPANSION', 'RENEWAL'],
  p_measures text[] DEFAULT ARRAY['PIPELINE', 'REVENUE'], p_role_weights numeric[] DEFAULT NULL,
  p_campaign_ids bigint[] DEFAULT NULL, p_channels text[] DEFAULT NULL)
RETURNS TABLE (
  period_start timestamptz, period_from timestamptz, period_to timestamptz, campaign_id bigint, channel text,
  spend numeric, attributed_pipeline numeric, attributed_revenue numeric,
  unattributed_pipeline numeric, unattributed_revenue numeric)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $function$
#variable_conflict use_column
DECLARE
  m record := bi.attribution_model_weights(p_model, p_role_weights);
BEGIN
  IF p_grain IS NULL OR upper(p_grain) NOT IN ('DAY', 'WEEK', 'MONTH', 'QUARTER') THEN
    RAISE EXCEPTION 'p_grain must be DAY, WEEK, MONTH or QUARTER' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF p_by IS NULL OR upper(p_by) NOT IN ('NONE', 'CHANNEL', 'CAMPAIGN') THEN
    RAISE EXCEPTION 'p_by must be NONE, CHANNEL or CAMPAIGN' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM bi.check_attribution_arguments(p_from, p_to, m.family, p_journey_scope, p_lookback_days, p_half_life_days,
                                         p_opportunity_kinds, p_measures);
  RETURN QUERY
  SELECT * FROM bi.time_series_report(
    p_from, p_to, lower(p_grain), upper(p_by), p_lookback_days::float8, p_half_life_days, p_journey_scope, p_opportunity_kinds,
    'PIPELINE' = ANY (p_measures), 'REVENUE' = ANY (p_measures), p_model, m.family,
    m.w_first, m.w_last, m.w_conversion, m.w_creation, m.w_close, '{}', '{}', '{}', p_campaign_ids, p_channels);
END
$function$;
