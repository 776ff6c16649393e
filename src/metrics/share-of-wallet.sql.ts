/**
 * Per-account share-of-wallet figures, shared by every statement below. Parameters:
 *   $1 start of the last 12 months (asOf - 365 days)   $2 asOf
 *   $3 segment (text, null: all)                       $4 account ids (bigint[], null: all)
 * Open expansion pipeline is what was open at asOf: created before it and not closed before it.
 */
const WALLET_SHARES_CTES = `
account_opportunities AS (
  SELECT o.account_id,
         sum(o.amount) FILTER (WHERE o.stage = 'CLOSED_WON' AND o.closed_at >= $1 AND o.closed_at < $2) AS revenue_12m,
         sum(o.amount) FILTER (WHERE o.stage = 'CLOSED_WON' AND o.kind = 'EXPANSION'
                                 AND o.closed_at >= $1 AND o.closed_at < $2) AS expansion_revenue_12m,
         sum(o.amount) FILTER (WHERE o.kind = 'EXPANSION' AND o.created_at < $2
                                 AND (o.closed_at IS NULL OR o.closed_at >= $2)) AS open_expansion_pipeline
    FROM opportunities o
   WHERE ($4::bigint[] IS NULL OR o.account_id = ANY($4::bigint[]))
     AND ((o.stage = 'CLOSED_WON' AND o.closed_at >= $1 AND o.closed_at < $2)
          OR (o.kind = 'EXPANSION' AND o.created_at < $2 AND (o.closed_at IS NULL OR o.closed_at >= $2)))
   GROUP BY o.account_id
),
accounts_in_scope AS (
  SELECT a.id, a.wallet_size,
         coalesce(ao.revenue_12m, 0) AS revenue_12m,
         coalesce(ao.expansion_revenue_12m, 0) AS expansion_revenue_12m,
         coalesce(ao.open_expansion_pipeline, 0) AS open_expansion_pipeline
    FROM accounts a
    LEFT JOIN account_opportunities ao ON ao.account_id = a.id
   WHERE ($3::text IS NULL OR a.segment = $3::text)
     AND ($4::bigint[] IS NULL OR a.id = ANY($4::bigint[]))
),
wallet_shares AS (
  SELECT s.*,
         s.revenue_12m / nullif(s.wallet_size, 0) AS share_of_wallet,
         CASE WHEN s.wallet_size IS NOT NULL THEN greatest(s.wallet_size - s.revenue_12m, 0) END AS whitespace
    FROM accounts_in_scope s
)`;

const FIGURE_COLUMNS = `
       round(w.revenue_12m, 2)::text AS "revenue12m",
       w.share_of_wallet::float8 AS "shareOfWallet",
       round(w.whitespace, 2)::text AS whitespace,
       round(w.open_expansion_pipeline, 2)::text AS "openExpansionPipeline",
       round(w.expansion_revenue_12m, 2)::text AS "expansionRevenue12m"`;

/** The figures of the accounts $4 (for Account.walletShare, batched). */
export const WALLET_SHARES_OF_ACCOUNTS_SQL = `
WITH ${WALLET_SHARES_CTES}
SELECT w.id::text AS id, w.wallet_size::text AS "walletSize", ${FIGURE_COLUMNS}
  FROM wallet_shares w
`;

/**
 * One page of accounts, keyset-paginated on a computed, nullable figure. Extra parameters:
 *   $5 sort field   $6 direction (1 ASC, -1 DESC)   $7 walk (1 forwards, -1 backwards)
 *   $8 cursor value (numeric text, null for a null value)   $9 cursor id (null: first page)   $10 rows to fetch
 * The order is the all-ascending key (null flag, value, id), each part multiplied by the
 * direction (flag excepted: nulls stay last) and by the walk (reading backwards flips it),
 * so one row comparison seeks in every case. `accountColumns` is the Account select list.
 */
export const walletSharePageSql = (accountColumns: string) => `
WITH ${WALLET_SHARES_CTES},
sorted AS (
  SELECT w.*,
         CASE $5::text
           WHEN 'WHITESPACE' THEN w.whitespace
           WHEN 'SHARE_OF_WALLET' THEN w.share_of_wallet
           WHEN 'REVENUE_12M' THEN w.revenue_12m
           WHEN 'WALLET_SIZE' THEN w.wallet_size
         END AS sort_value
    FROM wallet_shares w
),
keyed AS (
  SELECT s.*,
         (s.sort_value IS NULL)::int * $7::int AS k_null,
         coalesce(s.sort_value, 0) * $6::int * $7::int AS k_value,
         s.id * $6::int * $7::int AS k_id
    FROM sorted s
)
SELECT ${accountColumns}, ${FIGURE_COLUMNS},
       coalesce(w.sort_value::text, '') AS "__sort"
  FROM keyed w
  JOIN accounts a ON a.id = w.id
 WHERE $9::bigint IS NULL
    OR (w.k_null, w.k_value, w.k_id) > (
         ($8::numeric IS NULL)::int * $7::int,
         coalesce($8::numeric, 0) * $6::int * $7::int,
         $9::bigint * $6::int * $7::int)
 ORDER BY w.k_null, w.k_value, w.k_id
 LIMIT $10
`;

/** Accounts in a report ($1: segment or null), for totalCount. */
export const WALLET_SHARE_COUNT_SQL = `
SELECT count(*)::int AS n FROM accounts a WHERE ($1::text IS NULL OR a.segment = $1::text)
`;

/**
 * Portfolio totals and net revenue retention (docs/metrics.md, "Share of wallet"). Extra
 * parameter: $5 start of the prior year (asOf - 730 days). The retention base is the accounts
 * in scope whose CLOSED_WON revenue closed in [$5, $1) is above 0: a 0.00 win alone makes no
 * base account (its prior revenue would add nothing to the denominator, only to the count).
 */
export const WALLET_PORTFOLIO_SQL = `
WITH ${WALLET_SHARES_CTES},
retention_base AS (
  SELECT o.account_id,
         sum(o.amount) FILTER (WHERE o.closed_at < $1) AS prior_revenue,
         coalesce(sum(o.amount) FILTER (WHERE o.closed_at >= $1), 0) AS revenue_12m
    FROM opportunities o
    JOIN accounts_in_scope s ON s.id = o.account_id
   WHERE o.stage = 'CLOSED_WON' AND o.closed_at >= $5 AND o.closed_at < $2
   GROUP BY o.account_id
  HAVING sum(o.amount) FILTER (WHERE o.closed_at < $1) > 0
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
SELECT p.accounts,
       p.accounts_with_wallet_size AS "accountsWithWalletSize",
       round(p.wallet_size, 2)::text AS "walletSize",
       round(p.revenue_12m, 2)::text AS "revenue12m",
       p.share_of_wallet::float8 AS "shareOfWallet",
       round(p.whitespace, 2)::text AS whitespace,
       round(p.open_expansion_pipeline, 2)::text AS "openExpansionPipeline",
       round(p.expansion_revenue_12m, 2)::text AS "expansionRevenue12m",
       r.base_accounts AS "retentionBaseAccounts",
       round(r.prior_revenue, 2)::text AS "retentionBasePriorRevenue",
       round(r.revenue_12m, 2)::text AS "retentionBaseRevenue12m",
       (r.revenue_12m / nullif(r.prior_revenue, 0))::float8 AS "netRevenueRetention"
  FROM portfolio p CROSS JOIN retention r
`;
