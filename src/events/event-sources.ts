import { createHash, randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { DataSource } from 'typeorm';
import { auditedOutsideRequest } from '../auth/api-key.service';
import { fetchPage } from '../db/list-query';
import { SqlParams } from '../db/sql';
import type { ConnectionResult, PageArgs } from '../graphql/connection';
import type { Context } from '../graphql/context';
import { BadInputError, ConflictError } from '../graphql/errors';
import { runMutation } from '../graphql/mutation';
import { EventSource } from './event-source.entity';

/**
 * Write keys look like `wk_<32 random bytes, base64url>`; only their SHA-256 is stored. The
 * prefix tells them from API keys (`ra_`) at a glance, in logs and in a leaked-secret scanner.
 */
export const WRITE_KEY_PREFIX = 'wk_';

/** What generateWriteKey makes: the prefix and 32 bytes in base64url (43 characters). */
export const WRITE_KEY_SHAPE = /^wk_[A-Za-z0-9_-]{43}$/;

export function hashWriteKey(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

export function generateWriteKey(): { secret: string; prefix: string; hash: Buffer } {
  const secret = `${WRITE_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { secret, prefix: secret.slice(0, WRITE_KEY_PREFIX.length + 6), hash: hashWriteKey(secret) };
}

function checkedName(field: string, raw: string): string {
  const name = raw.trim();
  if (!name) throw new BadInputError(field, 'must not be empty');
  if (name.length > 200) throw new BadInputError(field, 'must be at most 200 characters');
  return name;
}

/** Creates a source outside any request (CLI, tests, bench): the write key is returned once. */
export async function issueEventSource(ds: DataSource, input: { name: string; createdBy: string }): Promise<{ eventSource: EventSource; writeKey: string }> {
  const name = checkedName('name', input.name);
  const { secret, prefix, hash } = generateWriteKey();
  const eventSource = await auditedOutsideRequest(ds, input.createdBy, 'createEventSource', (tx) => {
    const repo = tx.getRepository(EventSource);
    return repo.save(repo.create({ name, prefix, keyHash: hash, createdBy: input.createdBy }));
  });
  return { eventSource, writeKey: secret };
}

export function createEventSource(ctx: Context, input: { name: string }): Promise<{ eventSource: EventSource; writeKey: string }> {
  return runMutation(ctx, async (tx) => {
    const name = checkedName('input.name', input.name);
    const { secret, prefix, hash } = generateWriteKey();
    const repo = tx.getRepository(EventSource);
    const eventSource = await repo.save(repo.create({ name, prefix, keyHash: hash, createdBy: ctx.actor?.id ?? 'system' }));
    return { eventSource, writeKey: secret };
  });
}

/** Event sources, newest first. */
export function listEventSources(ctx: Context, page: PageArgs): Promise<ConnectionResult<EventSource>> {
  return fetchPage<EventSource>(ctx, { entity: EventSource, where: [], params: new SqlParams(), sortName: 'id:DESC', sortColumn: 't.id', direction: 'DESC' }, page);
}

/**
 * Bumped when a revocation commits in this process: every authenticator of the process then
 * reads its cached keys again, so the replica that revoked a source refuses its key at once
 * (other replicas and the CLI's revocations wait out the cache time).
 */
let revocations = 0;

export async function revokeEventSource(ctx: Context, id: string): Promise<EventSource> {
  const revoked = await runMutation(ctx, async (tx) => {
    const sourceId = /^\d{1,18}$/.test(id) ? id : null;
    const repo = tx.getRepository(EventSource);
    const source = sourceId ? await repo.findOne({ where: { id: sourceId }, lock: { mode: 'pessimistic_write' } }) : null;
    if (!source) throw new BadInputError('input.id', `no event source with id "${id}"`);
    if (source.revokedAt) throw new ConflictError('input.id', 'the event source is already revoked');
    source.revokedAt = new Date();
    return repo.save(source);
  });
  revocations++;
  return revoked;
}

/** The source a write key sends for. */
export interface WriteKeyCaller {
  sourceId: string;
}

interface CachedSource {
  source: WriteKeyCaller | null;
  until: number;
  revocations: number;
}

/**
 * Finds the source of a write key. Answers (refusals too) are cached for `ttlMs` per process,
 * bounded by bytes, so a busy sender costs no lookup per request; a revoked key is refused at
 * the latest `ttlMs` later (at once in the process that revoked it). `last_used_at` is written
 * at most once a minute per source.
 */
export class WriteKeyAuthenticator {
  /** A 64-character hash and a small answer each (about 300 bytes). */
  private readonly cache = new LRUCache<string, CachedSource>({ maxSize: 2_000_000, sizeCalculation: () => 300 });

  constructor(
    private readonly ds: DataSource,
    private readonly ttlMs = 10_000,
  ) {}

  async authenticate(secret: string): Promise<WriteKeyCaller | null> {
    // a credential that is not of the shape of our write keys is none: refused without a lookup
    if (!WRITE_KEY_SHAPE.test(secret)) return null;
    const hash = hashWriteKey(secret);
    const cacheKey = hash.toString('hex');
    const cached = this.cache.get(cacheKey);
    if (cached && cached.until > Date.now() && cached.revocations === revocations) return cached.source;
    const seen = revocations;
    const [row] = (await this.ds.query(
      `SELECT id::text, (last_used_at IS NULL OR last_used_at < now() - interval '1 minute') AS stale
         FROM event_sources WHERE key_hash = $1 AND revoked_at IS NULL`,
      [hash],
    )) as { id: string; stale: boolean }[];
    if (row?.stale) {
      // bookkeeping only: a failure here must not fail the request
      void this.ds.query(`UPDATE event_sources SET last_used_at = now() WHERE id = $1`, [row.id]).catch(() => undefined);
    }
    const source = row ? { sourceId: row.id } : null;
    this.cache.set(cacheKey, { source, until: Date.now() + this.ttlMs, revocations: seen });
    return source;
  }
}
