import { DataSource, EntityManager } from 'typeorm';

export interface DbContext {
  /** The primary: every write, and the reads of a mutation. */
  ds: DataSource;
  /** Where reads outside a transaction go: a read replica (DATABASE_READ_URL), or the primary. */
  readDs?: DataSource;
  /** Set while a mutation's transaction is open; nested calls reuse it. */
  tx?: EntityManager;
}

/** Runs `work` in one transaction, or inside the caller's if one is already open. */
export async function withTransaction<C extends DbContext, T>(ctx: C, work: (tx: EntityManager, ctx: C) => Promise<T>): Promise<T> {
  if (ctx.tx) return work(ctx.tx, ctx);
  return ctx.ds.transaction('READ COMMITTED', (tx) => work(tx, { ...ctx, tx }));
}

/** The manager to read with: the open transaction's, else the read replica's (or the primary's). */
export function managerOf(ctx: DbContext): EntityManager {
  return ctx.tx ?? (ctx.readDs ?? ctx.ds).manager;
}
