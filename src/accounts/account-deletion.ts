import { Field, ID, InputType, Int } from 'type-graphql';
import { IsOptional, Length } from 'class-validator';
import type { EntityManager } from 'typeorm';
import { assertMayCascade, countOf, DeletePayload, describeCounts, recordReason, RowCount } from '../common/corrections';
import type { Context } from '../graphql/context';
import { ConflictError } from '../graphql/errors';
import { runMutation } from '../graphql/mutation';
import { decodeId, toGlobalId } from '../graphql/node';
import { lockForUpdate } from '../graphql/versioned';
import { Account } from './account.entity';

@InputType({ description: 'An account to delete.' })
export class DeleteAccountInput {
  @Field(() => ID, { description: 'The account to delete.' })
  id: string;

  @Field(() => Int, { nullable: true, description: 'The version you read; the delete fails with CONFLICT if it moved on.' })
  version?: number | null;

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description:
      'Also delete its leads (with their touchpoints, feedback, stage history and places as deal contacts) and opportunities, in the same transaction. Without it, an account that has any is refused with CONFLICT naming them.',
  })
  cascade?: boolean | null;

  @Field(() => String, { nullable: true, description: 'Why (at most 500 characters); kept in the audit log entry of every row the delete writes.' })
  @IsOptional()
  @Length(1, 500)
  reason?: string | null;
}

/** What depends on an account directly (the account row is locked: no new lead or deal can join it). */
async function accountDependants(tx: EntityManager, id: string): Promise<RowCount[]> {
  const [row] = (await tx.query(
    `SELECT (SELECT count(*) FROM leads WHERE account_id = $1)::int AS leads,
            (SELECT count(*) FROM opportunities WHERE account_id = $1)::int AS opportunities`,
    [id],
  )) as { leads: number; opportunities: number }[];
  return [
    { kind: 'leads', count: row?.leads ?? 0 },
    { kind: 'opportunities', count: row?.opportunities ?? 0 },
  ];
}

/**
 * Deletes the account's leads and deals, children first: touches go while their leads still
 * exist, so the cache triggers find the journeys they leave.
 */
async function deleteDependants(tx: EntityManager, id: string): Promise<RowCount[]> {
  const leads = `SELECT id FROM leads WHERE account_id = $1`;
  const deals = `SELECT id FROM opportunities WHERE account_id = $1`;
  const counts: RowCount[] = [];
  const run = async (kind: string, statement: string) => counts.push({ kind, count: await countOf(tx, statement, [id]) });
  await run('touchpoints', `DELETE FROM touchpoints WHERE lead_id IN (${leads})`);
  await run('feedback entries', `DELETE FROM lead_feedback WHERE lead_id IN (${leads})`);
  await run('stage changes', `DELETE FROM lead_stage_changes WHERE lead_id IN (${leads})`);
  await run('opportunity contacts', `DELETE FROM opportunity_contacts WHERE lead_id IN (${leads}) OR opportunity_id IN (${deals})`);
  await run('opportunities', `DELETE FROM opportunities WHERE account_id = $1`);
  await run('leads', `DELETE FROM leads WHERE account_id = $1`);
  return counts.filter((c) => c.count > 0);
}

/**
 * Deletes an account. One with leads or opportunities is refused with CONFLICT naming them
 * ("3 leads, 2 opportunities"), unless `cascade`, which deletes them in the same transaction.
 */
export function deleteAccount(ctx: Context, input: DeleteAccountInput): Promise<DeletePayload> {
  return runMutation(ctx, async (tx) => {
    if (input.cascade) assertMayCascade(ctx, 'input.cascade');
    const id = decodeId('input.id', 'Account', input.id);
    await lockForUpdate(tx, Account, 'Account', 'input.id', id, input.version);
    await recordReason(tx, 'input.reason', input.reason);
    const dependants = await accountDependants(tx, id);
    let deleted: RowCount[] = [];
    if (dependants.some((d) => d.count > 0)) {
      if (!input.cascade) {
        throw new ConflictError(
          'input.id',
          `the account has ${describeCounts(dependants)}: delete them first, or pass cascade: true to delete them with it`,
        );
      }
      deleted = await deleteDependants(tx, id);
    }
    await tx.query(`DELETE FROM accounts WHERE id = $1`, [id]);
    return { deletedId: toGlobalId('Account', id), deleted };
  });
}
