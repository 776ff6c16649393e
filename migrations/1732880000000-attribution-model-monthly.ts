import { MigrationInterface, QueryRunner } from 'typeorm';
import { applyBiFiles, biRoles, biSqlFile } from './1732810000000-bi-metric-functions';
import { dropKeptCacheSql, keptCacheSql } from './statement-triggers';

/**
 * Each whole month's credits per campaign under the models whose weights are fixed (issue 16,
 * (c) at size L): attribution_model_monthly holds, per model, measure, UTC month and campaign, the
 * exact sums of the credits bi.attribution_report works out from the monthly sums per journey
 * shape (attribution_monthly). A report of whole months under these models reads one row per
 * campaign and month (about 22,000 for 12 months at L) instead of one per campaign, month and
 * journey shape (about 118,000, each multiplied out in numerics of 40 decimals).
 *
 * - attribution_cached_models: the models kept (FIRST_TOUCH, LAST_TOUCH, LINEAR, POSITION_BASED,
 *   W_SHAPED, FULL_PATH with their role weights, TIME_DECAY with the cache's half-life). A report
 *   reads the kept sums only when every rule-based model it asks for is one of these with exactly
 *   these weights (CUSTOM and any other weights work from the monthly sums, as before).
 * - attribution_model_monthly: kept by statement-level triggers on attribution_monthly, which move
 *   it by the credits of the monthly rows a statement added (+) and removed (-): the credit of a
 *   monthly row is linear in its sums, so the kept sums are exactly those of the rows. The credit
 *   is computed by the text of sql/bi/attribution.sql between its <monthly-credits> markers, read
 *   here: one definition. A change of that text ships with a migration that creates
 *   attribution_model_monthly_move (and its rebuild) again.
 * - TRUNCATE of attribution_monthly (a rebuild or invalidation of the cache) rebuilds it: empty.
 */

const KEPT_MODELS: { model: string; family: 'ROLE' | 'DECAY'; weights: [string, string, string, string, string] }[] = [
  // weights: first, last, lead conversion, opportunity creation, close (src/metrics/attribution.params.ts)
  { model: 'FIRST_TOUCH', family: 'ROLE', weights: ['1', '0', '0', '0', '0'] },
  { model: 'LAST_TOUCH', family: 'ROLE', weights: ['0', '1', '0', '0', '0'] },
  { model: 'LINEAR', family: 'ROLE', weights: ['0', '0', '0', '0', '0'] },
  { model: 'POSITION_BASED', family: 'ROLE', weights: ['0.4', '0.4', '0', '0', '0'] },
  { model: 'W_SHAPED', family: 'ROLE', weights: ['0.3', '0', '0.3', '0.3', '0'] },
  { model: 'FULL_PATH', family: 'ROLE', weights: ['0.225', '0', '0.225', '0.225', '0.225'] },
  { model: 'TIME_DECAY', family: 'DECAY', weights: ['0', '0', '0', '0', '0'] },
];

/** The sums of a monthly row that its credits are linear in (a removed row counts them negated). */
export const LINEAR_COLUMNS = ['pairs', 'amount', ...['f', 'w', 'b', 'e'].flatMap((s) => [0, 1, 2, 3, 4].map((j) => `${s}${j}`)), 'decay', 'decay_wins'];

/** The tables the bi owner reads for bi.attribution_report besides those of migration 1732810000000. */
const READ_BY_REPORT = ['attribution_cached_models', 'attribution_model_monthly'];

/** The <monthly-credits> text of sql/bi/attribution.sql: CTEs from monthly_rows and attribution_models to monthly_credits. */
export function monthlyCreditsText(sql: string = biSqlFile('attribution.sql')): string {
  const open = sql.indexOf('-- <monthly-credits>');
  const close = sql.indexOf('-- </monthly-credits>');
  if (open < 0 || close < open) throw new Error('sql/bi/attribution.sql has no <monthly-credits> ... </monthly-credits> block');
  return sql.slice(open, close);
}

