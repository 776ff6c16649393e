-- Attribution: the one definition of every attributed figure (docs/metrics.md, "Journeys",
-- "Rule-based models", "Role-based models", "Data-driven model", "Campaign performance").
-- Applied by migrations/1732810000000-bi-metric-functions.ts; a change to this file ships with a
-- new migration that applies it again (CREATE OR REPLACE).
--
-- bi.attribution_report is what the API runs for campaign and channel performance, the revenue
-- time series and the attribution comparison; the public functions of sql/bi/performance.sql
-- call it too. Definitions (docs/metrics.md):
--
--   Time is UTC; a window is half-open, from <= t < to. Money is NUMERIC; sums keep full
--   precision and monetary outputs are rounded half away from zero to cents at the end. Ratios
--   are unrounded and null when their denominator is 0.
--   Where one total is shared out (the campaign credits and the unattributed amount of one
--   window, model and measure), the shares are rounded by largest remainder: each rounded down
--   to the cent, then the cents still missing to the rounded total go one each to the shares
--   with the largest remainders (ties: unattributed first, then lowest campaign id; remainders
--   equal to 12 decimal places are ties). Channel rows and totals are sums of these rounded
--   campaign credits. Ratios use the rounded figures.
--   Journey of opportunity O at account A ending at `end`: every touch T of a lead of A (journey
--   scope ACCOUNT) or of O's contact leads (CONTACTS) with
--   O.createdAt - lookbackDays <= T.occurredAt <= end, ordered by (occurredAt, id).
--   Pipeline: opportunities created in the window, end = createdAt. Revenue: CLOSED_WON
--   opportunities closed in the window, end = closedAt. An empty journey is unattributed.
--   Credit of a campaign = sum over opportunities of amount * (sum of w_i of its touches):
--   FIRST_TOUCH w_1 = 1; LAST_TOUCH w_n = 1; LINEAR 1/n; TIME_DECAY r_i = 0.5 ^ ((end - t_i) /
--   halfLifeDays), w_i = r_i / sum r; role-based models (POSITION_BASED first 0.4, last 0.4;
--   W_SHAPED first, lead conversion, opportunity creation 0.3 each; FULL_PATH those and close
--   0.225 each; CUSTOM the roleWeights): each holding role adds its weight to its touch, the rest
--   is split equally among the touches holding no role, or pro rata among the holding roles
--   when every touch holds one. DATA_DRIVEN: first-order Markov removal effect over the paths
--   closed in the window, credit RE(c) / sum RE times the won amount with non-empty journeys;
--   its fractions are solved from bi.attribution_markov_transitions (src/metrics/markov.ts)
--   and passed in as p_markov_*.
--   Campaign performance per campaign: spend (entries whose day lies in the window), touches
--   (occurredAt in the window), leadsSourced (first touch ever with c, in the window), mqls
--   (leads sourced by c with mqlAt in the window), attributed pipeline / revenue / wins, roi =
--   (revenue - spend) / spend, roas = revenue / spend, costPerLead = spend / leadsSourced,
--   costPerMql = spend / mqls. Channels: the campaign figures summed. A totals row and the
--   unattributed amounts with their share of the total. Under DATA_DRIVEN pipeline is null.
--
-- Plans: the statements are planned with the values of each call (plan_cache_mode =
-- force_custom_plan), as when the API sent them as one statement: which caches a window can
-- read (whole days, whole months) depends on the values; without JIT, as in the API's sessions.
-- The functions run with the rights of the bi owner (SECURITY DEFINER, fixed search_path): a BI
-- role may call them, yet reads no base table itself. They return aggregates only (ids, channels,
-- amounts, counts), no personal data.

/*
 * Whether a query reads its journeys from the attribution cache (migrations/1732510000000-attribution-cache.ts):
 * AUTO when the cache is ready and holds them (ACCOUNT scope, the cache's lookback, and its
 * half-life when TIME_DECAY is asked for); DIRECT never; CACHED_JOURNEYS, CACHED_MONTHS and
 * CACHED_SHAPES always.
 */
CREATE OR REPLACE FUNCTION bi.attribution_reads_cache(
  p_journeys text, p_lookback_days float8, p_half_life_days float8, p_journey_scope text, p_families text[])
RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $function$
BEGIN
  IF p_journeys = 'DIRECT' THEN RETURN false; END IF;
  IF p_journeys IN ('CACHED_JOURNEYS', 'CACHED_MONTHS', 'CACHED_SHAPES') THEN RETURN true; END IF;
  IF p_journeys IS DISTINCT FROM 'AUTO' THEN
    RAISE EXCEPTION 'unknown journey source %: AUTO, DIRECT, CACHED_JOURNEYS, CACHED_MONTHS or CACHED_SHAPES', p_journeys
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN (SELECT coalesce(bool_and(s.ready AND p_journey_scope = 'ACCOUNT' AND s.lookback_days = p_lookback_days
                                   AND (s.half_life_days = p_half_life_days OR NOT 'DECAY' = ANY (p_families))), false)
          FROM attribution_cache_settings s);
END
$function$;

/*
 * Every attributed figure of every model and period asked for, in one statement: one 'ROW' per
 * row key (campaign id, channel, or none) and period, and one 'TOTAL' per model and period with
 * the sums of the rows and the unattributed and total amounts (none when nothing is in scope).
 *
 *   p_from, p_to          the window [from, to)
 *   p_grain               null: the whole window is one period; day | week | month | quarter (UTC, weeks from Monday)
 *   p_lookback_days, p_half_life_days, p_journey_scope (ACCOUNT | CONTACTS), p_opportunity_kinds
 *   p_pipeline, p_revenue the measures to compute
 *   p_models, p_families  the models (names) and how each is computed (ROLE | DECAY | MARKOV)
 *   p_w_first .. p_w_close  per model: the weights of the roles first, last, lead conversion,
 *                         opportunity creation and close
 *   p_markov_periods, p_markov_campaign_ids, p_markov_fractions  DATA_DRIVEN: RE(c) / sum RE per period and campaign
 *   p_campaign_ids, p_channels  the campaigns whose rows are shown (null: all)
 *   p_row_key             CAMPAIGN | CHANNEL | NONE
 *   p_activity            ALL (spend, touches, leads sourced, MQLs) | SPEND | NONE
 *   p_journeys            AUTO: the attribution cache when it is ready and holds the query's journeys
 *                         (ACCOUNT scope, its lookback and half-life), else the touches; DIRECT,
 *                         CACHED_JOURNEYS, CACHED_MONTHS force a source (tests compare them);
 *                         CACHED_SHAPES: CACHED_MONTHS, with whole months read from the monthly sums
 *                         per journey shape under every model (not from the kept credits)
 */
