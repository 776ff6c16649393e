import { MigrationInterface, QueryRunner } from 'typeorm';
import { journeyRowsSql } from './1732500000000-attribution-journeys';
import { changedRowsFunction, dropStatementTriggers, keyedLockFunction, rebuildOnTruncate, statementTriggers } from './statement-triggers';

/**
 * The attribution cache: journeys and their monthly sums, kept current on write by
 * statement-level triggers (which fire for COPY too), so that a report over months of
 * data reads a few thousand rows instead of building every journey again.
 *
 * - attribution_journeys: attribution_journey_rows of every opportunity (pipeline) and of
 *   every won one (revenue), for the lookback and half-life of attribution_cache_settings.
 * - attribution_paths: the Markov path (campaigns in journey order) of every closed opportunity.
 * - attribution_monthly: per measure, UTC month of the journey's end, campaign and journey
 *   shape, the sums the rule-based models need (see MONTHLY_STATS), over every opportunity
 *   kind (a report on some kinds only reads the journeys).
 * - attribution_monthly_totals: per measure and month, the journeys and their amount.
 * - opportunity_monthly_totals: per measure, UTC month (of creation for pipeline, of the win for
 *   revenue) and opportunity kind, every opportunity in scope and its amount, empty journeys
 *   included: a report's total amount. Kept by triggers of its own, whether the attribution
 *   cache is ready or not (it depends on nothing else).
 *
 * A write locks the accounts whose journeys it changes (advisory locks), then recomputes
 * the journeys of their opportunities from a fresh snapshot and moves the monthly sums by
 * the difference, so concurrent READ COMMITTED (or SERIALIZABLE) writers never lose a touch.
 * The queries read the cache only when it is ready and its settings match theirs
 * (src/metrics/attribution-sources.sql.ts); otherwise they build the journeys from the touches.
 *
 * Ready: a bulk load commits its rows with the cache emptied and marked not ready
 * (attribution_cache_invalidate), so that the data answers at once, from the touches, and
 * builds the cache afterwards in its own transaction (attribution_cache_rebuild, or
 * attribution_cache_ensure, which the server runs at start when the cache is not ready).
 * While it is not ready, writes leave it alone: the rebuild will read them.
 */

/** j = 0..4: how many touches of a journey hold a role under some model. */
const HOLDINGS = [0, 1, 2, 3, 4];

/**
 * The monthly sums, from exact sums per journey length n (g, see by_length below) times the
 * reciprocals r_j = 1 / (n - j) rounded to 40 decimals (0 when n <= j): f_j = amount * touches
 * * r_j and w_j = touches * r_j, the free touches' share when j touches hold a role; b_j =
 * amount * r_j and e_j = r_j for campaigns holding a role (their class_mask is not 0); 0 for
 * j above the journey's role classes, which no model can make hold. Products and sums of
 * numerics are exact, so the sums never depend on how rows were batched.
 */
/** Whether j touches can hold a role in a journey of this shape: not more than its role classes (1 to 4). */
const holdable = (j: number) =>
  j <= 1 ? 'true' : `${j} <= 1 + (g.sig / 100 = 2)::int + (g.sig / 10 % 10 = 3)::int + (g.sig % 10 = 4)::int`;
const MONTHLY_STATS = [
  'sum(g.pairs) AS pairs',
  'sum(g.amount) AS amount',
  ...HOLDINGS.map((j) => `sum(CASE WHEN ${holdable(j)} THEN g.amount_touches * g.r${j} ELSE 0 END) AS f${j}`),
  ...HOLDINGS.map((j) => `sum(CASE WHEN ${holdable(j)} THEN g.touches * g.r${j} ELSE 0 END) AS w${j}`),
  ...HOLDINGS.map((j) => `sum(CASE WHEN g.class_mask <> 0 AND ${holdable(j)} THEN g.amount * g.r${j} ELSE 0 END) AS b${j}`),
  ...HOLDINGS.map((j) => `sum(CASE WHEN g.class_mask <> 0 AND ${holdable(j)} THEN g.pairs * g.r${j} ELSE 0 END) AS e${j}`),
  'sum(g.decay) AS decay',
  'sum(g.decay_wins) AS decay_wins',
].join(',\n               ');
const RECIPROCALS = HOLDINGS.map((j) => `CASE WHEN n > ${j} THEN 1::numeric(80, 40) / (n - ${j}) ELSE 0 END AS r${j}`).join(
  ',\n                       ',
);

