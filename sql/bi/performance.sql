-- Campaign and channel performance for SQL callers (docs/metrics.md, "Campaign performance";
-- docs/bi.md, "Metric functions"). Applied by migrations/1732810000000-bi-metric-functions.ts; a
-- change to this file ships with a new migration that applies it again (CREATE OR REPLACE).
--
-- Definition (docs/metrics.md):
--   For each campaign c, in the window [from, to), under one model and journey scope:
--   spend: sum of its spend entries in the window. touches: its touchpoints with occurredAt in the
--   window. leadsSourced: leads whose first touch ever is with c and lies in the window. mqls:
--   leads sourced by c (first touch ever) whose mqlAt lies in the window. attributedPipeline,
--   attributedRevenue: credits (sql/bi/attribution.sql), rounded by largest remainder so that the
--   campaign credits plus the unattributed amount equal the rounded total. attributedWins: the
--   same credit applied to a count of 1 per won opportunity (fractional).
--   roi = (attributedRevenue - spend) / spend, roas = attributedRevenue / spend,
--   costPerLead = spend / leadsSourced, costPerMql = spend / mqls (null when the denominator is 0).
--   Channel performance is the same, summed over the campaigns of each channel. Both come with a
--   totals row and the unattributed amounts with their share of the total.
--
-- These are the GraphQL campaignPerformance and channelPerformance, to the cent: both call
-- bi.attribution_report. DATA_DRIVEN is not offered here yet: its Markov solve runs in the API
-- (src/metrics/markov.ts); ask the API for it.

/*
 * The role weights of a model (docs/metrics.md, "Role-based models"), as src/metrics/attribution.params.ts
 * gives them to the API's statements: family ROLE (role weights first, last, lead conversion,
 * opportunity creation, close), DECAY (TIME_DECAY) or MARKOV (DATA_DRIVEN). CUSTOM takes
 * p_role_weights = {first, lead conversion, opportunity creation, close}, each in [0, 1], sum at most 1.
 */
