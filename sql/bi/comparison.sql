-- The attribution comparison (docs/metrics.md, "Attribution comparison"; docs/bi.md, "Metric
-- functions"). Applied by migrations/1732810000000-bi-metric-functions.ts; a change to this file
-- ships with a new migration that applies it again (CREATE OR REPLACE).
--
-- Definition (docs/metrics.md):
--   The revenue won in the window under every model side by side: one row per campaign (by
--   CAMPAIGN) or channel (by CHANNEL) that earns credit under at least one model; plus totals and
--   unattributed per model and the total revenue. Each model's figures are those of campaign
--   performance for the same window and journey settings (channel figures: sums of the rounded
--   campaign credits). CUSTOM only when role weights are given. The filters choose rows only:
--   without them, totals + unattributed = total revenue under every model, to the cent.
--
-- Like the GraphQL attributionComparison, it runs bi.attribution_report once for all models.
-- DATA_DRIVEN is not offered from SQL yet (its Markov solve runs in the API): the other models are.

/*
 * Long format, one row per key and model: row_kind 'CAMPAIGN' or 'CHANNEL' (attributed_revenue),
 * then 'TOTAL' per model (attributed_revenue: the sum of the rows; unattributed_revenue,
 * total_revenue). Models: FIRST_TOUCH, LAST_TOUCH, LINEAR, TIME_DECAY, POSITION_BASED,
 * W_SHAPED, FULL_PATH, and CUSTOM when p_role_weights are given.
 */
CREATE OR REPLACE FUNCTION bi.attribution_comparison(
  p_from timestamptz, p_to timestamptz, p_by text DEFAULT 'CAMPAIGN',
  p_journey_scope text DEFAULT 'ACCOUNT', p_lookback_days integer DEFAULT 90, p_half_life_days float8 DEFAULT 7,
  p_opportunity_kinds text[] DEFAULT ARRAY['NEW_BUSINESS', 'EXPANSION', 'RENEWAL'], p_role_weights numeric[] DEFAULT NULL,
  p_campaign_ids bigint[] DEFAULT NULL, p_channels text[] DEFAULT NULL)
RETURNS TABLE (
  row_kind text, campaign_id bigint, channel text, model text,
  attributed_revenue numeric, unattributed_revenue numeric, total_revenue numeric)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $function$
#variable_conflict use_column
DECLARE
  v_models text[] := ARRAY['FIRST_TOUCH', 'LAST_TOUCH', 'LINEAR', 'TIME_DECAY', 'POSITION_BASED', 'W_SHAPED', 'FULL_PATH']
                     || CASE WHEN p_role_weights IS NOT NULL THEN ARRAY['CUSTOM'] ELSE '{}'::text[] END;
  v_by text := upper(p_by);
BEGIN
  IF v_by IS NULL OR v_by NOT IN ('CAMPAIGN', 'CHANNEL') THEN
    RAISE EXCEPTION 'p_by must be CAMPAIGN or CHANNEL' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  PERFORM bi.check_attribution_arguments(p_from, p_to, 'ROLE', p_journey_scope, p_lookback_days, p_half_life_days,
                                         p_opportunity_kinds, ARRAY['REVENUE']);
  RETURN QUERY
  WITH models AS (
    SELECT m.model, m.i, w.*
      FROM unnest(v_models) WITH ORDINALITY AS m(model, i)
      CROSS JOIN LATERAL bi.attribution_model_weights(m.model, p_role_weights) w
  ),
  args AS (
    SELECT array_agg(model ORDER BY i) AS names, array_agg(family ORDER BY i) AS families,
           array_agg(w_first ORDER BY i) AS w_first, array_agg(w_last ORDER BY i) AS w_last,
           array_agg(w_conversion ORDER BY i) AS w_conversion, array_agg(w_creation ORDER BY i) AS w_creation,
           array_agg(w_close ORDER BY i) AS w_close
      FROM models
  )
  SELECT CASE WHEN r.row_kind = 'TOTAL' THEN 'TOTAL' ELSE v_by END,
         CASE WHEN r.row_kind = 'ROW' AND v_by = 'CAMPAIGN' THEN r.row_key::bigint END,
         CASE WHEN r.row_kind = 'ROW' AND v_by = 'CHANNEL' THEN r.row_key END,
         r.model, r.attributed_revenue, r.unattributed_revenue, r.total_revenue
    FROM args a
    CROSS JOIN LATERAL bi.attribution_report(
      p_from, p_to, NULL, p_lookback_days::float8, p_half_life_days, p_journey_scope, p_opportunity_kinds, false, true,
      a.names, a.families, a.w_first, a.w_last, a.w_conversion, a.w_creation, a.w_close, '{}', '{}', '{}',
      p_campaign_ids, p_channels, v_by, 'NONE') r
   ORDER BY r.row_kind = 'TOTAL', CASE WHEN v_by = 'CAMPAIGN' AND r.row_kind = 'ROW' THEN r.row_key::bigint END,
            r.row_key COLLATE "C", array_position(v_models, r.model);
END
$function$;
