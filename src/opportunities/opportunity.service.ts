import type { EntityManager } from 'typeorm';
import { recordReason } from '../common/corrections';
import { Account } from '../accounts/account.entity';
import { CLOSED_STAGES, OpportunityStage } from '../common/enums';
import { applyChanges, nonNegativeMoney, requiredText, writtenTime } from '../common/validation';
import { fetchPage, ListSpec } from '../db/list-query';
import { SqlParams } from '../db/sql';
import type { ConnectionResult, PageArgs } from '../graphql/connection';
import type { Context } from '../graphql/context';
import { findOrFail } from '../graphql/entity-loaders';
import { BadInputError, ConflictError, NotFoundError } from '../graphql/errors';
import { runMutation } from '../graphql/mutation';
import { decodeId } from '../graphql/node';
import { addRange, addUpdatedAfter, sortOf } from '../graphql/ordering';
import { lockForUpdate } from '../graphql/versioned';
import { User } from '../users/user.entity';
import { Opportunity, OpportunityContact } from './opportunity.entity';
import {
  CreateOpportunityInput,
  MoveOpportunityStageInput,
  OpportunityFilter,
  OpportunityOrder,
  OpportunityOrderField,
  UpdateOpportunityInput,
} from './opportunity.types';

const ORDER_COLUMNS: Record<OpportunityOrderField, string> = {
  [OpportunityOrderField.CREATED_AT]: 't.created_at',
  [OpportunityOrderField.AMOUNT]: 't.amount',
  [OpportunityOrderField.NAME]: 't.name',
  [OpportunityOrderField.UPDATED_AT]: 't.updated_at',
};

const isClosed = (stage: OpportunityStage) => CLOSED_STAGES.includes(stage);

async function ownerIdOf(ctx: Context, globalId: string | null | undefined) {
  if (globalId == null) return globalId;
  const id = decodeId('input.ownerId', 'User', globalId);
  await findOrFail(ctx, User, 'User', 'input.ownerId', id);
  return id;
}

/** Replaces the contact leads of a deal; every lead must exist. */
async function setContacts(tx: EntityManager, opportunityId: string, globalIds: string[]): Promise<void> {
  const ids = [...new Set(globalIds.map((g, i) => decodeId(`input.contactIds.${i}`, 'Lead', g)))];
  const found = (await tx.query(`SELECT id::text FROM leads WHERE id = ANY($1::bigint[])`, [ids])) as { id: string }[];
  const missing = ids.find((id) => !found.some((f) => f.id === id));
  if (missing) throw new NotFoundError('input.contactIds', 'Lead', missing);
  await tx.delete(OpportunityContact, { opportunityId });
  if (ids.length) await tx.insert(OpportunityContact, ids.map((leadId) => ({ opportunityId, leadId })));
}

function checkClosing(stage: OpportunityStage, createdAt: Date, closedAt: Date | null, lostReason: string | null | undefined) {
  if (isClosed(stage) && closedAt && closedAt < createdAt) {
    throw new BadInputError('input.closedAt', 'must not be before createdAt');
  }
  if (lostReason != null && stage !== OpportunityStage.CLOSED_LOST) {
    throw new BadInputError('input.lostReason', 'only a CLOSED_LOST opportunity has a lost reason');
  }
}

export function createOpportunity(ctx: Context, input: CreateOpportunityInput): Promise<Opportunity> {
  return runMutation(ctx, async (tx, txCtx) => {
    const accountId = decodeId('input.accountId', 'Account', input.accountId);
    await findOrFail(txCtx, Account, 'Account', 'input.accountId', accountId);
    const stage = input.stage ?? OpportunityStage.PROSPECTING;
    const createdAt = writtenTime(ctx, 'input.createdAt', input.createdAt);
    if (isClosed(stage) && input.closedAt == null) throw new BadInputError('input.closedAt', `is required for a ${stage} opportunity`);
    if (!isClosed(stage) && input.closedAt != null) throw new BadInputError('input.closedAt', 'only a closed opportunity has closedAt');
    const closedAt = input.closedAt == null ? null : writtenTime(ctx, 'input.closedAt', input.closedAt);
    checkClosing(stage, createdAt, closedAt, input.lostReason);
    const repo = tx.getRepository(Opportunity);
    const saved = await repo.save(
      repo.create({
        accountId,
        name: requiredText('input.name', input.name),
        kind: input.kind,
        stage,
        amount: nonNegativeMoney('input.amount', input.amount),
        ownerId: (await ownerIdOf(txCtx, input.ownerId)) ?? null,
        lostReason: input.lostReason ?? null,
        externalId: input.externalId ?? null,
        createdAt,
        closedAt,
      }),
    );
    if (input.contactIds?.length) await setContacts(tx, saved.id, input.contactIds);
    return saved;
  });
}

