-- Customer acquisition cost (docs/metrics.md, "Acquisition cost"; docs/bi.md, "Metric functions").
-- Applied by migrations/1732810000000-bi-metric-functions.ts; a change to this file ships with a
-- new migration that applies it again (CREATE OR REPLACE).
--
-- Definition (docs/metrics.md):
--   newCustomers: accounts whose first CLOSED_WON opportunity ever closed in the window [from, to)
--   (an account won before the window is never new again; lost opportunities do not count).
--   spend: all campaign spend with spentOn in the window (days compared at 00:00 UTC).
--   cac = spend / newCustomers, full precision until rounded half away from zero to the cent;
--   null without new customers.
--
-- bi.acquisition_cost is what the GraphQL acquisitionCost query runs, and what SQL callers run.

/* One row: new_customers, spend and cac of [p_from, p_to). */
CREATE OR REPLACE FUNCTION bi.acquisition_cost(p_from timestamptz, p_to timestamptz)
RETURNS TABLE (new_customers integer, spend numeric, cac numeric)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
SET plan_cache_mode = force_custom_plan
SET jit = off
AS $function$
#variable_conflict use_column
BEGIN
  PERFORM bi.check_window(p_from, p_to);
  RETURN QUERY
  WITH first_wins AS (
    SELECT o.account_id, min(o.closed_at) AS first_won_at
      FROM opportunities o
     WHERE o.stage = 'CLOSED_WON'
     GROUP BY o.account_id
  ),
  new_customers AS (
    SELECT count(*)::int AS n FROM first_wins WHERE first_won_at >= p_from AND first_won_at < p_to
  ),
  window_spend AS (
    SELECT coalesce(sum(s.amount), 0) AS total
      FROM campaign_spend s
     WHERE s.spent_on >= (p_from AT TIME ZONE 'UTC') AND s.spent_on < (p_to AT TIME ZONE 'UTC')
  )
  SELECT nc.n, round(ws.total, 2), round(ws.total / nullif(nc.n, 0), 2)
    FROM new_customers nc CROSS JOIN window_spend ws;
END
$function$;
