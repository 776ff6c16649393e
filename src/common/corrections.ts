import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { EntityManager } from 'typeorm';
import { BACKDATING_ROLES } from '../auth/policy';
import type { Context } from '../graphql/context';
import { BadInputError, ForbiddenError } from '../graphql/errors';

/**
 * What corrections (updates and deletes of recorded facts) and erasure share: the reason that
 * goes into the audit log, the rule on who may correct history, and the counts they answer.
 */

/** Longest reason kept (the input types say so too). */
export const MAX_REASON_LENGTH = 500;

/** A reason as stored: trimmed, not blank, at most 500 characters, no NUL. */
export function reasonText(field: string, value: string): string {
  const trimmed = value.trim();
  if (trimmed === '') throw new BadInputError(field, 'must not be blank');
  if (trimmed.length > MAX_REASON_LENGTH) throw new BadInputError(field, `must be at most ${MAX_REASON_LENGTH} characters`);
  if (trimmed.includes('\u0000')) throw new BadInputError(field, 'must not contain the NUL character');
  return trimmed;
}

/**
 * Hands the reason to the audit log: every entry the audit trigger writes in this transaction
 * from now on carries it (audit_log.reason defaults to the transaction's `app.reason`).
 */
export async function recordReason(tx: EntityManager, field: string, reason: string | null | undefined): Promise<void> {
  if (reason == null) return;
  await tx.query(`SELECT set_config('app.reason', $1, true)`, [reasonText(field, reason)]);
}

/**
 * Refuses a correction of a fact dated more than BACKDATE_TOLERANCE_MINUTES before now to a role
 * that may not back-date: what it may not record late, it may not rewrite either (a report may
 * have shown it). ADMIN and REVENUE_OPS correct history; others fix what they just recorded.
 */
export function assertMayCorrect(ctx: Context, field: string, what: string, at: Date, now = new Date()): void {
  const role = ctx.actor?.role;
  if (role === undefined || BACKDATING_ROLES.has(role)) return;
  const minutes = ctx.config.backdateToleranceMinutes;
  if (at.getTime() < now.getTime() - minutes * 60_000) {
    throw new ForbiddenError(
      `role ${role} may not correct ${what} dated more than ${minutes} minutes before now (corrections of history are for ${[...BACKDATING_ROLES].join(' and ')})`,
      field,
    );
  }
}

/** Refuses `cascade: true` to a role that may not rewrite history (a cascade deletes recorded facts). */
export function assertMayCascade(ctx: Context, field: string): void {
  const role = ctx.actor?.role;
  if (role === undefined || BACKDATING_ROLES.has(role)) return;
  throw new ForbiddenError(`role ${role} may not delete dependants (cascade is for ${[...BACKDATING_ROLES].join(' and ')})`, field);
}

@ObjectType({ description: 'How many rows of one kind a delete or an erasure changed.' })
export class RowCount {
  @Field({ description: 'What the rows are, e.g. "leads", "touchpoints", "feedback notes", "audit log entries".' })
  kind: string;

  @Field(() => Int, { description: 'How many.' })
  count: number;
}

@ObjectType({ description: 'Result of a delete: the id of what is gone, and what went with it.' })
export class DeletePayload {
  @Field(() => ID, { description: 'Global id of the deleted object.' })
  deletedId: string;

  @Field(() => [RowCount], { description: 'Dependants deleted with it (cascade), by kind; empty when there were none.' })
  deleted: RowCount[];
}

/** "3 leads, 2 opportunities": the counts above zero, for a message. */
export function describeCounts(counts: readonly RowCount[]): string {
  return counts
    .filter((c) => c.count > 0)
    .map((c) => `${c.count} ${c.count === 1 ? singular(c.kind) : c.kind}`)
    .join(', ');
}

const SINGULAR: Record<string, string> = {
  leads: 'lead',
  opportunities: 'opportunity',
  touchpoints: 'touchpoint',
  'spend entries': 'spend entry',
  'feedback entries': 'feedback entry',
  'stage changes': 'stage change',
  'opportunity contacts': 'opportunity contact',
};
const singular = (kind: string) => SINGULAR[kind] ?? kind;

/** Runs `DELETE ... RETURNING 1` (or UPDATE) and answers how many rows it changed. */
export async function countOf(tx: EntityManager, statement: string, params: unknown[]): Promise<number> {
  const [row] = (await tx.query(`WITH changed AS (${statement} RETURNING 1) SELECT count(*)::int AS n FROM changed`, params)) as { n: number }[];
  return row?.n ?? 0;
}
