import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../graphql/context';
import { correctOpportunityClose, CorrectOpportunityCloseInput, CorrectOpportunityClosePayload } from './opportunity-correction';

@Resolver()
export class OpportunityCorrectionResolver {
  @Mutation(() => CorrectOpportunityClosePayload, {
    description:
      "Corrects a closed opportunity's outcome (won or lost), close time, lost reason or amount, or reopens it, with a required reason (kept in the audit log); every metric and cache answers the corrected deal at once.",
  })
  correctOpportunityClose(
    @Ctx() ctx: Context,
    @Arg('input', () => CorrectOpportunityCloseInput) input: CorrectOpportunityCloseInput,
  ): Promise<CorrectOpportunityClosePayload> {
    return correctOpportunityClose(ctx, input);
  }
}
