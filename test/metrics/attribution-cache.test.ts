import { Client } from 'pg';
import { OpportunityKind } from '../../src/common/enums';
import { AttributionDimension, AttributionModel } from '../../src/metrics/attribution.inputs';
import { AttributionQuery, JourneySource, modelSpec } from '../../src/metrics/attribution.params';
import { attributionComparison, comparisonQuery } from '../../src/metrics/comparison.service';
import { campaignPerformance, channelPerformance } from '../../src/metrics/performance.service';
import { revenueTimeSeries } from '../../src/metrics/time-series.service';
import { CACHE_TABLES } from '../../src/seed/derived-data';
import { createTestDatabase, TestDatabase } from '../helpers/db';
import { serviceContext, settings, settingsInput } from './attribution-fixtures';
import { generate, load } from './random-attribution-data';

/*
 * The attribution cache and the campaign-activity cache are kept current on write: after
 * inserts, updates and deletes of touches, leads and opportunities (one row or many per
 * statement, and two writers at once), every cached source answers exactly as DIRECT, which
 * builds journeys from the touches, and the caches hold exactly what rebuilding them from
 * scratch gives. Data: the random company of random-attribution-data.ts; the cache holds its
 * default settings (lookback 90 days, half-life 7 days), which the queries below use.
 */
const CUSTOM = { first: 0.2, leadConversion: 0.15, opportunityCreation: 0.25, close: 0.1 };
const MONTHS = { from: '2024-02-01T00:00:00Z', to: '2024-11-01T00:00:00Z' };
const RAGGED = { from: '2024-02-10T06:00:00Z', to: '2024-10-20T18:30:00Z' };
/** Every way of reading the cache (undefined: AUTO, what the API does). */
const CACHED_SOURCES = ['CACHED_JOURNEYS', 'CACHED_MONTHS', 'CACHED_SHAPES', undefined] as const;

