import { Length } from 'class-validator';
import { Arg, Ctx, Field, InputType, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { changedFields, findByExternalId, moneyKey, sameValue, upsertByExternalId, UpsertOutcome } from '../common/sync';
import type { Context } from '../graphql/context';
import { BadInputError, ConflictError } from '../graphql/errors';
import { decodeId, toGlobalId } from '../graphql/node';
import { Opportunity } from './opportunity.entity';
import { createOpportunity, moveOpportunityStage, updateOpportunity } from './opportunity.service';
import { CreateOpportunityInput } from './opportunity.types';

@InputType({
  description:
    'An opportunity by its id in the source system: created when none has the externalId, else changed to these values (omitted fields stay as they are; null clears; a different stage moves it there by the rules of moveOpportunityStage, at closedAt when closing; the account, createdAt and a close already recorded do not change).',
})
export class UpsertOpportunityInput extends CreateOpportunityInput {
  @Field({ description: 'Id in the source system; names the opportunity to create or change.' })
  @Length(1, 200)
  declare externalId: string;
}

@ObjectType({ description: 'Result of upsertOpportunity.' })
export class UpsertOpportunityPayload {
  @Field(() => Opportunity, { description: 'The opportunity as stored now.' })
  opportunity: Opportunity;

  @Field({ description: 'Whether the opportunity was created (false: it existed, see outcome).' })
  created: boolean;

  @Field(() => UpsertOutcome, { description: 'Created, updated or unchanged.' })
  outcome: UpsertOutcome;
}

/** Creates or changes the opportunity with `input.externalId`, through createOpportunity / updateOpportunity / moveOpportunityStage. */
export async function upsertOpportunity(ctx: Context, input: UpsertOpportunityInput): Promise<UpsertOpportunityPayload> {
  const { row, outcome } = await upsertByExternalId(ctx, Opportunity, input.externalId, {
    create: (txCtx) => createOpportunity(txCtx, input),
    update: async (txCtx, existing, tx) => {
      if (decodeId('input.accountId', 'Account', input.accountId) !== existing.accountId) {
        throw new BadInputError('input.accountId', 'an opportunity does not move to another account');
      }
      const { name, kind, amount, ownerId } = input;
      const changes: Parameters<typeof updateOpportunity>[1] = {
        id: toGlobalId('Opportunity', existing.id),
        ...changedFields({ name, kind, amount, ownerId }, { ...existing }, {
          amount: (m) => moneyKey(m),
          ownerId: (id) => decodeId('input.ownerId', 'User', id),
        }),
      };
      if (input.contactIds != null) {
        const wanted = [...new Set(input.contactIds.map((g, i) => decodeId(`input.contactIds.${i}`, 'Lead', g)))].sort();
        const stored = ((await tx.query(`SELECT lead_id::text AS id FROM opportunity_contacts WHERE opportunity_id = $1 ORDER BY 1`, [existing.id])) as {
          id: string;
        }[]).map((r) => r.id).sort();
        if (wanted.join(',') !== stored.join(',')) changes.contactIds = input.contactIds;
      }
      const stage = input.stage ?? existing.stage;
      const moves = stage !== existing.stage;
      if (!moves && existing.closedAt && input.closedAt != null && !sameValue(input.closedAt, existing.closedAt)) {
        throw new ConflictError('input.closedAt', `the opportunity closed at ${existing.closedAt.toISOString()}; a close is final`);
      }
      if (!moves && input.lostReason !== undefined && !sameValue(input.lostReason, existing.lostReason)) {
        throw new ConflictError('input.lostReason', 'changes only with a move to CLOSED_LOST');
      }
      if (Object.keys(changes).length === 1 && !moves) return null;
      let opportunity = Object.keys(changes).length > 1 ? await updateOpportunity(txCtx, changes) : existing;
      if (moves) {
        opportunity = await moveOpportunityStage(txCtx, {
          opportunityId: changes.id,
          stage,
          at: input.closedAt ?? undefined,
          lostReason: input.lostReason ?? undefined,
        });
      }
      return opportunity;
    },
  });
  return { opportunity: row, created: outcome === UpsertOutcome.CREATED, outcome };
}

@Resolver()
export class OpportunitySyncResolver {
  @Query(() => Opportunity, { nullable: true, description: 'The opportunity with this id in the source system; null when there is none.' })
  opportunityByExternalId(@Ctx() ctx: Context, @Arg('externalId', { description: 'Id in the source system (exact).' }) externalId: string) {
    return findByExternalId(ctx, Opportunity, externalId);
  }

  @Mutation(() => UpsertOpportunityPayload, { description: 'Creates the opportunity with this externalId, or changes it to these values (one transaction).' })
  upsertOpportunity(
    @Ctx() ctx: Context,
    @Arg('input', () => UpsertOpportunityInput) input: UpsertOpportunityInput,
  ): Promise<UpsertOpportunityPayload> {
    return upsertOpportunity(ctx, input);
  }
}
