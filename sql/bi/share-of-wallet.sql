-- Share of wallet and net revenue retention (docs/metrics.md, "Share of wallet"; docs/bi.md,
-- "Metric functions"). Applied by migrations/1732810000000-bi-metric-functions.ts; a change to
-- this file ships with a new migration that applies it again (CREATE OR REPLACE).
--
-- Definition (docs/metrics.md):
--   For account a, as of asOf, with Y = [asOf - 365 days, asOf) (exactly 365 x 24 hours):
--   revenue12m: sum of its CLOSED_WON amounts with closedAt in Y. shareOfWallet = revenue12m /
--   walletSize (null when no wallet size, or 0); whitespace = max(walletSize - revenue12m, 0)
--   (null when no wallet size). openExpansionPipeline: sum of the amounts of its EXPANSION
--   opportunities created before asOf and not closed before asOf. expansionRevenue12m: its
--   CLOSED_WON EXPANSION amounts in Y. Every account is in the report whatever its creation time.
--   Portfolio: the sums, and shareOfWallet = sum revenue12m / sum walletSize over accounts that
--   have a wallet size. netRevenueRetention: base accounts = those whose won revenue in
--   [asOf - 730 days, asOf - 365 days) is above 0 (a 0.00 win makes no base); NRR = their won
--   revenue in Y / their won revenue in the prior year.
--
-- bi.wallet_share_accounts and bi.wallet_portfolio are what the GraphQL walletShare query (and
-- Account.walletShare) run, and what SQL callers run. p_as_of defaults to now().

/*
 * The figures of every account (of p_segment when given; of p_account_ids when given), by
 * account id. Money rounded to cents; share_of_wallet unrounded.
 */
CREATE OR REPLACE FUNCTION bi.wallet_share_accounts(
  p_as_of timestamptz DEFAULT now(), p_segment text DEFAULT NULL, p_account_ids bigint[] DEFAULT NULL)
RETURNS TABLE (
  account_id bigint, wallet_size numeric, revenue_12m numeric, share_of_wallet float8, whitespace numeric,
  open_expansion_pipeline numeric, expansion_revenue_12m numeric)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
SET plan_cache_mode = force_custom_plan
SET jit = off
AS $function$
#variable_conflict use_column
DECLARE
  v_year_start timestamptz := p_as_of - interval '8760 hours';   -- asOf - 365 days of 24 hours
BEGIN
  IF p_as_of IS NULL THEN
    RAISE EXCEPTION 'p_as_of must be a time' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN QUERY
  WITH account_opportunities AS (
    SELECT o.account_id,
           sum(o.amount) FILTER (WHERE o.stage = 'CLOSED_WON' AND o.closed_at >= v_year_start AND o.closed_at < p_as_of) AS revenue_12m,
           sum(o.amount) FILTER (WHERE o.stage = 'CLOSED_WON' AND o.kind = 'EXPANSION'
                                   AND o.closed_at >= v_year_start AND o.closed_at < p_as_of) AS expansion_revenue_12m,
           sum(o.amount) FILTER (WHERE o.kind = 'EXPANSION' AND o.created_at < p_as_of
                                   AND (o.closed_at IS NULL OR o.closed_at >= p_as_of)) AS open_expansion_pipeline
      FROM opportunities o
     WHERE (p_account_ids IS NULL OR o.account_id = ANY(p_account_ids))
       AND ((o.stage = 'CLOSED_WON' AND o.closed_at >= v_year_start AND o.closed_at < p_as_of)
            OR (o.kind = 'EXPANSION' AND o.created_at < p_as_of AND (o.closed_at IS NULL OR o.closed_at >= p_as_of)))
     GROUP BY o.account_id
  ),
  accounts_in_scope AS (
    SELECT a.id, a.wallet_size,
           coalesce(ao.revenue_12m, 0) AS revenue_12m,
           coalesce(ao.expansion_revenue_12m, 0) AS expansion_revenue_12m,
           coalesce(ao.open_expansion_pipeline, 0) AS open_expansion_pipeline
      FROM accounts a
      LEFT JOIN account_opportunities ao ON ao.account_id = a.id
     WHERE (p_segment IS NULL OR a.segment = p_segment)
       AND (p_account_ids IS NULL OR a.id = ANY(p_account_ids))
  ),
  wallet_shares AS (
    SELECT s.*,
           s.revenue_12m / nullif(s.wallet_size, 0) AS share_of_wallet,
           CASE WHEN s.wallet_size IS NOT NULL THEN greatest(s.wallet_size - s.revenue_12m, 0) END AS whitespace
      FROM accounts_in_scope s
  )
  SELECT w.id, w.wallet_size, round(w.revenue_12m, 2), w.share_of_wallet::float8, round(w.whitespace, 2),
         round(w.open_expansion_pipeline, 2), round(w.expansion_revenue_12m, 2)
    FROM wallet_shares w
   ORDER BY w.id;