/** Moves attribution_model_monthly by the credits of `parts` (monthly rows, each table with its sign). */
function moveSql(parts: { table: string; sign: 1 | -1 }[]): string {
  const rows = parts
    .map(
      ({ table, sign }) =>
        `SELECT measure, month, month AS period_start, campaign_id, sig, class_mask, n_small, ` +
        LINEAR_COLUMNS.map((c) => (sign === 1 ? c : `-${c} AS ${c}`)).join(', ') +
        ` FROM ${table}`,
    )
    .join('\n          UNION ALL\n          ');
  return `
        WITH attribution_models AS (
          SELECT model, family, w_first, w_last, w_conversion, w_creation, w_close FROM attribution_cached_models
        ),
        monthly_rows AS (
          ${rows}
        ),
        ${monthlyCreditsText()}
        pair_counts AS (
          SELECT measure, month, campaign_id, sum(pairs)::integer AS pairs FROM monthly_rows GROUP BY 1, 2, 3
        )
        INSERT INTO attribution_model_monthly AS t (model, measure, month, campaign_id, pairs, share, wins)
        SELECT c.model, c.measure, c.period_start, c.campaign_id, p.pairs, sum(c.share), sum(c.wins)
        FROM monthly_credits c
        JOIN pair_counts p ON p.measure = c.measure AND p.month = c.period_start AND p.campaign_id = c.campaign_id
        GROUP BY c.model, c.measure, c.period_start, c.campaign_id, p.pairs
        ORDER BY 1, 2, 3, 4
        ON CONFLICT (model, measure, month, campaign_id)
        DO UPDATE SET pairs = t.pairs + excluded.pairs, share = t.share + excluded.share, wins = t.wins + excluded.wins;
        DELETE FROM attribution_model_monthly WHERE pairs = 0;`;
}

export class AttributionModelMonthly1732880000000 implements MigrationInterface {
  name = 'AttributionModelMonthly1732880000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE attribution_cached_models (   -- the models whose monthly credits the cache keeps, with their role weights
        model        text PRIMARY KEY,
        family       text NOT NULL CHECK (family IN ('ROLE', 'DECAY')),
        w_first      numeric NOT NULL,
        w_last       numeric NOT NULL,
        w_conversion numeric NOT NULL,
        w_creation   numeric NOT NULL,
        w_close      numeric NOT NULL
      );
      INSERT INTO attribution_cached_models VALUES
        ${KEPT_MODELS.map((m) => `('${m.model}', '${m.family}', ${m.weights.join(', ')})`).join(',\n        ')};

      CREATE TABLE attribution_model_monthly (   -- per model, measure, UTC month and campaign: the exact sums of the monthly credits
        model       text NOT NULL,
        measure     text NOT NULL,
        month       timestamptz NOT NULL,
        campaign_id bigint NOT NULL,
        pairs       integer NOT NULL,   -- journey-campaign pairs of the monthly rows summed; 0: no rows left, removed
        share       numeric NOT NULL,   -- amount times the campaign's weights, unrounded
        wins        numeric NOT NULL,   -- the campaign's weights, unrounded
        PRIMARY KEY (model, measure, month, campaign_id)
      );
      CREATE INDEX attribution_model_monthly_empty_idx ON attribution_model_monthly (model) WHERE pairs = 0;

      ${keptCacheSql({
        prefix: 'model_monthly',
        source: 'attribution_monthly',
        cache: 'attribution_model_monthly',
        what: 'kept credits',
        oldRows: 'old_monthly',
        newRows: 'new_monthly',
        move: {
          inserted: moveSql([{ table: 'new_monthly', sign: 1 }]),
          deleted: moveSql([{ table: 'old_monthly', sign: -1 }]),
          updated: moveSql([{ table: 'old_monthly', sign: -1 }, { table: 'new_monthly', sign: 1 }]),
          all: moveSql([{ table: 'attribution_monthly', sign: 1 }]),
        },
      })}`);
    const { owner, reader } = await biRoles(q);
    if (reader) await q.query(`GRANT SELECT ON ${READ_BY_REPORT.join(', ')} TO "${owner}"`);
    await applyBiFiles(q, ['attribution.sql']);
  }

  async down(q: QueryRunner): Promise<void> {
    // (bi.attribution_report of sql/bi/attribution.sql reads these tables: below this migration,
    // migrate down past 1732810000000 as well, or up again, before reports run)
    const { owner, reader } = await biRoles(q);
    if (reader) await q.query(`REVOKE SELECT ON ${READ_BY_REPORT.join(', ')} FROM "${owner}"`);
    await q.query(`
      ${dropKeptCacheSql('model_monthly', 'attribution_monthly', 'attribution_model_monthly')}
      DROP TABLE attribution_model_monthly;
      DROP TABLE attribution_cached_models;`);
  }
}
