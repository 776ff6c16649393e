import { createHash } from 'node:crypto';
import { parse } from 'graphql';
import type { DataSource } from 'typeorm';

/** What the HTTP layer sends back. */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type IdempotencyDecision =
  | { kind: 'execute'; finish: (response: StoredResponse) => Promise<void>; abandon: () => Promise<void> }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'conflict'; reason: string };

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
 * `Idempotency-Key` for mutations: the first request with a key claims it and its response
 * is kept; a retry with the same key and the same request gets that response again without
 * running anything; the same key with another request is a conflict. A key whose first
 * request is still running is a conflict too (retry later). Keys live 24 hours.
 */
export class IdempotencyStore {
  constructor(private readonly ds: DataSource) {}

  async begin(actor: string, key: string, body: unknown): Promise<IdempotencyDecision> {
    const hash = requestHash(body);
    await this.ds.query(
      `DELETE FROM idempotency_keys WHERE actor = $1 AND key = $2 AND created_at < now() - make_interval(hours => $3)`,
      [actor, key, IDEMPOTENCY_TTL_HOURS],
    );
    const claimed = (await this.ds.query(
      `INSERT INTO idempotency_keys (actor, key, request_hash, status) VALUES ($1, $2, $3, 'PENDING')
       ON CONFLICT DO NOTHING RETURNING key`,
      [actor, key, hash],
    )) as unknown[];
    if (claimed.length === 1) {
      return {
        kind: 'execute',
        finish: async (response) => {
          await this.ds.query(`UPDATE idempotency_keys SET status = 'DONE', response = $3 WHERE actor = $1 AND key = $2`, [
            actor,
            key,
            JSON.stringify(response),
          ]);
        },
        // the request failed before any response worth keeping (server error): let a retry run
        abandon: async () => {
          await this.ds.query(`DELETE FROM idempotency_keys WHERE actor = $1 AND key = $2 AND status = 'PENDING'`, [actor, key]);
        },
      };
    }
    const [row] = (await this.ds.query(
      `SELECT request_hash AS hash, status, response FROM idempotency_keys WHERE actor = $1 AND key = $2`,
      [actor, key],
    )) as { hash: string; status: string; response: StoredResponse | null }[];
    if (!row) return this.begin(actor, key, body); // expired between the two statements
    if (row.hash !== hash) return { kind: 'conflict', reason: 'this Idempotency-Key was used with a different request' };
    if (row.status !== 'DONE' || !row.response) {
      return { kind: 'conflict', reason: 'a request with this Idempotency-Key is still in progress; retry later' };
    }
    return { kind: 'replay', response: row.response };
  }

  /** Drops keys past their 24 hours (run periodically). */
  async purgeExpired(): Promise<void> {
    await this.ds.query(`DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)`, [IDEMPOTENCY_TTL_HOURS]);
  }
}
