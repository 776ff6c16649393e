/**
 * The attribution SQL that stays in TypeScript: the per-touch weights that explain a credit
 * (JOURNEY_WEIGHTS_SQL) and the largest-remainder fragment its tests run. Every metric is computed
 * in the database by bi.attribution_report and bi.attribution_markov_transitions
 * (sql/bi/attribution.sql, docs/metrics.md section "Attribution"), which BI tools call too.
 *
 * Every statement binds the same 25 parameters (see attributionParams in
 * attribution.params.ts), declared with their types in `declared_params`, so the
 * fragments below can be composed freely; values are only ever bound, never spliced.
 *
 *   $1  window_from timestamptz     $2  window_to timestamptz
 *   $3  grain text (null: the whole window is one period; day|week|month|quarter)
 *   $4  lookback_days float8        $5  half_life_days float8
 *   $6  journey_scope text (ACCOUNT|CONTACTS)          $7  opportunity_kinds text[]
 *   $8  want_pipeline boolean       $9  want_revenue boolean
 *   $10 model_names text[]   $11 model_families text[] (ROLE|DECAY|MARKOV)
 *   $12..$16 role weights numeric[] per model: first, last, lead conversion, opportunity creation, close
 *   $17 markov_periods timestamptz[]  $18 markov_campaign_ids bigint[]  $19 markov_fractions numeric[]
 *   $20 row_campaign_ids bigint[] (null: all)  $21 row_channels text[] (null: all)
 *   $22 row_key text (CAMPAIGN|CHANNEL|NONE)   $23 activity text (ALL: spend, touches, leads, MQLs; SPEND; NONE)
 *   $24 months_from timestamptz, $25 months_to timestamptz: unused here (the whole months
 *       bi.attribution_report reads from monthly sums; it works them out itself)
 *
 * A period is `$1` when $3 is null, else the UTC calendar period (weeks start Monday)
 * of the time that places a row in the window.
 *
 * Journeys themselves are defined once, in the database (migrations/1732500000000-attribution-journeys.ts):
 * attribution_journey_touches (every touch, in order), attribution_journey_rows (one row per
 * journey and campaign, with the journey's shape) and attribution_path_transitions (Markov).
 */

const DECLARED_PARAMS = `
declared_params AS (   -- every parameter with its type, whether this statement uses it or not
  SELECT $1::timestamptz AS window_from, $2::timestamptz AS window_to, $3::text AS grain,
         $4::float8 AS lookback_days, $5::float8 AS half_life_days, $6::text AS journey_scope,
         $7::text[] AS opportunity_kinds, $8::boolean AS want_pipeline, $9::boolean AS want_revenue,
         $10::text[] AS model_names, $11::text[] AS model_families,
         $12::numeric[] AS w_first, $13::numeric[] AS w_last, $14::numeric[] AS w_conversion,
         $15::numeric[] AS w_creation, $16::numeric[] AS w_close,
         $17::timestamptz[] AS markov_periods, $18::bigint[] AS markov_campaign_ids, $19::numeric[] AS markov_fractions,
         $20::bigint[] AS row_campaign_ids, $21::text[] AS row_channels, $22::text AS row_key,
         $23::text AS activity, $24::timestamptz AS months_from, $25::timestamptz AS months_to
)`;

export const STATEMENT_HEAD = `WITH ${DECLARED_PARAMS},`;

/** The period of a time `t` (SQL expression). */
export const periodOf = (t: string): string => `CASE WHEN $3::text IS NULL THEN $1::timestamptz ELSE date_trunc($3::text, ${t}, 'UTC') END`;

/** Opportunities whose amount is shared out: pipeline (created in the window) and revenue (won in the window). */
export const OPPORTUNITIES_IN_SCOPE = `
opportunities_in_scope AS (   -- one row per measure and opportunity; the journey ends at creation (pipeline) or close (revenue)
  SELECT 'PIPELINE'::text AS measure, o.id AS opportunity_id, o.amount, ${periodOf('o.created_at')} AS period_start
  FROM opportunities o
  WHERE $8::boolean AND o.created_at >= $1::timestamptz AND o.created_at < $2::timestamptz
    AND o.kind = ANY ($7::text[])
  UNION ALL
  SELECT 'REVENUE'::text, o.id, o.amount, ${periodOf('o.closed_at')}
  FROM opportunities o
  WHERE $9::boolean AND o.closed_at >= $1::timestamptz AND o.closed_at < $2::timestamptz
    AND o.stage = 'CLOSED_WON' AND o.kind = ANY ($7::text[])
)`;

