/**
 * The credits and Markov counts of each journey source (see JourneySource), with the same
 * parameters (attribution.sql.ts) and the same results. The attribution cache
 * (migrations/1732510000000-attribution-cache.ts) holds the ACCOUNT-scope journeys of one
 * lookback and half-life, kept current on write.
 *
 * DIRECT builds the journeys from the touches now. CACHED_JOURNEYS credits the cached journey
 * rows one by one, like DIRECT. CACHED_MONTHS reads the monthly sums for the months wholly
 * inside the window ($24, $25: see cachedMonths) and the cached journey rows for the rest.
 * AUTO, what the API runs, is CACHED_MONTHS when the cache is ready and holds the query's
 * journeys, and DIRECT otherwise, decided inside the statement: the branch not taken is never executed.
 */
import type { JourneySource } from './attribution.params';
import {
  CREDITS,
  directJourneyRows,
  heldTouches,
  heldWeight,
  periodOf,
  proRata,
  ROW_CREDITS,
  SHAPE_WEIGHTS,
  shapeKey,
  STATEMENT_HEAD,
} from './attribution.sql';

export type CreditSource = JourneySource | 'AUTO';

const CACHE_APPLIES = `
cache_applies AS (   -- whether the cache is ready and holds this query's journeys
  SELECT coalesce(bool_and(s.ready AND $6::text = 'ACCOUNT' AND s.lookback_days = $4::float8
                           AND (s.half_life_days = $5::float8 OR NOT 'DECAY' = ANY ($11::text[]))), false) AS holds
  FROM attribution_cache_settings s
)`;
const CACHED = '(SELECT holds FROM cache_applies)';
const NOT_CACHED = 'NOT (SELECT holds FROM cache_applies)';

/** Which measures' journeys are read: pipeline only for a rule-based model, revenue when asked for. */
const MEASURES_WANTED = (alias: string) =>
  `((${alias}.measure = 'PIPELINE' AND $8::boolean AND $11::text[] && '{ROLE,DECAY}') OR (${alias}.measure = 'REVENUE' AND $9::boolean))`;

/** Cached journey rows ending in the window (outside the months read from the sums, when `edgesOnly`). */
const cachedJourneyRows = (edgesOnly: boolean, gate: string | null) => `
  SELECT j.measure, j.opportunity_id, j.amount, ${periodOf('j.journey_end')} AS period_start, j.campaign_id,
         j.touches, j.touch_count, j.sig, j.class_mask, j.decay_sum, j.decay_total
  FROM attribution_journeys j
  WHERE ${edgesOnly ? `((j.journey_end >= $1::timestamptz AND j.journey_end < $24::timestamptz)
         OR (j.journey_end >= $25::timestamptz AND j.journey_end < $2::timestamptz))` : 'j.journey_end >= $1::timestamptz AND j.journey_end < $2::timestamptz'}
    AND j.opportunity_kind = ANY ($7::text[]) AND ${MEASURES_WANTED('j')}${gate ? `\n    AND ${gate}` : ''}`;

/** The amount of the opportunities in scope per measure and period, from the opportunities themselves. */
const DIRECT_SCOPE_AMOUNTS = `
scope_amounts AS (
  SELECT measure, period_start, sum(amount) AS total_amount FROM opportunities_in_scope GROUP BY 1, 2
)`;

/**
 * The same from opportunity_monthly_totals for the whole months $24..$25 (any kinds: the totals
 * are kept per kind), and from the opportunities whose journey ends outside them.
 */
const CACHED_SCOPE_AMOUNTS = `
scope_amounts AS (
  SELECT measure, period_start, sum(amount) AS total_amount
  FROM (SELECT t.measure, ${periodOf('t.month')} AS period_start, t.amount
        FROM opportunity_monthly_totals t
        WHERE t.month >= $24::timestamptz AND t.month < $25::timestamptz AND t.opportunity_kind = ANY ($7::text[])
          AND ((t.measure = 'PIPELINE' AND $8::boolean) OR (t.measure = 'REVENUE' AND $9::boolean))
        UNION ALL
        SELECT 'PIPELINE', ${periodOf('o.created_at')}, o.amount
        FROM opportunities o
        WHERE $8::boolean AND o.kind = ANY ($7::text[])
          AND ((o.created_at >= $1::timestamptz AND o.created_at < least($2::timestamptz, $24::timestamptz))
               OR (o.created_at >= greatest($1::timestamptz, $25::timestamptz) AND o.created_at < $2::timestamptz))
        UNION ALL
        SELECT 'REVENUE', ${periodOf('o.closed_at')}, o.amount
        FROM opportunities o
        WHERE $9::boolean AND o.stage = 'CLOSED_WON' AND o.kind = ANY ($7::text[])
          AND ((o.closed_at >= $1::timestamptz AND o.closed_at < least($2::timestamptz, $24::timestamptz))
               OR (o.closed_at >= greatest($1::timestamptz, $25::timestamptz) AND o.closed_at < $2::timestamptz))) a
  GROUP BY 1, 2
)`;

