import { Role } from '../auth/roles';
import { FeedbackDisposition, RejectionReason, SortDirection, Team } from '../common/enums';
import { notBackdated, writtenTime } from '../common/validation';
import { fetchPage, ListSpec } from '../db/list-query';
import { selectList, SqlParams } from '../db/sql';
import { managerOf } from '../db/with-transaction';
import type { ConnectionResult, PageArgs } from '../graphql/connection';
import type { Context } from '../graphql/context';
import { findOrFail } from '../graphql/entity-loaders';
import { BadInputError, ConflictError, ForbiddenError, NotFoundError } from '../graphql/errors';
import { runMutation } from '../graphql/mutation';
import { decodeId } from '../graphql/node';
import { addUpdatedAfter, namedSortOf, NamedSort } from '../graphql/ordering';
import { Lead } from '../leads/lead.entity';
import { EMPTY_POLICY, insertPolicy, validatePolicy } from '../qualification/policy-store';
import { User } from '../users/user.entity';
import { AlignmentAgreement } from './agreement.entity';
import { LeadFeedback } from './feedback.entity';
import { AlignmentAgreementOrderField } from './alignment.types';
import type {
  AlignmentAgreementFilter,
  AlignmentAgreementOrder,
  ApproveAgreementInput,
  GiveLeadFeedbackInput,
  LeadFeedbackFilter,
  ProposeAgreementInput,
} from './alignment.types';

async function userOf(ctx: Context, field: string, globalId: string | null | undefined): Promise<User | null> {
  if (globalId == null) return null;
  return findOrFail<User>(ctx, User, 'User', field, decodeId(field, 'User', globalId));
}

/** The rules of a verdict on a lead: only on an MQL, not before it became one, a reason exactly when rejected. */
export function checkLeadFeedback(lead: Lead, disposition: FeedbackDisposition, reason: RejectionReason | null, givenAt: Date): void {
  if (!lead.mqlAt) throw new BadInputError('input.leadId', 'the lead was never handed over (it has not reached MQL)');
  const rejected = disposition === FeedbackDisposition.REJECTED;
  if (rejected && reason == null) throw new BadInputError('input.reason', 'is required when the lead is rejected');
  if (!rejected && reason != null) throw new BadInputError('input.reason', 'is only given when the lead is rejected');
  if (givenAt < lead.mqlAt) throw new BadInputError('input.at', 'must not be before the lead became an MQL');
}

export function giveLeadFeedback(ctx: Context, input: GiveLeadFeedbackInput): Promise<LeadFeedback> {
  return runMutation(ctx, async (tx, txCtx) => {
    const leadId = decodeId('input.leadId', 'Lead', input.leadId);
    const lead = await findOrFail<Lead>(txCtx, Lead, 'Lead', 'input.leadId', leadId);
    const givenAt = writtenTime(ctx, 'input.at', input.at);
    checkLeadFeedback(lead, input.disposition, input.reason ?? null, givenAt);
    const givenBy = await userOf(txCtx, 'input.givenById', input.givenById);
    const repo = tx.getRepository(LeadFeedback);
    return repo.save(
      repo.create({
        leadId,
        disposition: input.disposition,
        reason: input.reason ?? null,
        note: input.note ?? null,
        givenById: givenBy?.id ?? null,
        givenAt,
        externalId: input.externalId ?? null,
      }),
    );
  });
}

export function proposeAgreement(ctx: Context, input: ProposeAgreementInput): Promise<AlignmentAgreement> {
  return runMutation(ctx, async (tx, txCtx) => {
    if (Number.isNaN(input.effectiveFrom.getTime())) throw new BadInputError('input.effectiveFrom', 'is not a valid date-time');
    // an agreement made retroactive would re-judge MQLs already reported on: a historical load's
    notBackdated(ctx, 'input.effectiveFrom', input.effectiveFrom);
    const policy = input.policy ?? EMPTY_POLICY;
    validatePolicy('input.policy', policy);
    const proposedBy = await userOf(txCtx, 'input.proposedById', input.proposedById);
    // versions are numbered in proposal order; the lock keeps two proposals from taking the same number
    await tx.query('LOCK TABLE alignment_agreements IN SHARE ROW EXCLUSIVE MODE');
    const [{ next }] = (await tx.query(`SELECT coalesce(max(version), 0) + 1 AS next FROM alignment_agreements`)) as [{ next: number }];
    const policyId = await insertPolicy(tx, input.mqlThreshold, policy);
    const repo = tx.getRepository(AlignmentAgreement);
    return repo.save(
      repo.create({
        version: next,
        policyId,
        effectiveFrom: input.effectiveFrom,
        mqlThreshold: input.mqlThreshold,
        scoringRules: input.scoringRules.map(({ attribute, condition, points }) => ({ attribute, condition, points })),
        followUpHours: input.followUpHours,
        monthlyMqlTarget: input.monthlyMqlTarget,
        notes: input.notes ?? null,
        proposedById: proposedBy?.id ?? null,
        createdAt: writtenTime(ctx, 'input.createdAt', input.createdAt),
      }),
    );
  });
}