CREATE OR REPLACE FUNCTION bi.attribution_report(
  p_from timestamptz, p_to timestamptz, p_grain text,
  p_lookback_days float8, p_half_life_days float8, p_journey_scope text, p_opportunity_kinds text[],
  p_pipeline boolean, p_revenue boolean, p_models text[], p_families text[],
  p_w_first numeric[], p_w_last numeric[], p_w_conversion numeric[], p_w_creation numeric[], p_w_close numeric[],
  p_markov_periods timestamptz[], p_markov_campaign_ids bigint[], p_markov_fractions numeric[],
  p_campaign_ids bigint[], p_channels text[], p_row_key text, p_activity text,
  p_journeys text DEFAULT 'AUTO')
RETURNS TABLE (
  row_kind text, model text, period_start timestamptz, row_key text,
  spend numeric, touches integer, leads_sourced integer, mqls integer,
  attributed_pipeline numeric, attributed_revenue numeric, attributed_wins float8,
  roi float8, roas float8, cost_per_lead float8, cost_per_mql float8,
  unattributed_pipeline numeric, unattributed_revenue numeric, total_pipeline numeric, total_revenue numeric,
  unattributed_pipeline_share float8, unattributed_revenue_share float8)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
SET plan_cache_mode = force_custom_plan
SET jit = off
AS $function$
#variable_conflict use_column
DECLARE
  -- whether the journeys are read from the attribution cache
  v_cached boolean := bi.attribution_reads_cache(p_journeys, p_lookback_days, p_half_life_days, p_journey_scope, p_families);
  -- the whole UTC months [v_months_from, v_months_to) read from the cache's monthly sums (empty when equal)
  v_months_from timestamptz;
  v_months_to timestamptz;
  -- the first UTC midnight at or after p_from, and the last at or before p_to (not before the
  -- first): the activity cache's daily counts cover the whole days between, the touches the edges
  v_days_from timestamptz := date_trunc('day', p_from, 'UTC')
    + CASE WHEN date_trunc('day', p_from, 'UTC') = p_from THEN interval '0' ELSE interval '24 hours' END;
  v_days_to timestamptz := greatest(v_days_from, date_trunc('day', p_to, 'UTC'));
  -- whether the whole months' credits are read from the cache's per-model sums (attribution_model_monthly)
  -- and per-mask coefficients (attribution_mask_monthly)
  v_model_months boolean;
