import { createHash, randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { DataSource, EntityManager } from 'typeorm';
import { SortDirection } from '../common/enums';
import { fetchPage } from '../db/list-query';
import { SqlParams } from '../db/sql';
import type { ConnectionResult, PageArgs } from '../graphql/connection';
import type { Context } from '../graphql/context';
import { BadInputError, ConflictError } from '../graphql/errors';
import { runMutation } from '../graphql/mutation';
import { decodeId } from '../graphql/node';
import { addUpdatedAfter, namedSortOf, NamedSort } from '../graphql/ordering';
import { ApiKey } from './api-key.entity';
import { ApiKeyFilter, ApiKeyOrder, ApiKeyOrderField } from './auth.types';
import { Actor, Role } from './roles';

/** Keys look like `ra_<32 random bytes, base64url>`; only their SHA-256 is stored. */
export const API_KEY_PREFIX = 'ra_';

/** What generateApiKey makes: the prefix and 32 bytes in base64url (43 characters). */
const API_KEY_SHAPE = /^ra_[A-Za-z0-9_-]{43}$/;

export function hashApiKey(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

export function generateApiKey(): { secret: string; prefix: string; hash: Buffer } {
  const secret = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { secret, prefix: secret.slice(0, API_KEY_PREFIX.length + 6), hash: hashApiKey(secret) };
}

/**
 * Runs key management done outside any request (CLI, demo start) in one transaction that the
 * audit trigger records under `actor` ("cli", "demo"), like a mutation's writes.
 */
export function auditedOutsideRequest<T>(ds: DataSource, actor: string, mutation: string, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  return ds.transaction(async (tx) => {
    await tx.query(
      `SELECT set_config('app.actor', $1, true), set_config('app.actor_role', 'SYSTEM', true), set_config('app.mutation', $2, true)`,
      [actor, mutation],
    );
    return work(tx);
  });
}

/** Creates a key outside any request (CLI, demo start): the secret is returned once. */
export async function issueApiKey(
  ds: DataSource,
  input: { name: string; role: Role; userId?: string | null; createdBy: string },
): Promise<{ apiKey: ApiKey; secret: string }> {
  const { secret, prefix, hash } = generateApiKey();
  const apiKey = await auditedOutsideRequest(ds, input.createdBy, 'createApiKey', (tx) => {
    const repo = tx.getRepository(ApiKey);
    return repo.save(
      repo.create({ name: input.name, role: input.role, userId: input.userId ?? null, prefix, keyHash: hash, createdBy: input.createdBy }),
    );
  });
  return { apiKey, secret };
}

export function createApiKey(ctx: Context, input: { name: string; role: Role; userId?: string | null }) {
  return runMutation(ctx, async (tx) => {
    const name = input.name.trim();
    if (!name) throw new BadInputError('input.name', 'must not be empty');
    const userId = input.userId ? decodeId('input.userId', 'User', input.userId) : null;
    const { secret, prefix, hash } = generateApiKey();
    const repo = tx.getRepository(ApiKey);
    const apiKey = await repo.save(
      repo.create({ name, role: input.role, userId, prefix, keyHash: hash, createdBy: ctx.actor?.id ?? 'system' }),
    );
    return { apiKey, secret };
  });
}

const KEY_ORDER: Record<ApiKeyOrderField, NamedSort> = {
  [ApiKeyOrderField.CREATED_AT]: { column: 't.created_at', name: 'createdAt' },
  [ApiKeyOrderField.UPDATED_AT]: { column: 't.updated_at', name: 'updatedAt' },
};

/** API keys, newest first (by id, the cursors' order before orderBy existed) unless told otherwise. */
export function listApiKeys(ctx: Context, filter: ApiKeyFilter | undefined, order: ApiKeyOrder | undefined, page: PageArgs): Promise<ConnectionResult<ApiKey>> {
  const params = new SqlParams();
  const where: string[] = [];
  addUpdatedAfter(where, (v) => params.add(v), filter?.updatedAfter, 'filter.updatedAfter');
  const sort = namedSortOf(KEY_ORDER, order, { column: 't.id', name: 'id', direction: SortDirection.DESC });
  return fetchPage<ApiKey>(ctx, { entity: ApiKey, where, params, ...sort }, page);
}

/**
 * Bumped when a revocation commits in this process: every authenticator of the process then
 * checks its cached keys again, so the replica that revoked a key refuses it at once (other
 * replicas and the CLI's revocations wait out the cache time).
 */
let revocations = 0;

export async function revokeApiKey(ctx: Context, id: string): Promise<ApiKey> {
  const revoked = await runMutation(ctx, async (tx) => {
    const keyId = /^\d{1,18}$/.test(id) ? id : null;
    const apiKey = keyId ? await tx.getRepository(ApiKey).findOne({ where: { id: keyId }, lock: { mode: 'pessimistic_write' } }) : null;
    if (!apiKey) throw new BadInputError('input.id', `no API key with id "${id}"`);
    if (apiKey.revokedAt) throw new ConflictError('input.id', 'the key is already revoked');
    apiKey.revokedAt = new Date();
    return tx.getRepository(ApiKey).save(apiKey);
  });
  revocations++;
  return revoked;
}

interface CachedKey {
  actor: Actor | null;
  until: number;
  /** `revocations` when the answer was read. */
  revocations: number;
}

/**
 * Finds the caller of a key. Answers are cached for `ttlMs` per process so a busy client costs
 * no lookup per request; a revoked key is refused at the latest `ttlMs` later. `last_used_at`
 * is written at most once a minute per key.
 */
export class ApiKeyAuthenticator {
  /** Bounded by bytes: a 64-character key and a small answer each (about 400 bytes). */
  private readonly cache = new LRUCache<string, CachedKey>({ maxSize: 4_000_000, sizeCalculation: () => 400 });

  constructor(
    private readonly ds: DataSource,
    private readonly ttlMs = 10_000,
  ) {}

  async authenticate(secret: string): Promise<Actor | null> {
    // a credential that is not of the shape of our keys is no key: refused without a lookup
    if (!API_KEY_SHAPE.test(secret)) return null;
    const hash = hashApiKey(secret);
    const cacheKey = hash.toString('hex');
    const cached = this.cache.get(cacheKey);
    if (cached && cached.until > Date.now() && cached.revocations === revocations) return cached.actor;
    const seen = revocations;
    const [row] = (await this.ds.query(
      `SELECT id::text, role, user_id::text AS "userId",
              (last_used_at IS NULL OR last_used_at < now() - interval '1 minute') AS stale
         FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
      [hash],
    )) as { id: string; role: Role; userId: string | null; stale: boolean }[];
    if (row?.stale) {
      // bookkeeping only: a failure here must not fail the request
      void this.ds.query(`UPDATE api_keys SET last_used_at = now() WHERE id = $1`, [row.id]).catch(() => undefined);
    }
    const actor: Actor | null = row ? { kind: 'API_KEY', id: `key:${row.id}`, role: row.role, userId: row.userId } : null;
    this.cache.set(cacheKey, { actor, until: Date.now() + this.ttlMs, revocations: seen });
    return actor;
  }

  /** Drops cached answers. */
  forget(): void {
    this.cache.clear();
  }
}
