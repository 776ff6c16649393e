import { createReadStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IMPORT_ORDER, ImportCounts, ImportRowError, importStream } from '../../src/imports/engine';
import { CACHE_TABLES } from '../../src/seed/derived-data';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { counts, importText } from './engine-helpers';

const EXAMPLES = join(__dirname, '..', '..', 'docs', 'import-examples');
const exampleFile = (kind: string) => (kind === 'feedback' ? 'feedback.jsonl' : `${kind}.csv`);

async function importExample(db: TestDatabase, kind: (typeof IMPORT_ORDER)[number]): Promise<{ counts: ImportCounts; errors: ImportRowError[] }> {
  const errors: ImportRowError[] = [];
  const file = exampleFile(kind);
  const result = await importStream(
    db.ds,
    createReadStream(join(EXAMPLES, file)),
    { kind, format: file.endsWith('.jsonl') ? 'jsonl' : 'csv', actor: 'test', actorRole: 'ADMIN', jobId: 'job-1' },
    (e) => {
      errors.push(e);
    },
  );
  return { counts: result, errors };
}

/** The caches hold the same rows as a rebuild from scratch (as test/metrics/attribution-cache.test.ts compares them). */
async function expectCachesLikeRebuilt(db: TestDatabase): Promise<void> {
  await db.ds.transaction(async (tx) => {
    for (const table of CACHE_TABLES) await tx.query(`CREATE TEMP TABLE kept_${table} ON COMMIT DROP AS SELECT * FROM ${table}`);
    await tx.query('SELECT attribution_cache_rebuild(), campaign_activity_rebuild(), opportunity_totals_rebuild()');
    for (const table of CACHE_TABLES) {
      const [diff] = (await tx.query(
        `SELECT (SELECT count(*) FROM (SELECT * FROM kept_${table} EXCEPT ALL SELECT * FROM ${table}) a)::int AS stale,
                (SELECT count(*) FROM (SELECT * FROM ${table} EXCEPT ALL SELECT * FROM kept_${table}) b)::int AS missing`,
      )) as { stale: number; missing: number }[];
      expect({ table, ...diff }).toEqual({ table, stale: 0, missing: 0 });
    }
  });
}

describe('import engine', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('imports every example file in dependency order, and a second time changes nothing', async () => {
    const expected: Record<string, number> = {};
    for (const kind of IMPORT_ORDER) {
      const lines = readFileSync(join(EXAMPLES, exampleFile(kind)), 'utf8').trim().split('\n').length;
      expected[kind] = kind === 'feedback' ? lines : lines - 1;
    }
    for (const kind of IMPORT_ORDER) {
      const n = expected[kind] ?? 0;
      expect({ kind, ...(await importExample(db, kind)) }).toEqual({ kind, counts: counts({ processed: n, created: n }), errors: [] });
    }
    await expectCachesLikeRebuilt(db);
    for (const kind of IMPORT_ORDER) {
      const n = expected[kind] ?? 0;
      expect({ kind, ...(await importExample(db, kind)) }).toEqual({ kind, counts: counts({ processed: n, unchanged: n }), errors: [] });
    }
    const [lead] = await db.sql<Record<string, string | null>>(
      `SELECT stage, mql_at::text, sal_at::text, sql_at::text, account_id IS NOT NULL AS has_account,
              (SELECT count(*)::int FROM lead_stage_changes c WHERE c.lead_id = l.id) AS changes
         FROM leads l WHERE external_id = 'l-1'`,
    );
    // the jump from MQL to SQL fills salAt with the time of SQL
    expect(lead).toEqual({ stage: 'SQL', mql_at: '2024-02-05 10:00:00+00', sal_at: '2024-02-09 10:00:00+00', sql_at: '2024-02-09 10:00:00+00', has_account: true, changes: 1 });
    const contacts = await db.sql(`SELECT o.external_id, count(*)::int AS n FROM opportunity_contacts c JOIN opportunities o ON o.id = c.opportunity_id GROUP BY 1 ORDER BY 1`);
    expect(contacts).toEqual([{ external_id: 'o-1', n: 2 }, { external_id: 'o-2', n: 1 }, { external_id: 'o-3', n: 1 }]);
    const [domain] = await db.sql(`SELECT domain FROM accounts WHERE external_id = 'a-2'`);
    expect(domain).toEqual({ domain: 'globex.io' });
    const audit = await db.sql(`SELECT object_type, after->>'created' AS created, after->>'unchanged' AS unchanged FROM audit_log WHERE mutation = 'import' AND object_type = 'touchpoints' ORDER BY id`);
    expect(audit).toEqual([{ object_type: 'touchpoints', created: '4', unchanged: '0' }, { object_type: 'touchpoints', created: '0', unchanged: '4' }]);
  });

  it('updates what changed, counts the rest unchanged, and keeps the caches exact', async () => {
    const touches = [
      'externalId,leadExternalId,campaignExternalId,kind,occurredAt',
      't-1,l-1,c-1,AD_CLICK,2024-02-02T09:30:00Z',
      't-2,l-1,c-1,EVENT_ATTENDED,2024-03-09T15:00:00Z',
      't-9,l-3,c-1,WEB_VISIT,2024-03-12T08:00:00Z',
    ].join('\n');
    expect(await importText(db.ds, touches, { kind: 'touchpoints' })).toEqual({ counts: counts({ processed: 3, created: 1, updated: 1, unchanged: 1 }), errors: [] });
    const deals = 'externalId,stage,amount,contactEmails\no-2,CLOSED_WON,45000.00,ana@acme.com;bo@acme.com\no-3,CLOSED_LOST,15000.00,cy@globex.io\n';
    const result = await importText(db.ds, deals, { kind: 'opportunities' });
    // o-2 closes without closedAt: it is required for a closed stage
    expect(result).toEqual({
      counts: counts({ processed: 2, unchanged: 1, failed: 1 }),
      errors: [{ line: 2, column: 'closedAt', reason: 'is required for a CLOSED_WON opportunity', values: { externalId: 'o-2', stage: 'CLOSED_WON', amount: '45000.00', contactEmails: 'ana@acme.com;bo@acme.com' } }],
    });
    const fixed = 'externalId,stage,amount,closedAt,contactEmails\no-2,CLOSED_WON,45000.00,2024-05-01T00:00:00Z,ana@acme.com;bo@acme.com\n';
    expect(await importText(db.ds, fixed, { kind: 'opportunities' })).toEqual({ counts: counts({ processed: 1, updated: 1 }), errors: [] });
    const leads = 'externalId,email,stage,opportunityAt\nl-3,cy@globex.io,OPPORTUNITY,2024-03-20T10:00:00Z\nl-2,bo@acme.com,SAL,\n';
    expect(await importText(db.ds, leads, { kind: 'leads' })).toEqual({
      counts: counts({ processed: 2, updated: 1, failed: 1 }),
      errors: [{ line: 3, column: 'stage', reason: 'cannot move back from CUSTOMER to SAL; only RECYCLED or DISQUALIFIED go back', values: { externalId: 'l-2', email: 'bo@acme.com', stage: 'SAL', opportunityAt: '' } }],
    });
    await expectCachesLikeRebuilt(db);
  });
});
