import { PERFORMANCE_BODY, STATEMENT_HEAD } from './attribution.sql';

const { OPPORTUNITIES_IN_SCOPE, JOURNEYS, RULE_BASED_WEIGHTS, CREDITS, ACTIVITY } = PERFORMANCE_BODY;

/**
 * Campaign / channel performance (METRICS.md "Campaign performance") for every model
 * and period asked for, in one statement: one 'ROW' per row key (campaign, channel, or
 * none) and one 'TOTAL' per model and period holding the sums of the rows and the
 * unattributed and total amounts. Parameters: see attribution.sql.ts.
 */
export const PERFORMANCE_SQL = `${STATEMENT_HEAD}
${OPPORTUNITIES_IN_SCOPE},
${JOURNEYS},
${RULE_BASED_WEIGHTS},
${CREDITS},
${ACTIVITY},
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
  UNION SELECT campaign_id, period_start FROM sourced_leads
  UNION SELECT campaign_id, period_start FROM sourced_mqls
  UNION SELECT campaign_id, period_start FROM credit_figures
),
campaign_figures AS (   -- every figure of a campaign in a period under a model; null for a measure not computed
  SELECT m.model, m.family, a.period_start, a.campaign_id, rc.channel,
         coalesce(sp.spend, 0) AS spend, coalesce(tw.touches, 0) AS touches,
         coalesce(sl.leads_sourced, 0) AS leads_sourced, coalesce(sm.mqls, 0) AS mqls,
         CASE WHEN $8::boolean AND m.family <> 'MARKOV' THEN coalesce(cf.attributed_pipeline, 0) END AS attributed_pipeline,
         CASE WHEN $9::boolean THEN coalesce(cf.attributed_revenue, 0) END AS attributed_revenue,
         CASE WHEN $9::boolean THEN coalesce(cf.attributed_wins, 0) END AS attributed_wins
  FROM active_campaigns a
  JOIN row_campaigns rc ON rc.campaign_id = a.campaign_id
  CROSS JOIN attribution_models m
  LEFT JOIN spend_in_window sp ON sp.campaign_id = a.campaign_id AND sp.period_start = a.period_start
  LEFT JOIN touches_in_window tw ON tw.campaign_id = a.campaign_id AND tw.period_start = a.period_start
  LEFT JOIN sourced_leads sl ON sl.campaign_id = a.campaign_id AND sl.period_start = a.period_start
  LEFT JOIN sourced_mqls sm ON sm.campaign_id = a.campaign_id AND sm.period_start = a.period_start
  LEFT JOIN credit_figures cf ON cf.model = m.model AND cf.period_start = a.period_start AND cf.campaign_id = a.campaign_id
),
report_rows AS (   -- rows by campaign, by channel, or one per period (NONE): sums of rounded campaign figures
  SELECT model, period_start,
         CASE $22::text WHEN 'CAMPAIGN' THEN campaign_id::text WHEN 'CHANNEL' THEN channel END AS row_key,
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
         CASE WHEN $8::boolean AND m.family <> 'MARKOV' THEN coalesce(rsum.attributed_pipeline, 0) END AS attributed_pipeline,
         CASE WHEN $9::boolean THEN coalesce(rsum.attributed_revenue, 0) END AS attributed_revenue,
         CASE WHEN $9::boolean THEN coalesce(rsum.attributed_wins, 0) END AS attributed_wins,
         CASE WHEN $8::boolean AND m.family <> 'MARKOV' THEN coalesce(pa.unattributed_pipeline, 0) END AS unattributed_pipeline,
         CASE WHEN $9::boolean THEN coalesce(pa.unattributed_revenue, 0) END AS unattributed_revenue,
         CASE WHEN $8::boolean AND m.family <> 'MARKOV' THEN coalesce(pa.total_pipeline, 0) END AS total_pipeline,
         CASE WHEN $9::boolean THEN coalesce(pa.total_revenue, 0) END AS total_revenue
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
SELECT row_kind AS "rowKind", model, period_start AS "periodStart", row_key AS "rowKey",
       round(spend, 2)::text AS spend, touches::int AS touches, leads_sourced::int AS "leadsSourced", mqls::int AS mqls,
       round(attributed_pipeline, 2)::text AS "attributedPipeline",
       round(attributed_revenue, 2)::text AS "attributedRevenue",
       attributed_wins::float8 AS "attributedWins",
       ((attributed_revenue - spend) / nullif(spend, 0))::float8 AS roi,
       (attributed_revenue / nullif(spend, 0))::float8 AS roas,
       (spend / nullif(leads_sourced, 0))::float8 AS "costPerLead",
       (spend / nullif(mqls, 0))::float8 AS "costPerMql",
       round(unattributed_pipeline, 2)::text AS "unattributedPipeline",
       round(unattributed_revenue, 2)::text AS "unattributedRevenue",
       round(total_pipeline, 2)::text AS "totalPipeline",
       round(total_revenue, 2)::text AS "totalRevenue",
       (unattributed_pipeline / nullif(total_pipeline, 0))::float8 AS "unattributedPipelineShare",
       (unattributed_revenue / nullif(total_revenue, 0))::float8 AS "unattributedRevenueShare"
FROM report
ORDER BY model, period_start, row_kind, row_key`;
