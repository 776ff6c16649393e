import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../graphql/context';
import { Account } from './account.entity';
import { findAccountByDomain, findAccountByExternalId, upsertAccount, UpsertAccountInput, UpsertAccountPayload } from './account-sync';

@Resolver()
export class AccountSyncResolver {
  @Query(() => Account, { nullable: true, description: 'The account with this id in the source system; null when there is none.' })
  accountByExternalId(@Ctx() ctx: Context, @Arg('externalId', { description: 'Id in the source system (exact).' }) externalId: string) {
    return findAccountByExternalId(ctx, externalId);
  }

  @Query(() => Account, { nullable: true, description: 'The account with this web domain; null when there is none.' })
  accountByDomain(@Ctx() ctx: Context, @Arg('domain', { description: 'Web domain (any case, e.g. "Acme.com").' }) domain: string) {
    return findAccountByDomain(ctx, domain);
  }

  @Mutation(() => UpsertAccountPayload, { description: 'Creates the account with this externalId, or changes it to these values (one transaction).' })
  upsertAccount(@Ctx() ctx: Context, @Arg('input', () => UpsertAccountInput) input: UpsertAccountInput): Promise<UpsertAccountPayload> {
    return upsertAccount(ctx, input);
  }
}
