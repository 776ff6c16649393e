import { Account } from './account.entity';
import { recordReason } from '../common/corrections';
import type { AccountFilter, AccountOrder, CreateAccountInput, UpdateAccountInput } from './account.types';
import { AccountOrderField } from './account.types';
import { applyChanges, nonNegativeMoney, notNull, requiredText, storableText, writtenTime, validDomain } from '../common/validation';
import { fetchPage, ListSpec } from '../db/list-query';
import { SqlParams } from '../db/sql';
import type { ConnectionResult, PageArgs } from '../graphql/connection';
import type { Context } from '../graphql/context';
import { findOrFail } from '../graphql/entity-loaders';
import { runMutation } from '../graphql/mutation';
import { decodeId } from '../graphql/node';
import { addRange, addUpdatedAfter, sortOf } from '../graphql/ordering';
import { lockForUpdate } from '../graphql/versioned';
import { User } from '../users/user.entity';

const ORDER_COLUMNS: Record<AccountOrderField, string> = {
  [AccountOrderField.NAME]: 't.name',
  [AccountOrderField.CREATED_AT]: 't.created_at',
  [AccountOrderField.UPDATED_AT]: 't.updated_at',
};

async function ownerIdOf(ctx: Context, field: string, globalId: string | null | undefined): Promise<string | null | undefined> {
  if (globalId == null) return globalId;
  const id = decodeId(field, 'User', globalId);
  await findOrFail(ctx, User, 'User', field, id);
  return id;
}

export function createAccount(ctx: Context, input: CreateAccountInput): Promise<Account> {
  return runMutation(ctx, async (tx, txCtx) => {
    const repo = tx.getRepository(Account);
    return repo.save(
      repo.create({
        name: requiredText('input.name', input.name),
        domain: validDomain('input.domain', input.domain),
        segment: input.segment,
        industry: input.industry ?? null,
        walletSize: input.walletSize == null ? null : nonNegativeMoney('input.walletSize', input.walletSize),
        ownerId: (await ownerIdOf(txCtx, 'input.ownerId', input.ownerId)) ?? null,
        externalId: input.externalId ?? null,
        createdAt: writtenTime(ctx, 'input.createdAt', input.createdAt),
      }),
    );
  });
}

export function updateAccount(ctx: Context, input: UpdateAccountInput): Promise<Account> {
  return runMutation(ctx, async (tx, txCtx) => {
    const id = decodeId('input.id', 'Account', input.id);
    const account = await lockForUpdate(tx, Account, 'Account', 'input.id', id, input.version);
    await recordReason(tx, 'input.reason', input.reason);
    const name = notNull('input.name', input.name);
    const segment = notNull('input.segment', input.segment);
    const domain = notNull('input.domain', input.domain);
    if (name !== undefined) account.name = requiredText('input.name', name);
    if (segment !== undefined) account.segment = segment;
    if (domain !== undefined) account.domain = validDomain('input.domain', domain);
    applyChanges(account, input, ['industry']);
    if (input.walletSize !== undefined) {
      account.walletSize = input.walletSize === null ? null : nonNegativeMoney('input.walletSize', input.walletSize);
    }
    if (input.ownerId !== undefined) account.ownerId = (await ownerIdOf(txCtx, 'input.ownerId', input.ownerId)) ?? null;
    return tx.getRepository(Account).save(account);
  });
}

/** The accounts a filter keeps, in the order asked for (by name unless told otherwise). */
export function accountListSpec(filter: AccountFilter | null | undefined, order: AccountOrder | null | undefined): ListSpec {
  const params = new SqlParams();
  const add = (v: unknown) => params.add(v);
  const where: string[] = [];
  if (filter?.segments?.length) where.push(`t.segment = ANY(${add(filter.segments)}::text[])`);
  if (filter?.ownerId) where.push(`t.owner_id = ${add(decodeId('filter.ownerId', 'User', filter.ownerId))}`);
  if (filter?.search) {
    const pattern = `%${storableText('filter.search', filter.search).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(`(t.name ILIKE ${add(pattern)} OR t.domain ILIKE ${add(pattern)})`);
  }
  addRange(where, add, 't.created_at', filter?.createdAt, 'filter.createdAt');
  addUpdatedAfter(where, add, filter?.updatedAfter, 'filter.updatedAfter');
  return { entity: Account, where, params, ...sortOf(ORDER_COLUMNS, order, AccountOrderField.NAME) };
}

export function listAccounts(
  ctx: Context,
  filter: AccountFilter | undefined,
  order: AccountOrder | undefined,
  page: PageArgs,
): Promise<ConnectionResult<Account>> {
  return fetchPage<Account>(ctx, accountListSpec(filter, order), page);
}
