import { Client } from 'pg';
import { createTestApp, TestApp } from '../helpers/app';
import { gid, insertCampaign, insertTouch } from '../helpers/core-fixtures';
import { refreshStoredScores } from '../../src/qualification/stored-scores';
import { approveBoth, proposeAgreement } from './auto-mql-fixtures';

/**
 * Stored lead scores (migration 1732800000000): lists ordered or filtered by score read a
 * stored state per lead and compute exactly only the leads it leaves in doubt. Properties:
 * the bounds always hold the exact score; a page (any direction, cursor, limit, minimum) is the
 * page the exact scores give, whatever rows are stored, missing or stale and however much time
 * passed since; writes forget what they change; the refresh stores what it should and never
 * waits for a writer.
 */

/** mulberry32: a small seeded PRNG, so every run is the same. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(7253001);
const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)] as T;
const maybe = <T>(value: () => T): T | null => (random() < 0.5 ? null : value());

const KINDS = ['FORM_FILL', 'EMAIL_CLICK', 'WEBINAR_ATTENDED'] as const;
const DAY = 86_400_000;
const BASE = Date.parse('2024-06-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

interface Ranked {
  id: string;
  score: string;
}

describe('stored lead scores', () => {
  let app: TestApp;
  let leads: string[];
  let campaigns: string[];
  beforeAll(async () => {
    app = await createTestApp();
    campaigns = [await insertCampaign(app.db, { channel: 'EMAIL' }), await insertCampaign(app.db, { channel: 'WEBINAR' })];
    leads = [];
    for (let i = 0; i < 40; i++) {
      const [row] = await app.db.sql<{ id: string }>(
        `INSERT INTO leads (email, title, created_at) VALUES ($1, $2, '2024-01-01') RETURNING id`,
        [`stored${i}@s.test`, pick(['VP Sales', 'engineer', null])],
      );
      leads.push(row!.id);
      // a third of the leads tie: no touches at all; the others up to 6, some after BASE, some at one time
      let last = BASE - int(0, 60) * DAY;
      for (let t = i % 3 === 0 ? 0 : int(1, 6); t > 0; t--) {
        if (random() > 0.2) last = BASE - int(-20, 80) * DAY - int(0, 86_399) * 1000;
        await insertTouch(app.db, row!.id, pick(campaigns), iso(last), pick(KINDS));
      }
    }
  });
  afterAll(() => app.close());

  async function randomPolicy(version: number): Promise<string> {
    const policy = await proposeAgreement(app.db, {
      version,
      effectiveFrom: '2024-01-01T00:00:00Z',
      threshold: 10,
      halfLifeDays: maybe(() => int(5, 300) / 10),
      windowDays: maybe(() => int(5, 60)),
      fit: [{ attribute: 'lead.jobTitle', operator: 'CONTAINS', values: [{ type: 'TEXT', value: 'vp' }], points: int(-5, 20) }],
      engagement: [
        { touchKinds: [pick(KINDS)], points: int(0, 15) },
        { touchKinds: [], channels: random() < 0.5 ? ['EMAIL'] : [], points: int(1, 7) },
      ],
    });
    await app.db.sql(`UPDATE qualification_policies SET fit_cap = $2, engagement_cap = $3 WHERE id = $1`, [
      policy.policyId,
      maybe(() => int(0, 15)),
      maybe(() => int(5, 40)),
    ]);
    return policy.policyId;
  }

  /** The first `limit` leads after the cursor, min applied, by the exact scores (qualification_scores). */
  async function exactPage(policy: string, at: string, desc: boolean, cursor: Ranked | null, limit: number, min: string | null): Promise<Ranked[]> {
    const op = desc ? '<' : '>';
    const dir = desc ? 'DESC' : 'ASC';
    return app.db.sql<Ranked>(
      `SELECT q.lead_id::text AS id, trim_scale(q.score)::text AS score FROM qualification_scores($1, $2::bigint[], $3) q
        WHERE ($4::numeric IS NULL OR q.score >= $4) AND ($5::numeric IS NULL OR (q.score, q.lead_id) ${op} ($5::numeric, $6::bigint))
        ORDER BY q.score ${dir}, q.lead_id ${dir} LIMIT $7`,
      [policy, leads, at, min, cursor?.score ?? null, cursor?.id ?? null, limit],
    );
  }

  /**
   * The same page as the list query reads it: through qualification_score_page over the leads'
   * ids (a filtered list), or qualification_score_page_all (every lead: the index walks).
   */
  async function storedPage(
    variant: 'ids' | 'all' | 'all, short walks', policy: string, at: string, desc: boolean, cursor: Ranked | null, limit: number, min: string | null,
  ): Promise<Ranked[]> {
    const op = desc ? '<' : '>';
    const dir = desc ? 'DESC' : 'ASC';
    const call = variant === 'ids'
      ? `qualification_score_page($1, $2::bigint[], $3, $8, $5::numeric, $6::bigint, $7, $4::numeric)`
      : `qualification_score_page_all($1, $3, $8, $5::numeric, $6::bigint, $7, $4::numeric, ${variant === 'all' ? 'NULL' : int(1, 3)})`;
    return app.db.sql<Ranked>(
      `WITH sc AS MATERIALIZED (SELECT * FROM ${call} WHERE cardinality($2::bigint[]) >= 0)
       SELECT t.id::text AS id, trim_scale(sc.score)::text AS score FROM leads t JOIN sc ON sc.lead_id = t.id
        WHERE ($4::numeric IS NULL OR sc.score >= $4) AND ($5::numeric IS NULL OR (sc.score, t.id) ${op} ($5::numeric, $6::bigint))
        ORDER BY sc.score ${dir}, t.id ${dir} LIMIT $7`,
      [policy, leads, at, min, cursor?.score ?? null, cursor?.id ?? null, limit, desc],
    );
  }

  /** Stores the state at `anchor` of `stored` (every other lead forgotten), as the refresh would. */
  async function storeStates(policy: string, stored: string[], anchor: string): Promise<void> {
    await app.db.sql(`UPDATE lead_scores SET policy_id = NULL, scored_at = '-infinity', changes_at = '-infinity'`);
    await app.db.sql(
      `UPDATE lead_scores s SET policy_id = $1, scored_at = $3, fit = st.fit, engagement_sum = st.engagement_sum, pairs = st.pairs,
              changes_at = st.changes_at, top = st.fit + least(a.engagement_cap::numeric, st.engagement_sum)
         FROM qualification_score_state($1, $2::bigint[], $3) st, qualification_policies a
        WHERE s.lead_id = st.lead_id AND a.id = $1`,
      [policy, stored, anchor],
    );
  }

  it('pages and bounds equal the exact scores, for random policies, stored states and times', async () => {
    const seen = { candidatesBelowAll: 0, exactBounds: 0, inexactBounds: 0, stale: 0 };
    for (let run = 0; run < 25; run++) {
      const policy = await randomPolicy(100 + run);
      // store the state of about two leads in three, at an anchor up to 40 days before BASE
      const anchor = iso(BASE - int(0, 40) * DAY - int(0, 86_399) * 1000);
      const stored = leads.filter(() => random() < 0.7);
      await storeStates(policy, stored, anchor);
      for (const later of [0, int(0, 3) * DAY + int(0, 86_399) * 1000, int(10, 90) * DAY]) {
        const at = iso(Date.parse(anchor) + later);
        // the bounds hold the exact score (none for a lead without a fresh row)
        const bounds = await app.db.sql<{ lo: string | null; hi: string | null; score: string }>(
          `SELECT b.lead_id, b.lo::text, b.hi::text, q.score::text
             FROM qualification_score_bounds($1, $2::bigint[], $3) b
             JOIN qualification_scores($1, $2::bigint[], $3) q ON q.lead_id = b.lead_id`,
          [policy, leads, at],
        );
        expect(bounds).toHaveLength(leads.length);
        const [fresh] = await app.db.sql<{ n: number }>(
          `SELECT count(*)::int AS n FROM lead_scores WHERE scored_at <= $1 AND $1 < changes_at`,
          [at],
        );
        expect(bounds.filter((b) => b.lo !== null)).toHaveLength(fresh!.n);
        for (const b of bounds.filter((x) => x.lo !== null)) {
          const held = await app.db.sql<{ ok: boolean }>(`SELECT $1::numeric <= $2::numeric AND $2::numeric <= $3::numeric AS ok`, [b.lo, b.score, b.hi]);
          expect([b, held[0]!.ok]).toEqual([b, true]);
          if (b.lo === b.hi) seen.exactBounds += 1;
          else seen.inexactBounds += 1;
        }
        seen.stale += leads.length - fresh!.n;
        for (let q = 0; q < 6; q++) {
          const desc = random() < 0.5;
          const limit = pick([1, 3, 10, 50]);
          const all = await exactPage(policy, at, desc, null, 1000, null);
          const cursor = random() < 0.5 ? pick(all) : null;
          const min = random() < 0.3 ? pick(all).score : null;
          const want = await exactPage(policy, at, desc, cursor, limit, min);
          // short first walks (1 to 3 rows, then 4 times more each time): the walk must widen
          // until no lead beyond it can be on the page
          for (const variant of ['ids', 'all', 'all, short walks'] as const) {
            const got = await storedPage(variant, policy, at, desc, cursor, limit, min);
            expect({ run, later, variant, desc, limit, cursor, min, got }).toEqual({ run, later, variant, desc, limit, cursor, min, got: want });
          }
          // the stored state keeps the candidates few: here at most the page and its ties
          const [candidates] = await app.db.sql<{ n: number }>(
            `SELECT count(*)::int AS n FROM qualification_score_page($1, $2::bigint[], $3, $4, $5::numeric, $6::bigint, $7, $8::numeric)`,
            [policy, leads, at, desc, cursor?.score ?? null, cursor?.id ?? null, limit, min],
          );
          if (candidates!.n < leads.length) seen.candidatesBelowAll += 1;
        }
        // a minimum without an order: the leads at or above it, exactly
        const min = String(int(0, 30));
        const atLeast = await app.db.sql<{ id: string }>(
          `SELECT lead_id::text AS id FROM qualification_score_at_least($1, $2::bigint[], $3, $4) ORDER BY lead_id`,
          [policy, leads, at, min],
        );
        const exact = await app.db.sql<{ id: string }>(
          `SELECT lead_id::text AS id FROM qualification_scores($1, $2::bigint[], $3) WHERE score >= $4 ORDER BY lead_id`,
          [policy, leads, at, min],
        );
        expect(atLeast).toEqual(exact);
        const atLeastAll = await app.db.sql<{ id: string }>(
          `SELECT lead_id::text AS id FROM qualification_score_at_least_all($1, $2, $3) ORDER BY lead_id`,
          [policy, at, min],
        );
        expect(atLeastAll).toEqual(exact);
      }
    }
    // the random cases reach exact and decaying bounds, stale rows, and pages that skip leads
    expect(seen.exactBounds).toBeGreaterThan(100);
    expect(seen.inexactBounds).toBeGreaterThan(100);
    expect(seen.stale).toBeGreaterThan(100);
    expect(seen.candidatesBelowAll).toBeGreaterThan(100);
  });

  it('without a policy every lead ties at 0 and a minimum keeps none', async () => {
    const page = await app.db.sql<{ lead_id: string; score: string }>(
      `SELECT lead_id::text, score::text FROM qualification_score_page(NULL, $1::bigint[], now(), true, NULL, NULL, 3, NULL) ORDER BY lead_id DESC`,
      [leads],
    );
    // ties break on id: the 3 highest ids are the page, and nothing else is a candidate
    expect(page).toEqual([...leads].sort((a, b) => Number(b) - Number(a)).slice(0, 3).map((id) => ({ lead_id: id, score: '0' })));
    expect(await app.db.sql(`SELECT * FROM qualification_score_page(NULL, $1::bigint[], now(), true, NULL, NULL, 3, 0)`, [leads])).toEqual([]);
    expect(await app.db.sql(`SELECT * FROM qualification_score_at_least(NULL, $1::bigint[], now(), 0)`, [leads])).toEqual([]);
  });

  describe('under a policy in force', () => {
    let policyId: string;
    beforeAll(async () => {
      await app.db.sql(`UPDATE lead_scores SET policy_id = NULL, scored_at = '-infinity', changes_at = '-infinity'`);
      const agreement = await proposeAgreement(app.db, {
        version: 1,
        effectiveFrom: '2024-01-01T00:00:00Z',
        threshold: 1_000_000, // nobody becomes an MQL: the stages stay as they are
        halfLifeDays: 30,
        fit: [{ attribute: 'lead.jobTitle', operator: 'CONTAINS', values: [{ type: 'TEXT', value: 'vp' }], points: 10 }],
        engagement: [{ touchKinds: [], points: 5 }],
      });
      policyId = agreement.policyId;
      await approveBoth(app.db, agreement.id, '2024-01-02T00:00:00Z');
    });

    /** The leads with a fresh stored row now. */
    const rows = async () =>
      new Set((await app.db.sql<{ lead_id: string }>(
        `SELECT lead_id::text FROM lead_scores WHERE policy_id = $1 AND scored_at <= now() AND now() < changes_at`, [policyId],
      )).map((r) => r.lead_id));

    it('the refresh stores every lead in batches; each write forgets the leads it changes', async () => {
      const first = await refreshStoredScores(app.db.ds, { batch: 7 });
      expect(first).toEqual({ refreshed: leads.length, busy: 0 });
      expect(await rows()).toEqual(new Set(leads));
      // the stored state is the state at its time
      const mismatches = await app.db.sql(
        `SELECT s.lead_id FROM lead_scores s JOIN qualification_score_state($1, $2::bigint[], s.scored_at) st ON st.lead_id = s.lead_id
          WHERE (s.fit, s.engagement_sum, s.pairs, s.changes_at) IS DISTINCT FROM (st.fit, st.engagement_sum, st.pairs, st.changes_at)`,
        [policyId, leads],
      );
      expect(mismatches).toEqual([]);
      expect(await refreshStoredScores(app.db.ds)).toEqual({ refreshed: 0, busy: 0 });
      // every lead has a row, a new one forgotten until the refresh scores it
      const [fresh] = await app.db.sql<{ id: string }>(`INSERT INTO leads (email, created_at) VALUES ('new-one@s.test', '2024-05-01') RETURNING id`);
      expect(await app.db.sql(`SELECT policy_id, changes_at::text FROM lead_scores WHERE lead_id = $1`, [fresh!.id])).toEqual([{ policy_id: null, changes_at: '-infinity' }]);
      expect((await refreshStoredScores(app.db.ds)).refreshed).toBe(1);
      await app.db.sql(`DELETE FROM leads WHERE id = $1`, [fresh!.id]);
      expect(await app.db.sql(`SELECT 1 FROM lead_scores WHERE lead_id = $1`, [fresh!.id])).toEqual([]);

      // leads[3k] have no touches; d has some
      const [a, b, c, , d] = leads as [string, string, string, string, string];
      const touch = await insertTouch(app.db, a, campaigns[0]!, iso(BASE), 'FORM_FILL');
      expect((await rows()).has(a)).toBe(false);
      await app.db.sql(`UPDATE leads SET title = 'VP Marketing' WHERE id = $1`, [b]);
      expect((await rows()).has(b)).toBe(false);
      await app.db.sql(`UPDATE leads SET first_name = 'Ann' WHERE id = $1`, [c]); // not read by scores: kept
      expect((await rows()).has(c)).toBe(true);
      await app.db.sql(`UPDATE touchpoints SET occurred_at = occurred_at - interval '1 day' WHERE id = $1`, [touch]);
      await app.db.sql(`DELETE FROM touchpoints WHERE lead_id = $1`, [d]);
      const left = await rows();
      expect([left.has(a), left.has(d), left.size]).toEqual([false, false, leads.length - 3]);
      // a campaign's channel: every lead with a touch in it
      const inCampaign = (await app.db.sql<{ id: string }>(`SELECT DISTINCT lead_id::text AS id FROM touchpoints WHERE campaign_id = $1`, [campaigns[1]])).map((r) => r.id);
      await app.db.sql(`UPDATE campaigns SET channel = 'EVENT' WHERE id = $1`, [campaigns[1]]);
      const after = await rows();
      expect(inCampaign.filter((id) => after.has(id))).toEqual([]);
      expect((await refreshStoredScores(app.db.ds)).refreshed).toBe(leads.length - after.size);
      expect(await rows()).toEqual(new Set(leads));
      // TRUNCATE leaves no rows to compare: everything is forgotten (in a transaction rolled back)
      const truncating = new Client({ connectionString: app.db.url });
      await truncating.connect();
      try {
        await truncating.query('BEGIN');
        await truncating.query('TRUNCATE campaigns CASCADE');
        const { rows: left } = await truncating.query<{ rows: number; fresh: number }>(
          `SELECT count(*)::int AS rows, count(*) FILTER (WHERE changes_at > '-infinity')::int AS fresh FROM lead_scores`,
        );
        expect(left[0]).toEqual({ rows: leads.length, fresh: 0 });
        await truncating.query('ROLLBACK');
      } finally {
        await truncating.end();
      }
      expect(await rows()).toEqual(new Set(leads));
    });

    it('the refresh does not wait for a writer in flight, and stores nothing it could miss', async () => {
      await refreshStoredScores(app.db.ds);
      const writer = new Client({ connectionString: app.db.url });
      await writer.connect();
      try {
        await writer.query('BEGIN');
        await writer.query(`INSERT INTO touchpoints (lead_id, campaign_id, occurred_at, kind) VALUES ($1, $2, $3, 'FORM_FILL')`, [leads[5], campaigns[0], iso(BASE)]);
        const started = Date.now();
        expect(await refreshStoredScores(app.db.ds)).toEqual({ refreshed: 0, busy: 1 });
        expect(Date.now() - started).toBeLessThan(1_500);
        await writer.query('COMMIT');
      } finally {
        await writer.end();
      }
      expect((await rows()).has(leads[5]!)).toBe(false);
      expect((await refreshStoredScores(app.db.ds)).refreshed).toBe(1);
    });

    it('the API list ordered by score is the exact order, pages included, stored rows or not', async () => {
      const list = async (args: string) =>
        (await app.ok<{ leads: { totalCount: number; edges: { node: { id: string; score: { total: string } } }[]; pageInfo: { endCursor: string | null } } }>(
          `{ leads(${args}) { totalCount edges { node { id score { total } } } pageInfo { endCursor } } }`,
        )).leads;
      const exactOrder = async (desc: boolean) =>
        (await app.db.sql<{ id: string }>(
          `SELECT lead_id::text AS id FROM qualification_scores($1, $2::bigint[], now()) ORDER BY score ${desc ? 'DESC' : 'ASC'}, lead_id ${desc ? 'DESC' : 'ASC'}`,
          [policyId, leads],
        )).map((r) => gid('Lead', r.id));
      for (const state of ['fresh', 'half forgotten']) {
        if (state === 'half forgotten') await app.db.sql(`UPDATE lead_scores SET changes_at = '-infinity' WHERE lead_id % 2 = 0`);
        for (const desc of [true, false]) {
          const ids: string[] = [];
          let after: string | null = null;
          do {
            const page = await list(`first: 7, orderBy: { field: SCORE, direction: ${desc ? 'DESC' : 'ASC'} }${after ? `, after: "${after}"` : ''}`);
            expect(page.totalCount).toBe(leads.length);
            ids.push(...page.edges.map((e) => e.node.id));
            after = page.edges.length ? page.pageInfo.endCursor : null;
          } while (after);
          expect([state, desc, ids]).toEqual([state, desc, await exactOrder(desc)]);
        }
        const atLeast = await list(`first: 100, filter: { minScore: "10" }`);
        const [n] = await app.db.sql<{ n: number }>(`SELECT count(*)::int AS n FROM qualification_scores($1, $2::bigint[], now()) WHERE score >= 10`, [policyId, leads]);
        expect([atLeast.totalCount, atLeast.edges.length]).toEqual([n!.n, n!.n]);
        expect(atLeast.edges.every((e) => Number(e.node.score.total) >= 10)).toBe(true);
      }
    });
  });
});
