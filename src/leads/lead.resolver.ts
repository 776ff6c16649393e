import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Account } from '../accounts/account.entity';
import { feedbackListSpec } from '../alignment/alignment.service';
import { LeadFeedbackConnection, LeadFeedbackFilter } from '../alignment/alignment.types';
import { touchpointListSpec } from '../campaigns/campaign.service';
import { TouchpointConnection, TouchpointFilter } from '../campaigns/campaign.types';
import { loadChildConnection } from '../db/list-query';
import { PageArgs } from '../graphql/connection';
import type { Context } from '../graphql/context';
import { byIdLoader } from '../graphql/entity-loaders';
import { fromGlobalId, toGlobalId } from '../graphql/node';
import { User } from '../users/user.entity';
import { LeadStageChange } from './lead-stage-change.entity';
import { Lead } from './lead.entity';
import { changeLeadStage, createLead, listLeads, stageHistoryListSpec, updateLead } from './lead.service';
import {
  ChangeLeadStageInput,
  ChangeLeadStagePayload,
  CreateLeadInput,
  CreateLeadPayload,
  LeadConnection,
  LeadFilter,
  LeadOrder,
  LeadStageChangeConnection,
  LeadStageChangeFilter,
  UpdateLeadInput,
  UpdateLeadPayload,
} from './lead.types';

@Resolver(() => Lead)
export class LeadResolver {
  @FieldResolver(() => ID, { description: 'Globally unique id.' })
  id(@Root() lead: Lead): string {
    return toGlobalId('Lead', lead.id);
  }

  @Query(() => Lead, { nullable: true, description: 'One lead by id; null when there is none.' })
  lead(@Ctx() ctx: Context, @Arg('id', () => ID, { description: 'Global id of the lead.' }) id: string) {
    const decoded = fromGlobalId(id);
    return decoded?.type === 'Lead' ? byIdLoader<Lead>(ctx, Lead).load(decoded.id) : null;
  }

  @Query(() => LeadConnection, { description: 'Leads, filtered and ordered (by creation time unless told otherwise).' })
  leads(
    @Ctx() ctx: Context,
    @Args() page: PageArgs,
    @Arg('filter', () => LeadFilter, { nullable: true, description: 'Which leads.' }) filter?: LeadFilter,
    @Arg('orderBy', () => LeadOrder, { nullable: true, description: 'Order; ties break on id.' }) orderBy?: LeadOrder,
  ) {
    return listLeads(ctx, filter, orderBy, page);
  }

  @FieldResolver(() => Account, { nullable: true, description: 'The account the lead works at.' })
  account(@Ctx() ctx: Context, @Root() lead: Lead) {
    return lead.accountId ? byIdLoader<Account>(ctx, Account).load(lead.accountId) : null;
  }

  @FieldResolver(() => TouchpointConnection, { description: "The lead's touchpoints, in time order." })
  touchpoints(
    @Ctx() ctx: Context,
    @Root() lead: Lead,
    @Args() page: PageArgs,
    @Arg('filter', () => TouchpointFilter, { nullable: true, description: 'Which touchpoints.' }) filter?: TouchpointFilter,
  ) {
    return loadChildConnection(ctx, touchpointListSpec(filter), 'lead_id', lead.id, page);
  }

  @FieldResolver(() => LeadStageChangeConnection, { description: 'Every stage change of the lead, oldest first.' })
  stageHistory(
    @Ctx() ctx: Context,
    @Root() lead: Lead,
    @Args() page: PageArgs,
    @Arg('filter', () => LeadStageChangeFilter, { nullable: true, description: 'Which stage changes.' }) filter?: LeadStageChangeFilter,
  ) {
    return loadChildConnection(ctx, stageHistoryListSpec(filter), 'lead_id', lead.id, page);
  }

  @FieldResolver(() => LeadFeedbackConnection, { description: "Sales' feedback on the lead, oldest first." })
  feedback(
    @Ctx() ctx: Context,
    @Root() lead: Lead,
    @Args() page: PageArgs,
    @Arg('filter', () => LeadFeedbackFilter, { nullable: true, description: 'Which feedback.' }) filter?: LeadFeedbackFilter,
  ) {
    return loadChildConnection(ctx, feedbackListSpec(filter), 'lead_id', lead.id, page);
  }

  @Mutation(() => CreateLeadPayload, { description: 'Creates a lead.' })
  async createLead(@Ctx() ctx: Context, @Arg('input', () => CreateLeadInput) input: CreateLeadInput): Promise<CreateLeadPayload> {
    return { lead: await createLead(ctx, input) };
  }

  @Mutation(() => UpdateLeadPayload, { description: 'Changes a lead; pass `version` to refuse concurrent edits.' })
  async updateLead(@Ctx() ctx: Context, @Arg('input', () => UpdateLeadInput) input: UpdateLeadInput): Promise<UpdateLeadPayload> {
    return { lead: await updateLead(ctx, input) };
  }

  @Mutation(() => ChangeLeadStagePayload, {
    description: 'Moves a lead forward (filling skipped stages) or to RECYCLED / DISQUALIFIED; recorded in its history.',
  })
  changeLeadStage(@Ctx() ctx: Context, @Arg('input', () => ChangeLeadStageInput) input: ChangeLeadStageInput): Promise<ChangeLeadStagePayload> {
    return changeLeadStage(ctx, input);
  }
}

@Resolver(() => LeadStageChange)
export class LeadStageChangeResolver {
  @FieldResolver(() => ID, { description: 'Globally unique id.' })
  id(@Root() change: LeadStageChange): string {
    return toGlobalId('LeadStageChange', change.id);
  }

  @FieldResolver(() => User, { nullable: true, description: 'Who made the change, when known.' })
  changedBy(@Ctx() ctx: Context, @Root() change: LeadStageChange) {
    return change.changedById ? byIdLoader<User>(ctx, User).load(change.changedById) : null;
  }
}
