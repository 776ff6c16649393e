import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IMPORT_ORDER, ImportKind, importStream } from '../../src/imports/engine';
import { writeDemoCsv } from '../../src/seed/demo-csv';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { approveBoth, proposeAgreement } from './auto-mql-fixtures';

/**
 * The cost of automatic MQL in imports, measured (not a check): the demo history of size
 * AUTO_MQL_COST (S, M or a number of accounts) written as a CSV bundle and imported through the
 * engine into two fresh databases, one without a policy and one with a realistic policy in force
 * since before the history starts; prints each kind's time in both and the MQLs made.
 * Run: AUTO_MQL_COST=S npx jest test/qualification/auto-mql-import-cost.test.ts
 */
const SIZE = process.env.AUTO_MQL_COST;
const maybe = SIZE ? describe : describe.skip;

const KINDS: ImportKind[] = IMPORT_ORDER.filter((k) => k !== 'feedback' && k !== 'spend');

maybe('automatic MQL: the cost in an import of the demo history', () => {
  let dir: string;
  const dbs: TestDatabase[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'auto-mql-cost-'));
    await writeDemoCsv(dir, { size: /^\d+$/.test(SIZE ?? '') ? Number(SIZE) : (SIZE as 'S' | 'M') }, KINDS);
  }, 600_000);
  afterAll(async () => {
    await Promise.all(dbs.map((db) => db.drop()));
    await rm(dir, { recursive: true, force: true });
  });

  async function importAll(db: TestDatabase): Promise<Record<string, { rows: number; ms: number }>> {
    const out: Record<string, { rows: number; ms: number }> = {};
    for (const kind of KINDS) {
      const started = Date.now();
      const counts = await importStream(db.ds, createReadStream(join(dir, `${kind}.csv`)), { kind, format: 'csv', actor: 'bench', actorRole: 'ADMIN' }, () => undefined);
      out[kind] = { rows: counts.processed, ms: Date.now() - started };
      if (counts.failed) throw new Error(`${kind}: ${counts.failed} rows failed`);
    }
    return out;
  }

  it('imports the history with and without a policy in force', async () => {
    const plain = await createTestDatabase();
    dbs.push(plain);
    const withPolicy = await createTestDatabase();
    dbs.push(withPolicy);
    // form fills and webinars weigh most, decaying with a 30-day half-life within 90 days; a
    // senior title or an enterprise account adds fit; 40 points qualify
    const agreement = await proposeAgreement(withPolicy, {
      version: 1,
      effectiveFrom: '2020-01-01T00:00:00Z',
      threshold: 40,
      halfLifeDays: 30,
      windowDays: 90,
      fit: [
        { attribute: 'lead.jobTitle', operator: 'CONTAINS', values: [{ type: 'TEXT', value: 'vp' }, { type: 'TEXT', value: 'director' }, { type: 'TEXT', value: 'head' }], points: 20 },
        { attribute: 'account.segment', operator: 'IN', values: [{ type: 'TEXT', value: 'ENTERPRISE' }, { type: 'TEXT', value: 'MID_MARKET' }], points: 10 },
      ],
      engagement: [
        { touchKinds: ['FORM_FILL', 'CONTENT_DOWNLOAD'], points: 15 },
        { touchKinds: ['WEBINAR_ATTENDED', 'EVENT_ATTENDED', 'MEETING'], points: 10 },
        { points: 2 },
      ],
    });
    await approveBoth(withPolicy, agreement.id, '2020-01-01T00:00:00Z');

    if (process.env.AUTO_MQL_PROFILE) {
      const [{ db: name } = { db: '' }] = await withPolicy.sql<{ db: string }>('SELECT current_database() AS db');
      await withPolicy.sql(`ALTER DATABASE ${name} SET track_functions = 'all'`);
      await withPolicy.ds.destroy();
      await withPolicy.ds.initialize();
    }
    const a = await importAll(plain);
    const b = await importAll(withPolicy);
    const [made] = await withPolicy.sql<{ mqls: number; newLeads: number }>(
      `SELECT (SELECT count(*) FROM lead_stage_changes WHERE qualified_by_version IS NOT NULL)::int AS mqls,
              (SELECT count(*) FROM leads WHERE stage = 'NEW')::int AS "newLeads"`,
    );
    // a second policy coming into force over the imported leads: one approval statement
    const next = await proposeAgreement(withPolicy, {
      version: 2,
      effectiveFrom: '2020-01-02T00:00:00Z',
      threshold: 12,
      fit: [{ attribute: 'lead.jobTitle', operator: 'CONTAINS', values: [{ type: 'TEXT', value: 'manager' }], points: 4 }],
      engagement: [{ points: 4 }],
    });
    if (process.env.AUTO_MQL_PROFILE) await withPolicy.sql('SELECT pg_stat_reset()');
    const approving = Date.now();
    await approveBoth(withPolicy, next.id, new Date().toISOString());
    const approvalMs = Date.now() - approving;
    const [applied] = await withPolicy.sql<{ n: number; candidates: number }>(
      `SELECT qualified_leads AS n FROM qualification_policy_applications WHERE agreement_id = $1`,
      [next.id],
    );
    if (process.env.AUTO_MQL_PROFILE) {
      await new Promise((ok) => setTimeout(ok, 1000));
      const fns = await withPolicy.sql(`SELECT funcname, calls, round(total_time) AS total, round(self_time) AS self FROM pg_stat_user_functions ORDER BY total_time DESC LIMIT 12`);
      process.stdout.write(`approval: ${JSON.stringify(fns)}\n`);
    }
    const lines = KINDS.map((k) => `${k.padEnd(14)} ${String(a[k]!.rows).padStart(8)} rows  ${String(a[k]!.ms).padStart(7)} ms  ${String(b[k]!.ms).padStart(7)} ms with the policy`);
    if (process.env.AUTO_MQL_PROFILE) {
      await new Promise((ok) => setTimeout(ok, 1000));
      const fns = await withPolicy.sql(`SELECT funcname, calls, round(total_time) AS total, round(self_time) AS self FROM pg_stat_user_functions ORDER BY total_time DESC LIMIT 25`);
      process.stdout.write(JSON.stringify(fns, null, 1));
      const [one] = await withPolicy.sql<{ lead_id: string; at: Date }>(`SELECT lead_id, qualifying_at AS at FROM lead_stage_changes WHERE qualified_by_version IS NOT NULL LIMIT 1`);
      const plan = await withPolicy.sql<{ 'QUERY PLAN': string }>(
        `EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM qualification_touch_rules($1, ARRAY[$2::bigint])`, [agreement.policyId, one!.lead_id]);
      process.stdout.write(plan.map((r) => r['QUERY PLAN']).join('\n'));
      await withPolicy.sql(`LOAD 'auto_explain'`).catch(() => undefined);
      const plan2 = await withPolicy.sql<{ 'QUERY PLAN': string }>(
        `EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM qualification_lines($1, ARRAY[$2::bigint], $3)`, [agreement.policyId, one!.lead_id, one!.at]);
      process.stdout.write(plan2.map((r) => r['QUERY PLAN']).join('\n'));
    }
    process.stdout.write(`\nautomatic MQL import cost, size ${SIZE}:\n${lines.join('\n')}\nautomatic MQLs made: ${made?.mqls}; leads still NEW: ${made?.newLeads}\n` +
        `a second policy coming into force: ${applied?.n} leads qualified, the approval took ${approvalMs} ms\n`);
  }, 3_600_000);
});
