/**
 * The backtest of a qualification policy (docs/metrics.md, "Backtest of a policy"), as one
 * statement. Scores and qualifying times come only from the SQL definition of migration
 * 1732770000000 (qualification_qualifying_at, qualification_scores and their building blocks); the
 * score bands estimate in double precision only to skip exact work far from a band edge (below).
 *
 * Parameters: $1 the policy (qualification_policies.id), $2 from, $3 to (the window
 * [from, to)), $4 asOf (>= to, checked by the caller), $5 bandWidth (> 0). The months'
 * target and attainment, and the ratios, are divisions of these counts (backtest.service.ts).
 *
 * One row: the cohort and the recall denominators, and three JSON arrays: the five sets
 * (`sets`), the calendar months (`months`) and the score bands (`bands`). Money leaves as
 * text (JSON numbers would go through a float), band bounds as text too.
 */
export const BACKTEST_SQL = `
WITH
-- Cohort: leads created in the window or with a touch in the window, that had not reached
-- SAL before from (still in marketing's hands).
cohort AS (
  SELECT l.id, l.mql_at, l.sal_at, l.sql_at, l.opportunity_at, l.customer_at
    FROM leads l
   WHERE (l.sal_at IS NULL OR l.sal_at >= $2)
     AND ((l.created_at >= $2 AND l.created_at < $3)
          OR l.id IN (SELECT t.lead_id FROM touchpoints t WHERE t.occurred_at >= $2 AND t.occurred_at < $3))
),
cohort_ids AS MATERIALIZED (
  SELECT coalesce(array_agg(c.id ORDER BY c.id), '{}'::bigint[]) AS ids FROM cohort c
),
-- predictedMqlAt(L) = qualifyingAt(L, P, from, to): the earliest evaluation time in the window
-- at which L qualifies (the policy's effectiveFrom and the lead's stage are ignored).
predicted AS (
  SELECT q.lead_id, q.at
    FROM cohort_ids ci
   CROSS JOIN LATERAL qualification_qualifying_at($1::bigint, ci.ids, $2::timestamptz, $3::timestamptz) q
),
-- predicted: leads of the cohort with a predictedMqlAt; actual: with mqlAt in the window.
-- The reference time: predictedMqlAt for a lead only predicted, mqlAt for a lead only actual,
-- the earlier of the two for a lead in both (least() skips the null of the other).
classified AS (
  SELECT c.*, p.at AS predicted_at,
         p.at IS NOT NULL AS is_predicted,
         coalesce(c.mql_at >= $2 AND c.mql_at < $3, false) AS is_actual,
         least(p.at, CASE WHEN c.mql_at >= $2 AND c.mql_at < $3 THEN c.mql_at END) AS ref_at
    FROM cohort c
    LEFT JOIN predicted p ON p.lead_id = c.id
),
-- Sales' verdict: the lead's latest feedback given at or before asOf (equal times: the
-- higher id); it counts when given in [reference time, asOf].
latest_feedback AS (
  SELECT DISTINCT ON (f.lead_id) f.lead_id, f.disposition, f.given_at
    FROM lead_feedback f
    JOIN classified k ON k.id = f.lead_id AND k.ref_at IS NOT NULL
   WHERE f.given_at <= $4
   ORDER BY f.lead_id, f.given_at DESC, f.id DESC
),
-- Outcomes count only what happened in [reference time, asOf]: a stage reached when its
-- first-reached time lies in that range.
outcomes AS (
  SELECT k.id, k.ref_at, k.is_predicted, k.is_actual,
         coalesce(k.sal_at >= k.ref_at AND k.sal_at <= $4, false) AS sal,
         coalesce(k.sql_at >= k.ref_at AND k.sql_at <= $4, false) AS sql,
         coalesce(k.opportunity_at >= k.ref_at AND k.opportunity_at <= $4, false) AS opportunity,
         coalesce(k.customer_at >= k.ref_at AND k.customer_at <= $4, false) AS customer,
         coalesce(lf.disposition = 'ACCEPTED' AND lf.given_at >= k.ref_at, false) AS accepted,
         coalesce(lf.disposition = 'REJECTED' AND lf.given_at >= k.ref_at, false) AS rejected
    FROM classified k
    LEFT JOIN latest_feedback lf ON lf.lead_id = k.id
   WHERE k.ref_at IS NOT NULL
),
-- The five sets: predicted = both + predicted only, actual = both + actual only.
set_names (ord, name) AS (
  VALUES (1, 'predicted'), (2, 'actual'), (3, 'both'), (4, 'predictedOnly'), (5, 'actualOnly')
),
members AS (
  SELECT s.name, o.*
    FROM outcomes o
   CROSS JOIN LATERAL (VALUES ('predicted', o.is_predicted),
                              ('actual', o.is_actual),
                              ('both', o.is_predicted AND o.is_actual),
                              ('predictedOnly', o.is_predicted AND NOT o.is_actual),
                              ('actualOnly', o.is_actual AND NOT o.is_predicted)) AS s(name, member)
   WHERE s.member
),
-- Won revenue of a set: the CLOSED_WON opportunities closed in the range of at least one of
-- their contacts in the set, each opportunity once per set.
won AS (
  SELECT m.name, op.id, op.amount
    FROM members m
    JOIN opportunity_contacts oc ON oc.lead_id = m.id
    JOIN opportunities op ON op.id = oc.opportunity_id
   WHERE op.stage = 'CLOSED_WON' AND op.closed_at >= m.ref_at AND op.closed_at <= $4
   GROUP BY m.name, op.id, op.amount
),
won_by_set AS (
  SELECT w.name, count(*)::int AS opportunities, sum(w.amount) AS revenue FROM won w GROUP BY w.name
),
set_rows AS (
  SELECT n.ord, n.name,
         count(m.id)::int AS leads,
         count(*) FILTER (WHERE m.sal)::int AS sal,
         count(*) FILTER (WHERE m.sql)::int AS sql,
         count(*) FILTER (WHERE m.opportunity)::int AS opportunity,
         count(*) FILTER (WHERE m.customer)::int AS customer,
         count(*) FILTER (WHERE m.accepted)::int AS accepted,
         count(*) FILTER (WHERE m.rejected)::int AS rejected
    FROM set_names n
    LEFT JOIN members m ON m.name = n.name
   GROUP BY n.ord, n.name
),
-- Recall's denominators: cohort leads whose sqlAt (customerAt) lies in [from, asOf].
totals AS (
  SELECT count(*)::int AS cohort,
         count(*) FILTER (WHERE c.sql_at >= $2 AND c.sql_at <= $4)::int AS cohort_sql,
         count(*) FILTER (WHERE c.customer_at >= $2 AND c.customer_at <= $4)::int AS cohort_customer
    FROM cohort c
),
-- Every calendar month (UTC) meeting the window, clipped to it: predicted MQLs by
-- predictedMqlAt (and the actual set by mqlAt) in the clipped part.
months AS (
  SELECT m AT TIME ZONE 'UTC' AS month_start, (m + interval '1 month') AT TIME ZONE 'UTC' AS month_end
    FROM generate_series(date_trunc('month', $2::timestamptz AT TIME ZONE 'UTC'),
                         ($3::timestamptz AT TIME ZONE 'UTC') - interval '1 microsecond',
                         interval '1 month') AS m
),
month_counts AS (
  SELECT date_trunc('month', x.at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS month_start,
         count(*) FILTER (WHERE x.kind = 'P')::int AS predicted,
         count(*) FILTER (WHERE x.kind = 'A')::int AS actual
    FROM (SELECT k.predicted_at AS at, 'P' AS kind FROM classified k WHERE k.is_predicted
          UNION ALL
          SELECT k.mql_at, 'A' FROM classified k WHERE k.is_actual) x
   GROUP BY 1
),
month_rows AS (
  SELECT mo.month_start,
         greatest(mo.month_start, $2::timestamptz) AS period_from,
         least(mo.month_end, $3::timestamptz) AS period_to,
         (greatest(mo.month_start, $2::timestamptz) = mo.month_start AND least(mo.month_end, $3::timestamptz) = mo.month_end) AS full_month,
         coalesce(mc.predicted, 0) AS predicted,
         coalesce(mc.actual, 0) AS actual
    FROM months mo
    LEFT JOIN month_counts mc ON mc.month_start = mo.month_start
),
-- Score bands: each cohort lead's score at to, counting only touches strictly before to
-- (p_strict), in band k = floor(score / bandWidth); non-empty bands only, with the leads
-- that reached SQL and CUSTOMER by asOf.
-- Decided as qualification_qualifying_at decides its times: the fit lines and the (touch, rule)
-- matches are the definition's own (qualification_fit_lines, qualification_touch_rules, the
-- same window test); a double-precision estimate of the decayed sum places every lead whose
-- estimate lies farther than 1e-6 (relative, at least 1e-6 absolute) from a band edge, far
-- more than its error (each exact contribution is rounded to 12 decimals, the estimate's
-- relative error is ~1e-15); the leads near an edge take their exact score from
-- qualification_scores(..., strict => true). A touch more than 1,000 half-lives old adds 0
-- to the estimate (exactly it rounds to 0 at 12 decimals).
band_policy AS (
  SELECT p.* FROM qualification_policies p WHERE p.id = $1::bigint
),
band_fit AS (
  SELECT f.lead_id, least(sum(f.points), (SELECT fit_cap FROM band_policy)) AS fit
    FROM cohort_ids ci
   CROSS JOIN LATERAL qualification_fit_lines($1::bigint, ci.ids) f
   GROUP BY f.lead_id
),
band_engagement AS (
  SELECT m.lead_id,
         least(sum(m.rule_points::float8 * CASE
                 WHEN p.engagement_half_life_days IS NULL THEN 1::float8
                 WHEN age.seconds > p.engagement_half_life_days * 86400 * 1000 THEN 0::float8
                 ELSE power(0.5::float8, (age.seconds / (p.engagement_half_life_days * 86400))::float8)
               END), p.engagement_cap::float8) AS engagement
    FROM cohort_ids ci
   CROSS JOIN LATERAL qualification_touch_rules($1::bigint, ci.ids) m
   CROSS JOIN band_policy p
   CROSS JOIN LATERAL (SELECT extract(epoch FROM $3::timestamptz) - extract(epoch FROM m.touch_at) AS seconds) age
   WHERE m.touch_at < $3
     AND (p.engagement_window_days IS NULL OR age.seconds <= p.engagement_window_days * 86400)
   GROUP BY m.lead_id, p.engagement_cap
),
band_estimates AS (
  SELECT c.id AS lead_id, coalesce(f.fit, 0)::float8 + coalesce(g.engagement, 0) AS score
    FROM cohort c
    LEFT JOIN band_fit f ON f.lead_id = c.id
    LEFT JOIN band_engagement g ON g.lead_id = c.id
),
band_guesses AS (
  SELECT e.lead_id, floor(e.score / $5::int)::numeric AS band,
         abs(e.score - round(e.score / $5::int) * $5::int) <= 1e-6 * greatest(1, abs(e.score)) AS near_edge
    FROM band_estimates e
),
exact_scores AS (
  SELECT s.lead_id, s.score
    FROM qualification_scores($1::bigint, ARRAY(SELECT g.lead_id FROM band_guesses g WHERE g.near_edge), $3::timestamptz, true) s
),
lead_bands AS (
  SELECT g.lead_id, CASE WHEN g.near_edge THEN floor(x.score / $5::int) ELSE g.band END AS band
    FROM band_guesses g
    LEFT JOIN exact_scores x ON x.lead_id = g.lead_id
),
bands AS (
  SELECT b.band,
         count(*)::int AS leads,
         count(*) FILTER (WHERE c.sql_at <= $4)::int AS sql,
         count(*) FILTER (WHERE c.customer_at <= $4)::int AS customer
    FROM lead_bands b
    JOIN cohort c ON c.id = b.lead_id
   GROUP BY 1
)
SELECT t.cohort, t.cohort_sql AS "cohortSql", t.cohort_customer AS "cohortCustomer",
       (SELECT json_agg(json_build_object(
                 'name', r.name, 'leads', r.leads, 'sal', r.sal, 'sql', r.sql, 'opportunity', r.opportunity,
                 'customer', r.customer, 'accepted', r.accepted, 'rejected', r.rejected,
                 'wonOpportunities', coalesce(w.opportunities, 0),
                 'wonRevenue', round(coalesce(w.revenue, 0), 2)::text) ORDER BY r.ord)
          FROM set_rows r LEFT JOIN won_by_set w ON w.name = r.name) AS sets,
       (SELECT coalesce(json_agg(json_build_object(
                 'monthStart', mr.month_start, 'periodFrom', mr.period_from, 'periodTo', mr.period_to,
                 'fullMonth', mr.full_month, 'predicted', mr.predicted, 'actual', mr.actual) ORDER BY mr.month_start), '[]'::json)
          FROM month_rows mr) AS months,
       (SELECT coalesce(json_agg(json_build_object(
                 'scoreFrom', (b.band * $5::int)::text, 'scoreTo', ((b.band + 1) * $5::int)::text,
                 'leads', b.leads, 'sql', b.sql, 'customer', b.customer) ORDER BY b.band), '[]'::json)
          FROM bands b) AS bands
  FROM totals t
`;

/**
 * The agreement a backtest names, with its policy, threshold and monthly target ($1: its id).
 * No row: no such agreement.
 */
export const BACKTEST_AGREEMENT_SQL = `
SELECT a.id::text AS id, a.policy_id::text AS "policyId", p.mql_threshold AS "mqlThreshold", a.monthly_mql_target AS "monthlyMqlTarget"
  FROM alignment_agreements a
  JOIN qualification_policies p ON p.id = a.policy_id
 WHERE a.id = $1::bigint
`;

/**
 * The agreement whose policy is in force at $1 (qualification_policy_at: approved by both
 * teams at or before $1, the latest effectiveFrom <= $1, equal dates the higher version).
 */
export const AGREEMENT_IN_FORCE_SQL = `
SELECT a.id::text AS id, a.policy_id::text AS "policyId", p.mql_threshold AS "mqlThreshold", a.monthly_mql_target AS "monthlyMqlTarget"
  FROM alignment_agreements a
  JOIN qualification_policies p ON p.id = a.policy_id
 WHERE a.policy_id = qualification_policy_at($1::timestamptz)
`;
