import type { EntityManager } from 'typeorm';
import { assertMayMoveLeadTo } from '../auth/policy';
import { LeadStage } from '../common/enums';
import { applyChanges, normalisedEmail, storableText, writtenTime } from '../common/validation';
import { Account } from '../accounts/account.entity';
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
import { settleAutomaticMql } from '../qualification/auto-mql.service';
import { requestNow } from '../qualification/score.loaders';
import { User } from '../users/user.entity';
import { LeadStageChange } from './lead-stage-change.entity';
import { checkTransition, markStageReached } from './lead-stages';
import { Lead, STAGE_TIME_FIELD } from './lead.entity';
import {
  ChangeLeadStageInput,
  CreateLeadInput,
  LeadFilter,
  LeadOrder,
  LeadOrderField,
  LeadStageChangeFilter,
  UpdateLeadInput,
} from './lead.types';

const ORDER_COLUMNS: Record<LeadOrderField, string> = {
  [LeadOrderField.CREATED_AT]: 't.created_at',
  [LeadOrderField.UPDATED_AT]: 't.updated_at',
  [LeadOrderField.EMAIL]: 'lower(t.email)',
  // the score under the policy in force now (ListSpec.scored joins it as sc)
  [LeadOrderField.SCORE]: 'coalesce(sc.score, 0)',
};

async function accountIdOf(ctx: Context, field: string, globalId: string | null | undefined) {
  if (globalId == null) return globalId;
  const id = decodeId(field, 'Account', globalId);
  await findOrFail(ctx, Account, 'Account', field, id);
  return id;
}

