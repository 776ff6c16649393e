import { Length } from 'class-validator';
import { Arg, Ctx, Field, InputType, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { changedFields, findByExternalId, upsertByExternalId, UpsertOutcome } from '../common/sync';
import { writtenTime } from '../common/validation';
import type { Context } from '../graphql/context';
import { findOrFail } from '../graphql/entity-loaders';
import { decodeId } from '../graphql/node';
import { Lead } from '../leads/lead.entity';
import { User } from '../users/user.entity';
import { checkLeadFeedback, giveLeadFeedback } from './alignment.service';
import { GiveLeadFeedbackInput } from './alignment.types';
import { LeadFeedback } from './feedback.entity';

@InputType({
  description:
    "Sales' verdict on a lead by its id in the source system: recorded when none has the externalId, else changed to these values (omitted fields stay as they are; null clears), by the rules of giveLeadFeedback.",
})
export class UpsertLeadFeedbackInput extends GiveLeadFeedbackInput {
  @Field({ description: 'Id in the source system; names the feedback to record or change.' })
  @Length(1, 200)
  declare externalId: string;
}

@ObjectType({ description: 'Result of upsertLeadFeedback.' })
export class UpsertLeadFeedbackPayload {
  @Field(() => LeadFeedback, { description: 'The feedback as stored now.' })
  feedback: LeadFeedback;

  @Field({ description: 'Whether the feedback was created (false: it existed, see outcome).' })
  created: boolean;

  @Field(() => UpsertOutcome, { description: 'Created, updated or unchanged.' })
  outcome: UpsertOutcome;
}

export async function upsertLeadFeedback(ctx: Context, input: UpsertLeadFeedbackInput): Promise<UpsertLeadFeedbackPayload> {
  const { row, outcome } = await upsertByExternalId(ctx, LeadFeedback, input.externalId, {
    create: (txCtx) => giveLeadFeedback(txCtx, input),
    update: async (txCtx, existing, tx) => {
      const { leadId, disposition, reason, note, givenById, at } = input;
      const changes = changedFields({ leadId, disposition, reason, note, givenById, givenAt: at }, { ...existing }, {
        leadId: (id) => decodeId('input.leadId', 'Lead', id),
        givenById: (id) => decodeId('input.givenById', 'User', id),
      });
      if (Object.keys(changes).length === 0) return null;
      if (changes.leadId !== undefined) existing.leadId = decodeId('input.leadId', 'Lead', changes.leadId);
      if (changes.disposition !== undefined) existing.disposition = changes.disposition;
      if (changes.reason !== undefined) existing.reason = changes.reason;
      if (changes.note !== undefined) existing.note = changes.note;
      if (changes.givenAt != null) existing.givenAt = writtenTime(txCtx, 'input.at', changes.givenAt);
      if (changes.givenById !== undefined) {
        existing.givenById = changes.givenById === null ? null : decodeId('input.givenById', 'User', changes.givenById);
        if (existing.givenById) await findOrFail(txCtx, User, 'User', 'input.givenById', existing.givenById);
      }
      const lead = await findOrFail<Lead>(txCtx, Lead, 'Lead', 'input.leadId', existing.leadId);
      checkLeadFeedback(lead, existing.disposition, existing.reason, existing.givenAt);
      return tx.getRepository(LeadFeedback).save(existing);
    },
  });
  return { feedback: row, created: outcome === UpsertOutcome.CREATED, outcome };
}

@Resolver()
export class LeadFeedbackSyncResolver {
  @Query(() => LeadFeedback, { nullable: true, description: 'The feedback with this id in the source system; null when there is none.' })
  leadFeedbackByExternalId(@Ctx() ctx: Context, @Arg('externalId', { description: 'Id in the source system (exact).' }) externalId: string) {
    return findByExternalId(ctx, LeadFeedback, externalId);
  }

  @Mutation(() => UpsertLeadFeedbackPayload, { description: "Records sales' verdict with this externalId, or changes it to these values (one transaction)." })
  upsertLeadFeedback(
    @Ctx() ctx: Context,
    @Arg('input', () => UpsertLeadFeedbackInput) input: UpsertLeadFeedbackInput,
  ): Promise<UpsertLeadFeedbackPayload> {
    return upsertLeadFeedback(ctx, input);
  }
}
