import { Arg, Args, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { ConnectionResult } from '../graphql/connection';
import type { Context } from '../graphql/context';
import { BadInputError } from '../graphql/errors';
import { resolveAsOf } from './metric-args';
import { walletPortfolio, walletSharePage } from './share-of-wallet.service';
import {
  AccountWalletShare,
  AccountWalletShareConnection,
  WalletPortfolio,
  WalletShareAccountsArgs,
  WalletShareInput,
  WalletShareReport,
} from './share-of-wallet.types';

@Resolver(() => WalletShareReport)
export class WalletShareResolver {
  @Query(() => WalletShareReport, {
    description:
      'Share of wallet: per account the last 12 months of won revenue against its wallet size, the whitespace left and the expansion pipeline, plus portfolio totals and net revenue retention (docs/metrics.md, section "Share of wallet").',
  })
  walletShare(
    @Arg('input', () => WalletShareInput, { nullable: true, description: 'asOf and segment; all optional.' }) input?: WalletShareInput | null,
  ): WalletShareReport {
    if (input?.asOf && Number.isNaN(input.asOf.getTime())) throw new BadInputError('input.asOf', 'is not a valid date-time');
    return { asOf: resolveAsOf(input?.asOf), segment: input?.segment ?? null };
  }

  @FieldResolver(() => WalletPortfolio, { description: 'Totals over the accounts of the report, and net revenue retention.' })
  portfolio(@Root() report: WalletShareReport, @Ctx() ctx: Context): Promise<WalletPortfolio> {
    return walletPortfolio(ctx, report);
  }

  @FieldResolver(() => AccountWalletShareConnection, { description: 'The accounts with their figures, a page at a time.' })
  accounts(
    @Root() report: WalletShareReport,
    @Args() args: WalletShareAccountsArgs,
    @Ctx() ctx: Context,
  ): Promise<ConnectionResult<AccountWalletShare>> {
    return walletSharePage(ctx, report, args);
  }
}
