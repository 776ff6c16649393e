import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { DeletePayload } from '../common/corrections';
import type { Context } from '../graphql/context';
import { deleteAccount, DeleteAccountInput } from './account-deletion';

@Resolver()
export class AccountDeletionResolver {
  @Mutation(() => DeletePayload, {
    description: 'Deletes an account; one with leads or opportunities is refused with CONFLICT naming them, unless `cascade: true`.',
  })
  deleteAccount(@Ctx() ctx: Context, @Arg('input', () => DeleteAccountInput) input: DeleteAccountInput): Promise<DeletePayload> {
    return deleteAccount(ctx, input);
  }
}
