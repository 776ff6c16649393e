import type { EntityManager } from 'typeorm';
import { assertMayCascade, assertMayCorrect, countOf, DeletePayload, describeCounts, recordReason, RowCount } from '../common/corrections';
import { calendarDay, nonNegativeMoney, writtenTime } from '../common/validation';
import type { Context } from '../graphql/context';
import { findOrFail } from '../graphql/entity-loaders';
import { BadInputError, ConflictError, NotFoundError } from '../graphql/errors';
import { runMutation } from '../graphql/mutation';
import { decodeId, toGlobalId } from '../graphql/node';
import { lockForUpdate } from '../graphql/versioned';
import { Lead } from '../leads/lead.entity';
import { CampaignSpend } from './campaign-spend.entity';
import { Campaign } from './campaign.entity';
import { DeleteCampaignInput, DeleteSpendInput, DeleteTouchpointInput, UpdateSpendInput, UpdateTouchpointInput } from './campaign-corrections.types';
import { Touchpoint } from './touchpoint.entity';

/*
 * Corrections of what marketing records: touchpoints and spend entries changed or deleted, and
 * campaigns deleted (with their touchpoints and spend when asked). Each is one transaction; the
 * statement-level cache triggers move the attribution and activity caches within it, so every
 * metric answers the corrected data as soon as it commits.
 */

/** A touchpoint or spend entry, locked until the transaction ends (neither has a version). */
async function lockRow<T extends { id: string }>(tx: EntityManager, entity: new () => T, typeName: string, id: string): Promise<T> {
  const row = await tx.getRepository(entity).findOne({ where: { id } as never, lock: { mode: 'pessimistic_write' } });
  if (!row) throw new NotFoundError('input.id', typeName, id);
  return row;
}

function refuseNulls<I extends object>(input: I, fields: (keyof I & string)[]): void {
  for (const field of fields) {
    if (input[field] === null) throw new BadInputError(`input.${field}`, 'cannot be cleared');
  }
}

export function updateTouchpoint(ctx: Context, input: UpdateTouchpointInput): Promise<Touchpoint> {
  return runMutation(ctx, async (tx, txCtx) => {
    refuseNulls(input, ['leadId', 'campaignId', 'kind', 'occurredAt']);
    const touchpoint = await lockRow(tx, Touchpoint, 'Touchpoint', decodeId('input.id', 'Touchpoint', input.id));
    assertMayCorrect(ctx, 'input.id', 'a touchpoint', touchpoint.occurredAt);
    await recordReason(tx, 'input.reason', input.reason);
    if (input.leadId != null) {
      touchpoint.leadId = decodeId('input.leadId', 'Lead', input.leadId);
      await findOrFail(txCtx, Lead, 'Lead', 'input.leadId', touchpoint.leadId);
    }
    if (input.campaignId != null) {
      touchpoint.campaignId = decodeId('input.campaignId', 'Campaign', input.campaignId);
      await findOrFail(txCtx, Campaign, 'Campaign', 'input.campaignId', touchpoint.campaignId);
    }
    if (input.kind != null) touchpoint.kind = input.kind;
    if (input.occurredAt != null) touchpoint.occurredAt = writtenTime(ctx, 'input.occurredAt', input.occurredAt);
    return tx.getRepository(Touchpoint).save(touchpoint);
  });
}

export function deleteTouchpoint(ctx: Context, input: DeleteTouchpointInput): Promise<DeletePayload> {
  return runMutation(ctx, async (tx) => {
    const touchpoint = await lockRow(tx, Touchpoint, 'Touchpoint', decodeId('input.id', 'Touchpoint', input.id));
    assertMayCorrect(ctx, 'input.id', 'a touchpoint', touchpoint.occurredAt);
    await recordReason(tx, 'input.reason', input.reason);
    await tx.query(`DELETE FROM touchpoints WHERE id = $1`, [touchpoint.id]);
    return { deletedId: toGlobalId('Touchpoint', touchpoint.id), deleted: [] };
  });
}

export function updateSpend(ctx: Context, input: UpdateSpendInput): Promise<CampaignSpend> {
  return runMutation(ctx, async (tx, txCtx) => {
    refuseNulls(input, ['campaignId', 'spentOn', 'amount']);
    const spend = await lockRow(tx, CampaignSpend, 'CampaignSpend', decodeId('input.id', 'CampaignSpend', input.id));
    await recordReason(tx, 'input.reason', input.reason);
    if (input.campaignId != null) {
      spend.campaignId = decodeId('input.campaignId', 'Campaign', input.campaignId);
      await findOrFail(txCtx, Campaign, 'Campaign', 'input.campaignId', spend.campaignId);
    }
    if (input.spentOn != null) spend.spentOn = calendarDay('input.spentOn', input.spentOn);
    if (input.amount != null) spend.amount = nonNegativeMoney('input.amount', input.amount);
    return tx.getRepository(CampaignSpend).save(spend);
  });
}

export function deleteSpend(ctx: Context, input: DeleteSpendInput): Promise<DeletePayload> {
  return runMutation(ctx, async (tx) => {
    const spend = await lockRow(tx, CampaignSpend, 'CampaignSpend', decodeId('input.id', 'CampaignSpend', input.id));
    await recordReason(tx, 'input.reason', input.reason);
    await tx.query(`DELETE FROM campaign_spend WHERE id = $1`, [spend.id]);
    return { deletedId: toGlobalId('CampaignSpend', spend.id), deleted: [] };
  });
}

/** What depends on a campaign (the campaign row is locked, so no new dependant can appear). */
async function campaignDependants(tx: EntityManager, id: string): Promise<RowCount[]> {
  const [row] = (await tx.query(
    `SELECT (SELECT count(*) FROM touchpoints WHERE campaign_id = $1)::int AS touchpoints,
            (SELECT count(*) FROM campaign_spend WHERE campaign_id = $1)::int AS spend`,
    [id],
  )) as { touchpoints: number; spend: number }[];
  return [
    { kind: 'touchpoints', count: row?.touchpoints ?? 0 },
    { kind: 'spend entries', count: row?.spend ?? 0 },
  ];
}

/**
 * Deletes a campaign. One with touchpoints or spend is refused with CONFLICT naming them,
 * unless `cascade`, which deletes them first in the same transaction.
 */
export function deleteCampaign(ctx: Context, input: DeleteCampaignInput): Promise<DeletePayload> {
  return runMutation(ctx, async (tx) => {
    if (input.cascade) assertMayCascade(ctx, 'input.cascade');
    const id = decodeId('input.id', 'Campaign', input.id);
    await lockForUpdate(tx, Campaign, 'Campaign', 'input.id', id, input.version);
    await recordReason(tx, 'input.reason', input.reason);
    const dependants = await campaignDependants(tx, id);
    const deleted: RowCount[] = [];
    if (dependants.some((d) => d.count > 0)) {
      if (!input.cascade) {
        throw new ConflictError(
          'input.id',
          `the campaign has ${describeCounts(dependants)}: correct or delete them first, or pass cascade: true to delete them with it`,
        );
      }
      deleted.push(
        { kind: 'touchpoints', count: await countOf(tx, `DELETE FROM touchpoints WHERE campaign_id = $1`, [id]) },
        { kind: 'spend entries', count: await countOf(tx, `DELETE FROM campaign_spend WHERE campaign_id = $1`, [id]) },
      );
    }
    await tx.query(`DELETE FROM campaigns WHERE id = $1`, [id]);
    return { deletedId: toGlobalId('Campaign', id), deleted: deleted.filter((d) => d.count > 0) };
  });
}
