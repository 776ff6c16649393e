import { MigrationInterface, QueryRunner } from 'typeorm';
import { changedRowsFunction, dropStatementTriggers, keyedLockFunction, rebuildOnTruncate, statementTriggers } from './statement-triggers';

/**
 * What campaign performance counts besides credits, kept current on write like the
 * attribution cache (statement-level triggers, which fire for COPY too):
 *
 * - campaign_daily_touches: touches per campaign and UTC day (a year is ~13k rows at the
 *   M demo size instead of ~660k touches); partial days at a window's edges are counted from
 *   the touches.
 * - lead_first_touches: each lead's first touch ever, ordered by (occurredAt, id), with the
 *   lead's mqlAt: leads sourced and MQLs per campaign (METRICS.md) without looking for every
 *   lead's first touch again.
 * - campaign_daily_sourcing: per campaign and UTC day, the leads it sourced (first touch that
 *   day) and its sourced leads that became MQL that day, kept by triggers on lead_first_touches;
 *   partial days at a window's edges are counted from lead_first_touches.
 *
 * A write locks the leads whose first touch it changes (advisory locks), then recomputes them
 * from a fresh snapshot; daily counts move by the difference.
 */
export class CampaignActivityCache1732520000000 implements MigrationInterface {
  name = 'CampaignActivityCache1732520000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE campaign_daily_touches (
        campaign_id bigint NOT NULL,
        day         date NOT NULL,
        touches     integer NOT NULL,
        PRIMARY KEY (day, campaign_id)
      );
      CREATE INDEX campaign_daily_touches_empty_idx ON campaign_daily_touches (day) WHERE touches = 0;

      CREATE TABLE lead_first_touches (
        lead_id     bigint PRIMARY KEY,
        touch_id    bigint NOT NULL,
        campaign_id bigint NOT NULL,
        occurred_at timestamptz NOT NULL,
        mql_at      timestamptz
      );
      CREATE INDEX lead_first_touches_time_idx ON lead_first_touches (occurred_at) INCLUDE (campaign_id);
      CREATE INDEX lead_first_touches_mql_idx ON lead_first_touches (mql_at) INCLUDE (campaign_id) WHERE mql_at IS NOT NULL;

      CREATE TABLE campaign_daily_sourcing (
        campaign_id   bigint NOT NULL,
        day           date NOT NULL,
        leads_sourced integer NOT NULL,   -- leads whose first touch ever is with the campaign, on that day
        mqls          integer NOT NULL,   -- of those leads, the ones whose mqlAt is on that day
        PRIMARY KEY (day, campaign_id)
      );
      CREATE INDEX campaign_daily_sourcing_empty_idx ON campaign_daily_sourcing (day) WHERE leads_sourced = 0 AND mqls = 0;

      -- Moves the daily counts by the first touches that left (-1) and came (+1).
      CREATE FUNCTION campaign_daily_sourcing_move(p_signs integer[], p_campaign_ids bigint[], p_times timestamptz[],
                                                   p_mql_times timestamptz[]) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO campaign_daily_sourcing AS d (day, campaign_id, leads_sourced, mqls)
        SELECT day, campaign_id, sum(sourced), sum(mqls)
        FROM (SELECT (c.occurred_at AT TIME ZONE 'UTC')::date AS day, c.campaign_id, c.sign AS sourced, 0 AS mqls
              FROM unnest(p_signs, p_campaign_ids, p_times) AS c(sign, campaign_id, occurred_at)
              UNION ALL
              SELECT (c.mql_at AT TIME ZONE 'UTC')::date, c.campaign_id, 0, c.sign
              FROM unnest(p_signs, p_campaign_ids, p_mql_times) AS c(sign, campaign_id, mql_at)
              WHERE c.mql_at IS NOT NULL) m
        GROUP BY 1, 2
        ORDER BY 1, 2
        ON CONFLICT (day, campaign_id)
        DO UPDATE SET leads_sourced = d.leads_sourced + excluded.leads_sourced, mqls = d.mqls + excluded.mqls;
        DELETE FROM campaign_daily_sourcing WHERE leads_sourced = 0 AND mqls = 0;
      END $$;

