import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { PageArgs } from '../graphql/connection';
import type { Context } from '../graphql/context';
import { byIdLoader } from '../graphql/entity-loaders';
import { fromGlobalId, toGlobalId } from '../graphql/node';
import { LeadConnection, LeadFilter, LeadOrder } from '../leads/lead.types';
import { leadListSpec } from '../leads/lead.service';
import { loadChildConnection } from '../db/list-query';
import { OpportunityConnection, OpportunityFilter, OpportunityOrder } from '../opportunities/opportunity.types';
import { opportunityListSpec } from '../opportunities/opportunity.service';
import { requestNow } from '../qualification/score.loaders';
import { User } from '../users/user.entity';
import { Account } from './account.entity';
import { createAccount, listAccounts, updateAccount } from './account.service';
import {
  AccountConnection,
  AccountFilter,
  AccountOrder,
  CreateAccountInput,
  CreateAccountPayload,
  UpdateAccountInput,
  UpdateAccountPayload,
} from './account.types';

@Resolver(() => Account)
export class AccountResolver {
  @FieldResolver(() => ID, { description: 'Globally unique id.' })
  id(@Root() account: Account): string {
    return toGlobalId('Account', account.id);
  }

  @Query(() => Account, { nullable: true, description: 'One account by id; null when there is none.' })
  account(@Ctx() ctx: Context, @Arg('id', () => ID, { description: 'Global id of the account.' }) id: string) {
    const decoded = fromGlobalId(id);
    return decoded?.type === 'Account' ? byIdLoader<Account>(ctx, Account).load(decoded.id) : null;
  }

  @Query(() => AccountConnection, { description: 'Accounts, filtered and ordered (by name unless told otherwise).' })
  accounts(
    @Ctx() ctx: Context,
    @Args() page: PageArgs,
    @Arg('filter', () => AccountFilter, { nullable: true, description: 'Which accounts.' }) filter?: AccountFilter,
    @Arg('orderBy', () => AccountOrder, { nullable: true, description: 'Order; ties break on id.' }) orderBy?: AccountOrder,
  ) {
    return listAccounts(ctx, filter, orderBy, page);
  }

  @FieldResolver(() => User, { nullable: true, description: 'The user who owns the account.' })
  owner(@Ctx() ctx: Context, @Root() account: Account) {
    return account.ownerId ? byIdLoader<User>(ctx, User).load(account.ownerId) : null;
  }

  @FieldResolver(() => LeadConnection, { description: 'Leads at the account (by creation time unless told otherwise).' })
  leads(
    @Ctx() ctx: Context,
    @Root() account: Account,
    @Args() page: PageArgs,
    @Arg('filter', () => LeadFilter, { nullable: true, description: 'Which leads.' }) filter?: LeadFilter,
    @Arg('orderBy', () => LeadOrder, { nullable: true, description: 'Order; ties break on id.' }) orderBy?: LeadOrder,
  ) {
    return loadChildConnection(ctx, leadListSpec(filter, orderBy, requestNow(ctx)), 'account_id', account.id, page);
  }

  @FieldResolver(() => OpportunityConnection, { description: 'Opportunities with the account (by creation time unless told otherwise).' })
  opportunities(
    @Ctx() ctx: Context,
    @Root() account: Account,
    @Args() page: PageArgs,
    @Arg('filter', () => OpportunityFilter, { nullable: true, description: 'Which opportunities.' }) filter?: OpportunityFilter,
    @Arg('orderBy', () => OpportunityOrder, { nullable: true, description: 'Order; ties break on id.' }) orderBy?: OpportunityOrder,
  ) {
    return loadChildConnection(ctx, opportunityListSpec(filter, orderBy), 'account_id', account.id, page);
  }

  @Mutation(() => CreateAccountPayload, { description: 'Creates an account.' })
  async createAccount(@Ctx() ctx: Context, @Arg('input', () => CreateAccountInput) input: CreateAccountInput): Promise<CreateAccountPayload> {
    return { account: await createAccount(ctx, input) };
  }

  @Mutation(() => UpdateAccountPayload, { description: 'Changes an account; pass `version` to refuse concurrent edits.' })
  async updateAccount(@Ctx() ctx: Context, @Arg('input', () => UpdateAccountInput) input: UpdateAccountInput): Promise<UpdateAccountPayload> {
    return { account: await updateAccount(ctx, input) };
  }
}
