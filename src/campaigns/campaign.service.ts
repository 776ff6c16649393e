import { applyChanges, calendarDay, nonNegativeMoney, requiredText, storableText, writtenTime } from '../common/validation';
import { recordReason } from '../common/corrections';
import { fetchPage, ListSpec } from '../db/list-query';
import { SqlParams } from '../db/sql';
import type { ConnectionResult, PageArgs } from '../graphql/connection';
import type { Context } from '../graphql/context';
import { findOrFail } from '../graphql/entity-loaders';
import { BadInputError } from '../graphql/errors';
import { runMutation } from '../graphql/mutation';
import { decodeId } from '../graphql/node';
import { addRange, addUpdatedAfter, sortOf } from '../graphql/ordering';
import { lockForUpdate } from '../graphql/versioned';
import { Lead } from '../leads/lead.entity';
import { CampaignSpend } from './campaign-spend.entity';
import { Campaign } from './campaign.entity';
import { campaignSpendListSpec } from './touchpoint-list';
import type { CampaignSpendFilter } from './touchpoint-list.types';
import { Touchpoint } from './touchpoint.entity';
import {
  CampaignFilter,
  CampaignOrder,
  CampaignOrderField,
  CreateCampaignInput,
  RecordSpendInput,
  RecordTouchpointInput,
  UpdateCampaignInput,
} from './campaign.types';

const ORDER_COLUMNS: Record<CampaignOrderField, string> = {
  [CampaignOrderField.NAME]: 't.name',
  [CampaignOrderField.STARTS_ON]: 't.starts_on',
  [CampaignOrderField.CREATED_AT]: 't.created_at',
  [CampaignOrderField.UPDATED_AT]: 't.updated_at',
};

function checkDates(startsOn: string, endsOn: string | null): void {
  if (endsOn !== null && endsOn < startsOn) throw new BadInputError('input.endsOn', 'must not be before startsOn');
}

export function createCampaign(ctx: Context, input: CreateCampaignInput): Promise<Campaign> {
  return runMutation(ctx, (tx) => {
    checkDates(input.startsOn, input.endsOn ?? null);
    const repo = tx.getRepository(Campaign);
    return repo.save(
      repo.create({
        name: requiredText('input.name', input.name),
        channel: input.channel,
        ownerTeam: input.ownerTeam,
        startsOn: input.startsOn,
        endsOn: input.endsOn ?? null,
        budget: input.budget == null ? null : nonNegativeMoney('input.budget', input.budget),
        externalId: input.externalId ?? null,
        createdAt: writtenTime(ctx, 'input.createdAt', input.createdAt),
      }),
    );
  });
}

export function updateCampaign(ctx: Context, input: UpdateCampaignInput): Promise<Campaign> {
  return runMutation(ctx, async (tx) => {
    const id = decodeId('input.id', 'Campaign', input.id);
    const campaign = await lockForUpdate(tx, Campaign, 'Campaign', 'input.id', id, input.version);
    await recordReason(tx, 'input.reason', input.reason);
    for (const field of ['name', 'channel', 'ownerTeam', 'startsOn'] as const) {
      if (input[field] === null) throw new BadInputError(`input.${field}`, 'cannot be cleared');
    }
    applyChanges(campaign, input, ['channel', 'ownerTeam', 'startsOn', 'endsOn']);
    if (input.name != null) campaign.name = requiredText('input.name', input.name);
    if (input.budget !== undefined) campaign.budget = input.budget === null ? null : nonNegativeMoney('input.budget', input.budget);
    checkDates(campaign.startsOn, campaign.endsOn);
    return tx.getRepository(Campaign).save(campaign);
  });
}

export function recordSpend(ctx: Context, input: RecordSpendInput): Promise<CampaignSpend> {
  return runMutation(ctx, async (tx, txCtx) => {
    const campaignId = decodeId('input.campaignId', 'Campaign', input.campaignId);
    await findOrFail(txCtx, Campaign, 'Campaign', 'input.campaignId', campaignId);
    const repo = tx.getRepository(CampaignSpend);
    return repo.save(
      repo.create({
        campaignId,
        spentOn: input.spentOn,
        amount: nonNegativeMoney('input.amount', input.amount),
        externalId: input.externalId ?? null,
      }),
    );
  });
}

export function recordTouchpoint(ctx: Context, input: RecordTouchpointInput): Promise<Touchpoint> {
  return runMutation(ctx, async (tx, txCtx) => {
    const leadId = decodeId('input.leadId', 'Lead', input.leadId);
    const campaignId = decodeId('input.campaignId', 'Campaign', input.campaignId);
    await findOrFail(txCtx, Lead, 'Lead', 'input.leadId', leadId);
    await findOrFail(txCtx, Campaign, 'Campaign', 'input.campaignId', campaignId);
    const repo = tx.getRepository(Touchpoint);
    return repo.save(
      repo.create({
        leadId,
        campaignId,
        kind: input.kind,
        occurredAt: writtenTime(ctx, 'input.occurredAt', input.occurredAt),
        externalId: input.externalId ?? null,
      }),
    );
  });
}

export function listCampaigns(ctx: Context, filter: CampaignFilter | undefined, order: CampaignOrder | undefined, page: PageArgs): Promise<ConnectionResult<Campaign>> {
  const params = new SqlParams();
  const add = (v: unknown) => params.add(v);
  const where: string[] = [];
  if (filter?.channels?.length) where.push(`t.channel = ANY(${add(filter.channels)}::text[])`);
  if (filter?.ownerTeam) where.push(`t.owner_team = ${add(filter.ownerTeam)}`);
  if (filter?.activeOn) {
    const day = add(calendarDay('filter.activeOn', filter.activeOn));
    where.push(`t.starts_on <= ${day}::date AND (t.ends_on IS NULL OR t.ends_on >= ${day}::date)`);
  }
  if (filter?.search) {
    where.push(`t.name ILIKE ${add(`%${storableText('filter.search', filter.search).replace(/[\\%_]/g, (c) => `\\${c}`)}%`)}`);
  }
  addUpdatedAfter(where, add, filter?.updatedAfter, 'filter.updatedAfter');
  return fetchPage<Campaign>(ctx, { entity: Campaign, where, params, ...sortOf(ORDER_COLUMNS, order, CampaignOrderField.NAME) }, page);
}

/** Touchpoints in time order (or as told), for `touchpoints`, Campaign.touchpoints and Lead.touchpoints. */
export { touchpointListSpec } from './touchpoint-list';

/** Spend entries by day, for Campaign.spend: its `from`/`to` days and the filter `campaignSpend` takes. */
export function spendListSpec(range: { from?: string | null; to?: string | null } | null | undefined, filter?: CampaignSpendFilter | null): ListSpec {
  const spec = campaignSpendListSpec(filter);
  if (range?.from) spec.where.push(`t.spent_on >= ${spec.params.add(calendarDay('from', range.from))}::date`);
  if (range?.to) spec.where.push(`t.spent_on < ${spec.params.add(calendarDay('to', range.to))}::date`);
  return spec;
}
