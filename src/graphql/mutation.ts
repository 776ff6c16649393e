import type { EntityManager } from 'typeorm';
import { translateDbError, withExistingId } from '../db/db-errors';
import { withTransaction } from '../db/with-transaction';
import type { Context } from './context';
import { LoaderRegistry } from './loaders';

const commits = Symbol('commits');

/** How many mutation transactions of one request committed (see trackCommits). */
export interface CommitCount {
  committed: number;
  /**
   * Runs first in the request's first mutation transaction that commits (the Idempotency-Key's
   * claim): what it writes commits, or dies, with that mutation.
   */
  claim?: (tx: EntityManager) => Promise<void>;
  claimed?: boolean;
}

type Tracked = Context & { [commits]?: CommitCount };

/**
 * Starts counting the commits of a request's mutations, so the HTTP layer knows whether a failed
 * request changed anything (a retry must not run again what committed). Copies of the context
 * share the count.
 */
export function trackCommits(ctx: Context, claim?: (tx: EntityManager) => Promise<void>): CommitCount {
  const count: CommitCount = { committed: 0, ...(claim ? { claim, claimed: false } : {}) };
  (ctx as Tracked)[commits] = count;
  return count;
}

/**
 * Runs one mutation as one transaction: any failure rolls everything back, and a
 * constraint the database enforced comes back as a typed error naming the field.
 * The caller and the mutation are handed to the audit trigger of every row it writes.
 */
export async function runMutation<T>(ctx: Context, work: (tx: EntityManager, ctx: Context) => Promise<T>): Promise<T> {
  const count = (ctx as Tracked)[commits];
  try {
    const result = await withTransaction(ctx, async (tx, txCtx) => {
      if (!ctx.tx) {
        await tx.query(
          `SELECT set_config('app.actor', $1, true), set_config('app.actor_role', $2, true),
                  set_config('app.mutation', $3, true), set_config('app.request_id', $4, true)`,
          [ctx.actor?.id ?? 'system', ctx.actor?.role ?? 'SYSTEM', ctx.mutation ?? 'unknown', ctx.requestId ?? ''],
        );
        if (count?.claim && !count.claimed) await count.claim(tx);
      }
      // loaders inside the transaction read through it and die with it
      return work(tx, { ...txCtx, loaders: new LoaderRegistry() });
    });
    if (count && !ctx.tx) {
      count.committed++;
      count.claimed = true;
    }
    return result;
  } catch (error) {
    const translated = translateDbError(error);
    // the outermost mutation names the row a taken unique key belongs to, once its transaction is gone
    throw ctx.tx ? translated : await withExistingId(ctx.ds, translated);
  }
}
