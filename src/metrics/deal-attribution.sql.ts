/**
 * The attribution of single deals (Opportunity.attribution, the deals behind a campaign's
 * performance row): every touch of each deal's journey with its weight and its credit.
 *
 * One statement for a page of deals. It binds the 25 attribution parameters (attribution.sql.ts;
 * $1 is only a label here, the deals are not chosen by a window) plus $26, the deals' ids. The
 * weights are the per-touch step of the attribution SQL (JOURNEY_TOUCH_WEIGHTS: the weight w_i of
 * touch i under a rule-based model), and the rounding is the reports' largest remainder
 * (LARGEST_REMAINDER) applied to the deal alone:
 *
 *   1. a campaign's exact share of the deal is amount * (sum of the w_i of its touches), as in
 *      the reports (docs/metrics.md, "Attribution");
 *   2. the shares of one deal are rounded by largest remainder to add up to its amount (ties: the
 *      lowest campaign id), which is what campaignPerformance shows for a window holding that deal
 *      alone;
 *   3. each campaign's cents are shared among its touches the same way (ties: the earlier touch),
 *      so touches add up to campaigns and campaigns to the amount, to the cent.
 *
 * Pipeline: the journey ends at the deal's creation, any deal. Revenue: it ends at the close, won
 * deals only (a deal not won has no revenue to share: no row).
 */
import { ATTRIBUTION_MODELS, JOURNEY_TOUCH_WEIGHTS, LARGEST_REMAINDER, STATEMENT_HEAD } from './attribution.sql';

export const DEAL_ATTRIBUTION_SQL = `${STATEMENT_HEAD}
asked AS (   -- the deals asked for that the measure applies to, with the amount it shares out
  SELECT o.id AS opportunity_id, o.amount,
         CASE WHEN $9::boolean THEN 'REVENUE' ELSE 'PIPELINE' END AS measure,
         CASE WHEN $9::boolean THEN o.closed_at ELSE o.created_at END AS journey_end
  FROM opportunities o
  WHERE o.id = ANY ($26::bigint[]) AND (NOT $9::boolean OR o.stage = 'CLOSED_WON')
),
opportunities_in_scope AS (SELECT measure, opportunity_id FROM asked),
${ATTRIBUTION_MODELS},${JOURNEY_TOUCH_WEIGHTS},
touch_shares AS (   -- each touch's exact share of its deal's amount
  SELECT h.opportunity_id, h.touch_id, h.campaign_id, h.position, h.touch_count, h.occurred_at,
         h.conversion_position, h.creation_position, h.close_position, w.weight, h.amount * w.weight AS share
  FROM journey_holdings h
  JOIN touch_weights w USING (model, measure, opportunity_id, touch_id)
),
campaign_shares AS (   -- a campaign's exact share of a deal: the deal's amount times the weights of its touches
  SELECT opportunity_id, campaign_id, sum(share) AS share, sum(weight) AS weight
  FROM touch_shares
  GROUP BY opportunity_id, campaign_id
),
-- the reports' largest remainder partitions by (model, measure, period_start); one model is asked
-- here, so the model column names the deal: each deal is its own total
attribution_shares AS (
  SELECT c.opportunity_id::text AS model, 'DEAL'::text AS measure, $1::timestamptz AS period_start, c.campaign_id, c.share, c.weight AS wins
  FROM campaign_shares c
),
share_totals AS (
  SELECT a.opportunity_id::text AS model, 'DEAL'::text AS measure, $1::timestamptz AS period_start, a.amount AS total
  FROM asked a
  WHERE EXISTS (SELECT 1 FROM campaign_shares c WHERE c.opportunity_id = a.opportunity_id)
),
${LARGEST_REMAINDER},
campaign_cents AS (
  SELECT model::bigint AS opportunity_id, campaign_id, amount AS credit FROM rounded_shares
),
touch_cents AS (   -- a campaign's cents among its touches, by the same rule (the earlier touch first on ties)
  WITH attribution_shares AS (
    SELECT t.opportunity_id || '/' || t.campaign_id AS model, 'TOUCH'::text AS measure, $1::timestamptz AS period_start,
           t.position AS campaign_id, t.share, t.weight AS wins
    FROM touch_shares t
  ),
  share_totals AS (
    SELECT c.opportunity_id || '/' || c.campaign_id AS model, 'TOUCH'::text AS measure, $1::timestamptz AS period_start, c.credit AS total
    FROM campaign_cents c
  ),
  ${LARGEST_REMAINDER}
  SELECT split_part(model, '/', 1)::bigint AS opportunity_id, campaign_id AS position, amount AS credit FROM rounded_shares
)
SELECT a.opportunity_id::text AS "opportunityId", a.measure, a.amount::text AS amount, a.journey_end AS "journeyEnd",
       t.touch_id::text AS "touchId", t.campaign_id::text AS "campaignId", t.position::int AS position,
       t.touch_count::int AS "touchCount", t.occurred_at AS "occurredAt",
       coalesce(t.position = 1, false) AS "isFirst", coalesce(t.position = t.touch_count, false) AS "isLast",
       coalesce(t.position = t.conversion_position, false) AS "isLeadConversion",
       coalesce(t.position = t.creation_position, false) AS "isOpportunityCreation",
       coalesce(t.position = t.close_position, false) AS "isClose",
       round(t.weight, 12)::text AS weight, t.share::text AS share, tc.credit::text AS credit,
       cs.share::text AS "campaignShare", cc.credit::text AS "campaignCredit"
FROM asked a
LEFT JOIN touch_shares t ON t.opportunity_id = a.opportunity_id
LEFT JOIN touch_cents tc ON tc.opportunity_id = t.opportunity_id AND tc.position = t.position
LEFT JOIN campaign_shares cs ON cs.opportunity_id = t.opportunity_id AND cs.campaign_id = t.campaign_id
LEFT JOIN campaign_cents cc ON cc.opportunity_id = t.opportunity_id AND cc.campaign_id = t.campaign_id
ORDER BY a.opportunity_id, t.position`;
