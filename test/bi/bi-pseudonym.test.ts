import type { Client } from 'pg';
import { Role } from '../../src/auth/roles';
import { emailPseudonym, storePseudonymKey } from '../../src/bi/pseudonym-key';
import { createTestApp, TestApp } from '../helpers/app';
import { gid } from '../helpers/core-fixtures';
import { BiLogins } from './bi-support';

const EMAIL = 'Key.Holder@Pseudonym.test';

describe('the pseudonym key: one for the API and the bi views', () => {
  let app: TestApp;
  let logins: BiLogins;
  let bi: Client;
  let leadId: string;
  let databaseKey: string;

  const apiEmail = async () =>
    (await app.ok<{ lead: { email: string } }>(`query($id: ID!) { lead(id: $id) { email } }`, { id: gid('Lead', leadId) }, Role.ANALYST)).lead.email;
  const biEmail = async () => (await bi.query<{ email: string }>(`SELECT email FROM bi.leads WHERE lead_id = $1`, [leadId])).rows[0]?.email;

  beforeAll(async () => {
    delete process.env.PII_PSEUDONYM_KEY;
    app = await createTestApp();
    logins = new BiLogins(app.db);
    [{ id: leadId }] = (await app.db.sql<{ id: string }>(`INSERT INTO leads (email) VALUES ($1) RETURNING id`, [EMAIL])) as [{ id: string }];
    [{ key: databaseKey }] = (await app.db.sql<{ key: string }>(`SELECT key FROM pseudonym_key`)) as [{ key: string }];
    bi = await logins.connect(await logins.create('key'));
  });
  afterAll(async () => {
    delete process.env.PII_PSEUDONYM_KEY;
    await logins?.dropAll();
    await app?.close();
  });

  it('is made at migration time, 64 hex digits from the server\'s random source', () => {
    expect(databaseKey).toMatch(/^[0-9a-f]{64}$/);
  });

  it('without PII_PSEUDONYM_KEY: the API hashes with the database\'s key, as the views do', async () => {
    const expected = emailPseudonym(EMAIL, databaseKey);
    expect(await apiEmail()).toBe(expected);
    expect(await biEmail()).toBe(expected);
  });

  it('computes HMAC-SHA256 in SQL exactly (RFC 4231 test case 2, and a key longer than a block)', async () => {
    try {
      await storePseudonymKey(app.db.ds, 'Jefe');
      const [{ mac }] = (await app.db.sql<{ mac: string }>(
        `SELECT encode(sha256(outer_pad || sha256(inner_pad || convert_to('what do ya want for nothing?', 'UTF8'))), 'hex') AS mac FROM pseudonym_key`,
      )) as [{ mac: string }];
      expect(mac).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
      const long = 'a-key-longer-than-the-64-byte-block-of-sha256-is-hashed-first-by-hmac-'.repeat(2);
      await storePseudonymKey(app.db.ds, long);
      expect(await biEmail()).toBe(emailPseudonym(EMAIL, long));
    } finally {
      await storePseudonymKey(app.db.ds, databaseKey);
    }
    expect(await biEmail()).toBe(emailPseudonym(EMAIL, databaseKey));
  });

  it('with PII_PSEUDONYM_KEY: the API uses it, and the views agree once it is stored (bi-role sync-key)', async () => {
    const envKey = 'operator-chosen key of the deployment';
    process.env.PII_PSEUDONYM_KEY = envKey;
    try {
      expect(await apiEmail()).toBe(emailPseudonym(EMAIL, envKey));
      expect(await biEmail()).not.toBe(await apiEmail());
      expect(await storePseudonymKey(app.db.ds, envKey)).toBe(true);
      expect(await storePseudonymKey(app.db.ds, envKey)).toBe(false); // stored already: nothing changes
      expect(await biEmail()).toBe(await apiEmail());
    } finally {
      delete process.env.PII_PSEUDONYM_KEY;
      await storePseudonymKey(app.db.ds, databaseKey);
    }
    expect(await apiEmail()).toBe(emailPseudonym(EMAIL, databaseKey));
  });

  it('lowercases ASCII letters only, on both sides, so case variants of an address share a pseudonym', async () => {
    expect(emailPseudonym('KEY.holder@PSEUDONYM.TEST', databaseKey)).toBe(emailPseudonym(EMAIL, databaseKey));
    expect(emailPseudonym('Ünal@x.test', databaseKey)).not.toBe(emailPseudonym('ünal@x.test', databaseKey));
  });
});