const ROW_SCOPE = `
row_scope AS (   -- the journey rows' opportunities, once each
  SELECT measure, period_start, sum(amount) AS attributed_amount, count(*) AS attributed_count
  FROM (SELECT DISTINCT measure, opportunity_id, period_start, amount FROM journey_rows) j
  GROUP BY measure, period_start
)`;

/**
 * Credits from the monthly sums, where n is a journey's touches, d = holding_touches the touches
 * holding a role under the model, rest its rest weight: a campaign row gets rest * f_d (its touches'
 * share of the rest, role-holding touches included), plus, for the touches holding a role,
 * held_weight * amount - held_touches * rest * b_d (their role weights instead of the rest), or
 * amount * pro_rata when every touch of the journey holds a role (n = d).
 */
const monthlyCredits = (gate: string | null) => `
monthly_rows AS NOT MATERIALIZED (
  SELECT m.*, ${periodOf('m.month')} AS period_start
  FROM attribution_monthly m
  WHERE m.month >= $24::timestamptz AND m.month < $25::timestamptz AND ${MEASURES_WANTED('m')}${
    gate ? `\n    AND ${gate}` : ''
  }
),
monthly_credits AS (
  SELECT s.model, r.measure, r.period_start, r.campaign_id,
         s.rest_weight * x.f
         + CASE WHEN r.class_mask = 0 THEN 0
                WHEN r.n_small > s.holding_touches
                THEN ${heldWeight('s', 'r.class_mask')} * r.amount - ${heldTouches('s', 'r.class_mask')} * s.rest_weight * x.b
                ELSE r.amount * ${proRata('s', 'r.class_mask')} END AS share,
         s.rest_weight * x.w
         + CASE WHEN r.class_mask = 0 THEN 0
                WHEN r.n_small > s.holding_touches
                THEN ${heldWeight('s', 'r.class_mask')} * r.pairs - ${heldTouches('s', 'r.class_mask')} * s.rest_weight * x.e
                ELSE r.pairs * ${proRata('s', 'r.class_mask')} END AS wins
  FROM monthly_rows r
  JOIN shape_weights s ON s.shape_key = ${shapeKey('r.measure', 'r.sig')}
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
)`;

/** The credits of `source`: gives `rounded_shares` and `share_totals` (see CREDITS). */
export function creditsSql(source: CreditSource): string {
  const monthly = source === 'CACHED_MONTHS' || source === 'AUTO';
  const monthlyGate = source === 'AUTO' ? CACHED : null;
  const rowParts: string[] = [];
  if (source === 'DIRECT') rowParts.push(directJourneyRows(null));
  if (source === 'AUTO') rowParts.push(directJourneyRows(NOT_CACHED), cachedJourneyRows(true, CACHED));
  if (source === 'CACHED_JOURNEYS') rowParts.push(cachedJourneyRows(false, null));
  if (source === 'CACHED_MONTHS') rowParts.push(cachedJourneyRows(true, null));
  const ctes = [
    ...(source === 'AUTO' ? [CACHE_APPLIES] : []),
    `\njourney_rows AS (   -- one row per journey and campaign${rowParts.join('\n  UNION ALL')}\n)`,
    SHAPE_WEIGHTS,
    ROW_CREDITS,
    ...(monthly ? [monthlyCredits(monthlyGate)] : []),
    `
campaign_credits AS (   -- a campaign's credit: amount times the weights of its touches, over all journeys
  SELECT model, measure, period_start, campaign_id, sum(share) AS share, sum(wins) AS wins
  FROM (SELECT model, measure, period_start, campaign_id, share, wins FROM row_credits${
    monthly ? '\n        UNION ALL\n        SELECT model, measure, period_start, campaign_id, share, wins FROM monthly_credits' : ''
  }) c
  GROUP BY model, measure, period_start, campaign_id
)`,
    ROW_SCOPE,
    source === 'DIRECT' ? DIRECT_SCOPE_AMOUNTS : CACHED_SCOPE_AMOUNTS,
    monthly
      ? `
attributed_scope AS (   -- what non-empty journeys explain: the monthly totals plus the journey rows
  SELECT measure, period_start, sum(attributed_amount) AS attributed_amount, sum(attributed_count) AS attributed_count
  FROM (SELECT t.measure, ${periodOf('t.month')} AS period_start, t.amount AS attributed_amount, t.journeys AS attributed_count
        FROM attribution_monthly_totals t
        WHERE t.month >= $24::timestamptz AND t.month < $25::timestamptz AND ${MEASURES_WANTED('t')}${
          monthlyGate ? `\n          AND ${monthlyGate}` : ''
        }
        UNION ALL
        SELECT measure, period_start, attributed_amount, attributed_count FROM row_scope) a
  GROUP BY measure, period_start
)`
      : '\nattributed_scope AS (SELECT * FROM row_scope)',
    CREDITS,
  ];
  return ctes.join(',');
}