/** The models asked for, with the weight of each role. */
export const ATTRIBUTION_MODELS = `
attribution_models AS (
  SELECT *
  FROM unnest($10::text[], $11::text[], $12::numeric[], $13::numeric[], $14::numeric[], $15::numeric[], $16::numeric[])
       AS m(model, family, w_first, w_last, w_conversion, w_creation, w_close)
)`;

/**
 * Largest remainder (the rounding of bi.attribution_report in sql/bi/attribution.sql, which holds
 * the same CTEs: test/bi/bi-metric-functions.test.ts checks they are the same text): needs `attribution_shares(model, measure, period_start, campaign_id, share, wins)`
 * (campaign_id null for the unattributed share) and `share_totals(model, measure, period_start, total)`;
 * gives `rounded_shares` whose amounts add up to round(total, 2) exactly. Shares are carried
 * at 12 decimals so that shares equal in exact arithmetic tie.
 */
export const LARGEST_REMAINDER = `
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
)`;

/**
 * The weight w_i of every touch of every journey under every rule-based model: needs
 * `opportunities_in_scope(measure, opportunity_id)` and `attribution_models`; gives
 * `journey_touches`, `journey_holdings` (each touch with its role weight, decay factor and its
 * journey's holdings) and `touch_weights`. Used by JOURNEY_WEIGHTS_SQL and by a deal's own
 * attribution (deal-attribution.sql.ts).
 */
export const JOURNEY_TOUCH_WEIGHTS = `
journey_touches AS (
  SELECT t.*, CASE WHEN t.measure = 'REVENUE' THEN t.touch_count END AS close_position
  FROM attribution_journey_touches(ARRAY(SELECT opportunity_id FROM opportunities_in_scope WHERE measure = 'PIPELINE'),
                                   ARRAY(SELECT opportunity_id FROM opportunities_in_scope WHERE measure = 'REVENUE'),
                                   $4::float8, $6::text) t
),
touch_role_weights AS (   -- what the roles a touch holds add up to, and its time-decay factor relative to the last touch
  SELECT r.*, m.model, m.family,
         (CASE WHEN r.position = 1 THEN m.w_first ELSE 0 END)
         + (CASE WHEN r.position = r.touch_count THEN m.w_last ELSE 0 END)
         + (CASE WHEN r.position = r.conversion_position THEN m.w_conversion ELSE 0 END)
         + (CASE WHEN r.position = r.creation_position THEN m.w_creation ELSE 0 END)
         + (CASE WHEN r.position = r.close_position THEN m.w_close ELSE 0 END) AS role_weight,
         CASE WHEN m.family = 'DECAY'
              THEN power(0.5::float8, least(extract(epoch FROM r.last_touch_at - r.occurred_at)::float8 / 86400 / $5::float8, 100))::numeric
         END AS decay_factor
  FROM journey_touches r
  CROSS JOIN attribution_models m
  WHERE m.family IN ('ROLE', 'DECAY')
),
journey_holdings AS (   -- per model and journey: the weight of the holding roles, the touches holding none, the decay sum
  SELECT w.*,
         sum(w.role_weight) OVER journey AS holding_weight,
         count(*) FILTER (WHERE w.role_weight = 0) OVER journey AS free_touches,
         sum(w.decay_factor) OVER journey AS decay_total
  FROM touch_role_weights w
  WINDOW journey AS (PARTITION BY w.model, w.measure, w.opportunity_id)
),
touch_weights AS (   -- w_i: the rest goes equally to touches holding no role, else to the roles pro rata; sums to 1
  SELECT h.model, h.measure, h.opportunity_id, h.touch_id, h.campaign_id, h.position,
         CASE
           WHEN h.family = 'DECAY' THEN h.decay_factor::numeric(50, 40) / h.decay_total
           WHEN h.free_touches = 0 THEN h.role_weight::numeric(50, 40) / h.holding_weight
           WHEN h.role_weight > 0 THEN h.role_weight
           ELSE (1 - h.holding_weight)::numeric(50, 40) / h.free_touches
         END AS weight
  FROM journey_holdings h
)`;

/** Per-touch weights of every journey under every rule-based model asked for (explains a credit). */
export const JOURNEY_WEIGHTS_SQL = `${STATEMENT_HEAD}
${OPPORTUNITIES_IN_SCOPE},
${ATTRIBUTION_MODELS},${JOURNEY_TOUCH_WEIGHTS}
SELECT model, measure, opportunity_id AS "opportunityId", touch_id AS "touchId", campaign_id AS "campaignId",
       position::int AS position, weight::text AS weight
FROM touch_weights
ORDER BY model, measure, opportunity_id, position`;
