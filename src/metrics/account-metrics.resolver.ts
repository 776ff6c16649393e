import { Arg, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { Account } from '../accounts/account.entity';
import type { Context } from '../graphql/context';
import { BadInputError } from '../graphql/errors';
import { walletShareLoader } from './share-of-wallet.service';
import { AccountWalletShare } from './share-of-wallet.types';

/** Metric fields of Account; each batches over all the accounts of a request. */
@Resolver(() => Account)
export class AccountMetricsResolver {
  @FieldResolver(() => AccountWalletShare, {
    description: "The account's share of wallet, whitespace and expansion figures as of an instant (see the walletShare query).",
  })
  async walletShare(
    @Root() account: Account,
    @Ctx() ctx: Context,
    @Arg('asOf', () => Date, { nullable: true, description: 'The "now" of the figures (default: now).' }) asOf?: Date | null,
  ): Promise<AccountWalletShare> {
    if (asOf && Number.isNaN(asOf.getTime())) throw new BadInputError('asOf', 'is not a valid date-time');
    const figures = await walletShareLoader(ctx, asOf ?? null).load(account.id);
    if (!figures) throw new Error(`account ${account.id} vanished while computing its wallet share`);
    return { ...figures, account };
  }
}
