/**
 * The attribution SQL (METRICS.md "Journeys", "Rule-based models", "Data-driven model").
 *
 * Every statement binds the same 23 parameters (see attributionParams in
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
 *   $22 row_key text (CAMPAIGN|CHANNEL|NONE)   $23 with_activity boolean (spend, touches, leads, MQLs)
 *
 * A period is `$1` when $3 is null, else the UTC calendar period (weeks start Monday)
 * of the time that places a row in the window.
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
         $23::boolean AS with_activity
)`;

/** Opportunities whose amount is shared out: pipeline (created in the window) and revenue (won in the window). */
const OPPORTUNITIES_IN_SCOPE = `
opportunities_in_scope AS (   -- one row per measure and opportunity; the journey ends at creation (pipeline) or close (revenue)
  SELECT 'PIPELINE'::text AS measure, o.id AS opportunity_id, o.account_id, o.amount, o.stage = 'CLOSED_WON' AS won,
         o.created_at, o.created_at AS journey_end,
         CASE WHEN $3::text IS NULL THEN $1::timestamptz ELSE date_trunc($3::text, o.created_at, 'UTC') END AS period_start
  FROM opportunities o
  WHERE $8::boolean AND o.created_at >= $1::timestamptz AND o.created_at < $2::timestamptz
    AND o.kind = ANY ($7::text[])
  UNION ALL
  SELECT 'REVENUE'::text, o.id, o.account_id, o.amount, true, o.created_at, o.closed_at,
         CASE WHEN $3::text IS NULL THEN $1::timestamptz ELSE date_trunc($3::text, o.closed_at, 'UTC') END
  FROM opportunities o
  WHERE $9::boolean AND o.closed_at >= $1::timestamptz AND o.closed_at < $2::timestamptz
    AND o.stage = 'CLOSED_WON' AND o.kind = ANY ($7::text[])
)`;

/** Markov paths: every opportunity closed, won or lost, in the window, its journey ending at the close. */
const CLOSED_OPPORTUNITIES_IN_SCOPE = `
opportunities_in_scope AS (
  SELECT 'PATH'::text AS measure, o.id AS opportunity_id, o.account_id, o.amount, o.stage = 'CLOSED_WON' AS won,
         o.created_at, o.closed_at AS journey_end,
         CASE WHEN $3::text IS NULL THEN $1::timestamptz ELSE date_trunc($3::text, o.closed_at, 'UTC') END AS period_start
  FROM opportunities o
  WHERE o.closed_at >= $1::timestamptz AND o.closed_at < $2::timestamptz
    AND o.stage IN ('CLOSED_WON', 'CLOSED_LOST') AND o.kind = ANY ($7::text[])
)`;

/** Journeys: needs `opportunities_in_scope`; gives `journey_touches` in order with their position. */
const JOURNEYS = `
journey_leads AS (   -- whose touches make up a journey: every lead of the account, or only the deal's contacts
  SELECT s.*, l.id AS lead_id, l.mql_at
  FROM opportunities_in_scope s
  JOIN leads l ON l.account_id = s.account_id
  WHERE $6::text = 'ACCOUNT'
  UNION ALL
  SELECT s.*, l.id, l.mql_at
  FROM opportunities_in_scope s
  JOIN opportunity_contacts oc ON oc.opportunity_id = s.opportunity_id
  JOIN leads l ON l.id = oc.lead_id
  WHERE $6::text = 'CONTACTS'
),
journey_touches AS (   -- their touches from lookbackDays before creation up to the journey's end, ordered by (occurredAt, id)
  SELECT jl.measure, jl.opportunity_id, jl.amount, jl.won, jl.created_at, jl.period_start,
         t.id AS touch_id, t.campaign_id, t.occurred_at,
         row_number() OVER (PARTITION BY jl.measure, jl.opportunity_id ORDER BY t.occurred_at, t.id) AS position,
         count(*) OVER journey AS touch_count,
         max(t.occurred_at) OVER journey AS last_touch_at,
         min(jl.mql_at) OVER journey AS conversion_at   -- earliest mqlAt of the leads in the journey
  FROM journey_leads jl
  JOIN touchpoints t ON t.lead_id = jl.lead_id
   AND t.occurred_at >= jl.created_at - make_interval(secs => $4::float8 * 86400)
   AND t.occurred_at <= jl.journey_end
  WINDOW journey AS (PARTITION BY jl.measure, jl.opportunity_id)
)`;