CREATE OR REPLACE FUNCTION bi.attribution_model_weights(p_model text, p_role_weights numeric[] DEFAULT NULL,
  OUT family text, OUT w_first numeric, OUT w_last numeric, OUT w_conversion numeric, OUT w_creation numeric, OUT w_close numeric)
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $function$
BEGIN
  family := 'ROLE';
  w_first := 0; w_last := 0; w_conversion := 0; w_creation := 0; w_close := 0;
  CASE p_model
    WHEN 'FIRST_TOUCH' THEN w_first := 1;
    WHEN 'LAST_TOUCH' THEN w_last := 1;
    WHEN 'LINEAR' THEN NULL;
    WHEN 'POSITION_BASED' THEN w_first := 0.4; w_last := 0.4;
    WHEN 'W_SHAPED' THEN w_first := 0.3; w_conversion := 0.3; w_creation := 0.3;
    WHEN 'FULL_PATH' THEN w_first := 0.225; w_conversion := 0.225; w_creation := 0.225; w_close := 0.225;
    WHEN 'TIME_DECAY' THEN family := 'DECAY';
    WHEN 'DATA_DRIVEN' THEN family := 'MARKOV';
    WHEN 'CUSTOM' THEN
      IF p_role_weights IS NULL OR cardinality(p_role_weights) <> 4 OR array_position(p_role_weights, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'the CUSTOM model needs p_role_weights: {first, lead conversion, opportunity creation, close}'
          USING ERRCODE = 'invalid_parameter_value';
      END IF;
      IF EXISTS (SELECT 1 FROM unnest(p_role_weights) w WHERE w < 0 OR w > 1)
         OR (SELECT sum(w) FROM unnest(p_role_weights) w) > 1 THEN
        RAISE EXCEPTION 'CUSTOM role weights must each lie in [0, 1] and add up to at most 1'
          USING ERRCODE = 'invalid_parameter_value';
      END IF;
      w_first := p_role_weights[1]; w_conversion := p_role_weights[2]; w_creation := p_role_weights[3]; w_close := p_role_weights[4];
    ELSE
      RAISE EXCEPTION 'unknown attribution model %', p_model USING ERRCODE = 'invalid_parameter_value';
  END CASE;
END
$function$;

/* Fails with invalid_parameter_value (22023) unless p_from < p_to (the window of every metric function). */
CREATE OR REPLACE FUNCTION bi.check_window(p_from timestamptz, p_to timestamptz)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $function$
BEGIN
  IF p_from IS NULL OR p_to IS NULL OR NOT p_from < p_to THEN
    RAISE EXCEPTION 'the window must have p_from < p_to' USING ERRCODE = 'invalid_parameter_value';
  END IF;
END
$function$;

/*
 * Checks the arguments every attributed metric function takes (as the API checks its inputs);
 * fails with invalid_parameter_value (22023) naming the argument, or feature_not_supported
 * (0A000) for DATA_DRIVEN, whose Markov solve runs in the API.
 */
CREATE OR REPLACE FUNCTION bi.check_attribution_arguments(
  p_from timestamptz, p_to timestamptz, p_family text, p_journey_scope text, p_lookback_days integer,
  p_half_life_days float8, p_opportunity_kinds text[], p_measures text[])
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $function$
BEGIN
  PERFORM bi.check_window(p_from, p_to);
  IF p_lookback_days IS NULL OR p_lookback_days NOT BETWEEN 1 AND 3650 THEN
    RAISE EXCEPTION 'p_lookback_days must be a whole number of days from 1 to 3650' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF p_half_life_days IS NULL OR NOT (p_half_life_days > 0 AND p_half_life_days <= 3650) THEN
    RAISE EXCEPTION 'p_half_life_days must be above 0 and at most 3650' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF p_journey_scope IS NULL OR p_journey_scope NOT IN ('ACCOUNT', 'CONTACTS') THEN
    RAISE EXCEPTION 'p_journey_scope must be ACCOUNT or CONTACTS' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF coalesce(cardinality(p_opportunity_kinds), 0) = 0
     OR NOT p_opportunity_kinds <@ ARRAY['NEW_BUSINESS', 'EXPANSION', 'RENEWAL'] THEN
    RAISE EXCEPTION 'p_opportunity_kinds must name one or more of NEW_BUSINESS, EXPANSION, RENEWAL' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF coalesce(cardinality(p_measures), 0) = 0 OR NOT p_measures <@ ARRAY['PIPELINE', 'REVENUE'] THEN
    RAISE EXCEPTION 'p_measures must name PIPELINE, REVENUE or both' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF p_family = 'MARKOV' THEN
    RAISE EXCEPTION 'DATA_DRIVEN is not available from SQL yet: its Markov solve runs in the API; ask the GraphQL query'
      USING ERRCODE = 'feature_not_supported';
  END IF;
END
$function$;

/*
 * The rows (row_kind 'ROW', row_key a campaign id or a channel) and the totals row ('TOTAL', zeros
 * when nothing is in scope) of one model over one window: what campaign_performance and
 * channel_performance return.
 */
CREATE OR REPLACE FUNCTION bi.performance_report(
  p_row_key text, p_from timestamptz, p_to timestamptz, p_model text, p_journey_scope text,
  p_lookback_days integer, p_half_life_days float8, p_opportunity_kinds text[], p_measures text[],
  p_role_weights numeric[], p_campaign_ids bigint[], p_channels text[])
RETURNS TABLE (
  row_kind text, row_key text,
  spend numeric, touches integer, leads_sourced integer, mqls integer,
  attributed_pipeline numeric, attributed_revenue numeric, attributed_wins float8,
  roi float8, roas float8, cost_per_lead float8, cost_per_mql float8,
  unattributed_pipeline numeric, unattributed_revenue numeric, total_pipeline numeric, total_revenue numeric,
  unattributed_pipeline_share float8, unattributed_revenue_share float8)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $function$
#variable_conflict use_column
DECLARE
  m record := bi.attribution_model_weights(p_model, p_role_weights);
  v_pipeline boolean := 'PIPELINE' = ANY (p_measures);
  v_revenue boolean := 'REVENUE' = ANY (p_measures);
  v_total boolean := false;
  r record;
BEGIN
  PERFORM bi.check_attribution_arguments(p_from, p_to, m.family, p_journey_scope, p_lookback_days, p_half_life_days,
                                         p_opportunity_kinds, p_measures);

  FOR r IN
    SELECT * FROM bi.attribution_report(
      p_from, p_to, NULL, p_lookback_days::float8, p_half_life_days, p_journey_scope,
      p_opportunity_kinds, v_pipeline, v_revenue,
      ARRAY[p_model], ARRAY[m.family], ARRAY[m.w_first], ARRAY[m.w_last], ARRAY[m.w_conversion],
      ARRAY[m.w_creation], ARRAY[m.w_close], '{}', '{}', '{}',
      p_campaign_ids, p_channels, p_row_key, 'ALL')
  LOOP
    v_total := v_total OR r.row_kind = 'TOTAL';
    row_kind := r.row_kind; row_key := r.row_key;
    spend := r.spend; touches := r.touches; leads_sourced := r.leads_sourced; mqls := r.mqls;
    attributed_pipeline := r.attributed_pipeline; attributed_revenue := r.attributed_revenue; attributed_wins := r.attributed_wins;
    roi := r.roi; roas := r.roas; cost_per_lead := r.cost_per_lead; cost_per_mql := r.cost_per_mql;
    unattributed_pipeline := r.unattributed_pipeline; unattributed_revenue := r.unattributed_revenue;
    total_pipeline := r.total_pipeline; total_revenue := r.total_revenue;
    unattributed_pipeline_share := r.unattributed_pipeline_share; unattributed_revenue_share := r.unattributed_revenue_share;
    RETURN NEXT;
  END LOOP;
  IF NOT v_total THEN   -- nothing in scope: a totals row of zeros (null for a measure not asked for)
    row_kind := 'TOTAL'; row_key := NULL;
    spend := 0.00; touches := 0; leads_sourced := 0; mqls := 0;
    attributed_pipeline := CASE WHEN v_pipeline THEN 0.00 END;
    attributed_revenue := CASE WHEN v_revenue THEN 0.00 END;
    attributed_wins := CASE WHEN v_revenue THEN 0 END;
    roi := NULL; roas := NULL; cost_per_lead := NULL; cost_per_mql := NULL;
    unattributed_pipeline := attributed_pipeline; unattributed_revenue := attributed_revenue;
    total_pipeline := attributed_pipeline; total_revenue := attributed_revenue;
    unattributed_pipeline_share := NULL; unattributed_revenue_share := NULL;
    RETURN NEXT;
  END IF;
END
$function$;

/*
 * Campaign performance: one row per campaign with activity or credit in the window (row_kind
 * 'CAMPAIGN', by campaign id), then the totals row ('TOTAL', campaign_id null) with the
 * unattributed and total amounts and the unattributed shares (null on campaign rows).
 * p_measures: PIPELINE and/or REVENUE (a measure not asked for is null). p_role_weights: CUSTOM only.
 * p_campaign_ids (bi.campaigns.campaign_id) / p_channels: only these rows (totals: their sum;
 * unattributed and total amounts: of all campaigns).
 */
CREATE OR REPLACE FUNCTION bi.campaign_performance(
  p_from timestamptz, p_to timestamptz, p_model text DEFAULT 'LINEAR',
  p_journey_scope text DEFAULT 'ACCOUNT', p_lookback_days integer DEFAULT 90, p_half_life_days float8 DEFAULT 7,
  p_opportunity_kinds text[] DEFAULT ARRAY['NEW_BUSINESS', 'EXPANSION', 'RENEWAL'],
  p_measures text[] DEFAULT ARRAY['PIPELINE', 'REVENUE'], p_role_weights numeric[] DEFAULT NULL,
  p_campaign_ids bigint[] DEFAULT NULL, p_channels text[] DEFAULT NULL)
RETURNS TABLE (
  row_kind text, campaign_id bigint,
  spend numeric, touches integer, leads_sourced integer, mqls integer,
  attributed_pipeline numeric, attributed_revenue numeric, attributed_wins float8,
  roi float8, roas float8, cost_per_lead float8, cost_per_mql float8,
  unattributed_pipeline numeric, unattributed_revenue numeric, total_pipeline numeric, total_revenue numeric,
  unattributed_pipeline_share float8, unattributed_revenue_share float8)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $function$
  SELECT CASE r.row_kind WHEN 'ROW' THEN 'CAMPAIGN' ELSE r.row_kind END, r.row_key::bigint,
         r.spend, r.touches, r.leads_sourced, r.mqls, r.attributed_pipeline, r.attributed_revenue, r.attributed_wins,
         r.roi, r.roas, r.cost_per_lead, r.cost_per_mql,
         r.unattributed_pipeline, r.unattributed_revenue, r.total_pipeline, r.total_revenue,
         r.unattributed_pipeline_share, r.unattributed_revenue_share
  FROM bi.performance_report('CAMPAIGN', p_from, p_to, p_model, p_journey_scope, p_lookback_days, p_half_life_days,
                             p_opportunity_kinds, p_measures, p_role_weights, p_campaign_ids, p_channels) r
  ORDER BY r.row_kind = 'TOTAL', r.row_key::bigint
$function$;

/*
 * Channel performance: the campaign figures summed per channel (row_kind 'CHANNEL'), then the
 * totals row ('TOTAL', channel null); arguments as campaign_performance (p_campaign_ids: only the
 * rows of these campaigns' figures).
 */
CREATE OR REPLACE FUNCTION bi.channel_performance(
  p_from timestamptz, p_to timestamptz, p_model text DEFAULT 'LINEAR',
  p_journey_scope text DEFAULT 'ACCOUNT', p_lookback_days integer DEFAULT 90, p_half_life_days float8 DEFAULT 7,
  p_opportunity_kinds text[] DEFAULT ARRAY['NEW_BUSINESS', 'EXPANSION', 'RENEWAL'],
  p_measures text[] DEFAULT ARRAY['PIPELINE', 'REVENUE'], p_role_weights numeric[] DEFAULT NULL,
  p_campaign_ids bigint[] DEFAULT NULL, p_channels text[] DEFAULT NULL)
RETURNS TABLE (
  row_kind text, channel text,
  spend numeric, touches integer, leads_sourced integer, mqls integer,
  attributed_pipeline numeric, attributed_revenue numeric, attributed_wins float8,
  roi float8, roas float8, cost_per_lead float8, cost_per_mql float8,
  unattributed_pipeline numeric, unattributed_revenue numeric, total_pipeline numeric, total_revenue numeric,
  unattributed_pipeline_share float8, unattributed_revenue_share float8)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $function$
  SELECT CASE r.row_kind WHEN 'ROW' THEN 'CHANNEL' ELSE r.row_kind END, r.row_key,
         r.spend, r.touches, r.leads_sourced, r.mqls, r.attributed_pipeline, r.attributed_revenue, r.attributed_wins,
         r.roi, r.roas, r.cost_per_lead, r.cost_per_mql,
         r.unattributed_pipeline, r.unattributed_revenue, r.total_pipeline, r.total_revenue,
         r.unattributed_pipeline_share, r.unattributed_revenue_share
  FROM bi.performance_report('CHANNEL', p_from, p_to, p_model, p_journey_scope, p_lookback_days, p_half_life_days,
                             p_opportunity_kinds, p_measures, p_role_weights, p_campaign_ids, p_channels) r
  ORDER BY r.row_kind = 'TOTAL', r.row_key COLLATE "C"
$function$;