const STAT_COLUMNS = ['pairs', 'amount', ...['f', 'w', 'b', 'e'].flatMap((s) => HOLDINGS.map((j) => `${s}${j}`)), 'decay', 'decay_wins'];
const MONTHLY_KEY = ['measure', 'month', 'campaign_id', 'sig', 'class_mask', 'n_small'];

export class AttributionCache1732510000000 implements MigrationInterface {
  name = 'AttributionCache1732510000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE attribution_cache_settings (   -- the journey settings the cache holds (one row)
        id             boolean PRIMARY KEY DEFAULT true CHECK (id),
        lookback_days  float8 NOT NULL CHECK (lookback_days > 0),
        half_life_days float8 NOT NULL CHECK (half_life_days > 0),
        ready          boolean NOT NULL DEFAULT true   -- false: empty, being (or to be) rebuilt; reports read the touches
      );
      -- a database that holds deals already gets its cache built by the server at start (attribution_cache_ensure)
      INSERT INTO attribution_cache_settings (lookback_days, half_life_days, ready)
      VALUES (90, 7, NOT EXISTS (SELECT FROM opportunities));

      CREATE TABLE attribution_journeys (
        opportunity_id   bigint NOT NULL,
        measure          text NOT NULL,
        journey_end      timestamptz NOT NULL,
        amount           numeric(18,2) NOT NULL,
        opportunity_kind text NOT NULL,
        campaign_id      bigint NOT NULL,
        touches          integer NOT NULL,
        decay_sum        numeric NOT NULL,
        touch_count      integer NOT NULL,
        sig              smallint NOT NULL,
        class_mask       smallint NOT NULL,
        decay_total      numeric NOT NULL
      );
      CREATE INDEX attribution_journeys_opportunity_idx ON attribution_journeys (opportunity_id);
      CREATE INDEX attribution_journeys_end_idx ON attribution_journeys (measure, journey_end);

      CREATE TABLE attribution_paths (
        opportunity_id   bigint PRIMARY KEY,
        closed_at        timestamptz NOT NULL,
        opportunity_kind text NOT NULL,
        won              boolean NOT NULL,
        campaign_ids     bigint[] NOT NULL   -- the campaign of each touch of the journey ending at the close, in order
      );
      CREATE INDEX attribution_paths_closed_idx ON attribution_paths (closed_at);

      CREATE TABLE attribution_monthly (
        measure          text NOT NULL,
        month            timestamptz NOT NULL,
        campaign_id      bigint NOT NULL,
        sig              smallint NOT NULL,
        class_mask       smallint NOT NULL,
        n_small          smallint NOT NULL,   -- touches in the journey, 5 for 5 or more
        ${STAT_COLUMNS.map((c) => `${c} ${c === 'pairs' ? 'integer' : 'numeric'} NOT NULL`).join(',\n        ')},
        PRIMARY KEY (${MONTHLY_KEY.join(', ')})
      );
      CREATE INDEX attribution_monthly_empty_idx ON attribution_monthly (measure) WHERE pairs = 0;

      CREATE TABLE attribution_monthly_totals (
        measure          text NOT NULL,
        month            timestamptz NOT NULL,
        journeys         integer NOT NULL,
        amount           numeric NOT NULL,
        PRIMARY KEY (measure, month)
      );
      CREATE INDEX attribution_monthly_totals_empty_idx ON attribution_monthly_totals (measure) WHERE journeys = 0;

      CREATE TABLE opportunity_monthly_totals (
        measure          text NOT NULL,
        month            timestamptz NOT NULL,
        opportunity_kind text NOT NULL,
        opportunities    integer NOT NULL,
        amount           numeric NOT NULL,
        PRIMARY KEY (measure, month, opportunity_kind)
      );
      CREATE INDEX opportunity_monthly_totals_empty_idx ON opportunity_monthly_totals (measure) WHERE opportunities = 0;

      -- Moves the monthly totals by the opportunities that left (-1) and came (+1).
      CREATE FUNCTION opportunity_totals_move(p_signs integer[], p_created timestamptz[], p_closed timestamptz[],
                                              p_won boolean[], p_kinds text[], p_amounts numeric[]) RETURNS void
      LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO opportunity_monthly_totals AS t (measure, month, opportunity_kind, opportunities, amount)
        SELECT measure, month, kind, sum(sign), sum(sign * amount)
        FROM (SELECT c.sign, 'PIPELINE' AS measure, date_trunc('month', c.created_at, 'UTC') AS month, c.kind, c.amount
              FROM unnest(p_signs, p_created, p_kinds, p_amounts) AS c(sign, created_at, kind, amount)
              UNION ALL
              SELECT c.sign, 'REVENUE', date_trunc('month', c.closed_at, 'UTC'), c.kind, c.amount
              FROM unnest(p_signs, p_closed, p_won, p_kinds, p_amounts) AS c(sign, closed_at, won, kind, amount)
              WHERE c.won AND c.closed_at IS NOT NULL) m
        GROUP BY 1, 2, 3
        ORDER BY 1, 2, 3
        ON CONFLICT (measure, month, opportunity_kind)
        DO UPDATE SET opportunities = t.opportunities + excluded.opportunities, amount = t.amount + excluded.amount;
        DELETE FROM opportunity_monthly_totals WHERE opportunities = 0;
      END $$;