/** Rule-based weights: needs `journey_touches`; gives `touch_weights` (one row per model and touch). */
const RULE_BASED_WEIGHTS = `
journey_roles AS (   -- the position of the touch holding each role; null when the role is undefined
  SELECT jt.*,
         max(jt.position) FILTER (WHERE jt.occurred_at <= jt.conversion_at) OVER journey AS conversion_position,
         max(jt.position) FILTER (WHERE jt.occurred_at <= jt.created_at) OVER journey AS creation_position,
         CASE WHEN jt.measure = 'REVENUE' THEN jt.touch_count END AS close_position
  FROM journey_touches jt
  WINDOW journey AS (PARTITION BY jt.measure, jt.opportunity_id)
),
attribution_models AS (   -- the models asked for, with the weight of each role
  SELECT *
  FROM unnest($10::text[], $11::text[], $12::numeric[], $13::numeric[], $14::numeric[], $15::numeric[], $16::numeric[])
       AS m(model, family, w_first, w_last, w_conversion, w_creation, w_close)
),
touch_role_weights AS (   -- what the roles a touch holds add up to, and its time-decay factor relative to the last touch
  SELECT r.*, m.model, m.family,
         (CASE WHEN r.position = 1 THEN m.w_first ELSE 0 END)
         + (CASE WHEN r.position = r.touch_count THEN m.w_last ELSE 0 END)
         + (CASE WHEN r.position = r.conversion_position THEN m.w_conversion ELSE 0 END)
         + (CASE WHEN r.position = r.creation_position THEN m.w_creation ELSE 0 END)
         + (CASE WHEN r.position = r.close_position THEN m.w_close ELSE 0 END) AS role_weight,
         -- TIME_DECAY: 0.5 ^ (days before the last touch / halfLifeDays), floored at 100 half-lives (~8e-31)
         CASE WHEN m.family = 'DECAY'
              THEN power(0.5::float8, least(extract(epoch FROM r.last_touch_at - r.occurred_at)::float8 / 86400 / $5::float8, 100))::numeric
         END AS decay_factor
  FROM journey_roles r
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
  SELECT h.model, h.measure, h.opportunity_id, h.touch_id, h.campaign_id, h.position, h.period_start, h.amount,
         CASE
           WHEN h.family = 'DECAY' THEN h.decay_factor::numeric(50, 40) / h.decay_total
           WHEN h.free_touches = 0 THEN h.role_weight::numeric(50, 40) / h.holding_weight
           WHEN h.role_weight > 0 THEN h.role_weight
           ELSE (1 - h.holding_weight)::numeric(50, 40) / h.free_touches
         END AS weight
  FROM journey_holdings h
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

/** Credits: needs the journeys and weights; gives `rounded_shares` and `scope_totals`. */
const CREDITS = `
journey_starts AS (   -- opportunities with a non-empty journey
  SELECT measure, opportunity_id FROM journey_touches WHERE position = 1
),
scope_totals AS (   -- per measure and period: the total amount, what journeys explain, and what they don't
  SELECT s.measure, s.period_start, sum(s.amount) AS total_amount,
         coalesce(sum(s.amount) FILTER (WHERE j.opportunity_id IS NULL), 0) AS unattributed_amount,
         coalesce(sum(s.amount) FILTER (WHERE j.opportunity_id IS NOT NULL), 0) AS attributed_amount,
         count(*) FILTER (WHERE j.opportunity_id IS NOT NULL) AS attributed_count
  FROM opportunities_in_scope s
  LEFT JOIN journey_starts j USING (measure, opportunity_id)
  GROUP BY s.measure, s.period_start
),
measured_models AS (   -- the (model, measure) pairs computed: DATA_DRIVEN is defined for revenue only
  SELECT m.model, m.family, t.measure, t.period_start, t.total_amount, t.unattributed_amount,
         t.attributed_amount, t.attributed_count
  FROM attribution_models m
  JOIN scope_totals t ON m.family <> 'MARKOV' OR t.measure = 'REVENUE'
),
rule_based_credits AS (   -- a campaign's credit: amount times the weights of its touches, over all journeys
  SELECT model, measure, period_start, campaign_id, sum(amount * weight) AS share, sum(weight) AS wins
  FROM touch_weights
  GROUP BY model, measure, period_start, campaign_id
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
  SELECT model, measure, period_start, campaign_id, share, wins FROM rule_based_credits
  UNION ALL
  SELECT model, measure, period_start, campaign_id, share, wins FROM markov_credits
  UNION ALL
  SELECT model, measure, period_start, NULL::bigint, unattributed_amount, NULL::numeric FROM measured_models
),
share_totals AS (
  SELECT model, measure, period_start, total_amount AS total FROM measured_models
),
${LARGEST_REMAINDER}`;

/** Per-campaign activity in the window: spend, touches, leads sourced, MQLs (skipped unless $23). */
const ACTIVITY = `
row_campaigns AS (   -- the campaigns whose rows are asked for
  SELECT c.id AS campaign_id, c.channel
  FROM campaigns c
  WHERE ($20::bigint[] IS NULL OR c.id = ANY ($20::bigint[])) AND ($21::text[] IS NULL OR c.channel = ANY ($21::text[]))
),
spend_in_window AS (   -- spend entries whose day (at 00:00 UTC) lies in the window
  SELECT cs.campaign_id,
         CASE WHEN $3::text IS NULL THEN $1::timestamptz
              ELSE date_trunc($3::text, cs.spent_on::timestamp AT TIME ZONE 'UTC', 'UTC') END AS period_start,
         sum(cs.amount) AS spend
  FROM row_campaigns rc
  JOIN campaign_spend cs ON cs.campaign_id = rc.campaign_id
  WHERE $23::boolean
    AND cs.spent_on BETWEEN ($1::timestamptz AT TIME ZONE 'UTC')::date AND ($2::timestamptz AT TIME ZONE 'UTC')::date
    AND cs.spent_on::timestamp AT TIME ZONE 'UTC' >= $1::timestamptz
    AND cs.spent_on::timestamp AT TIME ZONE 'UTC' < $2::timestamptz
  GROUP BY 1, 2
),
window_touches AS (   -- touches of the row campaigns in the window
  SELECT t.campaign_id, t.lead_id, t.occurred_at
  FROM row_campaigns rc
  JOIN touchpoints t ON t.campaign_id = rc.campaign_id
   AND t.occurred_at >= $1::timestamptz AND t.occurred_at < $2::timestamptz
  WHERE $23::boolean
),
touches_in_window AS (
  SELECT campaign_id,
         CASE WHEN $3::text IS NULL THEN $1::timestamptz ELSE date_trunc($3::text, occurred_at, 'UTC') END AS period_start,
         count(*) AS touches
  FROM window_touches
  GROUP BY 1, 2
),
sourced_leads AS (   -- leads whose first touch ever is with the campaign and lies in the window (only leads touched in it can be)
  SELECT ft.campaign_id,
         CASE WHEN $3::text IS NULL THEN $1::timestamptz ELSE date_trunc($3::text, ft.occurred_at, 'UTC') END AS period_start,
         count(*) AS leads_sourced
  FROM (SELECT DISTINCT lead_id FROM window_touches) touched
  CROSS JOIN LATERAL (SELECT t.campaign_id, t.occurred_at FROM touchpoints t
                      WHERE t.lead_id = touched.lead_id ORDER BY t.occurred_at, t.id LIMIT 1) ft
  JOIN row_campaigns rc ON rc.campaign_id = ft.campaign_id
  WHERE ft.occurred_at >= $1::timestamptz AND ft.occurred_at < $2::timestamptz
  GROUP BY 1, 2
),
sourced_mqls AS (   -- leads sourced by the campaign (first touch ever) that became MQL in the window
  SELECT ft.campaign_id,
         CASE WHEN $3::text IS NULL THEN $1::timestamptz ELSE date_trunc($3::text, l.mql_at, 'UTC') END AS period_start,
         count(*) AS mqls
  FROM leads l
  CROSS JOIN LATERAL (SELECT t.campaign_id FROM touchpoints t
                      WHERE t.lead_id = l.id ORDER BY t.occurred_at, t.id LIMIT 1) ft
  JOIN row_campaigns rc ON rc.campaign_id = ft.campaign_id
  WHERE $23::boolean AND l.mql_at >= $1::timestamptz AND l.mql_at < $2::timestamptz
  GROUP BY 1, 2
)`;

export const STATEMENT_HEAD = `WITH ${DECLARED_PARAMS},`;

/** Per-touch weights of every journey under every rule-based model asked for (explains a credit). */
export const JOURNEY_WEIGHTS_SQL = `${STATEMENT_HEAD}
${OPPORTUNITIES_IN_SCOPE},
${JOURNEYS},
${RULE_BASED_WEIGHTS}
SELECT model, measure, opportunity_id AS "opportunityId", touch_id AS "touchId", campaign_id AS "campaignId",
       position::int AS position, weight::text AS weight
