import { Length } from 'class-validator';
import { Arg, Ctx, Field, InputType, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { changedFields, findByExternalId, moneyKey, upsertByExternalId, UpsertOutcome } from '../common/sync';
import type { Context } from '../graphql/context';
import { decodeId, toGlobalId } from '../graphql/node';
import { CampaignSpend } from './campaign-spend.entity';
import { Campaign } from './campaign.entity';
import { createCampaign, recordSpend, recordTouchpoint, updateCampaign } from './campaign.service';
import { CreateCampaignInput, RecordSpendInput, RecordTouchpointInput } from './campaign.types';
import { Touchpoint } from './touchpoint.entity';
import { updateSpend, updateTouchpoint } from './touchpoint-corrections';

const UPSERT_NOTE = 'omitted fields stay as they are; null clears';

@InputType({ description: `A campaign by its id in the source system: created when none has the externalId, else changed to these values (${UPSERT_NOTE}; createdAt applies only when it creates).` })
export class UpsertCampaignInput extends CreateCampaignInput {
  @Field({ description: 'Id in the source system; names the campaign to create or change.' })
  @Length(1, 200)
  declare externalId: string;
}

@InputType({ description: 'A spend entry by its id in the source system: recorded when none has the externalId, else changed to these values.' })
export class UpsertCampaignSpendInput extends RecordSpendInput {
  @Field({ description: 'Id in the source system; names the entry to record or change.' })
  @Length(1, 200)
  declare externalId: string;
}

@InputType({ description: 'A touchpoint by its id in the source system: recorded when none has the externalId, else changed to these values.' })
export class UpsertTouchpointInput extends RecordTouchpointInput {
  @Field({ description: 'Id in the source system; names the touchpoint to record or change.' })
  @Length(1, 200)
  declare externalId: string;
}

@ObjectType({ description: 'Result of upsertCampaign.' })
export class UpsertCampaignPayload {
  @Field(() => Campaign, { description: 'The campaign as stored now.' })
  campaign: Campaign;

  @Field({ description: 'Whether the campaign was created (false: it existed, see outcome).' })
  created: boolean;

  @Field(() => UpsertOutcome, { description: 'Created, updated or unchanged.' })
  outcome: UpsertOutcome;
}

@ObjectType({ description: 'Result of upsertCampaignSpend.' })
export class UpsertCampaignSpendPayload {
  @Field(() => CampaignSpend, { description: 'The spend entry as stored now.' })
  spend: CampaignSpend;

  @Field({ description: 'Whether the entry was created (false: it existed, see outcome).' })
  created: boolean;

  @Field(() => UpsertOutcome, { description: 'Created, updated or unchanged.' })
  outcome: UpsertOutcome;
}

@ObjectType({ description: 'Result of upsertTouchpoint.' })
export class UpsertTouchpointPayload {
  @Field(() => Touchpoint, { description: 'The touchpoint as stored now.' })
  touchpoint: Touchpoint;

  @Field({ description: 'Whether the touchpoint was created (false: it existed, see outcome).' })
  created: boolean;

  @Field(() => UpsertOutcome, { description: 'Created, updated or unchanged.' })
  outcome: UpsertOutcome;
}

export async function upsertCampaign(ctx: Context, input: UpsertCampaignInput): Promise<UpsertCampaignPayload> {
  const { row, outcome } = await upsertByExternalId(ctx, Campaign, input.externalId, {
    create: (txCtx) => createCampaign(txCtx, input),
    update: async (txCtx, existing) => {
      const { name, channel, ownerTeam, startsOn, endsOn, budget } = input;
      const changes = changedFields({ name, channel, ownerTeam, startsOn, endsOn, budget }, { ...existing }, { budget: (m) => moneyKey(m) });
      if (Object.keys(changes).length === 0) return null;
      return updateCampaign(txCtx, { id: toGlobalId('Campaign', existing.id), ...changes });
    },
  });
  return { campaign: row, created: outcome === UpsertOutcome.CREATED, outcome };
}

/** Records the entry through recordSpend, or changes its campaign, day or amount through updateSpend. */
export async function upsertCampaignSpend(ctx: Context, input: UpsertCampaignSpendInput): Promise<UpsertCampaignSpendPayload> {
  const { row, outcome } = await upsertByExternalId(ctx, CampaignSpend, input.externalId, {
    create: (txCtx) => recordSpend(txCtx, input),
    update: async (txCtx, existing) => {
      const { campaignId, spentOn, amount } = input;
      const changes = changedFields({ campaignId, spentOn, amount }, { ...existing }, {
        campaignId: (id) => decodeId('input.campaignId', 'Campaign', id),
        amount: (m) => moneyKey(m),
      });
      if (Object.keys(changes).length === 0) return null;
      return updateSpend(txCtx, { id: toGlobalId('CampaignSpend', existing.id), ...changes });
    },
  });
  return { spend: row, created: outcome === UpsertOutcome.CREATED, outcome };
}

/**
 * Records the touchpoint through recordTouchpoint, or changes its lead, campaign, kind or time
 * through updateTouchpoint (MARKETING changes only recent touchpoints, as there).
 */
export async function upsertTouchpoint(ctx: Context, input: UpsertTouchpointInput): Promise<UpsertTouchpointPayload> {
  const { row, outcome } = await upsertByExternalId(ctx, Touchpoint, input.externalId, {
    create: (txCtx) => recordTouchpoint(txCtx, input),
    update: async (txCtx, existing) => {
      const { leadId, campaignId, kind, occurredAt } = input;
      const changes = changedFields({ leadId, campaignId, kind, occurredAt }, { ...existing }, {
        leadId: (id) => decodeId('input.leadId', 'Lead', id),
        campaignId: (id) => decodeId('input.campaignId', 'Campaign', id),
      });
      if (Object.keys(changes).length === 0) return null;
      return updateTouchpoint(txCtx, { id: toGlobalId('Touchpoint', existing.id), ...changes });
    },
  });
  return { touchpoint: row, created: outcome === UpsertOutcome.CREATED, outcome };
}

@Resolver()
export class CampaignSyncResolver {
  @Query(() => Campaign, { nullable: true, description: 'The campaign with this id in the source system; null when there is none.' })
  campaignByExternalId(@Ctx() ctx: Context, @Arg('externalId', { description: 'Id in the source system (exact).' }) externalId: string) {
    return findByExternalId(ctx, Campaign, externalId);
  }

  @Query(() => CampaignSpend, { nullable: true, description: 'The spend entry with this id in the source system; null when there is none.' })
  campaignSpendByExternalId(@Ctx() ctx: Context, @Arg('externalId', { description: 'Id in the source system (exact).' }) externalId: string) {
    return findByExternalId(ctx, CampaignSpend, externalId);
  }

  @Query(() => Touchpoint, { nullable: true, description: 'The touchpoint with this id in the source system; null when there is none.' })
  touchpointByExternalId(@Ctx() ctx: Context, @Arg('externalId', { description: 'Id in the source system (exact).' }) externalId: string) {
    return findByExternalId(ctx, Touchpoint, externalId);
  }

  @Mutation(() => UpsertCampaignPayload, { description: 'Creates the campaign with this externalId, or changes it to these values (one transaction).' })
  upsertCampaign(@Ctx() ctx: Context, @Arg('input', () => UpsertCampaignInput) input: UpsertCampaignInput): Promise<UpsertCampaignPayload> {
    return upsertCampaign(ctx, input);
  }

  @Mutation(() => UpsertCampaignSpendPayload, { description: 'Records the spend entry with this externalId, or changes it to these values (one transaction).' })
  upsertCampaignSpend(
    @Ctx() ctx: Context,
    @Arg('input', () => UpsertCampaignSpendInput) input: UpsertCampaignSpendInput,
  ): Promise<UpsertCampaignSpendPayload> {
    return upsertCampaignSpend(ctx, input);
  }

  @Mutation(() => UpsertTouchpointPayload, { description: 'Records the touchpoint with this externalId, or changes it to these values (one transaction).' })
  upsertTouchpoint(@Ctx() ctx: Context, @Arg('input', () => UpsertTouchpointInput) input: UpsertTouchpointInput): Promise<UpsertTouchpointPayload> {
    return upsertTouchpoint(ctx, input);
  }
}
