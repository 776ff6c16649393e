import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashApiKey, issueApiKey } from '../../src/auth/api-key.service';
import { Role } from '../../src/auth/roles';
import { loadConfig } from '../../src/config';
import { demoKeysFile, ensureDemoKeys, revokeDemoKeys } from '../../src/seed/seed-on-start';
import { createTestDatabase, TestDatabase } from '../helpers/db';

/*
 * Demo data and demo keys are the embedded demo's: SEED_DEMO is off by default with DATABASE_URL
 * or NODE_ENV=production, and the demo's keys stay the same across restarts (kept in a 0600 file)
 * so a key a newcomer saved keeps working.
 */

describe('SEED_DEMO default', () => {
  const NAMES = ['SEED_DEMO', 'DATABASE_URL', 'NODE_ENV'] as const;
  const saved: Record<string, string | undefined> = {};
  beforeEach(() => {
    for (const name of NAMES) {
      saved[name] = process.env[name];
      delete process.env[name];
    }
  });
  afterEach(() => {
    for (const name of NAMES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  it('is on for the embedded demo only', () => {
    expect(loadConfig().seedDemo).toBe(true);
    process.env.DATABASE_URL = 'postgres://app@db.internal:5432/revenue';
    expect(loadConfig().seedDemo).toBe(false);
    delete process.env.DATABASE_URL;
    process.env.NODE_ENV = 'production';
    expect(loadConfig().seedDemo).toBe(false);
  });

  it('follows SEED_DEMO when it is set', () => {
    process.env.DATABASE_URL = 'postgres://app@db.internal:5432/revenue';
    process.env.NODE_ENV = 'production';
    process.env.SEED_DEMO = 'true';
    expect(loadConfig().seedDemo).toBe(true);
    delete process.env.DATABASE_URL;
    delete process.env.NODE_ENV;
    process.env.SEED_DEMO = 'false';
    expect(loadConfig().seedDemo).toBe(false);
  });
});

describe('demo keys', () => {
  let db: TestDatabase;
  let other: TestDatabase | undefined;
  let dir: string;
  let file: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'ra-demo-keys-'));
    file = demoKeysFile(join(dir, '.data', 'postgres'));
  });
  afterAll(async () => {
    await db?.drop();
    await other?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Unrevoked demo keys per role. */
  const liveDemoKeys = () =>
    db.sql<{ role: string; n: number }>(`SELECT role, count(*)::int AS n FROM api_keys WHERE created_by = 'demo' AND revoked_at IS NULL GROUP BY role ORDER BY role`);
  const works = async (secret: string) =>
    (await db.sql(`SELECT 1 FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`, [hashApiKey(secret)])).length === 1;

  it('are kept beside the data folder, readable by their owner only', async () => {
    expect(file).toBe(join(dir, '.data', 'demo-keys.json'));
    const first = await ensureDemoKeys(db.ds, file);
    expect(first.issued.sort()).toEqual(Object.values(Role).sort());
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { keys: Record<string, string> };
    expect(stored.keys).toEqual(first.keys);
    for (const secret of Object.values(first.keys)) expect(await works(secret)).toBe(true);
  });

  it('are the same at the next start', async () => {
    const before = JSON.parse(readFileSync(file, 'utf8')) as { keys: Record<string, string> };
    const again = await ensureDemoKeys(db.ds, file);
    expect(again.issued).toEqual([]);
    expect(again.keys).toEqual(before.keys);
    expect((await liveDemoKeys()).every((r) => r.n === 1)).toBe(true);
  });

  it('replace a stored key that was revoked, and only that one; other demo keys are revoked', async () => {
    const before = (await ensureDemoKeys(db.ds, file)).keys;
    await db.sql(`UPDATE api_keys SET revoked_at = now() WHERE key_hash = $1`, [hashApiKey(before.ADMIN)]);
    // a demo key of an earlier start that is not in the file (the old code issued new ones each time)
    const stray = await issueApiKey(db.ds, { name: 'demo sales', role: Role.SALES, createdBy: 'demo' });
    chmodSync(file, 0o644);

    const after = await ensureDemoKeys(db.ds, file);
    expect(after.issued).toEqual([Role.ADMIN]);
    expect(after.keys.ADMIN).not.toBe(before.ADMIN);
    for (const role of Object.values(Role).filter((r) => r !== Role.ADMIN)) expect(after.keys[role]).toBe(before[role]);
    expect(await works(after.keys.ADMIN)).toBe(true);
    expect(await works(before.ADMIN)).toBe(false);
    expect(await works(stray.secret)).toBe(false);
    expect(await liveDemoKeys()).toEqual(Object.values(Role).sort().map((role) => ({ role, n: 1 })));
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('are issued anew when the database was reset', async () => {
    other = await createTestDatabase();
    const before = (await ensureDemoKeys(db.ds, file)).keys;
    const fresh = await ensureDemoKeys(other.ds, file);
    expect(fresh.issued.sort()).toEqual(Object.values(Role).sort());
    for (const role of Object.values(Role)) expect(fresh.keys[role]).not.toBe(before[role]);
  });

  it('all stop working outside the demo', async () => {
    const { keys } = await ensureDemoKeys(db.ds, file);
    expect(await revokeDemoKeys(db.ds)).toBe(Object.values(Role).length);
    for (const secret of Object.values(keys)) expect(await works(secret)).toBe(false);
    expect(await revokeDemoKeys(db.ds)).toBe(0);
    // the revocations are in the audit log, under the demo's name
    const audit = await db.sql<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE actor = 'demo' AND mutation = 'revokeApiKey'`);
    expect(audit[0]!.n).toBeGreaterThanOrEqual(Object.values(Role).length);
  });
});