/** Closed opportunities (won or lost) in the window: the Markov paths. */
const CLOSED_IN_SCOPE = `
closed_in_scope AS (
  SELECT o.id, o.stage = 'CLOSED_WON' AS won, ${periodOf('o.closed_at')} AS period_start
  FROM opportunities o
  WHERE o.closed_at >= $1::timestamptz AND o.closed_at < $2::timestamptz
    AND o.stage IN ('CLOSED_WON', 'CLOSED_LOST') AND o.kind = ANY ($7::text[])
)`;

const directPathSteps = (gate: string | null) => `
  SELECT c.period_start, t.from_campaign_id, t.to_campaign_id, c.won, t.transitions
  FROM attribution_path_transitions(ARRAY(SELECT id FROM closed_in_scope), $4::float8, $6::text) t
  JOIN closed_in_scope c ON c.id = t.opportunity_id${gate ? `\n  WHERE ${gate}` : ''}`;

/** The steps of the cached paths: from position i - 1 (START when 0) to i (the end when past the last). */
const cachedPathSteps = (gate: string | null) => `
  SELECT ${periodOf('p.closed_at')} AS period_start, p.campaign_ids[i - 1] AS from_campaign_id, p.campaign_ids[i] AS to_campaign_id,
         p.won, 1 AS transitions
  FROM attribution_paths p
  CROSS JOIN generate_series(1, cardinality(p.campaign_ids) + 1) AS i
  WHERE p.closed_at >= $1::timestamptz AND p.closed_at < $2::timestamptz AND p.opportunity_kind = ANY ($7::text[])${
    gate ? `\n    AND ${gate}` : ''
  }`;

/** DATA_DRIVEN: transition counts of the paths START -> c_1 -> ... -> c_n -> CONVERSION | NULL, per period. */
function markovTransitionsSql(source: CreditSource): string {
  const parts =
    source === 'AUTO'
      ? [directPathSteps(NOT_CACHED), cachedPathSteps(CACHED)]
      : [source === 'DIRECT' ? directPathSteps(null) : cachedPathSteps(null)];
  return `${STATEMENT_HEAD}${source === 'AUTO' ? `${CACHE_APPLIES},` : ''}${source === 'CACHED_JOURNEYS' || source === 'CACHED_MONTHS' ? '' : `${CLOSED_IN_SCOPE},`}
path_steps_in_scope AS (   -- the steps of the paths closed, won or lost, in the window${parts.join('\n  UNION ALL')}
),
step_counts AS (   -- counted by campaign ids first; an end is a conversion when the deal was won
  SELECT period_start, from_campaign_id, to_campaign_id, to_campaign_id IS NULL AND won AS converted, sum(transitions) AS transitions
  FROM path_steps_in_scope
  GROUP BY 1, 2, 3, 4
)
SELECT period_start AS "periodStart", coalesce(from_campaign_id::text, 'START') AS "fromState",
       coalesce(to_campaign_id::text, CASE WHEN converted THEN 'CONVERSION' ELSE 'NULL' END) AS "toState",
       transitions::int AS transitions
FROM step_counts
ORDER BY 1, 2, 3`;
}

export const MARKOV_TRANSITIONS_SQL: Record<CreditSource, string> = {
  AUTO: markovTransitionsSql('AUTO'),
  DIRECT: markovTransitionsSql('DIRECT'),
  CACHED_JOURNEYS: markovTransitionsSql('CACHED_JOURNEYS'),
  CACHED_MONTHS: markovTransitionsSql('CACHED_MONTHS'),
};
