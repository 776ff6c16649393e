import { metricQuery } from '../db/metric-work';
import { Account } from '../accounts/account.entity';
import { Segment, SortDirection } from '../common/enums';
import { ConnectionResult, resolvePage, toConnection } from '../graphql/connection';
import type { Context } from '../graphql/context';
import { selectList } from '../db/sql';
import { BadInputError } from '../graphql/errors';
import {
  WALLET_PORTFOLIO_SQL,
  WALLET_SHARE_COUNT_SQL,
  WALLET_SHARES_OF_ACCOUNTS_SQL,
  walletSharePageSql,
} from './share-of-wallet.sql';
import { AccountWalletShare, WalletPortfolio, WalletShareAccountsArgs, WalletShareSortField } from './share-of-wallet.types';

/** Which accounts a report covers and as of when. */
export interface WalletShareScope {
  asOf: Date;
  segment: Segment | null;
}

/** The figures of one account, without the account itself. */
export type AccountWalletFigures = Omit<AccountWalletShare, 'account'>;

/** Portfolio totals and net revenue retention of the accounts in scope (one statement). */
export async function walletPortfolio(ctx: Pick<Context, 'ds'>, scope: WalletShareScope): Promise<WalletPortfolio> {
  const [row]: WalletPortfolio[] = await metricQuery(ctx, WALLET_PORTFOLIO_SQL, [scope.asOf, scope.segment]);
  if (!row) throw new Error('wallet portfolio query returned no row');
  return row;
}

const NUMERIC_TEXT = /^-?\d{1,40}(\.\d{1,40})?$/;

type PageRow = Record<string, unknown> & Omit<AccountWalletFigures, 'id' | 'walletSize'> & { __sort: string };

/** One page of accounts with their figures, ordered by a figure (one statement, plus one count when asked for). */
export async function walletSharePage(
  ctx: Context,
  scope: WalletShareScope,
  args: WalletShareAccountsArgs,
  fieldPrefix = '',
): Promise<ConnectionResult<AccountWalletShare>> {
  const field = args.orderBy?.field ?? WalletShareSortField.WHITESPACE;
  const direction = args.orderBy?.direction ?? SortDirection.DESC;
  const sortName = `${field}:${direction}`;
  const page = resolvePage(args, sortName, ctx.config.maxPageSize, fieldPrefix);
  let cursorValue: string | null = null;
  if (page.cursor) {
    // the value travels as exact numeric text; '' stands for a null figure
    if (page.cursor.v !== '' && !NUMERIC_TEXT.test(page.cursor.v)) {
      throw new BadInputError(`${fieldPrefix}${page.backwards ? 'before' : 'after'}`, 'is not a cursor of this list');
    }
    cursorValue = page.cursor.v === '' ? null : page.cursor.v;
  }
  const metadata = ctx.ds.getMetadata(Account);
  const rows: PageRow[] = await metricQuery(ctx, walletSharePageSql(selectList(ctx.ds, Account, 'a')), [
    scope.asOf,
    scope.segment,
    field,
    direction === SortDirection.ASC ? 1 : -1,
    page.backwards ? -1 : 1,
    cursorValue,
    page.cursor?.id ?? null,
    page.limit + 1,
  ]);
  const shares = rows.map((row) => {
    const account = Object.fromEntries(metadata.columns.map((c) => [c.propertyName, row[c.propertyName]])) as unknown as Account;
    const share: AccountWalletShare & { __sort: string } = {
      id: account.id,
      account,
      walletSize: account.walletSize,
      revenue12m: row.revenue12m,
      shareOfWallet: row.shareOfWallet,
      whitespace: row.whitespace,
      openExpansionPipeline: row.openExpansionPipeline,
      expansionRevenue12m: row.expansionRevenue12m,
      __sort: row.__sort,
    };
    return share;
  });
  return toConnection(shares, page, sortName, async () => {
    const [row]: { n: number }[] = await metricQuery(ctx, WALLET_SHARE_COUNT_SQL, [scope.segment]);
    return row?.n ?? 0;
  });
}

/** The figures of the given accounts as of `asOf`, in the order of `accountIds` (one statement). */
export async function walletSharesOfAccounts(
  ctx: Pick<Context, 'ds'>,
  asOf: Date,
  accountIds: readonly string[],
): Promise<(AccountWalletFigures | null)[]> {
  const rows: AccountWalletFigures[] = await metricQuery(ctx, WALLET_SHARES_OF_ACCOUNTS_SQL, [asOf, accountIds]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return accountIds.map((id) => byId.get(id) ?? null);
}

/**
 * The per-request loader behind Account.walletShare: every account asked for with the same
 * asOf in one request is computed by one statement. Without asOf, "now" is taken once per batch.
 */
export function walletShareLoader(ctx: Context, asOf: Date | null) {
  return ctx.loaders.get<string, AccountWalletFigures | null>(
    `metrics:walletShare:asOf=${asOf ? asOf.toISOString() : 'now'}`,
    (ids) => walletSharesOfAccounts(ctx, asOf ?? new Date(), ids),
  );
}
