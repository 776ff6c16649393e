import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImportCounts, importStream } from '../../src/imports/engine';
import { bundleFiles } from '../../src/imports/import.cli';
import { channelPerformance } from '../../src/metrics/performance.service';
import { writeDemoCsv } from '../../src/seed/demo-csv';
import { loadDemoDataWithDataSource } from '../../src/seed/load-demo';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { serviceContext, settings } from '../metrics/attribution-fixtures';

const DEMO = { size: { accounts: 30 }, seed: 4242, anchor: '2026-06-01T00:00:00Z' };
/** The tables the bundle fills (the demo's stage change history and agreements are not import kinds). */
const TABLES = ['users', 'accounts', 'campaigns', 'campaign_spend', 'leads', 'touchpoints', 'opportunities', 'opportunity_contacts', 'lead_feedback'];

async function rowCounts(db: TestDatabase): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TABLES) counts[table] = Number((await db.sql<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`))[0]?.n);
  return counts;
}

async function importBundle(db: TestDatabase, dir: string): Promise<Record<string, ImportCounts>> {
  const result: Record<string, ImportCounts> = {};
  for (const { kind, file } of bundleFiles(dir)) {
    const errors: string[] = [];
    result[kind] = await importStream(db.ds, createReadStream(file), { kind, format: 'csv', actor: 'test', actorRole: 'ADMIN' }, (e) => {
      errors.push(`${kind} line ${e.line} ${e.column ?? ''}: ${e.reason}`);
    });
    expect(errors.slice(0, 5)).toEqual([]);
  }
  return result;
}

describe('the demo data set as a CSV bundle', () => {
  let dir: string;
  let loaded: TestDatabase;
  let imported: TestDatabase;
  let written: Awaited<ReturnType<typeof writeDemoCsv>>;
  let first: Record<string, ImportCounts>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ra-bundle-'));
    [loaded, imported] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    written = await writeDemoCsv(dir, DEMO);
    await loadDemoDataWithDataSource(loaded.ds, DEMO);
    first = await importBundle(imported, dir);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([loaded?.drop(), imported?.drop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports every row of every file, each created', () => {
    for (const [kind, rows] of Object.entries(written)) {
      expect({ kind, ...first[kind] }).toEqual({ kind, processed: rows, created: rows, updated: 0, unchanged: 0, failed: 0 });
    }
    expect(Object.keys(first)).toEqual(['users', 'accounts', 'campaigns', 'spend', 'leads', 'touchpoints', 'opportunities', 'feedback']);
  });

  it('fills each table with as many rows as the demo loader', async () => {
    const expected = await rowCounts(loaded);
    expect(expected.touchpoints).toBeGreaterThan(500);
    expect(await rowCounts(imported)).toEqual(expected);
  });

  it('answers channel performance exactly as the demo loaded with COPY', async () => {
    const q = settings({ from: '2025-06-01T00:00:00Z', to: '2026-06-01T00:00:00Z' });
    const [a, b] = await Promise.all([channelPerformance(serviceContext(loaded), q), channelPerformance(serviceContext(imported), q)]);
    expect(a.rows.length).toBeGreaterThan(3);
    expect(JSON.parse(JSON.stringify(b))).toEqual(JSON.parse(JSON.stringify(a)));
  });

  it('changes nothing when the bundle is imported again', async () => {
    const before = await rowCounts(imported);
    const again = await importBundle(imported, dir);
    for (const [kind, rows] of Object.entries(written)) {
      expect({ kind, ...again[kind] }).toEqual({ kind, processed: rows, created: 0, updated: 0, unchanged: rows, failed: 0 });
    }
    expect(await rowCounts(imported)).toEqual(before);
  }, 120_000);
});