export function approveAgreement(ctx: Context, input: ApproveAgreementInput): Promise<AlignmentAgreement> {
  return runMutation(ctx, async (tx, txCtx) => {
    const id = decodeId('input.agreementId', 'AlignmentAgreement', input.agreementId);
    const agreement = await tx
      .getRepository(AlignmentAgreement)
      .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
    if (!agreement) throw new NotFoundError('input.agreementId', 'AlignmentAgreement', id);
    const approver = await userOf(txCtx, 'input.approverId', input.approverId);
    const role = ctx.actor?.role;
    if (role === Role.MARKETING || role === Role.SALES) {
      // a team approves for itself: a key bound to a user approves as that user only
      if (approver?.team !== (role as string)) throw new ForbiddenError(`a ${role} caller approves only for the ${role} team`);
      if (ctx.actor?.userId && ctx.actor.userId !== approver.id) {
        throw new ForbiddenError('this API key approves only as its own user');
      }
    }
    const at = writtenTime(ctx, 'input.at', input.at);
    if (at < agreement.createdAt) throw new BadInputError('input.at', 'must not be before the agreement was proposed');
    if (approver?.team === Team.MARKETING) {
      if (agreement.marketingApprovedAt) throw new ConflictError('input.approverId', 'marketing has already approved this agreement');
      agreement.marketingApprovedById = approver.id;
      agreement.marketingApprovedAt = at;
    } else if (approver?.team === Team.SALES) {
      if (agreement.salesApprovedAt) throw new ConflictError('input.approverId', 'sales has already approved this agreement');
      agreement.salesApprovedById = approver.id;
      agreement.salesApprovedAt = at;
    } else {
      throw new BadInputError('input.approverId', 'must be a MARKETING or a SALES user: each team approves for itself');
    }
    return tx.getRepository(AlignmentAgreement).save(agreement);
  });
}

/** Feedback in time order, for Lead.feedback. */
export function feedbackListSpec(filter?: LeadFeedbackFilter | null): ListSpec {
  const params = new SqlParams();
  const where: string[] = [];
  addUpdatedAfter(where, (v) => params.add(v), filter?.updatedAfter, 'filter.updatedAfter');
  return { entity: LeadFeedback, where, params, sortName: 'givenAt:ASC', sortColumn: 't.given_at', direction: 'ASC' };
}

/** Column and cursor name of each order ("version", the name cursors carried before orderBy existed). */
const AGREEMENT_ORDER: Record<AlignmentAgreementOrderField, NamedSort> = {
  [AlignmentAgreementOrderField.VERSION]: { column: 't.version', name: 'version' },
  [AlignmentAgreementOrderField.UPDATED_AT]: { column: 't.updated_at', name: 'updatedAt' },
};

/** Versions of the agreement, newest first unless told otherwise. */
export function listAgreements(
  ctx: Context,
  inForceOnly: boolean,
  filter: AlignmentAgreementFilter | undefined,
  order: AlignmentAgreementOrder | undefined,
  page: PageArgs,
): Promise<ConnectionResult<AlignmentAgreement>> {
  const params = new SqlParams();
  const where = inForceOnly ? ['t.marketing_approved_at IS NOT NULL AND t.sales_approved_at IS NOT NULL'] : [];
  addUpdatedAfter(where, (v) => params.add(v), filter?.updatedAfter, 'filter.updatedAfter');
  const sort = namedSortOf(AGREEMENT_ORDER, order, { ...AGREEMENT_ORDER[AlignmentAgreementOrderField.VERSION], direction: SortDirection.DESC });
  return fetchPage<AlignmentAgreement>(ctx, { entity: AlignmentAgreement, where, params, ...sort }, page);
}

/**
 * The agreement in force at `asOf`: the latest with effectiveFrom <= asOf that both teams had
 * approved by asOf (an approval given later did not yet apply then; the SLA metric agrees).
 */
export async function findCurrentAgreement(ctx: Context, asOf: Date): Promise<AlignmentAgreement | null> {
  const rows = (await managerOf(ctx).query(
    `SELECT ${selectList(ctx.ds, AlignmentAgreement, 't')} FROM alignment_agreements t
      WHERE t.marketing_approved_at <= $1 AND t.sales_approved_at <= $1 AND t.effective_from <= $1
      ORDER BY t.effective_from DESC, t.version DESC LIMIT 1`,
    [asOf],
  )) as AlignmentAgreement[];
  const row = rows[0];
  return row ? { ...row, followUpHours: Number(row.followUpHours) } : null;
}