describe('attribution cache', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await load(db, generate(20241105));
    for (const table of ['touchpoints', 'opportunities', 'leads']) {
      await db.sql(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), (SELECT max(id) FROM ${table}))`);
    }
  });
  afterAll(() => db.drop());

  /** Every report of the cached queries under `source`, as plain JSON. */
  async function reports(source: JourneySource | undefined): Promise<unknown[]> {
    const ctx = serviceContext(db);
    const out: unknown[] = [];
    for (const window of [MONTHS, RAGGED]) {
      for (const model of Object.values(AttributionModel)) {
        const q = settings({ ...window, model, source, roleWeights: model === AttributionModel.CUSTOM ? CUSTOM : null });
        out.push(await campaignPerformance(ctx, q), await channelPerformance(ctx, q));
      }
      const some = settings({ ...window, source, opportunityKinds: [OpportunityKind.EXPANSION] });
      out.push(await campaignPerformance(ctx, some));
      const comparison = { ...settingsInput({ ...window, roleWeights: CUSTOM }), by: AttributionDimension.CHANNEL };
      out.push(await attributionComparison(ctx, { ...comparisonQuery('input', comparison), source }));
      for (const [grain, rowKey] of [['month', 'CAMPAIGN'], ['week', 'NONE'], ['quarter', 'CHANNEL']] as const) {
        for (const model of [AttributionModel.W_SHAPED, AttributionModel.TIME_DECAY, AttributionModel.DATA_DRIVEN]) {
          out.push(await revenueTimeSeries(ctx, { ...settings({ ...window, model, source }), grain, rowKey }));
        }
      }
    }
    return JSON.parse(JSON.stringify(out)) as unknown[];
  }

  async function expectSourcesAgree(): Promise<void> {
    const direct = await reports('DIRECT');
    for (const source of CACHED_SOURCES) expect(await reports(source)).toEqual(direct);
  }

  /** The caches hold the same rows (compared as values) as a rebuild from scratch. */
  async function expectCachesLikeRebuilt(): Promise<void> {
    await db.ds.transaction(async (tx) => {
      for (const table of CACHE_TABLES) await tx.query(`CREATE TEMP TABLE kept_${table} ON COMMIT DROP AS SELECT * FROM ${table}`);
      await tx.query('SELECT attribution_cache_rebuild(), campaign_activity_rebuild(), opportunity_totals_rebuild()');
      for (const table of CACHE_TABLES) {
        const [diff] = await tx.query(
          `SELECT (SELECT count(*) FROM (SELECT * FROM kept_${table} EXCEPT ALL SELECT * FROM ${table}) a)::int AS stale,
                  (SELECT count(*) FROM (SELECT * FROM ${table} EXCEPT ALL SELECT * FROM kept_${table}) b)::int AS missing,
                  (SELECT count(*) FROM ${table})::int AS rows`,
        );
        expect({ table, ...diff, nonEmpty: diff.rows > 0 }).toEqual({ table, stale: 0, missing: 0, rows: diff.rows, nonEmpty: true });
      }
    });
  }

  it('answers from every source exactly as from the touches', async () => {
    await expectSourcesAgree();
    await expectCachesLikeRebuilt();
  });

  it('stays current through inserts, updates and deletes of touches, leads and opportunities', async () => {
    // one touch inside many journeys, then several in one statement (one for a lead without account)
    await db.sql(`INSERT INTO touchpoints (lead_id, campaign_id, kind, occurred_at)
                  SELECT id, 3, 'OTHER', '2024-05-15T00:00:00Z' FROM leads WHERE account_id IS NOT NULL ORDER BY id LIMIT 1`);
    await db.sql(`INSERT INTO touchpoints (lead_id, campaign_id, kind, occurred_at)
                  SELECT l.id, 1 + l.id % 12, 'OTHER', '2024-03-01T00:00:00Z'::timestamptz + l.id * interval '37 hours'
                  FROM leads l WHERE l.id % 9 = 0`);
    await expectCachesLikeRebuilt();
    // touches moved in time or to another campaign, others deleted (first touches among them)
    await db.sql(`UPDATE touchpoints SET occurred_at = occurred_at - interval '200 days' WHERE id % 17 = 0`);
    await db.sql(`UPDATE touchpoints SET campaign_id = 1 + campaign_id % 12 WHERE id % 23 = 0`);
    await db.sql(`DELETE FROM touchpoints WHERE id IN (SELECT DISTINCT ON (lead_id) id FROM touchpoints WHERE lead_id % 5 = 0
                                                       ORDER BY lead_id, occurred_at, id)`);
    await expectCachesLikeRebuilt();
    // leads moving to another account (or to none), and their mqlAt changing
    await db.sql(`UPDATE leads SET account_id = CASE WHEN id % 2 = 0 THEN 1 + account_id % 40 END WHERE id % 11 = 0 AND account_id IS NOT NULL`);
    await db.sql(`UPDATE leads SET mql_at = coalesce(mql_at - interval '20 days', '2024-04-01T00:00:00Z') WHERE id % 7 = 0`);
    await expectCachesLikeRebuilt();
    // opportunities: amounts, kinds, stages, dates and accounts changing; new ones and deleted ones
    await db.sql(`UPDATE opportunities SET amount = amount + 0.01, kind = 'RENEWAL' WHERE id % 13 = 0`);
    await db.sql(`UPDATE opportunities SET stage = 'CLOSED_LOST' WHERE stage = 'CLOSED_WON' AND id % 6 = 0`);
    await db.sql(`UPDATE opportunities SET stage = 'CLOSED_WON', closed_at = created_at + interval '9 days' WHERE closed_at IS NULL AND id % 4 = 0`);
    await db.sql(`UPDATE opportunities SET created_at = created_at - interval '3 days', account_id = 1 + account_id % 40 WHERE id % 19 = 0`);
    await db.sql(`INSERT INTO opportunities (account_id, name, kind, stage, amount, created_at, closed_at)
                  SELECT a, 'New', 'NEW_BUSINESS', 'CLOSED_WON', 1234.56, '2024-07-01T00:00:00Z', '2024-07-20T00:00:00Z'
                  FROM generate_series(1, 40, 3) a`);
    await db.sql(`DELETE FROM opportunities WHERE id % 10 = 3`);
    await expectCachesLikeRebuilt();
    await expectSourcesAgree();
  });

  it('serialises two writers at one account: neither misses the other', async () => {
    const [lead] = await db.sql<{ id: string; account_id: string }>(
      `SELECT id, account_id FROM leads WHERE account_id IS NOT NULL ORDER BY id LIMIT 1`,
    );
    const [first, second] = [new Client({ connectionString: db.url }), new Client({ connectionString: db.url })];
    await Promise.all([first.connect(), second.connect()]);
    try {
      // the first adds a touch, the second a deal whose journey spans it, each before the other commits
      await first.query('BEGIN');
      await first.query(`INSERT INTO touchpoints (lead_id, campaign_id, kind, occurred_at) VALUES ($1, 2, 'OTHER', '2024-08-01T00:00:00Z')`, [lead!.id]);
      await second.query('BEGIN');
      const deal = second.query(
        `INSERT INTO opportunities (account_id, name, kind, stage, amount, created_at, closed_at)
         VALUES ($1, 'Race', 'EXPANSION', 'CLOSED_WON', 500.00, '2024-08-10T00:00:00Z', '2024-08-12T00:00:00Z')`,
        [lead!.account_id],
      );
      await new Promise((resolve) => setTimeout(resolve, 200)); // the second waits for the first's lock on the account
      await first.query('COMMIT');
      await deal;
      await second.query('COMMIT');
    } finally {
      await Promise.all([first.end(), second.end()]);
    }
    const [race] = await db.sql<{ campaigns: string[] }>(
      `SELECT array_agg(DISTINCT j.campaign_id::text) AS campaigns FROM attribution_journeys j
       JOIN opportunities o ON o.id = j.opportunity_id WHERE o.name = 'Race'`,
    );
    expect(race!.campaigns).toContain('2');
    await expectCachesLikeRebuilt();
  });

  it('holds other journey settings when told to, and the queries follow', async () => {
    const q = { ...settings({ ...MONTHS, model: AttributionModel.TIME_DECAY, lookbackDays: 30, halfLifeDays: 2.5 }) };
    const direct = JSON.parse(JSON.stringify(await campaignPerformance(serviceContext(db), { ...q, source: 'DIRECT' }))) as unknown;
    await db.sql('SELECT attribution_cache_configure(30, 2.5)');
    for (const source of CACHED_SOURCES) {
      expect(JSON.parse(JSON.stringify(await campaignPerformance(serviceContext(db), { ...q, source })))).toEqual(direct);
    }
    // a model without decay only needs the lookback to match
    const linear = { ...q, models: [modelSpec('input', AttributionModel.LINEAR, null)], halfLifeDays: 7 };
    const directLinear = JSON.parse(JSON.stringify(await campaignPerformance(serviceContext(db), { ...linear, source: 'DIRECT' }))) as unknown;
    expect(JSON.parse(JSON.stringify(await campaignPerformance(serviceContext(db), linear)))).toEqual(directLinear);
    await db.sql('SELECT attribution_cache_configure(90, 7)');
  });

  it('answers from the touches while the cache is not ready, leaves it alone on write, and builds it when ensured', async () => {
    const direct = await reports('DIRECT');
    await db.sql('SELECT attribution_cache_invalidate()');
    const count = async () => Number((await db.sql<{ n: string }>('SELECT count(*) AS n FROM attribution_journeys'))[0]!.n);
    expect(await count()).toBe(0);
    // an empty cache read as if ready would credit nothing: the reports equal DIRECT only by reading the touches
    expect(await reports(undefined)).toEqual(direct);
    await db.sql(`INSERT INTO touchpoints (lead_id, campaign_id, kind, occurred_at)
                  SELECT id, 4, 'OTHER', '2024-06-15T00:00:00Z' FROM leads WHERE account_id IS NOT NULL ORDER BY id LIMIT 3`);
    expect(await count()).toBe(0);
    const afterWrite = await reports('DIRECT');
    expect(afterWrite).not.toEqual(direct);
    expect(await db.sql('SELECT attribution_cache_ensure() AS built')).toEqual([{ built: true }]);
    expect(await db.sql('SELECT attribution_cache_ensure() AS built')).toEqual([{ built: false }]);
    expect(await count()).toBeGreaterThan(0);
    await expectSourcesAgree();
    await expectCachesLikeRebuilt();
  });

  it('keeps the monthly credits of exactly the fixed-weight models, with the weights the API uses', async () => {
    const kept = await db.sql<{ model: string; family: string; weights: string[] }>(
      `SELECT model, family, ARRAY[w_first, w_last, w_conversion, w_creation, w_close]::text[] AS weights FROM attribution_cached_models ORDER BY model`,
    );
    const fixed = Object.values(AttributionModel).filter((m) => m !== AttributionModel.CUSTOM && m !== AttributionModel.DATA_DRIVEN);
    expect(kept.map((k) => k.model)).toEqual([...fixed].sort());
    for (const row of kept) {
      const spec = modelSpec('model', row.model as AttributionModel, null);
      const w = spec.weights;
      expect([row.model, row.family, row.weights.map(Number)]).toEqual([row.model, spec.family, [w.first, w.last, w.conversion, w.creation, w.close].map(Number)]);
    }
  });

  it('reads whole months of a fixed-weight model from its kept credits, and other role weights from the coefficients of their mask', async () => {
    const json = async (q: AttributionQuery) => JSON.parse(JSON.stringify(await campaignPerformance(serviceContext(db), q))) as unknown;
    const first = settings({ ...MONTHS, model: AttributionModel.FIRST_TOUCH });
    const linear = settings({ ...MONTHS, model: AttributionModel.LINEAR });
    // CUSTOM with FIRST_TOUCH's weights: the same figures, but not a kept model
    const custom = settings({ ...MONTHS, model: AttributionModel.CUSTOM, roleWeights: { first: 1, leadConversion: 0, opportunityCreation: 0, close: 0 } });
    const shapes = { ...custom, source: 'CACHED_SHAPES' as const };
    const before = { first: await json(first), linear: await json(linear), custom: await json(custom), shapes: await json(shapes) };
    const revenue = (report: unknown) => (report as { totalRevenue: string; rows: { attributedRevenue: string }[] }).rows.map((r) => r.attributedRevenue);
    expect(revenue(before.custom)).toEqual(revenue(before.first));
    expect(before.shapes).toEqual(before.custom);
    // kept credits tampered with: only the kept model reads them
    await db.sql(`UPDATE attribution_model_monthly SET share = share * 2 WHERE model = 'FIRST_TOUCH' AND measure = 'REVENUE'`);
    try {
      expect(revenue(await json(first))).not.toEqual(revenue(before.first));
      expect(await json(linear)).toEqual(before.linear);
      expect(await json(custom)).toEqual(before.custom);
      // a window of partial months reads them for its whole months only, the rest from the journeys
      expect(await json(settings({ ...RAGGED, model: AttributionModel.FIRST_TOUCH }))).not.toEqual(
        await json(settings({ ...RAGGED, model: AttributionModel.FIRST_TOUCH, source: 'DIRECT' })),
      );
    } finally {
      await db.sql('SELECT attribution_model_monthly_rebuild()');
    }
    // the coefficients of FIRST_TOUCH's mask (first only, 1) tampered with: CUSTOM reads them, the kept models and CACHED_SHAPES do not
    await db.sql(`UPDATE attribution_mask_monthly SET share_first = share_first * 2 WHERE mask = 1 AND measure = 'REVENUE'`);
    try {
      expect(revenue(await json(custom))).not.toEqual(revenue(before.custom));
      expect(await json(first)).toEqual(before.first);
      expect(await json(shapes)).toEqual(before.shapes);
    } finally {
      await db.sql('SELECT attribution_mask_monthly_rebuild()');
    }
    expect(await json(first)).toEqual(before.first);
    expect(await json(custom)).toEqual(before.custom);
  });

  it('gives the figures of the touches under every set of holding roles, whatever the weights', async () => {
    // every subset of the five roles (first, last, lead conversion, opportunity creation, close),
    // with weights above 0 for its roles: summing to 1 (every odd subset) or to less; a "last" weight
    // is what a BI caller may pass (CUSTOM has none); the close adds to the last touch for revenue only
    const digits = [0.1, 0.35, 0.05, 0.2, 0.15];
    const roles = ['first', 'last', 'conversion', 'creation', 'close'] as const;
    for (let subset = 0; subset < 32; subset++) {
      const picked = roles.filter((_, i) => subset & (1 << i));
      const raw = picked.map((role) => digits[roles.indexOf(role)]!);
      const total = raw.reduce((a, b) => a + b, 0);
      const scale = subset % 2 === 1 ? 1 / total : 1;
      const weights = Object.fromEntries(roles.map((role) => [role, '0'])) as Record<(typeof roles)[number], string>;
      picked.forEach((role, i) => (weights[role] = (Math.round(raw[i]! * scale * 1000) / 1000).toFixed(3)));
      const sum = Object.values(weights).reduce((a, w) => a + Number(w), 0);
      if (sum > 1 + 1e-9) weights[picked[0]!] = (Number(weights[picked[0]!]) - (sum - 1)).toFixed(3);
      const q: AttributionQuery = { ...settings(MONTHS), models: [{ model: AttributionModel.CUSTOM, family: 'ROLE', weights }] };
      const direct = JSON.parse(JSON.stringify(await campaignPerformance(serviceContext(db), { ...q, source: 'DIRECT' }))) as unknown;
      for (const source of ['CACHED_MONTHS', 'CACHED_SHAPES'] as const) {
        expect([weights, JSON.parse(JSON.stringify(await campaignPerformance(serviceContext(db), { ...q, source })))]).toEqual([weights, direct]);
      }
    }
    // both kinds of part are there: journeys with a free touch, and journeys whose every touch holds a role
    const [parts] = await db.sql<{ free: number; held: number }>(
      `SELECT count(*) FILTER (WHERE part = 0)::int AS free, count(*) FILTER (WHERE part <> 0)::int AS held FROM attribution_mask_monthly`,
    );
    expect(parts!.free).toBeGreaterThan(0);
    expect(parts!.held).toBeGreaterThan(0);
  });

  it("reads the cache only when it holds the query's settings", async () => {
    const json = async (q: ReturnType<typeof settings>) => JSON.parse(JSON.stringify(await campaignPerformance(serviceContext(db), q))) as unknown;
    const held = settings({ ...MONTHS, model: AttributionModel.LINEAR });
    const other = settings({ ...MONTHS, model: AttributionModel.LINEAR, lookbackDays: 45 });
    const before = [await json(held), await json(other)];
    // a cache whose monthly sums were tampered with: only the query whose settings it holds sees it
    await db.sql(`UPDATE attribution_monthly SET f0 = f0 + 1000 WHERE measure = 'REVENUE'`);
    try {
      expect(await json(held)).not.toEqual(before[0]);
      expect(await json(other)).toEqual(before[1]);
    } finally {
      await db.sql('SELECT attribution_cache_rebuild()');
    }
    expect(await json(held)).toEqual(before[0]);
  });
});
