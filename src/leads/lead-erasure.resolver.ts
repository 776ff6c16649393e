import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../graphql/context';
import { eraseLead, EraseLeadInput, EraseLeadPayload } from './lead-erasure';

@Resolver()
export class LeadErasureResolver {
  @Mutation(() => EraseLeadPayload, {
    description:
      "Erases a lead's personal data everywhere it is stored (email, names, title, external id, feedback notes, their copies in the audit log and in kept responses); its anonymous facts stay, so no metric moves. Final: an erased lead cannot be given its data back.",
  })
  eraseLead(@Ctx() ctx: Context, @Arg('input', () => EraseLeadInput) input: EraseLeadInput): Promise<EraseLeadPayload> {
    return eraseLead(ctx, input);
  }
}
