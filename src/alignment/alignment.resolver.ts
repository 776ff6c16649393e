import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { PageArgs } from '../graphql/connection';
import type { Context } from '../graphql/context';
import { byIdLoader } from '../graphql/entity-loaders';
import { toGlobalId } from '../graphql/node';
import { Lead } from '../leads/lead.entity';
import { User } from '../users/user.entity';
import { AlignmentAgreement } from './agreement.entity';
import { approveAgreement, findCurrentAgreement, giveLeadFeedback, listAgreements, proposeAgreement } from './alignment.service';
import {
  AlignmentAgreementConnection,
  AlignmentAgreementFilter,
  AlignmentAgreementOrder,
  ApproveAgreementInput,
  ApproveAgreementPayload,
  GiveLeadFeedbackInput,
  GiveLeadFeedbackPayload,
  ProposeAgreementInput,
  ProposeAgreementPayload,
} from './alignment.types';
import { LeadFeedback } from './feedback.entity';

const userById = (ctx: Context, id: string | null) => (id ? byIdLoader<User>(ctx, User).load(id) : null);

@Resolver(() => AlignmentAgreement)
export class AlignmentAgreementResolver {
  @FieldResolver(() => ID, { description: 'Globally unique id.' })
  id(@Root() agreement: AlignmentAgreement): string {
    return toGlobalId('AlignmentAgreement', agreement.id);
  }

  @FieldResolver(() => Boolean, { description: 'Approved by both marketing and sales (it then applies from effectiveFrom).' })
  approved(@Root() agreement: AlignmentAgreement): boolean {
    return agreement.marketingApprovedAt != null && agreement.salesApprovedAt != null;
  }

  @FieldResolver(() => User, { nullable: true, description: 'Who proposed it.' })
  proposedBy(@Ctx() ctx: Context, @Root() agreement: AlignmentAgreement) {
    return userById(ctx, agreement.proposedById);
  }

  @FieldResolver(() => User, { nullable: true, description: 'The marketing user who approved it.' })
  marketingApprovedBy(@Ctx() ctx: Context, @Root() agreement: AlignmentAgreement) {
    return userById(ctx, agreement.marketingApprovedById);
  }

  @FieldResolver(() => User, { nullable: true, description: 'The sales user who approved it.' })
  salesApprovedBy(@Ctx() ctx: Context, @Root() agreement: AlignmentAgreement) {
    return userById(ctx, agreement.salesApprovedById);
  }

  @Query(() => AlignmentAgreementConnection, { description: 'Every version of the agreement, newest first.' })
  alignmentAgreements(
    @Ctx() ctx: Context,
    @Args() page: PageArgs,
    @Arg('approvedOnly', { defaultValue: false, description: 'Only versions approved by both teams.' }) approvedOnly: boolean,
    @Arg('filter', () => AlignmentAgreementFilter, { nullable: true, description: 'Which versions.' }) filter?: AlignmentAgreementFilter,
    @Arg('orderBy', () => AlignmentAgreementOrder, { nullable: true, description: 'Order; ties break on id. Newest version first unless told otherwise.' })
    orderBy?: AlignmentAgreementOrder,
  ) {
    return listAgreements(ctx, approvedOnly, filter, orderBy, page);
  }

  @Query(() => AlignmentAgreement, {
    nullable: true,
    description: 'The agreement in force at asOf (default now): the latest approved by both teams with effectiveFrom <= asOf.',
  })
  currentAgreement(@Ctx() ctx: Context, @Arg('asOf', () => Date, { nullable: true, description: 'Point in time; default now.' }) asOf?: Date) {
    return findCurrentAgreement(ctx, asOf ?? new Date());
  }

  @Mutation(() => ProposeAgreementPayload, { description: 'Proposes a new version of the agreement.' })
  async proposeAgreement(@Ctx() ctx: Context, @Arg('input', () => ProposeAgreementInput) input: ProposeAgreementInput): Promise<ProposeAgreementPayload> {
    return { agreement: await proposeAgreement(ctx, input) };
  }

  @Mutation(() => ApproveAgreementPayload, {
    description: "Records one team's approval; the agreement is in force once a MARKETING and a SALES user both approved.",
  })
  async approveAgreement(@Ctx() ctx: Context, @Arg('input', () => ApproveAgreementInput) input: ApproveAgreementInput): Promise<ApproveAgreementPayload> {
    return { agreement: await approveAgreement(ctx, input) };
  }
}

@Resolver(() => LeadFeedback)
export class LeadFeedbackResolver {
  @FieldResolver(() => ID, { description: 'Globally unique id.' })
  id(@Root() feedback: LeadFeedback): string {
    return toGlobalId('LeadFeedback', feedback.id);
  }

  @FieldResolver(() => Lead, { description: 'The lead the verdict is about.' })
  lead(@Ctx() ctx: Context, @Root() feedback: LeadFeedback) {
    return byIdLoader<Lead>(ctx, Lead).load(feedback.leadId);
  }

  @FieldResolver(() => User, { nullable: true, description: 'Who gave it.' })
  givenBy(@Ctx() ctx: Context, @Root() feedback: LeadFeedback) {
    return userById(ctx, feedback.givenById);
  }

  @Mutation(() => GiveLeadFeedbackPayload, { description: "Records sales' verdict on a lead marketing handed over." })
  async giveLeadFeedback(@Ctx() ctx: Context, @Arg('input', () => GiveLeadFeedbackInput) input: GiveLeadFeedbackInput): Promise<GiveLeadFeedbackPayload> {
    return { feedback: await giveLeadFeedback(ctx, input) };
  }
}
