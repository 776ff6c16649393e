import { IsNotEmpty, IsOptional, Length, MaxLength } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { assertMayCorrect, reasonText, recordReason } from '../common/corrections';
import { CLOSED_STAGES, OpportunityStage } from '../common/enums';
import { moneyKey } from '../common/sync';
import { nonNegativeMoney, storableText, writtenTime } from '../common/validation';
import type { Context } from '../graphql/context';
import { BadInputError, ConflictError } from '../graphql/errors';
import { runMutation } from '../graphql/mutation';
import { decodeId } from '../graphql/node';
import { MoneyScalar } from '../graphql/scalars';
import { lockForUpdate } from '../graphql/versioned';
import { Opportunity } from './opportunity.entity';

/*
 * Corrections of a closed deal (issue 11): a close is final for moveOpportunityStage, but a
 * recorded close can be wrong (won that was lost, the wrong day, the amount before the discount).
 * correctOpportunityClose changes the outcome, the close time, the lost reason and the amount of
 * a closed opportunity, or reopens it, with a required reason, in one transaction. The audit
 * trigger logs the row before and after with the reason; the attribution cache, the monthly
 * opportunity totals and every metric move in the same transaction (the opportunities triggers
 * of migrations 1732510000000 react to a change of stage, closed_at or amount, whoever writes).
 * Lead stages are the leads' own facts and do not move with a deal.
 */

const isClosed = (stage: OpportunityStage) => CLOSED_STAGES.includes(stage);

@InputType({ description: 'A correction of a closed opportunity; omitted fields stay as recorded. At least one of stage, closedAt, lostReason and amount.' })
export class CorrectOpportunityCloseInput {
  @Field(() => ID, { description: 'The opportunity; it must be closed (CLOSED_WON or CLOSED_LOST).' })
  id: string;

  @Field(() => Int, { nullable: true, description: 'The version you read; the correction fails with CONFLICT if it moved on.' })
  version?: number | null;

  @Field({ description: 'Why (required, at most 500 characters); kept in the audit log entry of the correction.' })
  @IsNotEmpty()
  @Length(1, 500)
  reason: string;

  @Field(() => OpportunityStage, {
    nullable: true,
    description:
      'The outcome: CLOSED_WON or CLOSED_LOST (the close time stays unless closedAt is given; a win has no lost reason), or an open stage to reopen the deal (closedAt and lostReason are cleared).',
  })
  stage?: OpportunityStage | null;

  @Field(() => Date, {
    nullable: true,
    description:
      'When it closed; not before createdAt, not for a reopened deal; more than BACKDATE_TOLERANCE_MINUTES before now only for ADMIN and REVENUE_OPS.',
  })
  closedAt?: Date | null;

  @Field(() => String, { nullable: true, description: 'Why it was lost; only for a CLOSED_LOST outcome; null clears it.' })
  @IsOptional()
  @MaxLength(500)
  lostReason?: string | null;

  @Field(() => MoneyScalar, { nullable: true, description: 'Deal value; >= 0.' })
  amount?: string | null;
}

@ObjectType({ description: 'Result of correctOpportunityClose.' })
export class CorrectOpportunityClosePayload {
  @Field(() => Opportunity, { description: 'The opportunity as corrected.' })
  opportunity: Opportunity;
}

/** Applies the correction to the locked row (validated field by field); answers whether anything changed. */
function corrected(ctx: Context, opportunity: Opportunity, input: CorrectOpportunityCloseInput): boolean {
  const before = JSON.stringify([opportunity.stage, opportunity.closedAt, opportunity.lostReason, moneyKey(opportunity.amount)]);
  if (input.stage === null) throw new BadInputError('input.stage', 'cannot be cleared');
  if (input.amount === null) throw new BadInputError('input.amount', 'cannot be cleared');
  if (input.closedAt === null) throw new BadInputError('input.closedAt', 'cannot be cleared; reopen the deal with an open stage');
  const stage = input.stage ?? opportunity.stage;
  if (!isClosed(stage)) {
    if (input.closedAt !== undefined) throw new BadInputError('input.closedAt', `a reopened opportunity (${stage}) has no closedAt`);
    if (input.lostReason != null) throw new BadInputError('input.lostReason', `a reopened opportunity (${stage}) has no lost reason`);
    opportunity.closedAt = null;
    opportunity.lostReason = null;
  } else {
    if (input.closedAt !== undefined) {
      const closedAt = writtenTime(ctx, 'input.closedAt', input.closedAt);
      if (closedAt < opportunity.createdAt) throw new BadInputError('input.closedAt', 'must not be before createdAt');
      opportunity.closedAt = closedAt;
    }
    if (stage === OpportunityStage.CLOSED_WON) {
      if (input.lostReason != null) throw new BadInputError('input.lostReason', 'only a CLOSED_LOST opportunity has a lost reason');
      opportunity.lostReason = null;
    } else if (input.lostReason !== undefined) {
      opportunity.lostReason = input.lostReason === null ? null : storableText('input.lostReason', input.lostReason);
    }
  }
  opportunity.stage = stage;
  if (input.amount != null) opportunity.amount = nonNegativeMoney('input.amount', input.amount);
  return JSON.stringify([opportunity.stage, opportunity.closedAt, opportunity.lostReason, moneyKey(opportunity.amount)]) !== before;
}

/** Corrects the close of a closed opportunity, or reopens it (see the comment at the top). */
export function correctOpportunityClose(ctx: Context, input: CorrectOpportunityCloseInput): Promise<CorrectOpportunityClosePayload> {
  return runMutation(ctx, async (tx) => {
    const id = decodeId('input.id', 'Opportunity', input.id);
    const reason = reasonText('input.reason', input.reason);
    if (input.stage === undefined && input.closedAt === undefined && input.lostReason === undefined && input.amount === undefined) {
      throw new BadInputError('input', 'nothing to correct: give stage, closedAt, lostReason or amount');
    }
    const opportunity = await lockForUpdate(tx, Opportunity, 'Opportunity', 'input.id', id, input.version);
    if (!isClosed(opportunity.stage) || !opportunity.closedAt) {
      throw new ConflictError('input.id', `the opportunity is open (${opportunity.stage}): it closes through moveOpportunityStage`);
    }
    // what a role may not back-date, it may not rewrite: SALES corrects only a close it just recorded
    assertMayCorrect(ctx, 'input.id', 'the close of an opportunity', opportunity.closedAt);
    await recordReason(tx, 'input.reason', reason);
    if (!corrected(ctx, opportunity, input)) return { opportunity };
    return { opportunity: await tx.getRepository(Opportunity).save(opportunity) };
  });
}