FROM touch_weights
ORDER BY model, measure, opportunity_id, position`;

/** DATA_DRIVEN: transition counts of the paths START -> c_1 -> ... -> c_n -> CONVERSION | NULL, per period. */
export const MARKOV_TRANSITIONS_SQL = `${STATEMENT_HEAD}
${CLOSED_OPPORTUNITIES_IN_SCOPE},
${JOURNEYS},
path_steps AS (   -- each step of each path, from the previous state (START first) to the touch's campaign
  SELECT period_start,
         coalesce(lag(campaign_id::text) OVER (PARTITION BY opportunity_id ORDER BY position), 'START') AS from_state,
         campaign_id::text AS to_state
  FROM journey_touches
  UNION ALL
  SELECT period_start, campaign_id::text, CASE WHEN won THEN 'CONVERSION' ELSE 'NULL' END
  FROM journey_touches
  WHERE position = touch_count
)
SELECT period_start AS "periodStart", from_state AS "fromState", to_state AS "toState", count(*)::int AS transitions
FROM path_steps
GROUP BY period_start, from_state, to_state
ORDER BY period_start, from_state, to_state`;

export const PERFORMANCE_BODY = { OPPORTUNITIES_IN_SCOPE, JOURNEYS, RULE_BASED_WEIGHTS, CREDITS, ACTIVITY };
