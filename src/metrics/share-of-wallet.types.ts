import { ArgsType, Field, Float, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Account } from '../accounts/account.entity';
import { Segment, SortDirection } from '../common/enums';
import { connectionTypes, PageArgs } from '../graphql/connection';
import { MoneyScalar } from '../graphql/scalars';

export enum WalletShareSortField {
  WHITESPACE = 'WHITESPACE',
  SHARE_OF_WALLET = 'SHARE_OF_WALLET',
  REVENUE_12M = 'REVENUE_12M',
  WALLET_SIZE = 'WALLET_SIZE',
}

registerEnumType(WalletShareSortField, {
  name: 'WalletShareSortField',
  description: 'What to order the accounts of a share-of-wallet report by; null values always come last.',
});

@InputType('WalletShareInput', { description: 'Which accounts (by segment) and as of when.' })
export class WalletShareInput {
  @Field(() => Date, { nullable: true, description: 'The "now" of the report (default: now); the last 12 months are [asOf - 365 days, asOf).' })
  asOf?: Date | null;

  @Field(() => Segment, { nullable: true, description: 'Only accounts of this segment (rows and portfolio).' })
  segment?: Segment | null;
}

@InputType('WalletShareOrder', { description: 'Order of the accounts; nulls last in both directions, ties by id in the same direction.' })
export class WalletShareOrder {
  @Field(() => WalletShareSortField, { description: 'Figure to order by.' })
  field: WalletShareSortField;

  @Field(() => SortDirection, { nullable: true, defaultValue: SortDirection.DESC, description: 'Direction (default DESC).' })
  direction?: SortDirection | null;
}

@ArgsType()
export class WalletShareAccountsArgs extends PageArgs {
  @Field(() => WalletShareOrder, { nullable: true, description: 'Order (default: WHITESPACE DESC, the most room to grow first).' })
  orderBy?: WalletShareOrder | null;
}

@ObjectType('AccountWalletShare', { description: 'How much of an account\'s annual spend in our category we win, and the room left.' })
export class AccountWalletShare {
  /** Database id of the account (keys the page cursor). */
  id: string;

  @Field(() => Account, { description: 'The account.' })
  account: Account;

  @Field(() => MoneyScalar, { nullable: true, description: "The account's estimated annual spend in our category; null when unknown." })
  walletSize: string | null;

  @Field(() => MoneyScalar, { description: 'CLOSED_WON amounts with closedAt in [asOf - 365 days, asOf).' })
  revenue12m: string;

  @Field(() => Float, { nullable: true, description: 'revenue12m / walletSize; null when the wallet size is unknown or 0.' })
  shareOfWallet: number | null;

  @Field(() => MoneyScalar, { nullable: true, description: 'max(walletSize - revenue12m, 0); null when the wallet size is unknown.' })
  whitespace: string | null;

  @Field(() => MoneyScalar, { description: 'EXPANSION opportunities open at asOf (created before it, not closed before it).' })
  openExpansionPipeline: string;

  @Field(() => MoneyScalar, { description: 'CLOSED_WON EXPANSION amounts with closedAt in [asOf - 365 days, asOf).' })
  expansionRevenue12m: string;
}

export const { ConnectionType: AccountWalletShareConnection } = connectionTypes(AccountWalletShare, 'AccountWalletShare', 'account wallet shares');

@ObjectType('WalletPortfolio', { description: 'Share-of-wallet totals over the accounts of the report, and net revenue retention.' })
export class WalletPortfolio {
  @Field(() => Int, { description: 'Accounts in the report.' })
  accounts: number;

  @Field(() => Int, { description: 'Of those, accounts with a wallet size.' })
  accountsWithWalletSize: number;

  @Field(() => MoneyScalar, { description: 'Sum of the known wallet sizes.' })
  walletSize: string;

  @Field(() => MoneyScalar, { description: 'Sum of revenue12m over all accounts of the report.' })
  revenue12m: string;

  @Field(() => Float, {
    nullable: true,
    description: 'Sum of revenue12m / sum of walletSize, both over the accounts with a wallet size; null when that sum is 0.',
  })
  shareOfWallet: number | null;

  @Field(() => MoneyScalar, { description: 'Sum of the accounts\' whitespace (accounts with a wallet size).' })
  whitespace: string;

  @Field(() => MoneyScalar, { description: 'Sum of openExpansionPipeline.' })
  openExpansionPipeline: string;

  @Field(() => MoneyScalar, { description: 'Sum of expansionRevenue12m.' })
  expansionRevenue12m: string;

  @Field(() => Int, { description: 'Retention base: accounts whose CLOSED_WON revenue in the prior year [asOf - 730 days, asOf - 365 days) is above 0 (docs/metrics.md, section "Share of wallet").' })
  retentionBaseAccounts: number;

  @Field(() => MoneyScalar, { description: "The base accounts' won revenue in the prior year [asOf - 730 days, asOf - 365 days)." })
  retentionBasePriorRevenue: string;

  @Field(() => MoneyScalar, { description: "The base accounts' won revenue in the last 12 months [asOf - 365 days, asOf)." })
  retentionBaseRevenue12m: string;

  @Field(() => Float, {
    nullable: true,
    description: 'Net revenue retention: retentionBaseRevenue12m / retentionBasePriorRevenue; null when the prior revenue is 0.',
  })
  netRevenueRetention: number | null;
}

@ObjectType('WalletShareReport', { description: 'Share of wallet, whitespace and expansion of the accounts, as of an instant.' })
export class WalletShareReport {
  @Field({ description: 'The "now" the report is computed as of.' })
  asOf: Date;

  @Field(() => Segment, { nullable: true, description: 'The segment the report is limited to; null for all accounts.' })
  segment: Segment | null;
}