export function updateOpportunity(ctx: Context, input: UpdateOpportunityInput): Promise<Opportunity> {
  return runMutation(ctx, async (tx, txCtx) => {
    const id = decodeId('input.id', 'Opportunity', input.id);
    const opportunity = await lockForUpdate(tx, Opportunity, 'Opportunity', 'input.id', id, input.version);
    await recordReason(tx, 'input.reason', input.reason);
    for (const field of ['name', 'kind', 'amount'] as const) {
      if (input[field] === null) throw new BadInputError(`input.${field}`, 'cannot be cleared');
    }
    applyChanges(opportunity, input, ['kind']);
    if (input.name != null) opportunity.name = requiredText('input.name', input.name);
    if (input.amount != null) opportunity.amount = nonNegativeMoney('input.amount', input.amount);
    if (input.ownerId !== undefined) opportunity.ownerId = (await ownerIdOf(txCtx, input.ownerId)) ?? null;
    if (input.contactIds != null) {
      await setContacts(tx, id, input.contactIds);
      // the contacts live in their own table: touch the row so the change moves `version`,
      // else a client holding the old version could overwrite them without a CONFLICT
      opportunity.updatedAt = new Date();
    }
    return tx.getRepository(Opportunity).save(opportunity);
  });
}

export function moveOpportunityStage(ctx: Context, input: MoveOpportunityStageInput): Promise<Opportunity> {
  return runMutation(ctx, async (tx) => {
    const id = decodeId('input.opportunityId', 'Opportunity', input.opportunityId);
    const opportunity = await lockForUpdate(tx, Opportunity, 'Opportunity', 'input.opportunityId', id, input.version);
    if (isClosed(opportunity.stage)) {
      throw new ConflictError('input.stage', `the opportunity is ${opportunity.stage}; a closed opportunity's stage cannot change`);
    }
    if (opportunity.stage === input.stage) throw new BadInputError('input.stage', `the opportunity is already ${input.stage}`);
    const at = writtenTime(ctx, 'input.at', input.at);
    if (at < opportunity.createdAt) throw new BadInputError('input.at', 'must not be before the opportunity was created');
    checkClosing(input.stage, opportunity.createdAt, at, input.lostReason);
    opportunity.stage = input.stage;
    if (isClosed(input.stage)) opportunity.closedAt = at;
    opportunity.lostReason = input.lostReason ?? null;
    return tx.getRepository(Opportunity).save(opportunity);
  });
}

/** Filters and order of an opportunity list, shared by `opportunities` and `Account.opportunities`. */
export function opportunityListSpec(filter: OpportunityFilter | null | undefined, order: OpportunityOrder | null | undefined): ListSpec {
  const params = new SqlParams();
  const add = (v: unknown) => params.add(v);
  const where: string[] = [];
  if (filter?.stages?.length) where.push(`t.stage = ANY(${add(filter.stages)}::text[])`);
  if (filter?.kinds?.length) where.push(`t.kind = ANY(${add(filter.kinds)}::text[])`);
  if (filter?.accountId) where.push(`t.account_id = ${add(decodeId('filter.accountId', 'Account', filter.accountId))}`);
  if (filter?.ownerId) where.push(`t.owner_id = ${add(decodeId('filter.ownerId', 'User', filter.ownerId))}`);
  addRange(where, add, 't.created_at', filter?.createdAt, 'filter.createdAt');
  addRange(where, add, 't.closed_at', filter?.closedAt, 'filter.closedAt');
  addUpdatedAfter(where, add, filter?.updatedAfter, 'filter.updatedAfter');
  return { entity: Opportunity, where, params, ...sortOf(ORDER_COLUMNS, order, OpportunityOrderField.CREATED_AT) };
}

export function listOpportunities(
  ctx: Context,
  filter: OpportunityFilter | undefined,
  order: OpportunityOrder | undefined,
  page: PageArgs,
): Promise<ConnectionResult<Opportunity>> {
  return fetchPage<Opportunity>(ctx, opportunityListSpec(filter, order), page);
}