${changedRowsFunction({
        name: 'opportunity_totals_on_opportunities',
        target: 'opportunity_totals_move',
        oldRows: 'old_opportunities',
        newRows: 'new_opportunities',
        columns: ['created_at', 'closed_at', "stage = 'CLOSED_WON'", 'kind', 'amount'],
        signed: true,
      })}
      ${statementTriggers({ prefix: 'opportunity_totals', table: 'opportunities', fn: 'opportunity_totals_on_opportunities', oldRows: 'old_opportunities', newRows: 'new_opportunities' })}

      -- Empties the totals and sums them again from every opportunity.
      CREATE FUNCTION opportunity_totals_rebuild() RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        LOCK TABLE opportunity_monthly_totals IN EXCLUSIVE MODE;
        TRUNCATE opportunity_monthly_totals;
        INSERT INTO opportunity_monthly_totals (measure, month, opportunity_kind, opportunities, amount)
        SELECT measure, month, kind, count(*), sum(amount)
        FROM (SELECT 'PIPELINE' AS measure, date_trunc('month', created_at, 'UTC') AS month, kind, amount FROM opportunities
              UNION ALL
              SELECT 'REVENUE', date_trunc('month', closed_at, 'UTC'), kind, amount FROM opportunities
              WHERE stage = 'CLOSED_WON' AND closed_at IS NOT NULL) o
        GROUP BY 1, 2, 3;
      END $$;
      ${rebuildOnTruncate('opportunity_totals', 'opportunity_totals_rebuild', ['opportunities'])}
      SELECT opportunity_totals_rebuild();

      -- Serialises cache writers per account: a few accounts each, or every account at once.
      ${keyedLockFunction('attribution_cache_lock', 1732510000)}

      -- Recomputes the cached journeys of these opportunities (gone ones are removed) and moves
      -- the monthly sums by the difference; nothing while the cache is not ready. The caller holds
      -- the locks of their accounts (taken before this reads whether the cache is ready).
      -- (work_mem: a rebuild sorts and groups every journey; a few hundred touches otherwise)
      CREATE FUNCTION attribution_cache_refresh(p_opportunity_ids bigint[]) RETURNS void LANGUAGE plpgsql
      SET work_mem = '64MB' AS $$
      DECLARE
        s attribution_cache_settings;
      BEGIN
        SELECT * INTO STRICT s FROM attribution_cache_settings;
        IF NOT s.ready THEN
          RETURN;
        END IF;
        DELETE FROM attribution_paths WHERE opportunity_id IN (SELECT unnest(p_opportunity_ids));
        WITH targets AS (
          SELECT DISTINCT id FROM unnest(p_opportunity_ids) id
        ),
        touches AS MATERIALIZED (   -- the journeys of the targets, built once for the journey rows and the Markov paths
          SELECT * FROM attribution_journey_touches(
            ARRAY(SELECT o.id FROM opportunities o JOIN targets t ON t.id = o.id),
            ARRAY(SELECT o.id FROM opportunities o JOIN targets t ON t.id = o.id WHERE o.closed_at IS NOT NULL),
            s.lookback_days, 'ACCOUNT')
        ),
        cached_touches AS (   -- revenue journeys are those of won deals; lost ones only make Markov paths
          SELECT * FROM touches WHERE measure = 'PIPELINE' OR won
        ),
        paths AS (
          INSERT INTO attribution_paths
          SELECT o.id, o.closed_at, o.kind, o.stage = 'CLOSED_WON', p.campaign_ids
          FROM (SELECT opportunity_id, array_agg(campaign_id ORDER BY position) AS campaign_ids
                FROM touches WHERE measure = 'REVENUE' GROUP BY opportunity_id) p
          JOIN opportunities o ON o.id = p.opportunity_id
        ),
        old_rows AS (
          DELETE FROM attribution_journeys j USING targets t WHERE j.opportunity_id = t.id RETURNING j.*
        ),
        new_rows AS (
          INSERT INTO attribution_journeys
          WITH ${journeyRowsSql('cached_touches', 's.half_life_days')}
          RETURNING *
        ),
        changes AS (
          SELECT 1 AS sign, n.* FROM new_rows n
          UNION ALL
          SELECT -1, o.* FROM old_rows o
        ),
        totals AS (
          INSERT INTO attribution_monthly_totals AS t (measure, month, journeys, amount)
          SELECT measure, month, sum(sign), sum(sign * amount)
          FROM (SELECT DISTINCT sign, opportunity_id, measure, date_trunc('month', journey_end, 'UTC') AS month, amount
                FROM changes) j
          GROUP BY 1, 2
          ORDER BY 1, 2
          ON CONFLICT (measure, month)
          DO UPDATE SET journeys = t.journeys + excluded.journeys, amount = t.amount + excluded.amount
        ),
        by_length AS (   -- exact sums per monthly key and journey length; TIME_DECAY weights rounded once per row
          SELECT c.measure, date_trunc('month', c.journey_end, 'UTC') AS month, c.campaign_id, c.sig, c.class_mask, c.touch_count,
                 sum(c.sign) AS pairs, sum(c.sign * c.amount) AS amount, sum(c.sign * c.touches) AS touches,
                 sum(c.sign * c.amount * c.touches) AS amount_touches,
                 sum(c.sign * c.amount * w.decay_weight) AS decay, sum(c.sign * w.decay_weight) AS decay_wins
          FROM changes c
          CROSS JOIN LATERAL (SELECT c.decay_sum::numeric(80, 40) / c.decay_total AS decay_weight) w
          GROUP BY 1, 2, 3, 4, 5, 6
        )
        INSERT INTO attribution_monthly AS m (${[...MONTHLY_KEY, ...STAT_COLUMNS].join(', ')})
        SELECT g.measure, g.month, g.campaign_id, g.sig, g.class_mask, least(g.touch_count, 5)::smallint,
               ${MONTHLY_STATS}
        FROM (SELECT b.*, ${HOLDINGS.map((j) => `r.r${j}`).join(', ')}
              FROM by_length b
              JOIN (SELECT n,   -- the reciprocals, computed once per journey length
                       ${RECIPROCALS}
                    FROM generate_series(1, (SELECT max(touch_count) FROM by_length)) n) r ON r.n = b.touch_count) g
        GROUP BY 1, 2, 3, 4, 5, 6
        ORDER BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (${MONTHLY_KEY.join(', ')})
        DO UPDATE SET ${STAT_COLUMNS.map((c) => `${c} = m.${c} + excluded.${c}`).join(', ')};

        DELETE FROM attribution_monthly WHERE pairs = 0;
        DELETE FROM attribution_monthly_totals WHERE journeys = 0;

      END $$;

      -- Empties the cache and fills it again from every opportunity; it is ready once this commits.
      CREATE FUNCTION attribution_cache_rebuild() RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock(1732510000, 0);
        UPDATE attribution_cache_settings SET ready = true;
        TRUNCATE attribution_journeys, attribution_paths, attribution_monthly, attribution_monthly_totals;
        -- filling an empty table: building its indexes once at the end is cheaper than row by row
        DROP INDEX attribution_journeys_opportunity_idx, attribution_journeys_end_idx;
        PERFORM attribution_cache_refresh(ARRAY(SELECT id FROM opportunities));
        CREATE INDEX attribution_journeys_opportunity_idx ON attribution_journeys (opportunity_id);
        CREATE INDEX attribution_journeys_end_idx ON attribution_journeys (measure, journey_end);
      END $$;

      -- Empties the cache and marks it not ready: reports read the touches until a rebuild (a bulk
      -- load commits its rows so, then rebuilds the cache in a transaction of its own).
      CREATE FUNCTION attribution_cache_invalidate() RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock(1732510000, 0);
        UPDATE attribution_cache_settings SET ready = false;
        TRUNCATE attribution_journeys, attribution_paths, attribution_monthly, attribution_monthly_totals;
      END $$;

      -- Rebuilds the cache when it is not ready (after a load that stopped before its rebuild);
      -- returns whether it did. Several servers starting at once: one rebuilds, the others wait and find it ready.
      CREATE FUNCTION attribution_cache_ensure() RETURNS boolean LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock(1732510000, 0);
        IF (SELECT ready FROM attribution_cache_settings) THEN
          RETURN false;
        END IF;
        PERFORM attribution_cache_rebuild();
        RETURN true;
      END $$;

      -- Makes the cache hold other journey settings (reports with those settings read it then).
      CREATE FUNCTION attribution_cache_configure(p_lookback_days float8, p_half_life_days float8) RETURNS void
      LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE attribution_cache_settings SET lookback_days = p_lookback_days, half_life_days = p_half_life_days;
      END $$;

      -- However the settings change, the cache is rebuilt in the same transaction.
      CREATE FUNCTION attribution_cache_on_settings() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM attribution_cache_rebuild();
        RETURN NULL;
      END $$;
      CREATE TRIGGER attribution_cache_settings_changed AFTER UPDATE OF lookback_days, half_life_days ON attribution_cache_settings
        FOR EACH STATEMENT EXECUTE FUNCTION attribution_cache_on_settings();

      -- Touches changed (lead, time): the opportunities of the leads' accounts whose journeys span the times.
      CREATE FUNCTION attribution_cache_touches_changed(p_lead_ids bigint[], p_times timestamptz[]) RETURNS void
      LANGUAGE plpgsql AS $$
      DECLARE
        lookback interval := make_interval(secs => (SELECT lookback_days FROM attribution_cache_settings) * 86400);
        targets bigint[];
      BEGIN
        PERFORM attribution_cache_lock(ARRAY(SELECT DISTINCT l.account_id FROM leads l
                                             WHERE l.id IN (SELECT unnest(p_lead_ids)) AND l.account_id IS NOT NULL));
        targets := ARRAY(
          SELECT DISTINCT o.id
          FROM unnest(p_lead_ids, p_times) AS c(lead_id, occurred_at)
          JOIN leads l ON l.id = c.lead_id
          JOIN opportunities o ON o.account_id = l.account_id
          WHERE c.occurred_at >= o.created_at - lookback AND c.occurred_at <= greatest(o.created_at, o.closed_at));
        IF cardinality(targets) > 0 THEN
          PERFORM attribution_cache_refresh(targets);
        END IF;
      END $$;

