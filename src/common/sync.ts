import { registerEnumType } from 'type-graphql';
import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { managerOf } from '../db/with-transaction';
import type { Context } from '../graphql/context';
import { ForbiddenError } from '../graphql/errors';
import { runMutation } from '../graphql/mutation';
import { normaliseMoney } from '../graphql/scalars';
import { seesPersonalData } from '../auth/analyst-masking';

/** What an `upsert*` mutation did. */
export enum UpsertOutcome {
  CREATED = 'CREATED',
  UPDATED = 'UPDATED',
  UNCHANGED = 'UNCHANGED',
}
registerEnumType(UpsertOutcome, {
  name: 'UpsertOutcome',
  description: 'What an upsert did with the object its externalId names.',
  valuesConfig: {
    CREATED: { description: 'No object had the externalId: it was created.' },
    UPDATED: { description: 'The object existed and at least one field changed.' },
    UNCHANGED: { description: 'The object existed and already held these values: nothing was written.' },
  },
});

export interface Upserted<T> {
  row: T;
  outcome: UpsertOutcome;
}

/** Whether a stored value equals the one asked for (instants by time; absent and null alike). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return (a ?? null) === (b ?? null);
}

/** A Money string in one spelling ("0100.5" and "100.50" alike), for comparisons. */
export function moneyKey(value: string | null | undefined): string | null | undefined {
  return value == null ? value : normaliseMoney(value).replace(/^(-?)0+(?=\d)/, '$1');
}

/**
 * The fields of `wanted` given (not undefined) whose value differs from `current`'s, compared
 * by `key` when one is given for the field (a normalised email, a decoded id): what an upsert
 * passes on as an update. Empty when the object already holds these values.
 */
export function changedFields<W extends Record<string, unknown>>(
  wanted: W,
  current: Record<string, unknown>,
  keys: { [K in keyof W]?: (value: NonNullable<W[K]>) => unknown } = {},
): Partial<W> {
  const changes: Partial<W> = {};
  for (const field of Object.keys(wanted) as (keyof W & string)[]) {
    const value = wanted[field];
    if (value === undefined) continue;
    const key = keys[field];
    const asked = key && value !== null ? key(value as NonNullable<W[keyof W & string]>) : value;
    if (!sameValue(asked, current[field])) changes[field] = value;
  }
  return changes;
}

/**
 * One upsert as one transaction: the row with this externalId, locked, is handed to `update`
 * (which returns null when nothing changes, so nothing is written); without one, `create` runs.
 * Both go through the kind's own service functions (their validation, rules and audit), inside
 * this transaction. Two upserts of a new externalId at once: one creates, the other gets CONFLICT
 * naming the new object (`extensions.existingId`), and a retry updates it.
 */
export function upsertByExternalId<T extends ObjectLiteral & { id: string }>(
  ctx: Context,
  entity: EntityTarget<T>,
  externalId: string,
  work: { create: (txCtx: Context) => Promise<T>; update: (txCtx: Context, existing: T, tx: EntityManager) => Promise<T | null> },
): Promise<Upserted<T>> {
  return runMutation(ctx, async (tx, txCtx) => {
    const existing = await tx.getRepository(entity).findOne({ where: { externalId } as never, lock: { mode: 'pessimistic_write' } });
    if (!existing) return { row: await work.create(txCtx), outcome: UpsertOutcome.CREATED };
    const updated = await work.update(txCtx, existing, tx);
    return updated ? { row: updated, outcome: UpsertOutcome.UPDATED } : { row: existing, outcome: UpsertOutcome.UNCHANGED };
  });
}

/** The object of a kind with this externalId, or null. */
export async function findByExternalId<T extends ObjectLiteral>(ctx: Context, entity: EntityTarget<T>, externalId: string): Promise<T | null> {
  return managerOf(ctx).getRepository(entity).findOne({ where: { externalId } as never });
}

/**
 * Refuses a look-up by a person's email or id in another system to callers who read personal
 * data masked (ANALYST): finding a row by it would tell them what they cannot read.
 */
export function assertMayLookUpPeople(ctx: Context, argument: string, reveals: string): void {
  if (!seesPersonalData(ctx)) {
    throw new ForbiddenError(`ANALYST callers cannot look up people by personal data (${reveals})`, argument);
  }
}
