import { CreditSource, creditsSql } from './attribution-sources.sql';
import { ATTRIBUTION_MODELS, OPPORTUNITIES_IN_SCOPE, periodOf, STATEMENT_HEAD } from './attribution.sql';

/** The campaigns whose rows are asked for, and their spend in the window (skipped when $23 is NONE). */
const ROW_CAMPAIGNS_AND_SPEND = `
row_campaigns AS (   -- the campaigns whose rows are asked for
  SELECT c.id AS campaign_id, c.channel
  FROM campaigns c
  WHERE ($20::bigint[] IS NULL OR c.id = ANY ($20::bigint[])) AND ($21::text[] IS NULL OR c.channel = ANY ($21::text[]))
),
spend_in_window AS (   -- spend entries whose day (at 00:00 UTC) lies in the window
  SELECT cs.campaign_id, ${periodOf("cs.spent_on::timestamp AT TIME ZONE 'UTC'")} AS period_start, sum(cs.amount) AS spend
  FROM row_campaigns rc
  JOIN campaign_spend cs ON cs.campaign_id = rc.campaign_id
  WHERE $23::text IN ('ALL', 'SPEND')
    AND cs.spent_on BETWEEN ($1::timestamptz AT TIME ZONE 'UTC')::date AND ($2::timestamptz AT TIME ZONE 'UTC')::date
    AND cs.spent_on::timestamp AT TIME ZONE 'UTC' >= $1::timestamptz
    AND cs.spent_on::timestamp AT TIME ZONE 'UTC' < $2::timestamptz
  GROUP BY 1, 2
)`;

/** Touches, leads sourced and MQLs per campaign in the window, counted from the touches themselves. */
const DIRECT_COUNTS = `
window_touches AS (   -- touches of the row campaigns in the window
  SELECT t.campaign_id, t.lead_id, t.occurred_at
  FROM row_campaigns rc
  JOIN touchpoints t ON t.campaign_id = rc.campaign_id
   AND t.occurred_at >= $1::timestamptz AND t.occurred_at < $2::timestamptz
  WHERE $23::text = 'ALL'
),
touches_in_window AS (
  SELECT campaign_id, ${periodOf('occurred_at')} AS period_start, count(*) AS touches
  FROM window_touches
  GROUP BY 1, 2
),
sourced_leads AS (   -- leads whose first touch ever is with the campaign and lies in the window (only leads touched in it can be)
  SELECT ft.campaign_id, ${periodOf('ft.occurred_at')} AS period_start, count(*) AS leads_sourced
  FROM (SELECT DISTINCT lead_id FROM window_touches) touched
  CROSS JOIN LATERAL (SELECT t.campaign_id, t.occurred_at FROM touchpoints t
                      WHERE t.lead_id = touched.lead_id ORDER BY t.occurred_at, t.id LIMIT 1) ft
  JOIN row_campaigns rc ON rc.campaign_id = ft.campaign_id
  WHERE ft.occurred_at >= $1::timestamptz AND ft.occurred_at < $2::timestamptz
  GROUP BY 1, 2
),
sourced_mqls AS (   -- leads sourced by the campaign (first touch ever) that became MQL in the window
  SELECT ft.campaign_id, ${periodOf('l.mql_at')} AS period_start, count(*) AS mqls
  FROM leads l
  CROSS JOIN LATERAL (SELECT t.campaign_id FROM touchpoints t
                      WHERE t.lead_id = l.id ORDER BY t.occurred_at, t.id LIMIT 1) ft
  JOIN row_campaigns rc ON rc.campaign_id = ft.campaign_id
  WHERE $23::text = 'ALL' AND l.mql_at >= $1::timestamptz AND l.mql_at < $2::timestamptz
  GROUP BY 1, 2
)`;

/**
 * A count per campaign and period from campaign_daily_sourcing (column `count`) for the whole
 * days of the window, and from lead_first_touches (by `time`) for the partial days at its edges.
 */
const sourcedCounts = (name: string, count: string, time: string, what: string) => `
${name} AS (   -- ${what}
  SELECT campaign_id, period_start, sum(n) AS ${count}
  FROM (SELECT d.campaign_id, ${periodOf("d.day::timestamp AT TIME ZONE 'UTC'")} AS period_start, d.${count} AS n
        FROM campaign_daily_sourcing d
        JOIN row_campaigns rc ON rc.campaign_id = d.campaign_id
        WHERE $23::text = 'ALL' AND d.${count} <> 0
          AND d.day >= (${WHOLE_DAYS_FROM} AT TIME ZONE 'UTC')::date AND d.day < (${WHOLE_DAYS_TO} AT TIME ZONE 'UTC')::date
        UNION ALL
        SELECT f.campaign_id, ${periodOf(`f.${time}`)}, 1
        FROM lead_first_touches f
        JOIN row_campaigns rc ON rc.campaign_id = f.campaign_id
        WHERE $23::text = 'ALL' AND ((f.${time} >= $1::timestamptz AND f.${time} < least($2::timestamptz, ${WHOLE_DAYS_FROM}))
                                OR (f.${time} >= greatest($1::timestamptz, ${WHOLE_DAYS_TO}) AND f.${time} < $2::timestamptz))) s
  GROUP BY 1, 2
)`;

