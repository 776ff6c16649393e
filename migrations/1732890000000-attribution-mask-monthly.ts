import { MigrationInterface, QueryRunner } from 'typeorm';
import { applyBiFiles, biRoles } from './1732810000000-bi-metric-functions';
import { LINEAR_COLUMNS } from './1732880000000-attribution-model-monthly';
import { dropKeptCacheSql, keptCacheSql } from './statement-triggers';

/**
 * Each whole month's credits per campaign under any role weights (issue 16, CUSTOM at size L):
 * the weights of CUSTOM are the caller's, so no credit can be kept ahead, but for a given set of
 * holding roles a credit is a simple function of the weights, whose coefficients can.
 *
 * Roles, as the monthly sums see them (bit: role): 1 first, 2 last (for revenue also the close,
 * which is the last touch: its weight adds to the last's), 4 lead conversion, 8 opportunity
 * creation. The *mask* of a model and measure is the set of roles with a weight above 0 (W_r:
 * w_first; w_last, plus w_close for revenue; w_conversion; w_creation). In one journey the holding
 * roles are D = mask ∩ the roles the journey defines, and (docs/metrics.md, "Role-based models"):
 * - some touch holds no role: the campaign's credit (per unit of amount) is
 *     sum over r in D of W_r [its touch is the campaign's] + (1 - sum over r in D of W_r) * own free / free,
 *   linear in the weights: k0 + sum over r of k_r W_r, with k0 = own free / free and
 *   k_r = [r in D] ([its touch is the campaign's] - k0);
 * - every touch holds one: sum over r in D of W_r [its touch is the campaign's] / sum over r in D of W_r,
 *   a ratio whose denominator depends on D only.
 * attribution_mask_monthly keeps, per measure, UTC month, campaign and mask (all 16), the sums of
 * these coefficients times the amount (share_*) and times 1 (wins_*): one row with part 0 for the
 * journeys with a free touch, one row per D (part = D) for those without. A report under any
 * weights reads the rows of its mask: share = share_0 + sum share_r W_r (part 0), or
 * sum share_r W_r / sum over r in part of W_r; the same for wins.
 *
 * The coefficients come from the monthly sums per journey shape (attribution_monthly), whose
 * credits are linear in their sums (see the <monthly-credits> text of sql/bi/attribution.sql):
 * own free / free summed is f_h - (the campaign's holding touches) * b_h, with h the touches
 * holding a role; so the kept sums are exactly those of the monthly rows (products and sums of
 * numerics are exact), kept by statement-level triggers on attribution_monthly like
 * attribution_model_monthly (migration 1732880000000), and emptied when it is truncated.
 */

/** The key of a monthly row (the cache's upsert moves its sums, not its key; a key changed otherwise nets as a row taken away and one added). */
const MONTHLY_KEY = ['measure', 'month', 'campaign_id', 'sig', 'class_mask', 'n_small'];

/** The rows of a monthly table as they count: as they are (1) or negated (-1, rows taken away). */
const signedRows = (table: string, sign: 1 | -1) =>
  `SELECT ${MONTHLY_KEY.join(', ')}, ${LINEAR_COLUMNS.map((c) => (sign === 1 ? c : `-${c} AS ${c}`)).join(', ')} FROM ${table}`;

/**
 * What an update changed, row by row: the new sums less the old ones of the same key (the
 * coefficients are linear in the sums, so moving by the difference is moving by both, with half
 * the rows); rows it left as they were drop out.
 */
const nettedRows = (oldTable: string, newTable: string) =>
  `SELECT ${MONTHLY_KEY.map((k) => `coalesce(n.${k}, o.${k}) AS ${k}`).join(', ')}, ` +
  `${LINEAR_COLUMNS.map((c) => `coalesce(n.${c}, 0) - coalesce(o.${c}, 0) AS ${c}`).join(', ')} ` +
  `FROM ${newTable} n FULL JOIN ${oldTable} o ON ${MONTHLY_KEY.map((k) => `o.${k} = n.${k}`).join(' AND ')} ` +
  `WHERE n IS DISTINCT FROM o`;

