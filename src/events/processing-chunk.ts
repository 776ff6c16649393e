import type { EntityManager } from 'typeorm';
import * as S from './processing-sql';

/** What one chunk did. */
export interface ChunkResult {
  /** Events placed (claimed pending ones, or the ones placed again). */
  events: number;
  /** Earlier events that joined a lead through an identification of this chunk. */
  stitched: number;
  /** Touchpoints the chunk's events are (made, kept or moved). */
  touchpoints: number;
  /** The highest id of the chunk's events (where the next chunk of a run starts), null when none. */
  lastId: string | null;
}

interface Flags {
  events: number;
  emails: boolean | null;
  pairs: boolean | null;
  aliases: boolean | null;
  groups: boolean | null;
  conversions: boolean | null;
  again: boolean | null;
  catch_alls: boolean | null;
}

/** The pending events after `after` (an id; '0': from the oldest), given events again, or no events but the catch-up's stitching. */
export type Claim = { pending: number; after?: string } | { ids: readonly string[] } | { catchUpSeconds: number };

async function rows<T>(tx: EntityManager, text: string, params: unknown[] = []): Promise<T[]> {
  return (await tx.query(text, params)) as T[];
}

/** RETURNING rows of an INSERT or UPDATE through TypeORM: [rows, count] for UPDATE, rows for INSERT. */
async function returned(tx: EntityManager, text: string, params: unknown[], column: string): Promise<string[]> {
  const result = (await tx.query(text, params)) as unknown;
  const list = Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number' ? result[0] : result;
  return (list as Record<string, string>[]).map((r) => r[column]!).filter((v) => v !== undefined);
}

/** Runs the claim of pending events alone among the processor's loops (see EventProcessor). */
export type ClaimGate = <T>(claim: () => Promise<T>) => Promise<T>;
const ungated: ClaimGate = (claim) => claim();

/**
 * Processes one chunk in the caller's transaction (docs/events.md): the pending events
 * oldest first ({ pending: n }), given processed events again ({ ids }: a rule changed), or no
 * events but the stitching of the persons identified in the last seconds ({ catchUpSeconds }: what
 * a concurrent chunk may have left anonymous). Every step is one statement over the whole chunk.
 */
export async function processChunk(tx: EntityManager, claim: Claim, lookbackDays: number, gate: ClaimGate = ungated): Promise<ChunkResult> {
  // a transaction may process several chunks (a rule change placing many events again)
  await tx.query(`DROP TABLE IF EXISTS ev_chunk`);
  await tx.query(S.CREATE_CHUNK);
  const linkedAnonymous = new Set<string>();
  const linkedUsers = new Set<string>();
  let flags: Flags | undefined;
  if ('catchUpSeconds' in claim) {
    const [recent] = await rows<{ anonymous: string[]; users: string[] }>(tx, S.RECENT_LINKS, [claim.catchUpSeconds]);
    for (const a of recent?.anonymous ?? []) linkedAnonymous.add(a);
    for (const u of recent?.users ?? []) linkedUsers.add(u);
  } else {
    if ('pending' in claim) await gate(() => tx.query(S.fillChunk(S.CLAIM_PENDING), [claim.pending, claim.after ?? '0']));
    else await tx.query(S.fillChunk(S.CLAIM_IDS), [claim.ids]);
    // statistics of the columns the joins read: a temporary table has none, and plans made
    // without them join the chunk with itself row by row
    await tx.query(`ANALYZE ev_chunk (id, mode, type, anonymous_id, user_id)`);
    [flags] = await rows<Flags>(tx, S.CHUNK_FLAGS);
  }
  if (flags && flags.events > 0) {
    await identify(tx, flags, linkedAnonymous, linkedUsers);
    if (flags.conversions) await tx.query(S.SESSIONS, [lookbackDays]);
    if (flags.catch_alls || flags.conversions) {
      await tx.query(S.CREATE_CATCH_ALLS);
      await tx.query(S.USE_CATCH_ALLS);
    }
    await tx.query(S.RESOLVE, [lookbackDays]);
    if (flags.groups) {
      await tx.query(S.RECORD_GROUPS);
      await tx.query(S.GROUP_LEADS);
      await tx.query(S.GROUP_ANONYMOUS);
    }
  }
  if (linkedAnonymous.size > 0) await tx.query(S.ACCOUNTS_FROM_GROUPS, [[...linkedAnonymous]]);
  if (linkedAnonymous.size > 0 || linkedUsers.size > 0) {
    await tx.query(S.STITCH, [lookbackDays, [...linkedAnonymous], [...linkedUsers]]);
  }
  const [counts] = await rows<ChunkResult>(tx, S.CHUNK_COUNTS);
  if (!counts || counts.events + counts.stitched === 0) return { events: 0, stitched: 0, touchpoints: 0, lastId: null };
  await tx.query(S.UPSERT_TOUCHPOINTS);
  if (flags?.again) await tx.query(S.DROP_TOUCHPOINTS);
  await tx.query(S.WRITE_BACK);
  return counts;
}

/** The identity statements the chunk needs: leads by email, userIds, aliases, anonymous ids. */
async function identify(tx: EntityManager, flags: Flags, linkedAnonymous: Set<string>, linkedUsers: Set<string>): Promise<void> {
  if (flags.emails) {
    await tx.query(S.CREATE_LEADS);
    await tx.query(S.EMAIL_LEADS);
    for (const u of await returned(tx, S.LINK_USERS, [], 'user_id')) linkedUsers.add(u);
  }
  if (flags.aliases) {
    await tx.query(S.RECORD_ALIASES);
    for (const u of await returned(tx, S.LINK_ALIASED_USERS, [], 'user_id')) linkedUsers.add(u);
  }
  if (flags.emails || flags.pairs || flags.aliases) {
    for (const a of await returned(tx, S.LINK_ANONYMOUS, [], 'anonymous_id')) linkedAnonymous.add(a);
  }
  if (linkedUsers.size > 0) {
    for (const a of await returned(tx, S.LINK_ANONYMOUS_BY_USER, [[...linkedUsers]], 'anonymous_id')) linkedAnonymous.add(a);
  }
}
