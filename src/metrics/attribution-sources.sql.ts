/**
 * The credits and Markov counts of the journeys in scope, with the parameters of
 * attribution.sql.ts: journeys are built from the touches by the database functions of
 * migrations/1732500000000-attribution-journeys.ts.
 */
import { CREDITS, directJourneyRows, periodOf, ROW_CREDITS, SHAPE_WEIGHTS, STATEMENT_HEAD } from './attribution.sql';

const ROW_SCOPE = `
row_scope AS (   -- the journey rows' opportunities, once each
  SELECT measure, period_start, sum(amount) AS attributed_amount, count(*) AS attributed_count
  FROM (SELECT DISTINCT measure, opportunity_id, period_start, amount FROM journey_rows) j
  GROUP BY measure, period_start
)`;

/** The credits of the journeys in scope: gives `rounded_shares` and `share_totals` (see CREDITS). */
export const DIRECT_CREDITS = [
  `\njourney_rows AS (   -- one row per journey and campaign${directJourneyRows(null)}\n)`,
  SHAPE_WEIGHTS,
  ROW_CREDITS,
  `
campaign_credits AS (   -- a campaign's credit: amount times the weights of its touches, over all journeys
  SELECT model, measure, period_start, campaign_id, sum(share) AS share, sum(wins) AS wins
  FROM row_credits
  GROUP BY model, measure, period_start, campaign_id
)`,
  ROW_SCOPE,
  '\nattributed_scope AS (SELECT * FROM row_scope)',
  CREDITS,
].join(',');

/** Closed opportunities (won or lost) in the window: the Markov paths. */
const CLOSED_IN_SCOPE = `
closed_in_scope AS (
  SELECT o.id, o.stage = 'CLOSED_WON' AS won, ${periodOf('o.closed_at')} AS period_start
  FROM opportunities o
  WHERE o.closed_at >= $1::timestamptz AND o.closed_at < $2::timestamptz
    AND o.stage IN ('CLOSED_WON', 'CLOSED_LOST') AND o.kind = ANY ($7::text[])
)`;

const DIRECT_PATH_STEPS = `
  SELECT c.period_start, t.from_campaign_id, t.to_campaign_id, c.won, t.transitions
  FROM attribution_path_transitions(ARRAY(SELECT id FROM closed_in_scope), $4::float8, $6::text) t
  JOIN closed_in_scope c ON c.id = t.opportunity_id`;

/** DATA_DRIVEN: transition counts of the paths START -> c_1 -> ... -> c_n -> CONVERSION | NULL, per period. */
export const MARKOV_TRANSITIONS_SQL = `${STATEMENT_HEAD}${CLOSED_IN_SCOPE},
path_steps_in_scope AS (   -- the steps of the paths closed, won or lost, in the window${DIRECT_PATH_STEPS}
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