/** Moves attribution_mask_monthly by the coefficients of the monthly rows `rows` (SQL of a query). */
function moveSql(rows: string): string {
  // the role's coefficient: share (amount) or wins (pairs) when the campaign's touch holds it, less the free part
  const role = (bit: number, own: string, total: string, base: string) =>
    `sum(CASE WHEN x.held & ${bit} > 0 THEN CASE WHEN ${own} THEN x.${total} ELSE 0 END - ${base} ELSE 0 END)`;
  const roles: [string, number, string][] = [
    ['first', 1, 'x.own_first'],
    ['last', 2, 'x.own_last'],
    ['conversion', 4, 'x.own_conversion'],
    ['creation', 8, 'x.own_creation'],
  ];
  return `
        WITH monthly_rows AS (
          ${rows}
        ),
        shaped AS (   -- the class (1 to 4) of the touch that holds each role, per shape found (0: undefined)
          SELECT k.sig, k.class_mask, k.n_small,
                 k.sig / 100 AS last_class, k.sig / 10 % 10 AS conversion_class, k.sig % 10 AS creation_class
          FROM (SELECT DISTINCT sig, class_mask, n_small FROM monthly_rows) k
        ),
        masked AS (   -- under each mask: the holding roles (held) and the classes of their touches
          SELECT s.*, m.mask, d.held,
                 (CASE WHEN d.held & 1 > 0 THEN 1 ELSE 0 END) | (CASE WHEN d.held & 2 > 0 THEN 1 << (s.last_class - 1) ELSE 0 END)
                 | (CASE WHEN d.held & 4 > 0 THEN 1 << (s.conversion_class - 1) ELSE 0 END)
                 | (CASE WHEN d.held & 8 > 0 THEN 1 << (s.creation_class - 1) ELSE 0 END) AS holding_classes
          FROM shaped s
          CROSS JOIN generate_series(0, 15) AS m(mask)
          CROSS JOIN LATERAL (SELECT m.mask & (3 | CASE WHEN s.conversion_class > 0 THEN 4 ELSE 0 END
                                               | CASE WHEN s.creation_class > 0 THEN 8 ELSE 0 END) AS held) d
        ),
        mask_shapes AS MATERIALIZED (   -- a small lookup table per shape and mask: h (touches holding a role), how many of them are
                                        -- the campaign's, which roles the campaign's touches hold, and whether some touch is free
          SELECT x.sig, x.class_mask, x.n_small, x.mask, x.held, h.holding_touches, x.n_small > h.holding_touches AS free,
                 (x.holding_classes & x.class_mask & 1 > 0)::int + (x.holding_classes & x.class_mask & 2 > 0)::int
                 + (x.holding_classes & x.class_mask & 4 > 0)::int + (x.holding_classes & x.class_mask & 8 > 0)::int AS own_holding,
                 x.class_mask & 1 > 0 AS own_first,
                 x.class_mask & (1 << (x.last_class - 1)) > 0 AS own_last,
                 x.conversion_class > 0 AND x.class_mask & (1 << (x.conversion_class - 1)) > 0 AS own_conversion,
                 x.creation_class > 0 AND x.class_mask & (1 << (x.creation_class - 1)) > 0 AS own_creation
          FROM masked x
          CROSS JOIN LATERAL (SELECT (x.holding_classes & 1 > 0)::int + (x.holding_classes & 2 > 0)::int + (x.holding_classes & 4 > 0)::int
                                     + (x.holding_classes & 8 > 0)::int AS holding_touches) h
        ),
        based AS MATERIALIZED (   -- base: the campaign's free touches over all free touches, summed (0 when no touch is free)
          SELECT r.measure, r.month, r.campaign_id, k.mask, CASE WHEN k.free THEN 0 ELSE k.held END AS part, r.pairs, r.amount, k.held,
                 k.own_first, k.own_last, k.own_conversion, k.own_creation,
                 CASE WHEN NOT k.free THEN 0
                      ELSE CASE k.holding_touches WHEN 0 THEN r.f0 WHEN 1 THEN r.f1 WHEN 2 THEN r.f2 WHEN 3 THEN r.f3 ELSE r.f4 END
                           - k.own_holding * CASE k.holding_touches WHEN 0 THEN r.b0 WHEN 1 THEN r.b1 WHEN 2 THEN r.b2 WHEN 3 THEN r.b3 ELSE r.b4 END
                 END AS base_share,
                 CASE WHEN NOT k.free THEN 0
                      ELSE CASE k.holding_touches WHEN 0 THEN r.w0 WHEN 1 THEN r.w1 WHEN 2 THEN r.w2 WHEN 3 THEN r.w3 ELSE r.w4 END
                           - k.own_holding * CASE k.holding_touches WHEN 0 THEN r.e0 WHEN 1 THEN r.e1 WHEN 2 THEN r.e2 WHEN 3 THEN r.e3 ELSE r.e4 END
                 END AS base_wins
          FROM monthly_rows r
          JOIN mask_shapes k ON k.sig = r.sig AND k.class_mask = r.class_mask AND k.n_small = r.n_small
        )
        INSERT INTO attribution_mask_monthly AS t (measure, month, campaign_id, mask, part, pairs, share_0, ${roles.map(([r]) => `share_${r}`).join(', ')}, wins_0, ${roles.map(([r]) => `wins_${r}`).join(', ')})
        SELECT x.measure, x.month, x.campaign_id, x.mask, x.part, sum(x.pairs)::integer,
               sum(x.base_share), ${roles.map(([, bit, own]) => role(bit, own, 'amount', 'x.base_share')).join(', ')},
               sum(x.base_wins), ${roles.map(([, bit, own]) => role(bit, own, 'pairs', 'x.base_wins')).join(', ')}
        FROM based x
        GROUP BY 1, 2, 3, 4, 5
        ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (mask, measure, month, campaign_id, part)
        DO UPDATE SET pairs = t.pairs + excluded.pairs,
                      ${['0', ...roles.map(([r]) => r)].flatMap((r) => [`share_${r} = t.share_${r} + excluded.share_${r}`, `wins_${r} = t.wins_${r} + excluded.wins_${r}`]).join(',\n                      ')};
        DELETE FROM attribution_mask_monthly WHERE pairs = 0;`;
}

