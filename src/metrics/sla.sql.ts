/**
 * The agreement in force at an instant `at`: the approved (by both sides, at or before asOf)
 * agreement with the latest effective_from <= at; equal effective_from: the higher version.
 * Used as `LEFT JOIN LATERAL (<this with "at" replaced by a column>)`; $3 is asOf.
 */
const agreementInForceAt = (at: string) => `
  SELECT a.version, a.follow_up_hours, a.monthly_mql_target
    FROM alignment_agreements a
   WHERE a.marketing_approved_at <= $3 AND a.sales_approved_at <= $3
     AND a.effective_from <= ${at}
   ORDER BY a.effective_from DESC, a.version DESC
   LIMIT 1`;

/**
 * Sales' side: every lead with mqlAt in [$1, $2), judged as of $3.
 * firstResponseAt = the earliest event at or after mqlAt among salAt, the lead's feedback
 * and its touches on SALES-owned campaigns; events after asOf are not known yet.
 */
export const SLA_FOLLOW_UP_SQL = `
WITH window_mqls AS (
  SELECT l.id, l.mql_at, l.sal_at
    FROM leads l
   WHERE l.mql_at >= $1 AND l.mql_at < $2
),
first_feedback AS (
  SELECT m.id, min(f.given_at) AS given_at
    FROM window_mqls m
    JOIN lead_feedback f ON f.lead_id = m.id AND f.given_at >= m.mql_at
   GROUP BY m.id
),
first_sales_touch AS (
  SELECT m.id, min(t.occurred_at) AS occurred_at
    FROM window_mqls m
    JOIN touchpoints t ON t.lead_id = m.id AND t.occurred_at >= m.mql_at
    JOIN campaigns c ON c.id = t.campaign_id AND c.owner_team = 'SALES'
   GROUP BY m.id
),
earliest_responses AS (
  SELECT m.id, m.mql_at,
         LEAST(CASE WHEN m.sal_at >= m.mql_at THEN m.sal_at END, ff.given_at, fst.occurred_at) AS response_at
    FROM window_mqls m
    LEFT JOIN first_feedback ff ON ff.id = m.id
    LEFT JOIN first_sales_touch fst ON fst.id = m.id
),
responses_known_at_as_of AS (
  SELECT r.id, r.mql_at,
         CASE WHEN r.response_at <= $3 THEN r.response_at END AS first_response_at
    FROM earliest_responses r
),
judged AS (
  SELECT k.first_response_at, k.mql_at,
         CASE
           WHEN ag.follow_up_hours IS NULL THEN 'NO_AGREEMENT'
           WHEN k.first_response_at IS NOT NULL THEN
             CASE WHEN extract(epoch FROM k.first_response_at - k.mql_at) <= ag.follow_up_hours * 3600
                  THEN 'WITHIN' ELSE 'BREACHED' END
           WHEN extract(epoch FROM $3::timestamptz - k.mql_at) > ag.follow_up_hours * 3600 THEN 'BREACHED'
           ELSE 'PENDING'
         END AS status
    FROM responses_known_at_as_of k
    LEFT JOIN LATERAL (${agreementInForceAt('k.mql_at')}) ag ON true
)
SELECT count(*)::int AS mqls,
       count(*) FILTER (WHERE status = 'WITHIN')::int AS within,
       count(*) FILTER (WHERE status = 'BREACHED')::int AS breached,
       count(*) FILTER (WHERE status = 'PENDING')::int AS pending,
       count(*) FILTER (WHERE status = 'NO_AGREEMENT')::int AS "noAgreement",
       count(first_response_at)::int AS responded,
       percentile_cont(0.5) WITHIN GROUP (
         ORDER BY (extract(epoch FROM first_response_at - mql_at) / 3600)::float8
       ) AS "medianResponseHours"
  FROM judged
`;

/**
 * Marketing's side: one row per calendar month (UTC) that [$1, $2) touches, with the MQLs
 * delivered in the part of the month inside the window and the target of the agreement
 * in force at the month start (approved at or before asOf, $3).
 */
export const SLA_MONTHS_SQL = `
WITH months AS (
  SELECT m AT TIME ZONE 'UTC' AS month_start,
         (m + interval '1 month') AT TIME ZONE 'UTC' AS month_end
    FROM generate_series(
           date_trunc('month', $1::timestamptz AT TIME ZONE 'UTC'),
           ($2::timestamptz AT TIME ZONE 'UTC') - interval '1 microsecond',
           interval '1 month') AS m
),
periods AS (
  SELECT mo.month_start, mo.month_end,
         greatest(mo.month_start, $1::timestamptz) AS period_from,
         least(mo.month_end, $2::timestamptz) AS period_to
    FROM months mo
)
SELECT p.month_start AS "monthStart",
       p.period_from AS "periodFrom",
       p.period_to AS "periodTo",
       (p.period_from = p.month_start AND p.period_to = p.month_end) AS "fullMonth",
       ag.version AS "agreementVersion",
       ag.monthly_mql_target AS "monthlyMqlTarget",
       delivered.n AS "mqlsDelivered",
       delivered.n::float8 / nullif(ag.monthly_mql_target, 0) AS attainment
  FROM periods p
  LEFT JOIN LATERAL (${agreementInForceAt('p.month_start')}) ag ON true
 CROSS JOIN LATERAL (
   SELECT count(*)::int AS n FROM leads l
    WHERE l.mql_at >= p.period_from AND l.mql_at < p.period_to
 ) delivered
 ORDER BY p.month_start
`;
