/**
 * Share of wallet (docs/metrics.md, "Share of wallet"): the figures come from
 * bi.wallet_share_accounts and bi.wallet_portfolio (sql/bi/share-of-wallet.sql), the one
 * definition that SQL callers (BI roles) run too; these statements select from them.
 */

const FIGURE_COLUMNS = `
       w.revenue_12m AS "revenue12m",
       w.share_of_wallet AS "shareOfWallet",
       w.whitespace,
       w.open_expansion_pipeline AS "openExpansionPipeline",
       w.expansion_revenue_12m AS "expansionRevenue12m"`;

/** The figures of the accounts $2 as of $1 (for Account.walletShare, batched). */
export const WALLET_SHARES_OF_ACCOUNTS_SQL = `
SELECT w.account_id::text AS id, w.wallet_size::text AS "walletSize", ${FIGURE_COLUMNS}
  FROM bi.wallet_share_accounts($1::timestamptz, NULL, $2::bigint[]) w
`;

/**
 * One page of accounts, keyset-paginated on a computed, nullable figure. Parameters:
 *   $1 asOf   $2 segment (null: all)   $3 sort field   $4 direction (1 ASC, -1 DESC)   $5 walk (1 forwards, -1 backwards)
 *   $6 cursor value (numeric text, null for a null value)   $7 cursor id (null: first page)   $8 rows to fetch
 * The order is the all-ascending key (null flag, value, id), each part multiplied by the
 * direction (flag excepted: nulls stay last) and by the walk (reading backwards flips it),
 * so one row comparison seeks in every case; share of wallet by its exact ratio. `accountColumns`
 * is the Account select list.
 */
export const walletSharePageSql = (accountColumns: string) => `
WITH sorted AS (
  SELECT w.*,
         CASE $3::text
           WHEN 'WHITESPACE' THEN w.whitespace
           WHEN 'SHARE_OF_WALLET' THEN w.revenue_12m / nullif(w.wallet_size, 0)
           WHEN 'REVENUE_12M' THEN w.revenue_12m
           WHEN 'WALLET_SIZE' THEN w.wallet_size
         END AS sort_value
    FROM bi.wallet_share_accounts($1::timestamptz, $2::text) w
),
keyed AS (
  SELECT s.*,
         (s.sort_value IS NULL)::int * $5::int AS k_null,
         coalesce(s.sort_value, 0) * $4::int * $5::int AS k_value,
         s.account_id * $4::int * $5::int AS k_id
    FROM sorted s
)
SELECT ${accountColumns}, ${FIGURE_COLUMNS},
       coalesce(w.sort_value::text, '') AS "__sort"
  FROM keyed w
  JOIN accounts a ON a.id = w.account_id
 WHERE $7::bigint IS NULL
    OR (w.k_null, w.k_value, w.k_id) > (
         ($6::numeric IS NULL)::int * $5::int,
         coalesce($6::numeric, 0) * $4::int * $5::int,
         $7::bigint * $4::int * $5::int)
 ORDER BY w.k_null, w.k_value, w.k_id
 LIMIT $8
`;

/** Accounts in a report ($1: segment or null), for totalCount. */
export const WALLET_SHARE_COUNT_SQL = `
SELECT count(*)::int AS n FROM accounts a WHERE ($1::text IS NULL OR a.segment = $1::text)
`;

/** Portfolio totals and net revenue retention as of $1 of the accounts of segment $2 (null: all). */
export const WALLET_PORTFOLIO_SQL = `
SELECT accounts, accounts_with_wallet_size AS "accountsWithWalletSize", wallet_size AS "walletSize",
       revenue_12m AS "revenue12m", share_of_wallet AS "shareOfWallet", whitespace,
       open_expansion_pipeline AS "openExpansionPipeline", expansion_revenue_12m AS "expansionRevenue12m",
       retention_base_accounts AS "retentionBaseAccounts", retention_base_prior_revenue AS "retentionBasePriorRevenue",
       retention_base_revenue_12m AS "retentionBaseRevenue12m", net_revenue_retention AS "netRevenueRetention"
  FROM bi.wallet_portfolio($1::timestamptz, $2::text)
`;