const COEFFICIENTS = ['0', 'first', 'last', 'conversion', 'creation'];

export class AttributionMaskMonthly1732890000000 implements MigrationInterface {
  name = 'AttributionMaskMonthly1732890000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE attribution_mask_monthly (   -- per measure, UTC month, campaign and set of holding roles: the coefficients of the credits
        mask        smallint NOT NULL CHECK (mask BETWEEN 0 AND 15),   -- roles with a weight: 1 first, 2 last (and close), 4 lead conversion, 8 opportunity creation
        measure     text NOT NULL,
        month       timestamptz NOT NULL,
        campaign_id bigint NOT NULL,
        part        smallint NOT NULL,   -- 0: journeys with a touch holding no role; else the roles held (bits as mask) in journeys where every touch holds one
        pairs       integer NOT NULL,    -- journey-campaign pairs summed; 0: no rows left, removed
        ${COEFFICIENTS.flatMap((c) => [`share_${c} numeric NOT NULL`, `wins_${c} numeric NOT NULL`]).join(',\n        ')},
        PRIMARY KEY (mask, measure, month, campaign_id, part)
      );
      CREATE INDEX attribution_mask_monthly_empty_idx ON attribution_mask_monthly (mask) WHERE pairs = 0;

      ${keptCacheSql({
        prefix: 'mask_monthly',
        source: 'attribution_monthly',
        cache: 'attribution_mask_monthly',
        what: 'kept coefficients',
        oldRows: 'old_monthly',
        newRows: 'new_monthly',
        move: {
          inserted: moveSql(signedRows('new_monthly', 1)),
          deleted: moveSql(signedRows('old_monthly', -1)),
          updated: moveSql(nettedRows('old_monthly', 'new_monthly')),
          all: moveSql(signedRows('attribution_monthly', 1)),
        },
      })}`);
    const { owner, reader } = await biRoles(q);
    if (reader) await q.query(`GRANT SELECT ON attribution_mask_monthly TO "${owner}"`);
    await applyBiFiles(q, ['attribution.sql']);
  }

  async down(q: QueryRunner): Promise<void> {
    // (bi.attribution_report of sql/bi/attribution.sql reads this table: below this migration,
    // migrate down past 1732810000000 as well, or up again, before reports run)
    const { owner, reader } = await biRoles(q);
    if (reader) await q.query(`REVOKE SELECT ON attribution_mask_monthly FROM "${owner}"`);
    await q.query(`
      ${dropKeptCacheSql('mask_monthly', 'attribution_monthly', 'attribution_mask_monthly')}
      DROP TABLE attribution_mask_monthly;`);
  }
}
