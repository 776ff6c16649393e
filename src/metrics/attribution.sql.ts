/**
 * The attribution SQL (docs/metrics.md, section "Attribution": journeys, roles, models, DATA_DRIVEN, rounding).
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
 *   $24 months_from timestamptz, $25 months_to timestamptz: the whole months a cached statement may
 *       read from monthly sums (see cachedMonths in attribution.params.ts; empty when equal)
 *
 * A period is `$1` when $3 is null, else the UTC calendar period (weeks start Monday)
 * of the time that places a row in the window.
 *
 * Journeys themselves are defined once, in the database (migrations/1732500000000-attribution-journeys.ts):
 * attribution_journey_touches (every touch, in order), attribution_journey_rows (one row per
 * journey and campaign, with the journey's shape) and attribution_path_transitions (Markov).
 * The credits are computed from journey rows, so that the amount is multiplied once per
 * journey and campaign instead of once per touch.
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
 * Journey rows (see attribution_journey_rows) computed from the touches now, for the
 * opportunities in scope; the half-life only when TIME_DECAY is asked for. `gate`: an SQL
 * condition evaluated once (null: always).
 */
export const directJourneyRows = (gate: string | null): string => `
  SELECT r.measure, r.opportunity_id, r.amount, ${periodOf('r.journey_end')} AS period_start, r.campaign_id,
         r.touches, r.touch_count, r.sig, r.class_mask, r.decay_sum, r.decay_total
  FROM attribution_journey_rows(
         ARRAY(SELECT opportunity_id FROM opportunities_in_scope WHERE measure = 'PIPELINE' AND $11::text[] && '{ROLE,DECAY}'),
         ARRAY(SELECT opportunity_id FROM opportunities_in_scope WHERE measure = 'REVENUE'),
         $4::float8, CASE WHEN 'DECAY' = ANY ($11::text[]) THEN $5::float8 END, $6::text) r${gate ? `\n  WHERE ${gate}` : ''}`;

/** One integer for (measure, sig): the single key journey rows look their shape's weights up by. */
export const shapeKey = (measure: string, sig: string): string => `(CASE WHEN ${measure} = 'REVENUE' THEN 1000 ELSE 0 END + ${sig})`;

const classes = [1, 2, 3, 4];
const bit = (mask: string, c: number) => `${mask} & ${1 << (c - 1)} > 0`;

/** The weight of the roles held by the classes of `mask` (SQL, from a `shape_weights` row `s`). */
export const heldWeight = (s: string, mask: string): string =>
  `(${classes.map((c) => `CASE WHEN ${bit(mask, c)} THEN ${s}.rw${c} ELSE 0 END`).join(' + ')})`;

/** How many touches of the classes of `mask` hold a role. */
export const heldTouches = (s: string, mask: string): string =>
  `(${classes.map((c) => `(${bit(mask, c)} AND ${s}.rw${c} > 0)::int`).join(' + ')})`;

/** What the touches of `mask` get when every touch of the journey holds a role: their weights over the holding weight. */
export const proRata = (s: string, mask: string): string =>
  `(${classes.map((c) => `CASE WHEN ${bit(mask, c)} THEN ${s}.rw${c}::numeric(50, 40) / ${s}.holding_weight ELSE 0 END`).join(' + ')})`;

/**
 * Role weights per model and journey shape: needs `attribution_models`; gives `shape_weights`.
 * Each role names a touch by its class (see attribution_journey_rows); a role holds when it is
 * defined and its weight is above 0. rw1..rw4: the weight of the roles held by the touch of
 * each class; holding_weight their sum; holding_touches how many touches hold a role;
 * rest_weight what the touches holding none share.
 */
export const SHAPE_WEIGHTS = `
class_weights AS (
  SELECT m.model, ${shapeKey('ms.measure', 's.sig')} AS shape_key,
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
)`;

/**
 * Credits per journey row: needs `journey_rows`, `shape_weights`; gives `row_credits`
 * (model, measure, period, campaign, share = amount * weights, wins = weights). The rest
 * 1 - holding weight goes equally to the touches holding no role, else to the roles pro rata;
 * TIME_DECAY weights are the campaign's decay factors over the journey's.
 */
export const ROW_CREDITS = `
row_credits AS (
  SELECT s.model, r.measure, r.period_start, r.campaign_id, r.amount * w.weight AS share, w.weight AS wins
  FROM journey_rows r
  JOIN shape_weights s ON s.shape_key = ${shapeKey('r.measure', 'r.sig')}
  CROSS JOIN LATERAL (
    SELECT CASE WHEN r.touch_count = s.holding_touches THEN ${proRata('s', 'r.class_mask')}
                ELSE ${heldWeight('s', 'r.class_mask')} + (r.touches - ${heldTouches('s', 'r.class_mask')})
                     * (s.rest_weight::numeric(50, 40) / (r.touch_count - s.holding_touches))
           END AS weight) w
  UNION ALL
  SELECT m.model, r.measure, r.period_start, r.campaign_id,
         r.amount * (r.decay_sum::numeric(50, 40) / r.decay_total), r.decay_sum::numeric(50, 40) / r.decay_total
  FROM journey_rows r
  CROSS JOIN attribution_models m
  WHERE m.family = 'DECAY'
)`;

/**
 * Largest remainder: needs `attribution_shares(model, measure, period_start, campaign_id, share, wins)`
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
 * Credits: needs `scope_amounts(measure, period_start, total_amount)` (the amount of the
 * opportunities in scope), `attribution_models`, `campaign_credits(model, measure,
 * period_start, campaign_id, share, wins)` (rule-based, unrounded) and `attributed_scope(measure,
 * period_start, attributed_amount, attributed_count)` (what non-empty journeys explain); gives
 * `rounded_shares` and `share_totals`.
 */
export const CREDITS = `
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
  SELECT * FROM unnest($17::timestamptz[], $18::bigint[], $19::numeric[]) AS f(period_start, campaign_id, fraction)
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
${LARGEST_REMAINDER}`;

/** Per-touch weights of every journey under every rule-based model asked for (explains a credit). */
export const JOURNEY_WEIGHTS_SQL = `${STATEMENT_HEAD}
${OPPORTUNITIES_IN_SCOPE},
${ATTRIBUTION_MODELS},
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
)
SELECT model, measure, opportunity_id AS "opportunityId", touch_id AS "touchId", campaign_id AS "campaignId",
       position::int AS position, weight::text AS weight
FROM touch_weights
ORDER BY model, measure, opportunity_id, position`;