END
$function$;

/*
 * Portfolio totals and net revenue retention of the accounts of p_segment (all when null): one
 * row. The retention base is the accounts in scope whose CLOSED_WON revenue closed in
 * [asOf - 730 days, asOf - 365 days) is above 0.
 */
CREATE OR REPLACE FUNCTION bi.wallet_portfolio(p_as_of timestamptz DEFAULT now(), p_segment text DEFAULT NULL)
RETURNS TABLE (
  accounts integer, accounts_with_wallet_size integer, wallet_size numeric, revenue_12m numeric, share_of_wallet float8,
  whitespace numeric, open_expansion_pipeline numeric, expansion_revenue_12m numeric,
  retention_base_accounts integer, retention_base_prior_revenue numeric, retention_base_revenue_12m numeric,
  net_revenue_retention float8)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
SET plan_cache_mode = force_custom_plan
SET jit = off
AS $function$
#variable_conflict use_column
DECLARE
  v_year_start timestamptz := p_as_of - interval '8760 hours';          -- asOf - 365 days
  v_prior_year_start timestamptz := p_as_of - interval '17520 hours';   -- asOf - 730 days
BEGIN
  IF p_as_of IS NULL THEN
    RAISE EXCEPTION 'p_as_of must be a time' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN QUERY
  WITH wallet_shares AS MATERIALIZED (
    SELECT * FROM bi.wallet_share_accounts(p_as_of, p_segment)
  ),
  retention_base AS (
    SELECT o.account_id,
           sum(o.amount) FILTER (WHERE o.closed_at < v_year_start) AS prior_revenue,
           coalesce(sum(o.amount) FILTER (WHERE o.closed_at >= v_year_start), 0) AS revenue_12m
      FROM opportunities o
      JOIN wallet_shares s ON s.account_id = o.account_id
     WHERE o.stage = 'CLOSED_WON' AND o.closed_at >= v_prior_year_start AND o.closed_at < p_as_of
     GROUP BY o.account_id
    HAVING sum(o.amount) FILTER (WHERE o.closed_at < v_year_start) > 0
  ),
  portfolio AS (
    SELECT count(*)::int AS accounts,
           count(w.wallet_size)::int AS accounts_with_wallet_size,
           coalesce(sum(w.wallet_size), 0) AS wallet_size,
           coalesce(sum(w.revenue_12m), 0) AS revenue_12m,
           sum(w.revenue_12m) FILTER (WHERE w.wallet_size IS NOT NULL) / nullif(sum(w.wallet_size), 0) AS share_of_wallet,
           coalesce(sum(w.whitespace), 0) AS whitespace,
           coalesce(sum(w.open_expansion_pipeline), 0) AS open_expansion_pipeline,
           coalesce(sum(w.expansion_revenue_12m), 0) AS expansion_revenue_12m
      FROM wallet_shares w
  ),
  retention AS (
    SELECT count(*)::int AS base_accounts,
           coalesce(sum(b.prior_revenue), 0) AS prior_revenue,
           coalesce(sum(b.revenue_12m), 0) AS revenue_12m
      FROM retention_base b
  )
  SELECT p.accounts, p.accounts_with_wallet_size, round(p.wallet_size, 2), round(p.revenue_12m, 2),
         p.share_of_wallet::float8, round(p.whitespace, 2), round(p.open_expansion_pipeline, 2),
         round(p.expansion_revenue_12m, 2), r.base_accounts, round(r.prior_revenue, 2), round(r.revenue_12m, 2),
         (r.revenue_12m / nullif(r.prior_revenue, 0))::float8
    FROM portfolio p CROSS JOIN retention r;
END
$function$;
