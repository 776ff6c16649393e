import { createHmac, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';

/**
 * The key of the email pseudonyms ANALYST callers and the `bi` views read, in this order:
 * PII_PSEUDONYM_KEY when set (store it in the database too, `npm run bi-role -- sync-key`, so the
 * views compute the same pseudonyms); else the database's own key (table pseudonym_key, made at
 * migration time), the same for every replica and restart and for the `bi` views; else (no
 * database at hand) a random key of this process.
 */
const PROCESS_KEY = randomBytes(32).toString('hex');
const keyOfDatabase = new WeakMap<DataSource, Promise<string>>();

export function pseudonymKeyOf(ds: DataSource | undefined): string | Promise<string> {
  const fromEnv = process.env.PII_PSEUDONYM_KEY;
  if (fromEnv) return fromEnv;
  if (!ds) return PROCESS_KEY;
  let key = keyOfDatabase.get(ds);
  if (!key) {
    key = (ds.query(`SELECT key FROM pseudonym_key`) as Promise<{ key: string }[]>).then((rows) => {
      const stored = rows[0]?.key;
      if (!stored) throw new Error('the pseudonym key is missing (table pseudonym_key is empty)');
      return stored;
    });
    // a failed read (database down) is tried again by the next request, never cached
    key.catch(() => keyOfDatabase.delete(ds));
    keyOfDatabase.set(ds, key);
  }
  return key;
}

/**
 * The stable stand-in of an email: still shaped like one, so BI tools can join and count.
 * ASCII letters are lowercased (and only those: the bi views do the same in SQL, whatever the
 * database's locale), then HMAC-SHA256 under the key, first 16 hex digits.
 */
export function emailPseudonym(email: string, key: string): string {
  const folded = email.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
  const hash = createHmac('sha256', key).update(folded).digest('hex').slice(0, 16);
  return `redacted-${hash}@example.invalid`;
}

/** Stores `key` as the database's pseudonym key (what the `bi` views hash with); true when it changed. */
export async function storePseudonymKey(ds: DataSource, key: string): Promise<boolean> {
  if (!key) throw new Error('the pseudonym key must not be empty');
  const rows = (await ds.query(`UPDATE pseudonym_key SET key = $1 WHERE key IS DISTINCT FROM $1 RETURNING 1`, [key])) as [unknown[], number];
  keyOfDatabase.delete(ds);
  return rows[1] > 0;
}
