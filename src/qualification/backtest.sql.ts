/**
 * The backtest of a qualification policy (docs/metrics.md, "Backtest of a policy"), as one
 * statement. Scores and qualifying times are those of the SQL definition of migration
 * 1732770000000: the fit lines (qualification_fit_lines), the touches' rule matches (as
 * qualification_touch_rules matches them), the exact sums (qualification_pairs,
 * qualification_scores); double precision only estimates, to skip exact work far from a bar or
 * a band edge (below), as qualification_qualifying_at does.
 *
 * One pass over the cohort's touches serves both the qualifying times and the score bands: the
 * engagement rules are matched once per kind and channel (not once per touch, and not twice),
 * every touch is read once (not once per pass and once more for the evaluation times), and the
 * running sums, the qualifying times and the score at `to` come out of one sort by lead and
 * time.
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
-- SAL before from (still in marketing's hands): those created in it, and the others with a
-- touch in it (a semi-join, which the planner runs as one probe of the (lead, time) index per
-- lead over a long window, where the window's touches outnumber the leads, or by reading the
-- window's touches over a short one; not a hashed IN list, which would not fit in work_mem).
cohort AS MATERIALIZED (
  SELECT l.id, l.created_at, l.mql_at, l.sal_at, l.sql_at, l.opportunity_at, l.customer_at
    FROM leads l
   WHERE (l.sal_at IS NULL OR l.sal_at >= $2)
     AND l.created_at >= $2 AND l.created_at < $3
  UNION ALL
  SELECT l.id, l.created_at, l.mql_at, l.sal_at, l.sql_at, l.opportunity_at, l.customer_at
    FROM leads l
   WHERE (l.sal_at IS NULL OR l.sal_at >= $2)
     AND NOT (l.created_at >= $2 AND l.created_at < $3)
     AND EXISTS (SELECT 1 FROM touchpoints t WHERE t.lead_id = l.id AND t.occurred_at >= $2 AND t.occurred_at < $3)
),
cohort_ids AS MATERIALIZED (
  SELECT coalesce(array_agg(c.id ORDER BY c.id), '{}'::bigint[]) AS ids FROM cohort c
),
-- The policy, read once.
pol AS MATERIALIZED (
  SELECT p.* FROM qualification_policies p WHERE p.id = $1::bigint
),
-- fit(L) = min(fitCap, the points of the fit rules that hold): qualification_fit_lines.
fit AS MATERIALIZED (
  SELECT f.lead_id, least(sum(f.points), (SELECT fit_cap FROM pol)) AS fit
    FROM cohort_ids ci
   CROSS JOIN LATERAL qualification_fit_lines($1::bigint, ci.ids) f
   GROUP BY f.lead_id
),
-- Each cohort lead with its createdAt and fit (0 without a rule that holds).
subject AS MATERIALIZED (
  SELECT c.id, c.created_at, coalesce(f.fit, 0)::float8 AS fit   -- whole points: exact
    FROM cohort c
    LEFT JOIN fit f ON f.lead_id = c.id
),
-- The engagement rules matched once per kind and channel, not once per touch: the points a
-- touch of that kind on that channel earns (the sum of the rules it matches, as
-- qualification_touch_rules matches them: an empty set of kinds or channels means any), in an
-- array of (kinds named by a rule + 1) x (channels named by a rule + 1) entries; the kinds
-- (channels) no rule names share entry 0.
eng_rules AS MATERIALIZED (
  SELECT r.touch_kinds, r.channels, r.points FROM qualification_rules r WHERE r.policy_id = $1::bigint AND r.kind = 'ENGAGEMENT'
),
named AS MATERIALIZED (
  SELECT (SELECT coalesce(array_agg(DISTINCT k), '{}'::text[]) FROM eng_rules r CROSS JOIN LATERAL unnest(r.touch_kinds) k) AS kinds,
         (SELECT coalesce(array_agg(DISTINCT ch), '{}'::text[]) FROM eng_rules r CROSS JOIN LATERAL unnest(r.channels) ch) AS channels
),
rule_points AS MATERIALIZED (
  SELECT n.kinds, n.channels, cardinality(n.channels) + 1 AS stride,
         ARRAY(SELECT coalesce((SELECT sum(r.points) FROM eng_rules r
                                 WHERE (cardinality(r.touch_kinds) = 0 OR k.kind = ANY (r.touch_kinds))
                                   AND (cardinality(r.channels) = 0 OR ch.channel = ANY (r.channels))), 0)::float8
                 FROM unnest(array_prepend(NULL::text, n.kinds)) WITH ORDINALITY k(kind, ko)
                CROSS JOIN unnest(array_prepend(NULL::text, n.channels)) WITH ORDINALITY ch(channel, co)
                ORDER BY k.ko, ch.co) AS points
    FROM named n
),
-- The policy's settings for the estimates: the half-life in seconds (null: no decay), and the
-- earliest touch time that still counts at to (age <= engagementWindowDays, to the
-- microsecond: timestamps are whole microseconds).
settings AS MATERIALIZED (
  SELECT (p.engagement_half_life_days * 86400)::float8 AS half_life_seconds,
         p.engagement_cap::float8 AS engagement_cap,
         $3::timestamptz - floor(p.engagement_window_days * 86400000000)::float8 * interval '1 microsecond' AS window_start_at_to,
         p.min_fit, p.min_engagement, p.mql_threshold
    FROM pol p
),
-- The cohort's touches before to. A small cohort (under a quarter of the leads) reads its
-- leads' touches by the (lead, time) index; a large one reads the table once and keeps its
-- leads' touches (one branch runs, the other is skipped).
cohort_size AS MATERIALIZED (
  SELECT count(*) * 4 < (SELECT c.reltuples FROM pg_class c WHERE c.oid = 'leads'::regclass) AS small FROM cohort
),
cohort_touches AS (
  SELECT t.lead_id, t.at, t.campaign_id, t.kind, s.created_at, s.fit
    FROM subject s
   CROSS JOIN LATERAL (SELECT t.lead_id, t.occurred_at AS at, t.campaign_id, t.kind
                         FROM touchpoints t WHERE t.lead_id = s.id AND t.occurred_at < $3 OFFSET 0) t
   WHERE (SELECT small FROM cohort_size)
  UNION ALL
  SELECT t.lead_id, t.occurred_at, t.campaign_id, t.kind, s.created_at, s.fit
    FROM touchpoints t
    JOIN (SELECT l.id, s.created_at, s.fit FROM subject s JOIN leads l ON l.id = s.id) s ON s.id = t.lead_id
   WHERE t.occurred_at < $3 AND NOT (SELECT small FROM cohort_size)
),
-- The stream, per lead in time order: every touch before to, with the points it earns (0: it
-- matches no rule), and the lead's createdAt when it lies in the window. An evaluation time
-- is createdAt or a touch time at or after it, in [from, to). halvings: half-lives since
-- createdAt (0 without decay). at_to: what the touch adds to the estimate of the score at to
-- (strictly before to, inside the window at to, decayed to to; 0 past 1,000 half-lives, where
-- it rounds to 0 at 12 decimals).
stream AS (
  SELECT t.lead_id, t.at, t.fit,
         t.at >= $2 AND t.at >= t.created_at AS evaluation,
         x.points,
         coalesce(date_part('epoch', t.at - t.created_at) / (SELECT half_life_seconds FROM settings), 0::float8) AS halvings,
         CASE WHEN x.points = 0 OR t.at < (SELECT window_start_at_to FROM settings) THEN 0::float8
              WHEN (SELECT half_life_seconds FROM settings) IS NULL THEN x.points
              WHEN date_part('epoch', $3::timestamptz - t.at) > (SELECT half_life_seconds FROM settings) * 1000 THEN 0::float8
              ELSE x.points * power(0.5::float8, date_part('epoch', $3::timestamptz - t.at) / (SELECT half_life_seconds FROM settings))
         END AS at_to
    FROM cohort_touches t
    JOIN campaigns ca ON ca.id = t.campaign_id
   CROSS JOIN LATERAL (SELECT (SELECT points FROM rule_points)[coalesce(array_position((SELECT kinds FROM rule_points), t.kind), 0) * (SELECT stride FROM rule_points)
                                + coalesce(array_position((SELECT channels FROM rule_points), ca.channel), 0) + 1] AS points) x
  UNION ALL
  SELECT s.id, s.created_at, s.fit, true, 0::float8, 0::float8, 0::float8
    FROM subject s
   WHERE s.created_at >= $2 AND s.created_at < $3
),
-- predictedMqlAt(L) = qualifyingAt(L, P, from, to): the earliest evaluation time in the window
-- at which L qualifies (the policy's effectiveFrom and the lead's stage are ignored). Decided
-- as qualification_qualifying_at decides it: a double-precision estimate of the engagement at
-- every evaluation time, as a running sum in time order (each touch's points scaled by
-- 2^halvings, the sum scaled back by 2^-halvings of the time; the window as the frame), within
-- 1e-6 of the exact sum (each exact contribution is rounded to 12 decimals, the estimate's
-- relative error is ~1e-15). A time whose estimate clears every bar by more than that margin
-- qualifies, one that misses a bar by more does not. Whole points make ties on a bar common,
-- and most ties are known exactly without the exact sums: without decay the estimate is a sum
-- of whole numbers (exact in double precision); when every touch that counts lies at the
-- evaluation time itself (age 0: each adds its points, undecayed) the engagement is the sum of
-- their points; when the estimate passes the engagement cap by more than the margin, the
-- engagement is the cap; with no touch that counts, it is 0. The few others within the margin
-- (and those more than 900 half-lives after createdAt, where the scaled sums could overflow)
-- are decided by the exact sums of qualification_pairs. Evaluation times are at or after createdAt
-- (halvings >= 0); a touch more than 100 half-lives before createdAt adds exactly 0 at 12
-- decimals at any of them, and 0 to the estimate (so the scaled sums never underflow).
estimated AS (
  SELECT x.lead_id, x.at, x.fit, x.evaluation, x.halvings, x.at_to,
         sum(CASE WHEN x.halvings < -100 OR x.halvings > 900 THEN 0::float8 ELSE x.points * power(2::float8, x.halvings) END) OVER w AS scaled_sum,
         min(x.at) FILTER (WHERE x.points <> 0) OVER w AS first_counted_at,
         sum(x.points) OVER w AS points_sum
    FROM stream x
  WINDOW w AS (PARTITION BY x.lead_id ORDER BY x.at
               RANGE BETWEEN floor(coalesce((SELECT engagement_window_days FROM pol), 100000) * 86400000000)::float8 * interval '1 microsecond' PRECEDING
                     AND CURRENT ROW)
),
judged AS (
  SELECT e.lead_id, e.at, e.fit, e.at_to,
         e.evaluation AND e.halvings > 900 AS unknown,
         CASE WHEN e.evaluation AND e.halvings <= 900
              THEN least(e.scaled_sum * power(2::float8, -e.halvings), (SELECT engagement_cap FROM settings))
         END AS engagement,
         CASE WHEN NOT e.evaluation THEN NULL
              WHEN (SELECT half_life_seconds FROM settings) IS NULL OR e.first_counted_at IS NULL OR e.first_counted_at = e.at
                THEN least(coalesce(e.points_sum, 0), (SELECT engagement_cap FROM settings))
              WHEN e.halvings <= 900 AND e.scaled_sum * power(2::float8, -e.halvings) >= (SELECT engagement_cap FROM settings) + 1e-6
                THEN (SELECT engagement_cap FROM settings)
         END AS exact_engagement,
         e.evaluation, (SELECT min_fit FROM settings) AS min_fit, (SELECT min_engagement FROM settings) AS min_engagement,
         (SELECT mql_threshold FROM settings) AS mql_threshold
    FROM estimated e
),
bars AS (
  SELECT j.lead_id, j.at, j.fit, j.at_to, j.evaluation,
         CASE WHEN j.exact_engagement IS NOT NULL
              THEN (j.min_fit IS NULL OR j.fit >= j.min_fit)
                   AND (j.min_engagement IS NULL OR j.exact_engagement >= j.min_engagement)
                   AND j.fit + j.exact_engagement >= j.mql_threshold
              ELSE j.evaluation AND NOT j.unknown AND (j.min_fit IS NULL OR j.fit >= j.min_fit)
                   AND (j.min_engagement IS NULL OR j.engagement - 1e-6 >= j.min_engagement)
                   AND j.fit + j.engagement - 1e-6 >= j.mql_threshold
         END AS clears,
         CASE WHEN j.exact_engagement IS NOT NULL
              THEN NOT ((j.min_fit IS NULL OR j.fit >= j.min_fit)
                        AND (j.min_engagement IS NULL OR j.exact_engagement >= j.min_engagement)
                        AND j.fit + j.exact_engagement >= j.mql_threshold)
              ELSE j.evaluation AND NOT j.unknown AND NOT ((j.min_fit IS NULL OR j.fit >= j.min_fit)
                   AND (j.min_engagement IS NULL OR j.engagement + 1e-6 >= j.min_engagement)
                   AND j.fit + j.engagement + 1e-6 >= j.mql_threshold)
         END AS misses
    FROM judged j
),
-- Per lead: its first clear time, the times near a bar (or unknown), and the estimate of its
-- engagement at to.
per_lead AS MATERIALIZED (
  SELECT b.lead_id, min(b.fit) AS fit,
         min(b.at) FILTER (WHERE b.clears) AS cleared_at,
         array_agg(b.at) FILTER (WHERE b.evaluation AND NOT b.clears AND NOT b.misses) AS close_times,
         sum(b.at_to) AS at_to,
         count(*) FILTER (WHERE b.at_to <> 0) AS contributing
    FROM bars b
   GROUP BY b.lead_id
),
-- the times to decide exactly: near a bar (or unknown), before the lead's first clear one
-- (each once: a time can come from several touches, or be createdAt too)
close AS MATERIALIZED (
  SELECT DISTINCT pl.lead_id, c.at
    FROM per_lead pl
   CROSS JOIN LATERAL unnest(pl.close_times) c(at)
   WHERE pl.cleared_at IS NULL OR c.at < pl.cleared_at
),
exact AS (
  SELECT c.lead_id, c.at
    FROM close c
   CROSS JOIN pol p
    LEFT JOIN fit f ON f.lead_id = c.lead_id
    LEFT JOIN (
      SELECT x.lead_id, x.at, least(sum(x.points), (SELECT engagement_cap FROM pol)) AS engagement
        FROM qualification_pairs($1::bigint, ARRAY(SELECT lead_id FROM close ORDER BY lead_id, at),
                                 ARRAY(SELECT at FROM close ORDER BY lead_id, at), false) x
       GROUP BY x.lead_id, x.at
    ) g ON g.lead_id = c.lead_id AND g.at = c.at
   WHERE qualification_qualifies(p, coalesce(f.fit, 0), coalesce(g.engagement, 0))
),
predicted AS (
  SELECT q.lead_id, min(q.at) AS at
    FROM (SELECT pl.lead_id, pl.cleared_at AS at FROM per_lead pl WHERE pl.cleared_at IS NOT NULL
          UNION ALL
          SELECT * FROM exact) q
   GROUP BY q.lead_id
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
-- The double-precision estimate of the score at to (above: the fit, and the touches' decayed
-- points inside the window at to, capped) places every lead whose estimate lies farther than
-- 1e-6 (relative, at least 1e-6 absolute) from a band edge, far more than its error; the
-- leads near an edge take their exact score from qualification_scores(..., strict => true).
-- The estimate is the exact score itself when no touch adds to it (the score is the fit),
-- without decay (sums of whole points, exact in double precision), or when the engagement
-- passes its cap by more than the margin (it is the cap): no lead needs the exact sums then.
band_estimates AS (
  SELECT s.id AS lead_id, s.fit::float8 + coalesce(least(pl.at_to, st.engagement_cap), 0) AS score,
         st.half_life_seconds IS NULL OR coalesce(pl.contributing, 0) = 0 OR pl.at_to >= st.engagement_cap + 1e-6 AS exact
    FROM subject s
   CROSS JOIN settings st
    LEFT JOIN per_lead pl ON pl.lead_id = s.id
),
band_guesses AS (
  SELECT e.lead_id, floor(e.score / $5::int)::numeric AS band,
         NOT e.exact AND abs(e.score - round(e.score / $5::int) * $5::int) <= 1e-6 * greatest(1, abs(e.score)) AS near_edge
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
