import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Account } from '../accounts/account.entity';
import { selectList } from '../db/sql';
import { PageArgs } from '../graphql/connection';
import type { Context } from '../graphql/context';
import { byIdLoader, childrenLoader } from '../graphql/entity-loaders';
import { fromGlobalId, toGlobalId } from '../graphql/node';
import { Lead } from '../leads/lead.entity';
import { User } from '../users/user.entity';
import { Opportunity } from './opportunity.entity';
import { createOpportunity, listOpportunities, moveOpportunityStage, updateOpportunity } from './opportunity.service';
import {
  CreateOpportunityInput,
  CreateOpportunityPayload,
  MoveOpportunityStageInput,
  MoveOpportunityStagePayload,
  OpportunityConnection,
  OpportunityFilter,
  OpportunityOrder,
  UpdateOpportunityInput,
  UpdateOpportunityPayload,
} from './opportunity.types';

@Resolver(() => Opportunity)
export class OpportunityResolver {
  @FieldResolver(() => ID, { description: 'Globally unique id.' })
  id(@Root() opportunity: Opportunity): string {
    return toGlobalId('Opportunity', opportunity.id);
  }

  @Query(() => Opportunity, { nullable: true, description: 'One opportunity by id; null when there is none.' })
  opportunity(@Ctx() ctx: Context, @Arg('id', () => ID, { description: 'Global id of the opportunity.' }) id: string) {
    const decoded = fromGlobalId(id);
    return decoded?.type === 'Opportunity' ? byIdLoader<Opportunity>(ctx, Opportunity).load(decoded.id) : null;
  }

  @Query(() => OpportunityConnection, { description: 'Opportunities, filtered and ordered (by creation time unless told otherwise).' })
  opportunities(
    @Ctx() ctx: Context,
    @Args() page: PageArgs,
    @Arg('filter', () => OpportunityFilter, { nullable: true, description: 'Which opportunities.' }) filter?: OpportunityFilter,
    @Arg('orderBy', () => OpportunityOrder, { nullable: true, description: 'Order; ties break on id.' }) orderBy?: OpportunityOrder,
  ) {
    return listOpportunities(ctx, filter, orderBy, page);
  }

  @FieldResolver(() => Account, { description: 'The account the deal is with.' })
  account(@Ctx() ctx: Context, @Root() opportunity: Opportunity) {
    return byIdLoader<Account>(ctx, Account).load(opportunity.accountId);
  }

  @FieldResolver(() => User, { nullable: true, description: 'The user who owns the deal.' })
  owner(@Ctx() ctx: Context, @Root() opportunity: Opportunity) {
    return opportunity.ownerId ? byIdLoader<User>(ctx, User).load(opportunity.ownerId) : null;
  }

  @FieldResolver(() => [Lead], {
    description: "The deal's contact leads (a deal has a handful, at most 100: not paginated), by id.",
  })
  contacts(@Ctx() ctx: Context, @Root() opportunity: Opportunity) {
    return childrenLoader<Lead>(
      ctx,
      'Opportunity.contacts',
      `SELECT oc.opportunity_id::text AS "__parent", ${selectList(ctx.ds, Lead, 't')}
         FROM opportunity_contacts oc JOIN leads t ON t.id = oc.lead_id
        WHERE oc.opportunity_id = ANY($1::bigint[]) ORDER BY t.id`,
    ).load(opportunity.id);
  }

  @Mutation(() => CreateOpportunityPayload, { description: 'Creates an opportunity (closed ones too, for historical loads).' })
  async createOpportunity(
    @Ctx() ctx: Context,
    @Arg('input', () => CreateOpportunityInput) input: CreateOpportunityInput,
  ): Promise<CreateOpportunityPayload> {
    return { opportunity: await createOpportunity(ctx, input) };
  }

  @Mutation(() => UpdateOpportunityPayload, { description: 'Changes an opportunity; pass `version` to refuse concurrent edits.' })
  async updateOpportunity(
    @Ctx() ctx: Context,
    @Arg('input', () => UpdateOpportunityInput) input: UpdateOpportunityInput,
  ): Promise<UpdateOpportunityPayload> {
    return { opportunity: await updateOpportunity(ctx, input) };
  }

  @Mutation(() => MoveOpportunityStagePayload, {
    description: 'Moves an open opportunity to another stage; CLOSED_WON / CLOSED_LOST set closedAt and are final.',
  })
  async moveOpportunityStage(
    @Ctx() ctx: Context,
    @Arg('input', () => MoveOpportunityStageInput) input: MoveOpportunityStageInput,
  ): Promise<MoveOpportunityStagePayload> {
    return { opportunity: await moveOpportunityStage(ctx, input) };
  }
}