/**
 * The same counts from the activity cache (migrations/1732520000000-campaign-activity-cache.ts):
 * daily touch counts for the whole UTC days of the window, the touches themselves for the
 * partial days at its edges, and each lead's first touch (with its mqlAt).
 */
/** The first UTC midnight at or after $1, and the last at or before $2 (not before the first): whole days lie between. */
const WHOLE_DAYS_FROM = `(date_trunc('day', $1::timestamptz, 'UTC')
    + CASE WHEN date_trunc('day', $1::timestamptz, 'UTC') = $1::timestamptz THEN interval '0' ELSE interval '24 hours' END)`;
const WHOLE_DAYS_TO = `greatest(${WHOLE_DAYS_FROM}, date_trunc('day', $2::timestamptz, 'UTC'))`;

/**
 * The same counts from the activity cache (migrations/1732520000000-campaign-activity-cache.ts):
 * daily counts of touches, leads sourced and MQLs for the whole UTC days of the window, and
 * the touches and first touches themselves for the partial days at its edges. The edges are
 * written as expressions of the parameters, not read from a row, so that the planner sees
 * how short they are and reads them through the (campaign, time) index.
 */
const CACHED_COUNTS = `
touches_in_window AS (
  SELECT campaign_id, period_start, sum(touches) AS touches
  FROM (SELECT d.campaign_id, ${periodOf("d.day::timestamp AT TIME ZONE 'UTC'")} AS period_start, d.touches
        FROM campaign_daily_touches d
        JOIN row_campaigns rc ON rc.campaign_id = d.campaign_id
        WHERE $23::text = 'ALL'
          AND d.day >= (${WHOLE_DAYS_FROM} AT TIME ZONE 'UTC')::date AND d.day < (${WHOLE_DAYS_TO} AT TIME ZONE 'UTC')::date
        UNION ALL
        SELECT t.campaign_id, ${periodOf('t.occurred_at')}, 1
        FROM row_campaigns rc
        JOIN touchpoints t ON t.campaign_id = rc.campaign_id
         AND t.occurred_at >= $1::timestamptz AND t.occurred_at < least($2::timestamptz, ${WHOLE_DAYS_FROM})
        WHERE $23::text = 'ALL'
        UNION ALL
        SELECT t.campaign_id, ${periodOf('t.occurred_at')}, 1
        FROM row_campaigns rc
        JOIN touchpoints t ON t.campaign_id = rc.campaign_id
         AND t.occurred_at >= greatest($1::timestamptz, ${WHOLE_DAYS_TO}) AND t.occurred_at < $2::timestamptz
        WHERE $23::text = 'ALL') c
  GROUP BY 1, 2
),
${sourcedCounts('sourced_leads', 'leads_sourced', 'occurred_at', "leads whose first touch ever is with the campaign and lies in the window")},
${sourcedCounts('sourced_mqls', 'mqls', 'mql_at', 'leads sourced by the campaign (first touch ever) that became MQL in the window')}`;

/**
 * Campaign / channel performance (docs/metrics.md, section "Campaign performance") for every model
 * and period asked for, in one statement: one 'ROW' per row key (campaign, channel, or
 * none) and one 'TOTAL' per model and period holding the sums of the rows and the
 * unattributed and total amounts. Parameters: see attribution.sql.ts.
 */
function performanceSql(credits: string, counts: string): string {
  return `${STATEMENT_HEAD}
${OPPORTUNITIES_IN_SCOPE},
${ATTRIBUTION_MODELS},
${credits},
${ROW_CAMPAIGNS_AND_SPEND},
${counts},
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
}

/** The performance statement of each journey source (AUTO: what the API runs); counts are cached unless DIRECT. */
export const PERFORMANCE_SQL: Record<CreditSource, string> = {
  AUTO: performanceSql(creditsSql('AUTO'), CACHED_COUNTS),
  DIRECT: performanceSql(creditsSql('DIRECT'), DIRECT_COUNTS),
  CACHED_JOURNEYS: performanceSql(creditsSql('CACHED_JOURNEYS'), CACHED_COUNTS),
  CACHED_MONTHS: performanceSql(creditsSql('CACHED_MONTHS'), CACHED_COUNTS),
};
