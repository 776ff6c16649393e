import { IsNotEmpty, Length } from 'class-validator';
import { Field, ID, InputType, Int } from 'type-graphql';
import { countOf, DeletePayload, reasonText, recordReason } from '../common/corrections';
import type { Context } from '../graphql/context';
import { runMutation } from '../graphql/mutation';
import { decodeId, toGlobalId } from '../graphql/node';
import { lockForUpdate } from '../graphql/versioned';
import { Opportunity } from './opportunity.entity';

@InputType({ description: 'An opportunity to delete (one recorded in error: a duplicate, a test deal).' })
export class DeleteOpportunityInput {
  @Field(() => ID, { description: 'The opportunity to delete.' })
  id: string;

  @Field(() => Int, { nullable: true, description: 'The version you read; the delete fails with CONFLICT if it moved on.' })
  version?: number | null;

  @Field({ description: 'Why it is deleted (required, at most 500 characters); kept in the audit log entry of the delete.' })
  @IsNotEmpty()
  @Length(1, 500)
  reason: string;
}

/** Deletes an opportunity and its contact links; pipeline, revenue and attribution forget it at once. */
export function deleteOpportunity(ctx: Context, input: DeleteOpportunityInput): Promise<DeletePayload> {
  return runMutation(ctx, async (tx) => {
    const id = decodeId('input.id', 'Opportunity', input.id);
    const reason = reasonText('input.reason', input.reason);
    await lockForUpdate(tx, Opportunity, 'Opportunity', 'input.id', id, input.version);
    await recordReason(tx, 'input.reason', reason);
    const n = await countOf(tx, `DELETE FROM opportunity_contacts WHERE opportunity_id = $1`, [id]);
    await tx.query(`DELETE FROM opportunities WHERE id = $1`, [id]);
    return { deletedId: toGlobalId('Opportunity', id), deleted: n > 0 ? [{ kind: 'opportunity contacts', count: n }] : [] };
  });
}
