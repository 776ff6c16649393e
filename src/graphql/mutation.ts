import type { EntityManager } from 'typeorm';
import { translateDbError } from '../db/db-errors';
import { withTransaction } from '../db/with-transaction';
import type { Context } from './context';
import { LoaderRegistry } from './loaders';

/**
 * Runs one mutation as one transaction: any failure rolls everything back, and a
 * constraint the database enforced comes back as a typed error naming the field.
 */
export async function runMutation<T>(ctx: Context, work: (tx: EntityManager, ctx: Context) => Promise<T>): Promise<T> {
  try {
    // loaders inside the transaction read through it and die with it
    return await withTransaction(ctx, (tx, txCtx) => work(tx, { ...txCtx, loaders: new LoaderRegistry() }));
  } catch (error) {
    throw translateDbError(error);
  }
}
