import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { DeletePayload } from '../common/corrections';
import type { Context } from '../graphql/context';
import { deleteOpportunity, DeleteOpportunityInput } from './opportunity-deletion';

@Resolver()
export class OpportunityDeletionResolver {
  @Mutation(() => DeletePayload, {
    description: 'Deletes an opportunity with a required reason (kept in the audit log); every metric and cache forgets it at once.',
  })
  deleteOpportunity(@Ctx() ctx: Context, @Arg('input', () => DeleteOpportunityInput) input: DeleteOpportunityInput): Promise<DeletePayload> {
    return deleteOpportunity(ctx, input);
  }
}