BEGIN
  -- months wholly inside the window, when each lies inside one period (not for day or week grains)
  -- and every opportunity kind is in scope (the monthly sums cover all kinds)
  v_months_from := p_to;
  v_months_to := p_to;
  IF p_journeys IN ('AUTO', 'CACHED_MONTHS', 'CACHED_SHAPES') AND p_grain IS DISTINCT FROM 'day' AND p_grain IS DISTINCT FROM 'week'
     AND p_opportunity_kinds @> ARRAY['NEW_BUSINESS', 'EXPANSION', 'RENEWAL'] THEN
    v_months_from := date_trunc('month', p_from, 'UTC');
    IF v_months_from <> p_from THEN
      v_months_from := (date_trunc('month', p_from AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC';
    END IF;
    v_months_to := date_trunc('month', p_to, 'UTC');
    IF v_months_from >= v_months_to THEN
      v_months_from := p_to;
      v_months_to := p_to;
    END IF;
  END IF;
  -- the cache holds each whole month's credits per campaign under the fixed-weight models
  -- (attribution_cached_models: FIRST_TOUCH to FULL_PATH and TIME_DECAY with the cache's half-life),
  -- and for every set of holding roles the coefficients that give the credits under any role
  -- weights (attribution_mask_monthly): when every rule-based model asked for is a kept one or
  -- role-based, the whole months are read from those instead of from the monthly sums per journey
  -- shape (the same exact figures; far fewer rows). A time-decay model other than the kept one
  -- (a BI caller's name) reads the monthly sums, as CACHED_SHAPES does for every model.
  v_model_months := v_cached AND v_months_from < v_months_to AND p_journeys IS DISTINCT FROM 'CACHED_SHAPES' AND NOT EXISTS (
    SELECT FROM unnest(p_models, p_families, p_w_first, p_w_last, p_w_conversion, p_w_creation, p_w_close)
               AS m(model, family, w_first, w_last, w_conversion, w_creation, w_close)
    WHERE m.family = 'DECAY'
      AND NOT EXISTS (SELECT FROM attribution_cached_models c
                      WHERE c.model = m.model AND c.family = m.family AND c.w_first = m.w_first AND c.w_last = m.w_last
                        AND c.w_conversion = m.w_conversion AND c.w_creation = m.w_creation AND c.w_close = m.w_close));

  RETURN QUERY
  WITH
  opportunities_in_scope AS (   -- one row per measure and opportunity; the journey ends at creation (pipeline) or close (revenue)
    SELECT 'PIPELINE'::text AS measure, o.id AS opportunity_id, o.amount, CASE WHEN p_grain IS NULL THEN p_from ELSE date_trunc(p_grain, o.created_at, 'UTC') END AS period_start
    FROM opportunities o
    WHERE p_pipeline AND o.created_at >= p_from AND o.created_at < p_to
      AND o.kind = ANY (p_opportunity_kinds)
    UNION ALL
    SELECT 'REVENUE'::text, o.id, o.amount, CASE WHEN p_grain IS NULL THEN p_from ELSE date_trunc(p_grain, o.closed_at, 'UTC') END
    FROM opportunities o
    WHERE p_revenue AND o.closed_at >= p_from AND o.closed_at < p_to
      AND o.stage = 'CLOSED_WON' AND o.kind = ANY (p_opportunity_kinds)
  ),
  attribution_models AS (
    SELECT *
    FROM unnest(p_models, p_families, p_w_first, p_w_last, p_w_conversion, p_w_creation, p_w_close)
         AS m(model, family, w_first, w_last, w_conversion, w_creation, w_close)
  ),
  journey_rows AS (   -- one row per journey and campaign
    SELECT r.measure, r.opportunity_id, r.amount, CASE WHEN p_grain IS NULL THEN p_from ELSE date_trunc(p_grain, r.journey_end, 'UTC') END AS period_start, r.campaign_id,
           r.touches, r.touch_count, r.sig, r.class_mask, r.decay_sum, r.decay_total
    FROM attribution_journey_rows(
           ARRAY(SELECT opportunity_id FROM opportunities_in_scope WHERE measure = 'PIPELINE' AND p_families && '{ROLE,DECAY}'),
           ARRAY(SELECT opportunity_id FROM opportunities_in_scope WHERE measure = 'REVENUE'),
           p_lookback_days, CASE WHEN 'DECAY' = ANY (p_families) THEN p_half_life_days END, p_journey_scope) r
    WHERE NOT v_cached
    UNION ALL
    SELECT j.measure, j.opportunity_id, j.amount, CASE WHEN p_grain IS NULL THEN p_from ELSE date_trunc(p_grain, j.journey_end, 'UTC') END AS period_start, j.campaign_id,
           j.touches, j.touch_count, j.sig, j.class_mask, j.decay_sum, j.decay_total
    FROM attribution_journeys j
    WHERE ((j.journey_end >= p_from AND j.journey_end < v_months_from)
           OR (j.journey_end >= v_months_to AND j.journey_end < p_to))
      AND j.opportunity_kind = ANY (p_opportunity_kinds) AND ((j.measure = 'PIPELINE' AND p_pipeline AND p_families && '{ROLE,DECAY}') OR (j.measure = 'REVENUE' AND p_revenue))
      AND v_cached
      AND (p_from < v_months_from OR v_months_to < p_to)   -- a constant: no scan when whole months cover the window
  ),
  monthly_rows AS NOT MATERIALIZED (
    SELECT m.*, CASE WHEN p_grain IS NULL THEN p_from ELSE date_trunc(p_grain, m.month, 'UTC') END AS period_start
    FROM attribution_monthly m
    WHERE m.month >= v_months_from AND m.month < v_months_to AND ((m.measure = 'PIPELINE' AND p_pipeline AND p_families && '{ROLE,DECAY}') OR (m.measure = 'REVENUE' AND p_revenue))
      AND v_cached AND NOT v_model_months
  ),
  -- <monthly-credits> the credits of monthly sums (monthly_rows) under attribution_models: the
  -- cache keeps its per-model sums with this very text (migrations/1732880000000-attribution-model-monthly.ts
  -- reads it from here); a change here ships with a migration that creates attribution_model_monthly_move again
  class_weights AS (
    SELECT m.model, (CASE WHEN ms.measure = 'REVENUE' THEN 1000 ELSE 0 END + s.sig) AS shape_key,
           m.w_first
           + CASE WHEN s.last_class = 1 THEN m.w_last + CASE WHEN ms.measure = 'REVENUE' THEN m.w_close ELSE 0 END ELSE 0 END
           + CASE WHEN s.conversion_class = 1 THEN m.w_conversion ELSE 0 END
           + CASE WHEN s.creation_class = 1 THEN m.w_creation ELSE 0 END AS rw1,
           CASE WHEN s.last_class = 2 THEN m.w_last + CASE WHEN ms.measure = 'REVENUE' THEN m.w_close ELSE 0 END ELSE 0 END
           + CASE WHEN s.conversion_class = 2 THEN m.w_conversion ELSE 0 END
           + CASE WHEN s.creation_class = 2 THEN m.w_creation ELSE 0 END AS rw2,
           CASE WHEN s.conversion_class = 3 THEN m.w_conversion ELSE 0 END
           + CASE WHEN s.creation_class = 3 THEN m.w_creation ELSE 0 END AS rw3,
           CASE WHEN s.creation_class = 4 THEN m.w_creation ELSE 0 END AS rw4
    FROM attribution_models m
    CROSS JOIN (VALUES ('PIPELINE'), ('REVENUE')) AS ms(measure)
    CROSS JOIN (SELECT lc * 100 + vc * 10 + rc AS sig, lc AS last_class, vc AS conversion_class, rc AS creation_class
                FROM generate_series(1, 2) lc, generate_series(0, 3) vc, generate_series(0, 4) rc) s
    WHERE m.family = 'ROLE'
  ),
  shape_weights AS MATERIALIZED (   -- a small lookup table: 80 rows per model
    SELECT cw.*, rw1 + rw2 + rw3 + rw4 AS holding_weight, 1 - (rw1 + rw2 + rw3 + rw4) AS rest_weight,
           (rw1 > 0)::int + (rw2 > 0)::int + (rw3 > 0)::int + (rw4 > 0)::int AS holding_touches
    FROM class_weights cw
  ),
  monthly_credits AS (
    SELECT s.model, r.measure, r.period_start, r.campaign_id,
           s.rest_weight * x.f
           + CASE WHEN r.class_mask = 0 THEN 0
                  WHEN r.n_small > s.holding_touches
                  THEN (CASE WHEN r.class_mask & 1 > 0 THEN s.rw1 ELSE 0 END + CASE WHEN r.class_mask & 2 > 0 THEN s.rw2 ELSE 0 END + CASE WHEN r.class_mask & 4 > 0 THEN s.rw3 ELSE 0 END + CASE WHEN r.class_mask & 8 > 0 THEN s.rw4 ELSE 0 END) * r.amount - ((r.class_mask & 1 > 0 AND s.rw1 > 0)::int + (r.class_mask & 2 > 0 AND s.rw2 > 0)::int + (r.class_mask & 4 > 0 AND s.rw3 > 0)::int + (r.class_mask & 8 > 0 AND s.rw4 > 0)::int) * s.rest_weight * x.b
                  ELSE r.amount * (CASE WHEN r.class_mask & 1 > 0 THEN s.rw1::numeric(50, 40) / s.holding_weight ELSE 0 END + CASE WHEN r.class_mask & 2 > 0 THEN s.rw2::numeric(50, 40) / s.holding_weight ELSE 0 END + CASE WHEN r.class_mask & 4 > 0 THEN s.rw3::numeric(50, 40) / s.holding_weight ELSE 0 END + CASE WHEN r.class_mask & 8 > 0 THEN s.rw4::numeric(50, 40) / s.holding_weight ELSE 0 END) END AS share,
           s.rest_weight * x.w
           + CASE WHEN r.class_mask = 0 THEN 0
                  WHEN r.n_small > s.holding_touches
                  THEN (CASE WHEN r.class_mask & 1 > 0 THEN s.rw1 ELSE 0 END + CASE WHEN r.class_mask & 2 > 0 THEN s.rw2 ELSE 0 END + CASE WHEN r.class_mask & 4 > 0 THEN s.rw3 ELSE 0 END + CASE WHEN r.class_mask & 8 > 0 THEN s.rw4 ELSE 0 END) * r.pairs - ((r.class_mask & 1 > 0 AND s.rw1 > 0)::int + (r.class_mask & 2 > 0 AND s.rw2 > 0)::int + (r.class_mask & 4 > 0 AND s.rw3 > 0)::int + (r.class_mask & 8 > 0 AND s.rw4 > 0)::int) * s.rest_weight * x.e
                  ELSE r.pairs * (CASE WHEN r.class_mask & 1 > 0 THEN s.rw1::numeric(50, 40) / s.holding_weight ELSE 0 END + CASE WHEN r.class_mask & 2 > 0 THEN s.rw2::numeric(50, 40) / s.holding_weight ELSE 0 END + CASE WHEN r.class_mask & 4 > 0 THEN s.rw3::numeric(50, 40) / s.holding_weight ELSE 0 END + CASE WHEN r.class_mask & 8 > 0 THEN s.rw4::numeric(50, 40) / s.holding_weight ELSE 0 END) END AS wins
    FROM monthly_rows r
    JOIN shape_weights s ON s.shape_key = (CASE WHEN r.measure = 'REVENUE' THEN 1000 ELSE 0 END + r.sig)
    CROSS JOIN LATERAL (
      SELECT CASE s.holding_touches WHEN 0 THEN r.f0 WHEN 1 THEN r.f1 WHEN 2 THEN r.f2 WHEN 3 THEN r.f3 ELSE r.f4 END AS f,
             CASE s.holding_touches WHEN 0 THEN r.w0 WHEN 1 THEN r.w1 WHEN 2 THEN r.w2 WHEN 3 THEN r.w3 ELSE r.w4 END AS w,
             CASE s.holding_touches WHEN 0 THEN r.b0 WHEN 1 THEN r.b1 WHEN 2 THEN r.b2 WHEN 3 THEN r.b3 ELSE r.b4 END AS b,
             CASE s.holding_touches WHEN 0 THEN r.e0 WHEN 1 THEN r.e1 WHEN 2 THEN r.e2 WHEN 3 THEN r.e3 ELSE r.e4 END AS e) x
    UNION ALL
    SELECT m.model, r.measure, r.period_start, r.campaign_id, r.decay, r.decay_wins
    FROM monthly_rows r
    CROSS JOIN attribution_models m
    WHERE m.family = 'DECAY'
  ),
  -- </monthly-credits>
  kept_models AS (   -- the models asked for whose whole months' credits are kept, with these very weights
    SELECT m.model
    FROM attribution_models m
    JOIN attribution_cached_models c
      ON c.model = m.model AND c.family = m.family AND c.w_first = m.w_first AND c.w_last = m.w_last
     AND c.w_conversion = m.w_conversion AND c.w_creation = m.w_creation AND c.w_close = m.w_close
    WHERE v_model_months
  ),
  model_month_credits AS (   -- the whole months' credits kept per model (v_model_months)
    SELECT c.model, c.measure, CASE WHEN p_grain IS NULL THEN p_from ELSE date_trunc(p_grain, c.month, 'UTC') END AS period_start,
           c.campaign_id, c.share, c.wins
    FROM attribution_model_monthly c
    WHERE v_model_months AND c.month >= v_months_from AND c.month < v_months_to
      AND c.model IN (SELECT model FROM kept_models)
      AND ((c.measure = 'PIPELINE' AND p_pipeline) OR (c.measure = 'REVENUE' AND p_revenue))
  ),
  mask_models AS (   -- the other role-based models, per measure: the weight W of each role of the mask table, and their mask
    SELECT m.model, ms.measure, x.w1, x.w2, x.w4, x.w8,
           (x.w1 > 0)::int | ((x.w2 > 0)::int << 1) | ((x.w4 > 0)::int << 2) | ((x.w8 > 0)::int << 3) AS mask
    FROM attribution_models m
    CROSS JOIN (VALUES ('PIPELINE'), ('REVENUE')) AS ms(measure)
    CROSS JOIN LATERAL (SELECT m.w_first AS w1, m.w_last + CASE WHEN ms.measure = 'REVENUE' THEN m.w_close ELSE 0 END AS w2,
                               m.w_conversion AS w4, m.w_creation AS w8) x
    WHERE v_model_months AND m.family = 'ROLE' AND m.model NOT IN (SELECT model FROM kept_models)
      AND ((ms.measure = 'PIPELINE' AND p_pipeline) OR (ms.measure = 'REVENUE' AND p_revenue))
  ),
  mask_month_credits AS (   -- their whole months' credits from the coefficients of their mask (migrations/1732890000000-attribution-mask-monthly.ts)
    SELECT mm.model, c.measure, CASE WHEN p_grain IS NULL THEN p_from ELSE date_trunc(p_grain, c.month, 'UTC') END AS period_start,
           c.campaign_id,
           CASE WHEN c.part = 0
                THEN c.share_0 + c.share_first * mm.w1 + c.share_last * mm.w2 + c.share_conversion * mm.w4 + c.share_creation * mm.w8
                ELSE (c.share_first * mm.w1 + c.share_last * mm.w2 + c.share_conversion * mm.w4 + c.share_creation * mm.w8)::numeric(80, 40) / d.held_weight
           END AS share,
           CASE WHEN c.part = 0
                THEN c.wins_0 + c.wins_first * mm.w1 + c.wins_last * mm.w2 + c.wins_conversion * mm.w4 + c.wins_creation * mm.w8
                ELSE (c.wins_first * mm.w1 + c.wins_last * mm.w2 + c.wins_conversion * mm.w4 + c.wins_creation * mm.w8)::numeric(80, 40) / d.held_weight
           END AS wins
    FROM mask_models mm
    JOIN attribution_mask_monthly c ON c.mask = mm.mask AND c.measure = mm.measure
    CROSS JOIN LATERAL (SELECT CASE WHEN c.part & 1 > 0 THEN mm.w1 ELSE 0 END + CASE WHEN c.part & 2 > 0 THEN mm.w2 ELSE 0 END
                               + CASE WHEN c.part & 4 > 0 THEN mm.w4 ELSE 0 END + CASE WHEN c.part & 8 > 0 THEN mm.w8 ELSE 0 END AS held_weight) d
    WHERE c.month >= v_months_from AND c.month < v_months_to
  ),
  row_credits AS (
    SELECT s.model, r.measure, r.period_start, r.campaign_id, r.amount * w.weight AS share, w.weight AS wins
    FROM journey_rows r
    JOIN shape_weights s ON s.shape_key = (CASE WHEN r.measure = 'REVENUE' THEN 1000 ELSE 0 END + r.sig)
    CROSS JOIN LATERAL (
      SELECT CASE WHEN r.touch_count = s.holding_touches THEN (CASE WHEN r.class_mask & 1 > 0 THEN s.rw1::numeric(50, 40) / s.holding_weight ELSE 0 END + CASE WHEN r.class_mask & 2 > 0 THEN s.rw2::numeric(50, 40) / s.holding_weight ELSE 0 END + CASE WHEN r.class_mask & 4 > 0 THEN s.rw3::numeric(50, 40) / s.holding_weight ELSE 0 END + CASE WHEN r.class_mask & 8 > 0 THEN s.rw4::numeric(50, 40) / s.holding_weight ELSE 0 END)
                  ELSE (CASE WHEN r.class_mask & 1 > 0 THEN s.rw1 ELSE 0 END + CASE WHEN r.class_mask & 2 > 0 THEN s.rw2 ELSE 0 END + CASE WHEN r.class_mask & 4 > 0 THEN s.rw3 ELSE 0 END + CASE WHEN r.class_mask & 8 > 0 THEN s.rw4 ELSE 0 END) + (r.touches - ((r.class_mask & 1 > 0 AND s.rw1 > 0)::int + (r.class_mask & 2 > 0 AND s.rw2 > 0)::int + (r.class_mask & 4 > 0 AND s.rw3 > 0)::int + (r.class_mask & 8 > 0 AND s.rw4 > 0)::int))
                       * (s.rest_weight::numeric(50, 40) / (r.touch_count - s.holding_touches))
             END AS weight) w
    UNION ALL
    SELECT m.model, r.measure, r.period_start, r.campaign_id,
           r.amount * (r.decay_sum::numeric(50, 40) / r.decay_total), r.decay_sum::numeric(50, 40) / r.decay_total
    FROM journey_rows r
    CROSS JOIN attribution_models m
    WHERE m.family = 'DECAY'
  ),
  campaign_credits AS (   -- a campaign's credit: amount times the weights of its touches, over all journeys
    SELECT model, measure, period_start, campaign_id, sum(share) AS share, sum(wins) AS wins
    FROM (SELECT model, measure, period_start, campaign_id, share, wins FROM row_credits
          UNION ALL
          SELECT model, measure, period_start, campaign_id, share, wins FROM monthly_credits
          UNION ALL
          SELECT model, measure, period_start, campaign_id, share, wins FROM model_month_credits
          UNION ALL
          SELECT model, measure, period_start, campaign_id, share, wins FROM mask_month_credits) c
    GROUP BY model, measure, period_start, campaign_id
  ),
  row_scope AS (   -- the journey rows' opportunities, once each
    SELECT measure, period_start, sum(amount) AS attributed_amount, count(*) AS attributed_count
    FROM (SELECT DISTINCT measure, opportunity_id, period_start, amount FROM journey_rows) j
    GROUP BY measure, period_start
  ),
  scope_amounts AS (
    SELECT measure, period_start, sum(amount) AS total_amount
    FROM (SELECT t.measure, CASE WHEN p_grain IS NULL THEN p_from ELSE date_trunc(p_grain, t.month, 'UTC') END AS period_start, t.amount
          FROM opportunity_monthly_totals t
          WHERE t.month >= v_months_from AND t.month < v_months_to AND t.opportunity_kind = ANY (p_opportunity_kinds)
            AND ((t.measure = 'PIPELINE' AND p_pipeline) OR (t.measure = 'REVENUE' AND p_revenue))
          UNION ALL
          SELECT 'PIPELINE', CASE WHEN p_grain IS NULL THEN p_from ELSE date_trunc(p_grain, o.created_at, 'UTC') END, o.amount
          FROM opportunities o
          WHERE p_pipeline AND o.kind = ANY (p_opportunity_kinds)
            AND ((o.created_at >= p_from AND o.created_at < least(p_to, v_months_from))
                 OR (o.created_at >= greatest(p_from, v_months_to) AND o.created_at < p_to))
          UNION ALL
          SELECT 'REVENUE', CASE WHEN p_grain IS NULL THEN p_from ELSE date_trunc(p_grain, o.closed_at, 'UTC') END, o.amount
          FROM opportunities o
          WHERE p_revenue AND o.stage = 'CLOSED_WON' AND o.kind = ANY (p_opportunity_kinds)
            AND ((o.closed_at >= p_from AND o.closed_at < least(p_to, v_months_from))
                 OR (o.closed_at >= greatest(p_from, v_months_to) AND o.closed_at < p_to))) a
    GROUP BY 1, 2
  ),
  attributed_scope AS (   -- what non-empty journeys explain: the monthly totals plus the journey rows
    SELECT measure, period_start, sum(attributed_amount) AS attributed_amount, sum(attributed_count) AS attributed_count
    FROM (SELECT t.measure, CASE WHEN p_grain IS NULL THEN p_from ELSE date_trunc(p_grain, t.month, 'UTC') END AS period_start, t.amount AS attributed_amount, t.journeys AS attributed_count
          FROM attribution_monthly_totals t
          WHERE t.month >= v_months_from AND t.month < v_months_to AND ((t.measure = 'PIPELINE' AND p_pipeline AND p_families && '{ROLE,DECAY}') OR (t.measure = 'REVENUE' AND p_revenue))
            AND v_cached
          UNION ALL
          SELECT measure, period_start, attributed_amount, attributed_count FROM row_scope) a
    GROUP BY measure, period_start
  ),
  scope_totals AS (   -- per measure and period: the total amount, what journeys explain, and what they don't
    SELECT t.measure, t.period_start, t.total_amount,
           coalesce(a.attributed_amount, 0) AS attributed_amount, coalesce(a.attributed_count, 0) AS attributed_count,
           t.total_amount - coalesce(a.attributed_amount, 0) AS unattributed_amount
    FROM scope_amounts t
    LEFT JOIN attributed_scope a USING (measure, period_start)
  ),
  measured_models AS (   -- the (model, measure) pairs computed: DATA_DRIVEN is defined for revenue only
    SELECT m.model, m.family, t.measure, t.period_start, t.total_amount, t.unattributed_amount,
           t.attributed_amount, t.attributed_count
    FROM attribution_models m
    JOIN scope_totals t ON m.family <> 'MARKOV' OR t.measure = 'REVENUE'
  ),
  markov_fractions AS (   -- DATA_DRIVEN: RE(c) / sum RE per period, solved from the transition counts
    SELECT * FROM unnest(p_markov_periods, p_markov_campaign_ids, p_markov_fractions) AS f(period_start, campaign_id, fraction)
  ),
  markov_credits AS (   -- DATA_DRIVEN: the fraction of the won amount (and count) whose journeys are non-empty
    SELECT mm.model, mm.measure, mm.period_start, f.campaign_id,
           mm.attributed_amount * f.fraction::numeric(50, 40) / sum(f.fraction) OVER period AS share,
           mm.attributed_count * f.fraction::numeric(50, 40) / sum(f.fraction) OVER period AS wins
    FROM measured_models mm
    JOIN markov_fractions f ON f.period_start = mm.period_start
    WHERE mm.family = 'MARKOV'
    WINDOW period AS (PARTITION BY mm.model, mm.period_start)
  ),
  attribution_shares AS (   -- everything one total is shared into: the campaign credits and the unattributed amount
    SELECT model, measure, period_start, campaign_id, share, wins FROM campaign_credits
    UNION ALL
    SELECT model, measure, period_start, campaign_id, share, wins FROM markov_credits
    UNION ALL
    SELECT model, measure, period_start, NULL::bigint, unattributed_amount, NULL::numeric FROM measured_models
  ),
  share_totals AS (
    SELECT model, measure, period_start, total_amount AS total FROM measured_models
  ),
  share_floors AS (   -- each share rounded down to the cent, and what that left over
    SELECT s.*, trunc(round(s.share, 12), 2) AS floor_amount, round(s.share, 12) - trunc(round(s.share, 12), 2) AS remainder
    FROM attribution_shares s
  ),
  missing_cents AS (   -- cents still missing to the rounded total
    SELECT t.model, t.measure, t.period_start, ((round(t.total, 2) - coalesce(sum(f.floor_amount), 0)) * 100)::bigint AS cents
    FROM share_totals t
    LEFT JOIN share_floors f USING (model, measure, period_start)
    GROUP BY t.model, t.measure, t.period_start, t.total
  ),
  rounded_shares AS (   -- one cent each to the largest remainders; ties: unattributed first, then lowest campaign id
    SELECT f.model, f.measure, f.period_start, f.campaign_id, f.wins,
           f.floor_amount
           + CASE WHEN row_number() OVER (PARTITION BY f.model, f.measure, f.period_start
                                          ORDER BY f.remainder DESC, f.campaign_id ASC NULLS FIRST) <= mc.cents
                  THEN 0.01 ELSE 0 END AS amount
    FROM share_floors f
    JOIN missing_cents mc USING (model, measure, period_start)
  ),
  row_campaigns AS (   -- the campaigns whose rows are asked for
    SELECT c.id AS campaign_id, c.channel
    FROM campaigns c
    WHERE (p_campaign_ids IS NULL OR c.id = ANY (p_campaign_ids)) AND (p_channels IS NULL OR c.channel = ANY (p_channels))
  ),
  -- The activity figures sum each source by campaign and period first and keep the row campaigns
  -- after (a few hundred sums, where joining first would match every daily row); an edge of
  -- partial days is read only when the window has one (the conditions on p_* are constants).
  spend_in_window AS (   -- spend entries whose day (at 00:00 UTC) lies in the window
    SELECT s.campaign_id, s.period_start, s.spend
    FROM (SELECT cs.campaign_id, CASE WHEN p_grain IS NULL THEN p_from ELSE date_trunc(p_grain, cs.spent_on::timestamp AT TIME ZONE 'UTC', 'UTC') END AS period_start, sum(cs.amount) AS spend
          FROM campaign_spend cs
          WHERE p_activity IN ('ALL', 'SPEND')
            AND cs.spent_on BETWEEN (p_from AT TIME ZONE 'UTC')::date AND (p_to AT TIME ZONE 'UTC')::date
            AND cs.spent_on::timestamp AT TIME ZONE 'UTC' >= p_from
            AND cs.spent_on::timestamp AT TIME ZONE 'UTC' < p_to
          GROUP BY 1, 2) s
    WHERE s.campaign_id IN (SELECT campaign_id FROM row_campaigns)
  ),
  touches_in_window AS (
    SELECT s.campaign_id, s.period_start, s.touches
    FROM (SELECT campaign_id, period_start, sum(touches) AS touches
          FROM (SELECT d.campaign_id, CASE WHEN p_grain IS NULL THEN p_from ELSE date_trunc(p_grain, d.day::timestamp AT TIME ZONE 'UTC', 'UTC') END AS period_start, d.touches
                FROM campaign_daily_touches d
                WHERE p_activity = 'ALL'
                  AND d.day >= (v_days_from AT TIME ZONE 'UTC')::date AND d.day < (v_days_to AT TIME ZONE 'UTC')::date
                UNION ALL
                SELECT t.campaign_id, CASE WHEN p_grain IS NULL THEN p_from ELSE date_trunc(p_grain, t.occurred_at, 'UTC') END, 1
                FROM touchpoints t
                WHERE p_activity = 'ALL' AND p_from < v_days_from
                  AND t.occurred_at >= p_from AND t.occurred_at < least(p_to, v_days_from)
                UNION ALL
                SELECT t.campaign_id, CASE WHEN p_grain IS NULL THEN p_from ELSE date_trunc(p_grain, t.occurred_at, 'UTC') END, 1
                FROM touchpoints t
                WHERE p_activity = 'ALL' AND v_days_to < p_to
                  AND t.occurred_at >= greatest(p_from, v_days_to) AND t.occurred_at < p_to) c
          GROUP BY 1, 2) s
    WHERE s.campaign_id IN (SELECT campaign_id FROM row_campaigns)
  ),
  sourcing_in_window AS (   -- leads whose first touch ever is with the campaign and lies in the window, and those of them that became MQL in it
    SELECT s.campaign_id, s.period_start, s.leads_sourced, s.mqls
    FROM (SELECT campaign_id, period_start, sum(sourced) AS leads_sourced, sum(mqls) AS mqls
          FROM (SELECT d.campaign_id, CASE WHEN p_grain IS NULL THEN p_from ELSE date_trunc(p_grain, d.day::timestamp AT TIME ZONE 'UTC', 'UTC') END AS period_start, d.leads_sourced AS sourced, d.mqls
                FROM campaign_daily_sourcing d
                WHERE p_activity = 'ALL' AND (d.leads_sourced <> 0 OR d.mqls <> 0)
                  AND d.day >= (v_days_from AT TIME ZONE 'UTC')::date AND d.day < (v_days_to AT TIME ZONE 'UTC')::date
                UNION ALL
                SELECT f.campaign_id, CASE WHEN p_grain IS NULL THEN p_from ELSE date_trunc(p_grain, f.occurred_at, 'UTC') END, 1, 0
                FROM lead_first_touches f
                WHERE p_activity = 'ALL' AND (p_from < v_days_from OR v_days_to < p_to)
                  AND ((f.occurred_at >= p_from AND f.occurred_at < least(p_to, v_days_from))
                       OR (f.occurred_at >= greatest(p_from, v_days_to) AND f.occurred_at < p_to))
                UNION ALL
                SELECT f.campaign_id, CASE WHEN p_grain IS NULL THEN p_from ELSE date_trunc(p_grain, f.mql_at, 'UTC') END, 0, 1
                FROM lead_first_touches f
                WHERE p_activity = 'ALL' AND (p_from < v_days_from OR v_days_to < p_to)
                  AND ((f.mql_at >= p_from AND f.mql_at < least(p_to, v_days_from))
                       OR (f.mql_at >= greatest(p_from, v_days_to) AND f.mql_at < p_to))) c
          GROUP BY 1, 2) s
    WHERE s.campaign_id IN (SELECT campaign_id FROM row_campaigns)
  ),
  credit_figures AS (   -- rounded credits per model, period and campaign
    SELECT model, period_start, campaign_id,
           sum(amount) FILTER (WHERE measure = 'PIPELINE') AS attributed_pipeline,
           sum(amount) FILTER (WHERE measure = 'REVENUE') AS attributed_revenue,
           sum(wins) FILTER (WHERE measure = 'REVENUE') AS attributed_wins
    FROM rounded_shares
    WHERE campaign_id IS NOT NULL
    GROUP BY model, period_start, campaign_id
  ),
  active_campaigns AS (   -- a campaign has a row in a period when it spent, was touched, sourced a lead or MQL, or got credit
    SELECT campaign_id, period_start FROM spend_in_window
    UNION SELECT campaign_id, period_start FROM touches_in_window
    UNION SELECT campaign_id, period_start FROM sourcing_in_window
    UNION SELECT campaign_id, period_start FROM credit_figures
  ),
  campaign_figures AS (   -- every figure of a campaign in a period under a model; null for a measure not computed
    SELECT m.model, m.family, a.period_start, a.campaign_id, rc.channel,
           coalesce(sp.spend, 0) AS spend, coalesce(tw.touches, 0) AS touches,
           coalesce(sl.leads_sourced, 0) AS leads_sourced, coalesce(sl.mqls, 0) AS mqls,
           CASE WHEN p_pipeline AND m.family <> 'MARKOV' THEN coalesce(cf.attributed_pipeline, 0) END AS attributed_pipeline,
           CASE WHEN p_revenue THEN coalesce(cf.attributed_revenue, 0) END AS attributed_revenue,
           CASE WHEN p_revenue THEN coalesce(cf.attributed_wins, 0) END AS attributed_wins
    FROM active_campaigns a
    JOIN row_campaigns rc ON rc.campaign_id = a.campaign_id
    CROSS JOIN attribution_models m
    LEFT JOIN spend_in_window sp ON sp.campaign_id = a.campaign_id AND sp.period_start = a.period_start
    LEFT JOIN touches_in_window tw ON tw.campaign_id = a.campaign_id AND tw.period_start = a.period_start
    LEFT JOIN sourcing_in_window sl ON sl.campaign_id = a.campaign_id AND sl.period_start = a.period_start
    LEFT JOIN credit_figures cf ON cf.model = m.model AND cf.period_start = a.period_start AND cf.campaign_id = a.campaign_id
  ),
  report_rows AS (   -- rows by campaign, by channel, or one per period (NONE): sums of rounded campaign figures
    SELECT model, period_start,
           CASE p_row_key WHEN 'CAMPAIGN' THEN campaign_id::text WHEN 'CHANNEL' THEN channel END AS row_key,
           sum(spend) AS spend, sum(touches) AS touches, sum(leads_sourced) AS leads_sourced, sum(mqls) AS mqls,
           sum(attributed_pipeline) AS attributed_pipeline, sum(attributed_revenue) AS attributed_revenue,
           sum(attributed_wins) AS attributed_wins
    FROM campaign_figures
    GROUP BY model, period_start, 3
  ),
  row_sums AS (   -- the totals row: sums of the rows
    SELECT model, period_start, sum(spend) AS spend, sum(touches) AS touches, sum(leads_sourced) AS leads_sourced,
           sum(mqls) AS mqls, sum(attributed_pipeline) AS attributed_pipeline,
           sum(attributed_revenue) AS attributed_revenue, sum(attributed_wins) AS attributed_wins
    FROM report_rows
    GROUP BY model, period_start
  ),
  period_amounts AS (   -- the rounded unattributed amount and the total amount of each measure
    SELECT st.model, st.period_start,
           sum(rs.amount) FILTER (WHERE st.measure = 'PIPELINE') AS unattributed_pipeline,
           sum(rs.amount) FILTER (WHERE st.measure = 'REVENUE') AS unattributed_revenue,
           sum(round(st.total, 2)) FILTER (WHERE st.measure = 'PIPELINE') AS total_pipeline,
           sum(round(st.total, 2)) FILTER (WHERE st.measure = 'REVENUE') AS total_revenue
    FROM share_totals st
    JOIN rounded_shares rs ON rs.model = st.model AND rs.measure = st.measure AND rs.period_start = st.period_start
     AND rs.campaign_id IS NULL
    GROUP BY st.model, st.period_start
  ),
  totals_rows AS (   -- one per model and period that has rows or opportunities
    SELECT m.model, p.period_start,
           coalesce(rsum.spend, 0) AS spend, coalesce(rsum.touches, 0) AS touches,
           coalesce(rsum.leads_sourced, 0) AS leads_sourced, coalesce(rsum.mqls, 0) AS mqls,
           CASE WHEN p_pipeline AND m.family <> 'MARKOV' THEN coalesce(rsum.attributed_pipeline, 0) END AS attributed_pipeline,
           CASE WHEN p_revenue THEN coalesce(rsum.attributed_revenue, 0) END AS attributed_revenue,
           CASE WHEN p_revenue THEN coalesce(rsum.attributed_wins, 0) END AS attributed_wins,
           CASE WHEN p_pipeline AND m.family <> 'MARKOV' THEN coalesce(pa.unattributed_pipeline, 0) END AS unattributed_pipeline,
           CASE WHEN p_revenue THEN coalesce(pa.unattributed_revenue, 0) END AS unattributed_revenue,
           CASE WHEN p_pipeline AND m.family <> 'MARKOV' THEN coalesce(pa.total_pipeline, 0) END AS total_pipeline,
           CASE WHEN p_revenue THEN coalesce(pa.total_revenue, 0) END AS total_revenue
    FROM attribution_models m
    JOIN (SELECT model, period_start FROM row_sums UNION SELECT model, period_start FROM period_amounts) p
      ON p.model = m.model
    LEFT JOIN row_sums rsum ON rsum.model = p.model AND rsum.period_start = p.period_start
    LEFT JOIN period_amounts pa ON pa.model = p.model AND pa.period_start = p.period_start
  ),
  report AS (
    SELECT 'ROW' AS row_kind, model, period_start, row_key, spend, touches, leads_sourced, mqls,
           attributed_pipeline, attributed_revenue, attributed_wins,
           NULL::numeric AS unattributed_pipeline, NULL::numeric AS unattributed_revenue,
           NULL::numeric AS total_pipeline, NULL::numeric AS total_revenue
    FROM report_rows
    UNION ALL
    SELECT 'TOTAL', model, period_start, NULL, spend, touches, leads_sourced, mqls,
           attributed_pipeline, attributed_revenue, attributed_wins,
           unattributed_pipeline, unattributed_revenue, total_pipeline, total_revenue
    FROM totals_rows
  )
  SELECT row_kind, model, period_start, row_key,
         round(spend, 2), touches::int, leads_sourced::int, mqls::int,
         round(attributed_pipeline, 2), round(attributed_revenue, 2), attributed_wins::float8,
         ((attributed_revenue - spend) / nullif(spend, 0))::float8,
         (attributed_revenue / nullif(spend, 0))::float8,
         (spend / nullif(leads_sourced, 0))::float8,
         (spend / nullif(mqls, 0))::float8,
         round(unattributed_pipeline, 2), round(unattributed_revenue, 2),
         round(total_pipeline, 2), round(total_revenue, 2),
         (unattributed_pipeline / nullif(total_pipeline, 0))::float8,
         (unattributed_revenue / nullif(total_revenue, 0))::float8
  FROM report
  ORDER BY model, period_start, row_kind, row_key;
END
$function$;

/*
 * DATA_DRIVEN: how many times the paths closed, won or lost, in each period went from one state to
 * another (START, a campaign id, CONVERSION, NULL). src/metrics/markov.ts solves the chain.
 */
CREATE OR REPLACE FUNCTION bi.attribution_markov_transitions(
  p_from timestamptz, p_to timestamptz, p_grain text,
  p_lookback_days float8, p_half_life_days float8, p_journey_scope text, p_opportunity_kinds text[],
  p_families text[], p_journeys text DEFAULT 'AUTO')
RETURNS TABLE (period_start timestamptz, from_state text, to_state text, transitions integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
SET plan_cache_mode = force_custom_plan
SET jit = off
AS $function$
#variable_conflict use_column
DECLARE
  v_cached boolean := bi.attribution_reads_cache(p_journeys, p_lookback_days, p_half_life_days, p_journey_scope, p_families);
BEGIN
  RETURN QUERY
  WITH
  closed_in_scope AS (
    SELECT o.id, o.stage = 'CLOSED_WON' AS won, CASE WHEN p_grain IS NULL THEN p_from ELSE date_trunc(p_grain, o.closed_at, 'UTC') END AS period_start
    FROM opportunities o
    WHERE o.closed_at >= p_from AND o.closed_at < p_to
      AND o.stage IN ('CLOSED_WON', 'CLOSED_LOST') AND o.kind = ANY (p_opportunity_kinds)
  ),
  path_steps_in_scope AS (   -- the steps of the paths closed, won or lost, in the window
    SELECT c.period_start, t.from_campaign_id, t.to_campaign_id, c.won, t.transitions
    FROM attribution_path_transitions(ARRAY(SELECT id FROM closed_in_scope), p_lookback_days, p_journey_scope) t
    JOIN closed_in_scope c ON c.id = t.opportunity_id
    WHERE NOT v_cached
    UNION ALL
    SELECT CASE WHEN p_grain IS NULL THEN p_from ELSE date_trunc(p_grain, p.closed_at, 'UTC') END AS period_start, p.campaign_ids[i - 1] AS from_campaign_id, p.campaign_ids[i] AS to_campaign_id,
           p.won, 1 AS transitions
    FROM attribution_paths p
    CROSS JOIN generate_series(1, cardinality(p.campaign_ids) + 1) AS i
    WHERE p.closed_at >= p_from AND p.closed_at < p_to AND p.opportunity_kind = ANY (p_opportunity_kinds)
      AND v_cached
  ),
  step_counts AS (   -- counted by campaign ids first; an end is a conversion when the deal was won
    SELECT period_start, from_campaign_id, to_campaign_id, to_campaign_id IS NULL AND won AS converted, sum(transitions) AS transitions
    FROM path_steps_in_scope
    GROUP BY 1, 2, 3, 4
  )
  SELECT period_start, coalesce(from_campaign_id::text, 'START'),
         coalesce(to_campaign_id::text, CASE WHEN converted THEN 'CONVERSION' ELSE 'NULL' END),
         transitions::int
  FROM step_counts
  ORDER BY 1, 2, 3;
END
$function$;
