import { createHash } from 'node:crypto';
import { GraphQLError, parse } from 'graphql';
import type { DataSource, EntityManager } from 'typeorm';

/** What the HTTP layer sends back. */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type IdempotencyDecision =
  | {
      kind: 'execute';
      /** Claims the key inside the first mutation's transaction; throws IdempotencyRace when another request has it. */
      claim: (tx: EntityManager) => Promise<void>;
      /** Keeps the response of a request that committed (its claim is in the database). */
      finish: (response: StoredResponse) => Promise<void>;
      /** Keeps the response of a request that committed nothing but was answered (a refusal). */
      keepRefusal: (response: StoredResponse) => Promise<void>;
    }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'conflict'; reason: string; code: 'CONFLICT' | 'ALREADY_APPLIED'; retryAfterSeconds?: number };

/** Another request with the same key got there first (it is running, or has committed). */
export class IdempotencyRace extends GraphQLError {
  constructor() {
    super('a request with this Idempotency-Key is being applied; retry later', { extensions: { code: 'CONFLICT' } });
  }
}


export const IDEMPOTENCY_TTL_HOURS = 24;

/** Whether the request body holds a mutation (only mutations are made idempotent). */
export function isMutationRequest(body: unknown): boolean {
  const query = (body as { query?: unknown } | null)?.query;
  if (typeof query !== 'string') return false;
  try {
    const doc = parse(query, { noLocation: true, maxTokens: 10_000 });
    const name = (body as { operationName?: unknown }).operationName;
    const ops = doc.definitions.filter((d) => d.kind === 'OperationDefinition');
    const op = ops.find((d) => typeof name !== 'string' || d.name?.value === name) ?? ops[0];
    return op?.operation === 'mutation';
  } catch {
    return false;
  }
}

function requestHash(body: unknown): string {
  const { query, variables, operationName } = (body ?? {}) as Record<string, unknown>;
  return createHash('sha256').update(JSON.stringify([query, variables ?? null, operationName ?? null])).digest('hex');
}

/**
 * `Idempotency-Key` for mutations: the first request with a key runs, and its response is kept;
 * a retry with the same key and the same request gets that response again without running
 * anything; the same key with another request is a conflict. Keys live 24 hours.
 *
 * The key is claimed inside the first mutation's own transaction (a row, and a transaction-level
 * advisory lock that says "running"): if the API or PostgreSQL dies before the commit, the claim
 * dies with the transaction and a retry runs. A retry while the first still runs is a conflict
 * (409, retry later). Were the process to die in the instant between the commit and keeping the
 * response, the retry is told, after `responseGraceSeconds`, that the request was applied and its
 * response is lost (409 ALREADY_APPLIED): it never runs twice.
 */
export class IdempotencyStore {
  /** `responseGraceSeconds`: how long after its claim a committed request's response may still be on its way. */
  constructor(
    private readonly ds: DataSource,
    private readonly responseGraceSeconds = 10,
  ) {}

  async begin(actor: string, key: string, body: unknown): Promise<IdempotencyDecision> {
    const hash = requestHash(body);
    await this.ds.query(
      `DELETE FROM idempotency_keys WHERE actor = $1 AND key = $2 AND created_at < now() - make_interval(hours => $3)`,
      [actor, key, IDEMPOTENCY_TTL_HOURS],
    );
    const [row] = (await this.ds.query(
      `SELECT request_hash AS hash, status, response,
              created_at < now() - make_interval(secs => $3) AS "responseLost",
              NOT pg_try_advisory_xact_lock(hashtextextended(length($1)::text || ':' || $1 || $2, 0)) AS running
         FROM (SELECT 1) one LEFT JOIN idempotency_keys ON actor = $1 AND key = $2`,
      [actor, key, this.responseGraceSeconds],
    )) as { hash: string | null; status: string | null; response: StoredResponse | null; responseLost: boolean | null; running: boolean }[];
    const inProgress = { kind: 'conflict', code: 'CONFLICT', retryAfterSeconds: 1, reason: 'a request with this Idempotency-Key is still in progress; retry later' } as const;
    if (row?.hash == null) {
      if (row?.running) return inProgress;
      return {
        kind: 'execute',
        claim: async (tx) => {
          const [lock] = (await tx.query(`SELECT pg_try_advisory_xact_lock(hashtextextended(length($1)::text || ':' || $1 || $2, 0)) AS held`, [actor, key])) as {
            held: boolean;
          }[];
          if (!lock?.held) throw new IdempotencyRace();
          const claimed = (await tx.query(
            `INSERT INTO idempotency_keys (actor, key, request_hash, status) VALUES ($1, $2, $3, 'PENDING')
             ON CONFLICT DO NOTHING RETURNING key`,
            [actor, key, hash],
          )) as unknown[];
          if (claimed.length !== 1) throw new IdempotencyRace();
        },
        finish: async (response) => {
          await this.ds.query(`UPDATE idempotency_keys SET status = 'DONE', response = $3 WHERE actor = $1 AND key = $2`, [
            actor,
            key,
            JSON.stringify(response),
          ]);
        },
        keepRefusal: async (response) => {
          await this.ds.query(
            `INSERT INTO idempotency_keys (actor, key, request_hash, status, response) VALUES ($1, $2, $3, 'DONE', $4)
             ON CONFLICT DO NOTHING`,
            [actor, key, hash, JSON.stringify(response)],
          );
        },
      };
    }
    if (row.hash !== hash) return { kind: 'conflict', code: 'CONFLICT', reason: 'this Idempotency-Key was used with a different request' };
    if (row.status === 'DONE' && row.response) return { kind: 'replay', response: row.response };
    if (row.running || !row.responseLost) return inProgress;
    return {
      kind: 'conflict',
      code: 'ALREADY_APPLIED',
      reason: 'the request with this Idempotency-Key was applied, but its response was lost when the service stopped; it will not run again',
    };
  }

  /** Drops keys past their 24 hours (run periodically). */
  async purgeExpired(): Promise<void> {
    await this.ds.query(`DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)`, [IDEMPOTENCY_TTL_HOURS]);
  }
}
