/**
 * Demand waterfall of the leads created in [$1, $2). $3 (boolean) groups by the channel
 * of each lead's first touch ever (touches ordered by occurred_at, id); when false every
 * lead gets a null channel and the caller drops the per-channel grouping set.
 *
 * One row per group (and one for the total, "isTotal"): per stage the leads with its
 * timestamp set ("count_<STAGE>") and the median fractional days to the next stage over
 * the leads with both timestamps ("days_<STAGE>"; percentile_cont skips the nulls).
 */
export const FUNNEL_SQL = `
WITH cohort AS (
  SELECT l.id, l.created_at, l.mql_at, l.sal_at, l.sql_at, l.opportunity_at, l.customer_at
    FROM leads l
   WHERE l.created_at >= $1 AND l.created_at < $2
),
first_touches AS (
  SELECT co.id AS lead_id, first_touch.campaign_id
    FROM cohort co
    CROSS JOIN LATERAL (
      SELECT t.campaign_id
        FROM touchpoints t
       WHERE $3::boolean AND t.lead_id = co.id
       ORDER BY t.occurred_at, t.id
       LIMIT 1
    ) first_touch
),
cohort_by_first_channel AS (
  SELECT co.*, c.channel
    FROM cohort co
    LEFT JOIN first_touches ft ON ft.lead_id = co.id
    LEFT JOIN campaigns c ON c.id = ft.campaign_id
),
step_days AS (
  SELECT channel, created_at, mql_at, sal_at, sql_at, opportunity_at, customer_at,
         (extract(epoch FROM mql_at - created_at) / 86400)::float8 AS new_to_mql,
         (extract(epoch FROM sal_at - mql_at) / 86400)::float8 AS mql_to_sal,
         (extract(epoch FROM sql_at - sal_at) / 86400)::float8 AS sal_to_sql,
         (extract(epoch FROM opportunity_at - sql_at) / 86400)::float8 AS sql_to_opportunity,
         (extract(epoch FROM customer_at - opportunity_at) / 86400)::float8 AS opportunity_to_customer
    FROM cohort_by_first_channel
)
SELECT GROUPING(channel) = 1 AS "isTotal",
       channel,
       count(created_at)::int AS "count_NEW",
       count(mql_at)::int AS "count_MQL",
       count(sal_at)::int AS "count_SAL",
       count(sql_at)::int AS "count_SQL",
       count(opportunity_at)::int AS "count_OPPORTUNITY",
       count(customer_at)::int AS "count_CUSTOMER",
       percentile_cont(0.5) WITHIN GROUP (ORDER BY new_to_mql) AS "days_NEW",
       percentile_cont(0.5) WITHIN GROUP (ORDER BY mql_to_sal) AS "days_MQL",
       percentile_cont(0.5) WITHIN GROUP (ORDER BY sal_to_sql) AS "days_SAL",
       percentile_cont(0.5) WITHIN GROUP (ORDER BY sql_to_opportunity) AS "days_SQL",
       percentile_cont(0.5) WITHIN GROUP (ORDER BY opportunity_to_customer) AS "days_OPPORTUNITY"
  FROM step_days
 GROUP BY GROUPING SETS ((), (channel))
 ORDER BY "isTotal" DESC, channel NULLS LAST
`;
