import { Account } from '../accounts/account.entity';
import { managerOf } from '../db/with-transaction';
import type { Context } from '../graphql/context';
import { BadInputError } from '../graphql/errors';
import { runMutation } from '../graphql/mutation';
import { settleAutomaticMql } from './auto-mql.service';
import { decodeId } from '../graphql/node';
import { lockForUpdate } from '../graphql/versioned';
import { Lead } from '../leads/lead.entity';
import type { AttributeInput } from './attributes.types';
import { AttributeType } from './policy.types';
import { typedValueJsonText, typedValueOf } from './policy-store';

/** At most this many custom attributes per lead or account. */
export const MAX_ATTRIBUTES = 200;

export interface StoredAttribute {
  key: string;
  type: AttributeType;
  value: string;
}

/** Checks a key (1–100 characters) named by `field`. */
export function checkAttributeKey(field: string, key: string): void {
  if (key.length < 1 || key.length > 100) throw new BadInputError(field, 'a key has 1 to 100 characters');
}

/** The JSON object text of attributes to set (values checked, exact numbers), or the error naming the field. */
export function attributesJsonText(set: readonly AttributeInput[], remove: readonly string[]): string {
  const seen = new Set<string>();
  const entries = set.map((a, i) => {
    checkAttributeKey(`input.set[${i}].key`, a.key);
    if (seen.has(a.key)) throw new BadInputError(`input.set[${i}].key`, `"${a.key}" is set twice`);
    seen.add(a.key);
    return `${JSON.stringify(a.key)}:${typedValueJsonText(`input.set[${i}]`, { type: a.type, value: a.value })}`;
  });
  remove.forEach((key, i) => {
    checkAttributeKey(`input.remove[${i}]`, key);
    if (seen.has(key)) throw new BadInputError(`input.remove[${i}]`, `"${key}" is also set`);
  });
  return `{${entries.join(',')}}`;
}

type Target = { entity: typeof Lead | typeof Account; table: 'leads' | 'accounts'; typeName: 'Lead' | 'Account'; idField: string; label: string };
const TARGETS: Record<'lead' | 'account', Target> = {
  lead: { entity: Lead, table: 'leads', typeName: 'Lead', idField: 'input.leadId', label: 'lead' },
  account: { entity: Account, table: 'accounts', typeName: 'Account', idField: 'input.accountId', label: 'account' },
};

/**
 * Sets and removes custom attributes of one lead or account, in one transaction (audited like
 * every mutation: the row's before and after); a map left as it was writes nothing.
 */
export function setAttributes<T extends Lead | Account>(
  ctx: Context,
  kind: 'lead' | 'account',
  input: { id: string; version?: number | null; set: AttributeInput[]; remove: string[] },
): Promise<T> {
  const target = TARGETS[kind];
  return runMutation(ctx, async (tx) => {
    const id = decodeId(target.idField, target.typeName, input.id);
    const json = attributesJsonText(input.set, input.remove);
    await lockForUpdate(tx, target.entity as typeof Lead, target.typeName, target.idField, id, input.version);
    const [{ n }] = (await tx.query(
      `SELECT count(*)::int AS n FROM ${target.table} t, jsonb_object_keys((t.attributes - $2::text[]) || $3::jsonb) WHERE t.id = $1`,
      [id, input.remove, json],
    )) as [{ n: number }];
    if (n > MAX_ATTRIBUTES) throw new BadInputError('input.set', `a ${target.label} has at most ${MAX_ATTRIBUTES} attributes; this would make ${n}`);
    await tx.query(
      `UPDATE ${target.table} t SET attributes = (t.attributes - $2::text[]) || $3::jsonb, version = t.version + 1
        WHERE t.id = $1 AND t.attributes IS DISTINCT FROM (t.attributes - $2::text[]) || $3::jsonb`,
      [id, input.remove, json],
    );
    // a change of attributes can qualify leads (automatic MQL): return them as stored
    if (!ctx.tx) await settleAutomaticMql(tx);
    const row = await tx.getRepository(target.entity as typeof Lead).findOneBy({ id });
    return row as unknown as T;
  });
}

/** The attributes of leads or accounts by id, keys in byte order: one statement for all (values as exact text). */
export function attributesLoader(ctx: Context, table: 'leads' | 'accounts') {
  return ctx.loaders.get<string, StoredAttribute[]>(`${table}:attributes`, async (ids) => {
    const rows = (await managerOf(ctx).query(
      `SELECT t.id::text AS id, e.key, jsonb_typeof(e.value) AS type, e.value #>> '{}' AS value
         FROM ${table} t CROSS JOIN LATERAL jsonb_each(t.attributes) e
        WHERE t.id = ANY ($1::bigint[]) ORDER BY t.id, e.key COLLATE "C"`,
      [ids],
    )) as { id: string; key: string; type: string; value: string }[];
    const byId = new Map<string, StoredAttribute[]>();
    for (const r of rows) {
      const list = byId.get(r.id) ?? [];
      list.push({ key: r.key, ...typedValueOf(r.type, r.value) });
      byId.set(r.id, list);
    }
    return ids.map((id) => byId.get(id) ?? []);
  });
}