${changedRowsFunction({
        name: 'campaign_daily_sourcing_on_first_touches',
        target: 'campaign_daily_sourcing_move',
        oldRows: 'old_rows',
        newRows: 'new_rows',
        columns: ['campaign_id', 'occurred_at', 'mql_at'],
        signed: true,
      })}
      ${statementTriggers({ prefix: 'campaign_daily_sourcing', table: 'lead_first_touches', fn: 'campaign_daily_sourcing_on_first_touches', oldRows: 'old_rows', newRows: 'new_rows' })}

      -- Serialises writers of the same leads' first touches: a few leads each, or all at once.
      ${keyedLockFunction('campaign_activity_lock', 1732520000)}

      -- Recomputes the first touch of these leads (the caller holds their locks).
      CREATE FUNCTION lead_first_touches_refresh(p_lead_ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM lead_first_touches WHERE lead_id IN (SELECT unnest(p_lead_ids));
        INSERT INTO lead_first_touches (lead_id, touch_id, campaign_id, occurred_at, mql_at)
        SELECT DISTINCT ON (t.lead_id) t.lead_id, t.id, t.campaign_id, t.occurred_at, l.mql_at
        FROM touchpoints t
        JOIN leads l ON l.id = t.lead_id
        WHERE t.lead_id IN (SELECT unnest(p_lead_ids))
        ORDER BY t.lead_id, t.occurred_at, t.id;
      END $$;

      -- Touches changed: +1 / -1 per (campaign, day), and the first touch of their leads.
      CREATE FUNCTION campaign_activity_touches_changed(p_signs integer[], p_lead_ids bigint[], p_campaign_ids bigint[],
                                                        p_times timestamptz[]) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO campaign_daily_touches AS d (day, campaign_id, touches)
        SELECT (c.occurred_at AT TIME ZONE 'UTC')::date, c.campaign_id, sum(c.sign)
        FROM unnest(p_signs, p_campaign_ids, p_times) AS c(sign, campaign_id, occurred_at)
        GROUP BY 1, 2
        ORDER BY 1, 2
        ON CONFLICT (day, campaign_id) DO UPDATE SET touches = d.touches + excluded.touches;
        DELETE FROM campaign_daily_touches WHERE touches = 0;

        PERFORM campaign_activity_lock(p_lead_ids);
        PERFORM lead_first_touches_refresh(p_lead_ids);
      END $$;

${changedRowsFunction({
        name: 'campaign_activity_on_touchpoints',
        target: 'campaign_activity_touches_changed',
        oldRows: 'old_touches',
        newRows: 'new_touches',
        columns: ['lead_id', 'campaign_id', 'occurred_at'],
        signed: true,
      })}
      ${statementTriggers({ prefix: 'campaign_activity', table: 'touchpoints', fn: 'campaign_activity_on_touchpoints', oldRows: 'old_touches', newRows: 'new_touches' })}

      -- A lead's mqlAt travels with its first touch.
      CREATE FUNCTION campaign_activity_on_leads() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE lead_first_touches f SET mql_at = n.mql_at
        FROM old_leads o JOIN new_leads n ON n.id = o.id
        WHERE f.lead_id = n.id AND o.mql_at IS DISTINCT FROM n.mql_at;
        RETURN NULL;
      END $$;
      CREATE TRIGGER campaign_activity_update AFTER UPDATE ON leads
        REFERENCING OLD TABLE AS old_leads NEW TABLE AS new_leads FOR EACH STATEMENT EXECUTE FUNCTION campaign_activity_on_leads();

      -- Empties the caches and fills them again from every touch (the first touches' insert fills campaign_daily_sourcing).
      CREATE FUNCTION campaign_activity_rebuild() RETURNS void LANGUAGE plpgsql SET work_mem = '64MB' AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock(1732520000, 0);
        TRUNCATE campaign_daily_touches, lead_first_touches, campaign_daily_sourcing;
        INSERT INTO campaign_daily_touches (day, campaign_id, touches)
        SELECT (occurred_at AT TIME ZONE 'UTC')::date, campaign_id, count(*) FROM touchpoints GROUP BY 1, 2;
        INSERT INTO lead_first_touches (lead_id, touch_id, campaign_id, occurred_at, mql_at)
        SELECT DISTINCT ON (t.lead_id) t.lead_id, t.id, t.campaign_id, t.occurred_at, l.mql_at
        FROM touchpoints t
        JOIN leads l ON l.id = t.lead_id
        ORDER BY t.lead_id, t.occurred_at, t.id;
      END $$;
      ${rebuildOnTruncate('campaign_activity', 'campaign_activity_rebuild', ['touchpoints', 'leads'])}

      SET LOCAL statement_timeout = 0;
      SELECT campaign_activity_rebuild();
    `);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ${dropStatementTriggers('campaign_daily_sourcing', 'lead_first_touches')}
      DROP TRIGGER campaign_activity_truncate ON leads;
      DROP TRIGGER campaign_activity_truncate ON touchpoints;
      DROP TRIGGER campaign_activity_update ON leads;
      ${dropStatementTriggers('campaign_activity', 'touchpoints')}
      DROP FUNCTION campaign_activity_on_truncate(), campaign_activity_rebuild(), campaign_activity_on_leads(),
        campaign_activity_on_touchpoints(), campaign_activity_touches_changed(integer[], bigint[], bigint[], timestamptz[]),
        lead_first_touches_refresh(bigint[]), campaign_activity_lock(bigint[]),
        campaign_daily_sourcing_on_first_touches(), campaign_daily_sourcing_move(integer[], bigint[], timestamptz[], timestamptz[]);
      DROP TABLE campaign_daily_sourcing, lead_first_touches, campaign_daily_touches;
    `);
  }
}