/** Filters and order of a lead list, shared by `leads` and `Account.leads`. */
export function leadListSpec(filter: LeadFilter | null | undefined, order: LeadOrder | null | undefined, now: Date = new Date()): ListSpec {
  const params = new SqlParams();
  const add = (v: unknown) => params.add(v);
  const where: string[] = [];
  if (filter?.stages?.length) where.push(`t.stage = ANY(${add(filter.stages)}::text[])`);
  if (filter?.accountId) where.push(`t.account_id = ${add(decodeId('filter.accountId', 'Account', filter.accountId))}`);
  addRange(where, add, 't.created_at', filter?.createdAt, 'filter.createdAt');
  addUpdatedAfter(where, add, filter?.updatedAfter, 'filter.updatedAfter');
  if (filter?.sourceChannels?.length) {
    where.push(`(SELECT c.channel FROM touchpoints tp JOIN campaigns c ON c.id = tp.campaign_id
                  WHERE tp.lead_id = t.id ORDER BY tp.occurred_at, tp.id LIMIT 1) = ANY(${add(filter.sourceChannels)}::text[])`);
  }
  if (filter?.search) {
    const pattern = add(`%${storableText('filter.search', filter.search).replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    where.push(`(t.email ILIKE ${pattern} OR t.first_name ILIKE ${pattern} OR t.last_name ILIKE ${pattern})`);
  }
  const byScore = order?.field === LeadOrderField.SCORE;
  const min = filter?.minScore != null ? add(filter.minScore) : null;
  // one "now" for the whole list: the policy in force and the scores' time
  const scored = byScore || min ? { at: add(now), min, byScore, where: min ? [`sc.score >= ${min}::numeric`] : [] } : undefined;
  return { entity: Lead, where, params, ...sortOf(ORDER_COLUMNS, order, LeadOrderField.CREATED_AT), ...(scored ? { scored } : {}) };
}

/** Stage changes oldest first, for Lead.stageHistory. */
export function stageHistoryListSpec(filter: LeadStageChangeFilter | null | undefined): ListSpec {
  const params = new SqlParams();
  const where: string[] = [];
  addUpdatedAfter(where, (v) => params.add(v), filter?.updatedAfter, 'filter.updatedAfter');
  return { entity: LeadStageChange, where, params, sortName: 'changedAt:ASC', sortColumn: 't.changed_at', direction: 'ASC' };
}

export function listLeads(ctx: Context, filter: LeadFilter | undefined, order: LeadOrder | undefined, page: PageArgs): Promise<ConnectionResult<Lead>> {
  return fetchPage<Lead>(ctx, leadListSpec(filter, order, requestNow(ctx)), page);
}

export function createLead(ctx: Context, input: CreateLeadInput): Promise<Lead> {
  return runMutation(ctx, async (tx, txCtx) => {
    const stage = input.stage ?? LeadStage.NEW;
    assertMayMoveLeadTo(ctx.actor?.role, stage);
    if (stage === LeadStage.RECYCLED || stage === LeadStage.DISQUALIFIED) {
      throw new BadInputError('input.stage', 'a lead starts in a funnel stage (NEW to CUSTOMER)');
    }
    const createdAt = writtenTime(ctx, 'input.createdAt', input.createdAt);
    const repo = tx.getRepository(Lead);
    const lead = repo.create({
      email: normalisedEmail('input.email', input.email),
      firstName: input.firstName ?? null,
      lastName: input.lastName ?? null,
      title: input.title ?? null,
      accountId: (await accountIdOf(txCtx, 'input.accountId', input.accountId)) ?? null,
      externalId: input.externalId ?? null,
      stage: LeadStage.NEW,
      createdAt,
    });
    if (stage !== LeadStage.NEW) markStageReached(lead, stage, createdAt);
    const saved = await repo.save(lead);
    await tx.getRepository(LeadStageChange).insert({ leadId: saved.id, fromStage: null, toStage: stage, changedAt: createdAt });
    return readBackAfterAutomaticMql(ctx, tx, saved);
  });
}

export function updateLead(ctx: Context, input: UpdateLeadInput): Promise<Lead> {
  return runMutation(ctx, async (tx, txCtx) => {
    const lead = await lockForUpdate(tx, Lead, 'Lead', 'input.id', decodeId('input.id', 'Lead', input.id), input.version);
    applyChanges(lead, input, ['firstName', 'lastName', 'title']);
    if (input.email === null) throw new BadInputError('input.email', 'cannot be cleared');
    if (input.email !== undefined) lead.email = normalisedEmail('input.email', input.email);
    if (input.accountId !== undefined) lead.accountId = (await accountIdOf(txCtx, 'input.accountId', input.accountId)) ?? null;
    return readBackAfterAutomaticMql(ctx, tx, await tx.getRepository(Lead).save(lead));
  });
}

/**
 * The lead as the mutation leaves it: a write that qualifies it makes it an MQL (automatic MQL,
 * at commit); a mutation of its own runs that now so that it returns the lead as stored. Inside
 * another mutation (ctx.tx: an upsert), the outer one does, after its own stage change.
 */
async function readBackAfterAutomaticMql(ctx: Context, tx: EntityManager, lead: Lead): Promise<Lead> {
  if (ctx.tx) return lead;
  await settleAutomaticMql(tx);
  return (await tx.getRepository(Lead).findOneBy({ id: lead.id })) ?? lead;
}

export function changeLeadStage(ctx: Context, input: ChangeLeadStageInput): Promise<{ lead: Lead; change: LeadStageChange }> {
  return runMutation(ctx, async (tx, txCtx) => {
    assertMayMoveLeadTo(ctx.actor?.role, input.stage);
    const id = decodeId('input.leadId', 'Lead', input.leadId);
    const lead = await lockForUpdate(tx, Lead, 'Lead', 'input.leadId', id, input.version);
    checkTransition(lead.stage, input.stage);
    const at = writtenTime(ctx, 'input.at', input.at);
    const [last] = (await tx.query(
      `SELECT max(changed_at) AS at FROM lead_stage_changes WHERE lead_id = $1`, [id],
    )) as { at: Date | null }[];
    // the last change: its history, or the stage times themselves (bulk loads may bring no history)
    const times = [lead.createdAt, last?.at, ...Object.values(STAGE_TIME_FIELD).map((key) => (key ? lead[key] : null))];
    const notBefore = new Date(Math.max(...times.filter((t): t is Date => t instanceof Date).map((t) => t.getTime())));
    if (at < notBefore) {
      throw new BadInputError('input.at', `must not be before the lead's last stage change (${notBefore.toISOString()})`);
    }
    let changedById: string | null = null;
    if (input.changedById) {
      changedById = decodeId('input.changedById', 'User', input.changedById);
      await findOrFail(txCtx, User, 'User', 'input.changedById', changedById);
    }
    const from = lead.stage;
    markStageReached(lead, input.stage, at);
    const saved = await tx.getRepository(Lead).save(lead);
    const change = await tx.getRepository(LeadStageChange).save(
      tx.getRepository(LeadStageChange).create({ leadId: id, fromStage: from, toStage: input.stage, changedAt: at, changedById }),
    );
    return { lead: saved, change };
  });
}
