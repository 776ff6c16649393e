import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../graphql/context';
import { eraseLead, EraseLeadInput, EraseLeadPayload } from './lead-erasure';

@Resolver()
export class LeadErasureResolver {
  @Mutation(() => EraseLeadPayload, {
    description:
      "Erases a lead's personal data everywhere it is stored (email, names, title, external id, custom attributes, the notes of its feedback; its email and full name in other free text: deal names and lost reasons, other feedback notes, agreement notes; the copies of all of it in the audit log, in kept responses and in import jobs); its anonymous facts stay, so no metric moves. The audit log records the erasure in one entry. Final: an erased lead cannot be given its data back.",
  })
  eraseLead(@Ctx() ctx: Context, @Arg('input', () => EraseLeadInput) input: EraseLeadInput): Promise<EraseLeadPayload> {
    return eraseLead(ctx, input);
  }
}
