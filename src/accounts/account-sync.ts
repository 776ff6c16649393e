import { Field, InputType, ObjectType } from 'type-graphql';
import { Length } from 'class-validator';
import { changedFields, findByExternalId, moneyKey, upsertByExternalId, UpsertOutcome } from '../common/sync';
import { validDomain } from '../common/validation';
import { managerOf } from '../db/with-transaction';
import type { Context } from '../graphql/context';
import { decodeId, toGlobalId } from '../graphql/node';
import { Account } from './account.entity';
import { createAccount, updateAccount } from './account.service';
import { CreateAccountInput } from './account.types';

@InputType({
  description:
    'An account by its id in the source system: created when no account has the externalId, else changed to these values (omitted fields stay as they are; null clears; createdAt applies only when it creates).',
})
export class UpsertAccountInput extends CreateAccountInput {
  @Field({ description: 'Id in the source system; names the account to create or change.' })
  @Length(1, 200)
  declare externalId: string;
}

@ObjectType({ description: 'Result of upsertAccount.' })
export class UpsertAccountPayload {
  @Field(() => Account, { description: 'The account as stored now.' })
  account: Account;

  @Field({ description: 'Whether the account was created (false: it existed, see outcome).' })
  created: boolean;

  @Field(() => UpsertOutcome, { description: 'Created, updated or unchanged.' })
  outcome: UpsertOutcome;
}

/** Creates or changes the account with `input.externalId`, through createAccount / updateAccount. */
export async function upsertAccount(ctx: Context, input: UpsertAccountInput): Promise<UpsertAccountPayload> {
  const { row, outcome } = await upsertByExternalId(ctx, Account, input.externalId, {
    create: (txCtx) => createAccount(txCtx, input),
    update: async (txCtx, existing) => {
      const { name, domain, segment, industry, walletSize, ownerId } = input;
      const changes = changedFields({ name, domain, segment, industry, walletSize, ownerId }, { ...existing }, {
        domain: (d) => validDomain('input.domain', d),
        walletSize: (m) => moneyKey(m),
        ownerId: (id) => decodeId('input.ownerId', 'User', id),
      });
      if (Object.keys(changes).length === 0) return null;
      return updateAccount(txCtx, { id: toGlobalId('Account', existing.id), ...changes });
    },
  });
  return { account: row, created: outcome === UpsertOutcome.CREATED, outcome };
}

export function findAccountByExternalId(ctx: Context, externalId: string): Promise<Account | null> {
  return findByExternalId(ctx, Account, externalId);
}

/** The account with this domain (as stored: lower case), or null. */
export function findAccountByDomain(ctx: Context, domain: string): Promise<Account | null> {
  return managerOf(ctx).getRepository(Account).findOne({ where: { domain: validDomain('domain', domain) } });
}
