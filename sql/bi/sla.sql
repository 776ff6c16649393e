-- SLA compliance (docs/metrics.md, "SLA compliance"; docs/bi.md, "Metric functions").
-- Applied by migrations/1732810000000-bi-metric-functions.ts; a change to this file ships with a
-- new migration that applies it again (CREATE OR REPLACE).
--
-- Definition (docs/metrics.md):
--   Window on mqlAt, and asOf. The agreement in force for a lead is, among the agreements approved
--   by both teams at or before asOf, the one with the latest effectiveFrom <= mqlAt (equal dates:
--   the higher version); h is its follow-up hours. A lead with no agreement in force has the
--   status noAgreement: it still counts in responded and medianResponseHours, not in within,
--   breached or pending.
--   firstResponseAt = the earliest, at or after mqlAt and at or before asOf, of: salAt, the
--   lead's first feedback, its first touch on a campaign whose ownerTeam is SALES.
--   Within SLA: responded and firstResponseAt - mqlAt <= h hours. Breached: responded later, or
--   not responded and asOf - mqlAt > h. Pending: not responded and still inside h.
--   complianceRate = within / (within + breached) (null when both are 0); medianResponseHours
--   (percentile_cont(0.5), fractional hours) over responded leads.
--   Marketing's side, per calendar month (UTC) of the window: mqlsDelivered (mqlAt in the part of
--   the month inside the window) vs the monthlyMqlTarget of the agreement in force at the month's
--   first instant (the whole target, also for a month the window cuts), attainment = delivered / target.
--
-- bi.sla_follow_up and bi.sla_months are what the GraphQL slaCompliance query runs, and what SQL
-- callers run. p_as_of defaults to now() (the transaction's start), as the API's asOf to now.

/*
 * Each MQL of [p_from, p_to) judged as of p_as_of: its first response known at p_as_of (null when
 * none yet) and its status (WITHIN, BREACHED, PENDING or NO_AGREEMENT). What bi.sla_follow_up and
 * bi.sla_response_times count.
 */
CREATE OR REPLACE FUNCTION bi.sla_judged(p_from timestamptz, p_to timestamptz, p_as_of timestamptz DEFAULT now())
RETURNS TABLE (lead_id bigint, mql_at timestamptz, first_response_at timestamptz, status text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
SET plan_cache_mode = force_custom_plan
SET jit = off
AS $function$
#variable_conflict use_column
BEGIN
  PERFORM bi.check_window(p_from, p_to);
  IF p_as_of IS NULL THEN
    RAISE EXCEPTION 'p_as_of must be a time' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN QUERY
  WITH window_mqls AS (
    SELECT l.id, l.mql_at, l.sal_at
      FROM leads l
     WHERE l.mql_at >= p_from AND l.mql_at < p_to
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
           CASE WHEN r.response_at <= p_as_of THEN r.response_at END AS first_response_at
      FROM earliest_responses r
  )
  SELECT k.id, k.mql_at, k.first_response_at,
         CASE
           WHEN ag.follow_up_hours IS NULL THEN 'NO_AGREEMENT'
           WHEN k.first_response_at IS NOT NULL THEN
             CASE WHEN extract(epoch FROM k.first_response_at - k.mql_at) <= ag.follow_up_hours * 3600
                  THEN 'WITHIN' ELSE 'BREACHED' END
           WHEN extract(epoch FROM p_as_of - k.mql_at) > ag.follow_up_hours * 3600 THEN 'BREACHED'
           ELSE 'PENDING'
         END
    FROM responses_known_at_as_of k
    LEFT JOIN LATERAL (   -- the agreement in force at the instant
      SELECT a.version, a.follow_up_hours, a.monthly_mql_target
      FROM alignment_agreements a
     WHERE a.marketing_approved_at <= p_as_of AND a.sales_approved_at <= p_as_of
       AND a.effective_from <= k.mql_at
     ORDER BY a.effective_from DESC, a.version DESC
     LIMIT 1
    ) ag ON true;
END
$function$;

/* Sales' side: one row, the MQLs of [p_from, p_to) judged as of p_as_of. */
CREATE OR REPLACE FUNCTION bi.sla_follow_up(p_from timestamptz, p_to timestamptz, p_as_of timestamptz DEFAULT now())
RETURNS TABLE (
  mqls integer, within integer, breached integer, pending integer, no_agreement integer, responded integer,
  compliance_rate float8, median_response_hours float8)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
SET plan_cache_mode = force_custom_plan
SET jit = off
AS $function$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH counted AS (
    SELECT count(*)::int AS mqls,
           count(*) FILTER (WHERE j.status = 'WITHIN')::int AS within,
           count(*) FILTER (WHERE j.status = 'BREACHED')::int AS breached,
           count(*) FILTER (WHERE j.status = 'PENDING')::int AS pending,
           count(*) FILTER (WHERE j.status = 'NO_AGREEMENT')::int AS no_agreement,
           count(j.first_response_at)::int AS responded,
           percentile_cont(0.5) WITHIN GROUP (
             ORDER BY (extract(epoch FROM j.first_response_at - j.mql_at) / 3600)::float8
           ) AS median_response_hours
      FROM bi.sla_judged(p_from, p_to, p_as_of) j
  )
  SELECT c.mqls, c.within, c.breached, c.pending, c.no_agreement, c.responded,
         c.within::float8 / nullif(c.within + c.breached, 0), c.median_response_hours
    FROM counted c;
END
$function$;

/*
 * The response-time distribution: the responded MQLs of [p_from, p_to) (a first response at or
 * before p_as_of, with or without an agreement) by hours from mqlAt to that response, in the
 * bands [0, 1), [1, 4), [4, 8), [8, 24), [24, 48), [48, 168) and [168, no end) hours, in order,
 * every band listed (0 leads included); to_hours is null for the last.
 */
CREATE OR REPLACE FUNCTION bi.sla_response_times(p_from timestamptz, p_to timestamptz, p_as_of timestamptz DEFAULT now())
RETURNS TABLE (from_hours integer, to_hours integer, leads integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
SET plan_cache_mode = force_custom_plan
SET jit = off
AS $function$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH bands(from_hours, to_hours) AS (
    VALUES (0, 1), (1, 4), (4, 8), (8, 24), (24, 48), (48, 168), (168, NULL::integer)
  ),
  responded AS (
    SELECT extract(epoch FROM j.first_response_at - j.mql_at) / 3600 AS hours
      FROM bi.sla_judged(p_from, p_to, p_as_of) j
     WHERE j.first_response_at IS NOT NULL
  )
  SELECT b.from_hours, b.to_hours,
         (SELECT count(*)::int FROM responded r WHERE r.hours >= b.from_hours AND (b.to_hours IS NULL OR r.hours < b.to_hours))
    FROM bands b
   ORDER BY b.from_hours;
END
$function$;

/*
 * Marketing's side: one row per calendar month (UTC) that [p_from, p_to) touches, in order, with
 * the MQLs delivered in the part of the month inside the window and the target of the agreement
 * in force at the month start (approved at or before p_as_of).
 */
CREATE OR REPLACE FUNCTION bi.sla_months(p_from timestamptz, p_to timestamptz, p_as_of timestamptz DEFAULT now())
RETURNS TABLE (
  month_start timestamptz, period_from timestamptz, period_to timestamptz, full_month boolean,
  agreement_version integer, monthly_mql_target integer, mqls_delivered integer, attainment float8)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
SET plan_cache_mode = force_custom_plan
SET jit = off
AS $function$
#variable_conflict use_column
BEGIN
  PERFORM bi.check_window(p_from, p_to);
  IF p_as_of IS NULL THEN
    RAISE EXCEPTION 'p_as_of must be a time' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN QUERY
  WITH months AS (
    SELECT m AT TIME ZONE 'UTC' AS month_start,
           (m + interval '1 month') AT TIME ZONE 'UTC' AS month_end
      FROM generate_series(
             date_trunc('month', p_from AT TIME ZONE 'UTC'),
             (p_to AT TIME ZONE 'UTC') - interval '1 microsecond',
             interval '1 month') AS m
  ),
  periods AS (
    SELECT mo.month_start, mo.month_end,
           greatest(mo.month_start, p_from) AS period_from,
           least(mo.month_end, p_to) AS period_to
      FROM months mo
  )
  SELECT p.month_start, p.period_from, p.period_to,
         (p.period_from = p.month_start AND p.period_to = p.month_end),
         ag.version, ag.monthly_mql_target, delivered.n,
         delivered.n::float8 / nullif(ag.monthly_mql_target, 0)
    FROM periods p
    LEFT JOIN LATERAL (   -- the agreement in force at the instant
        SELECT a.version, a.follow_up_hours, a.monthly_mql_target
        FROM alignment_agreements a
       WHERE a.marketing_approved_at <= p_as_of AND a.sales_approved_at <= p_as_of
         AND a.effective_from <= p.month_start
       ORDER BY a.effective_from DESC, a.version DESC
       LIMIT 1
      ) ag ON true
   CROSS JOIN LATERAL (
     SELECT count(*)::int AS n FROM leads l
      WHERE l.mql_at >= p.period_from AND l.mql_at < p.period_to
   ) delivered
   ORDER BY p.month_start;
END
$function$;