${changedRowsFunction({
        name: 'attribution_cache_on_touchpoints',
        target: 'attribution_cache_touches_changed',
        oldRows: 'old_touches',
        newRows: 'new_touches',
        columns: ['lead_id', 'occurred_at'],
      })}
      ${statementTriggers({ prefix: 'attribution_cache', table: 'touchpoints', fn: 'attribution_cache_on_touchpoints', oldRows: 'old_touches', newRows: 'new_touches' })}

      -- A lead moving to another account, or its mqlAt changing, changes the journeys at both accounts.
      CREATE FUNCTION attribution_cache_on_leads() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        accounts bigint[];
      BEGIN
        accounts := ARRAY(
          SELECT DISTINCT a FROM old_leads o JOIN new_leads n ON n.id = o.id
          CROSS JOIN LATERAL (VALUES (o.account_id), (n.account_id)) v(a)
          WHERE (o.account_id IS DISTINCT FROM n.account_id OR o.mql_at IS DISTINCT FROM n.mql_at) AND a IS NOT NULL);
        IF cardinality(accounts) > 0 THEN
          PERFORM attribution_cache_lock(accounts);
          PERFORM attribution_cache_refresh(ARRAY(SELECT id FROM opportunities WHERE account_id IN (SELECT unnest(accounts))));
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER attribution_cache_update AFTER UPDATE ON leads
        REFERENCING OLD TABLE AS old_leads NEW TABLE AS new_leads FOR EACH STATEMENT EXECUTE FUNCTION attribution_cache_on_leads();

      -- An opportunity's journeys depend on its account, dates and stage; its sums on its amount and kind.
      CREATE FUNCTION attribution_cache_on_opportunities() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        ids bigint[];
        accounts bigint[];
      BEGIN
        IF TG_OP = 'INSERT' THEN
          ids := ARRAY(SELECT id FROM new_opportunities);
          accounts := ARRAY(SELECT DISTINCT account_id FROM new_opportunities);
        ELSIF TG_OP = 'DELETE' THEN
          ids := ARRAY(SELECT id FROM old_opportunities);
          accounts := ARRAY(SELECT DISTINCT account_id FROM old_opportunities);
        ELSE
          ids := ARRAY(
            SELECT n.id FROM old_opportunities o JOIN new_opportunities n ON n.id = o.id
            WHERE (o.account_id, o.created_at, o.closed_at, o.stage, o.amount, o.kind)
                  IS DISTINCT FROM (n.account_id, n.created_at, n.closed_at, n.stage, n.amount, n.kind));
          accounts := ARRAY(
            SELECT DISTINCT a FROM old_opportunities o JOIN new_opportunities n ON n.id = o.id
            CROSS JOIN LATERAL (VALUES (o.account_id), (n.account_id)) v(a)
            WHERE o.id = ANY (ids));
        END IF;
        IF cardinality(ids) > 0 THEN
          PERFORM attribution_cache_lock(accounts);
          PERFORM attribution_cache_refresh(ids);
        END IF;
        RETURN NULL;
      END $$;
      ${statementTriggers({ prefix: 'attribution_cache', table: 'opportunities', fn: 'attribution_cache_on_opportunities', oldRows: 'old_opportunities', newRows: 'new_opportunities' })}

      ${rebuildOnTruncate('attribution_cache', 'attribution_cache_rebuild', ['touchpoints', 'leads', 'opportunities'])}

    `);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER opportunity_totals_truncate ON opportunities;
      ${dropStatementTriggers('opportunity_totals', 'opportunities')}
      DROP FUNCTION opportunity_totals_on_truncate(), opportunity_totals_rebuild(), opportunity_totals_on_opportunities(),
        opportunity_totals_move(integer[], timestamptz[], timestamptz[], boolean[], text[], numeric[]);
      DROP TABLE opportunity_monthly_totals;
      DROP TRIGGER attribution_cache_settings_changed ON attribution_cache_settings;
      DROP TRIGGER attribution_cache_truncate ON opportunities;
      DROP TRIGGER attribution_cache_truncate ON leads;
      DROP TRIGGER attribution_cache_truncate ON touchpoints;
      ${dropStatementTriggers('attribution_cache', 'opportunities')}
      DROP TRIGGER attribution_cache_update ON leads;
      ${dropStatementTriggers('attribution_cache', 'touchpoints')}
      DROP FUNCTION attribution_cache_on_settings(), attribution_cache_on_truncate(), attribution_cache_on_opportunities(),
        attribution_cache_on_leads(), attribution_cache_on_touchpoints(), attribution_cache_touches_changed(bigint[], timestamptz[]),
        attribution_cache_configure(float8, float8), attribution_cache_ensure(), attribution_cache_invalidate(),
        attribution_cache_rebuild(), attribution_cache_refresh(bigint[]),
        attribution_cache_lock(bigint[]);
      DROP TABLE attribution_monthly_totals, attribution_monthly, attribution_paths, attribution_journeys,
        attribution_cache_settings;
    `);
  }
}
