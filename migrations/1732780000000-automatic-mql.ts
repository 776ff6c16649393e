import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Automatic MQL (docs/metrics.md, "Automatic MQL"): while a policy is in force, a lead in NEW
 * or RECYCLED that qualifies becomes an MQL in the transaction of the write that qualified it,
 * whoever writes (API, import engine, COPY), and a policy coming into force qualifies the leads
 * that qualify at that moment. Scores come only from the functions of migration 1732770000000
 * (qualification_qualifying_at, qualification_scores, qualification_lines).
 *
 * How a write gets there:
 * - statement-level triggers (transition tables: one call per statement) on touchpoints, leads,
 *   accounts and campaigns queue the leads a statement may have qualified in auto_mql_pending,
 *   with the earliest evaluation time it can have changed (a touch at v: every evaluation time
 *   at or after v; a new lead: from its creation) or NULL for "at the moment of the write" (a
 *   change of attributes);
 * - the first of them in a transaction also queues the transaction in auto_mql_queue, whose
 *   deferred constraint trigger runs auto_mql_run() once, when the transaction commits: after
 *   every write of it, so a manual stage change of the same transaction applies first and every
 *   touch of one time counts;
 * - auto_mql_run() finds, per span of time one policy was in force, each queued lead's earliest
 *   qualifying evaluation time u, and auto_mql_make() moves it to MQL at the later of u and the
 *   time it entered its current stage, with a stage-history entry naming the agreement version
 *   and keeping the explanation (the lines at u: qualification_lines_at gives them for many
 *   leads at times of their own in one call).
 * Deleting a touch never qualifies a lead (engagement points are >= 0), so deletes queue nothing.
 * A policy without rules (an agreement migrated from text rules) makes no lead an MQL.
 */
export class AutomaticMql1732780000000 implements MigrationInterface {
  name = 'AutomaticMql1732780000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- what qualified a lead, on the stage change that made it an MQL automatically
      ALTER TABLE lead_stage_changes
        ADD COLUMN qualified_by_agreement_id bigint REFERENCES alignment_agreements(id) ON DELETE SET NULL,
        ADD COLUMN qualified_by_version integer,
        ADD COLUMN qualifying_at timestamptz,
        ADD COLUMN qualification jsonb;

      -- each agreement whose policy came into force, when, and how many leads it qualified then
      CREATE TABLE qualification_policy_applications (
        agreement_id      bigint PRIMARY KEY REFERENCES alignment_agreements(id) ON DELETE CASCADE,
        agreement_version integer NOT NULL,
        policy_id         bigint NOT NULL,
        in_force_at       timestamptz NOT NULL,
        -- false: superseded at that very moment by another agreement, so never in force
        came_into_force   boolean NOT NULL,
        qualified_leads   integer NOT NULL,
        applied_at        timestamptz NOT NULL DEFAULT now()
      );
      CREATE TRIGGER qualification_policy_applications_audit AFTER INSERT OR UPDATE OR DELETE ON qualification_policy_applications
        FOR EACH ROW WHEN (coalesce(current_setting('app.actor', true), '') <> '') EXECUTE FUNCTION audit_row();
      -- agreements already in force keep the history they have: nothing is qualified for them
      INSERT INTO qualification_policy_applications (agreement_id, agreement_version, policy_id, in_force_at, came_into_force, qualified_leads)
      SELECT id, version, policy_id, greatest(effective_from, marketing_approved_at, sales_approved_at), true, 0
        FROM alignment_agreements
       WHERE marketing_approved_at IS NOT NULL AND sales_approved_at IS NOT NULL
         AND greatest(effective_from, marketing_approved_at, sales_approved_at) <= now();

      -- Leads a write may have qualified, until its transaction commits (rows of a transaction
      -- are seen by it alone, and it deletes them before it commits).
      CREATE UNLOGGED TABLE auto_mql_pending (
        lead_id bigint NOT NULL,
        from_at timestamptz     -- evaluation times at or after this; NULL: at the moment of the write
      );
      CREATE UNLOGGED TABLE auto_mql_queue (txid xid8 PRIMARY KEY);

      -- The spans of time each policy was in force (qualification_policy_at is constant between
      -- the moments agreements came into force), for policies that have rules.
      CREATE FUNCTION auto_mql_policy_spans() RETURNS TABLE (policy_id bigint, from_at timestamptz, to_at timestamptz)
      LANGUAGE sql STABLE AS $$
        WITH moments AS (
          SELECT DISTINCT greatest(effective_from, marketing_approved_at, sales_approved_at) AS m
            FROM alignment_agreements
           WHERE marketing_approved_at IS NOT NULL AND sales_approved_at IS NOT NULL
        ),
        spans AS (
          SELECT m AS from_at, coalesce(lead(m) OVER (ORDER BY m), 'infinity'::timestamptz) AS to_at, qualification_policy_at(m) AS policy_id
            FROM moments
        )
        SELECT s.policy_id, s.from_at, s.to_at FROM spans s
         WHERE EXISTS (SELECT 1 FROM qualification_rules r WHERE r.policy_id = s.policy_id)
      $$;

      -- Whether any approved agreement has a policy with rules (else no write can qualify anyone).
      CREATE FUNCTION auto_mql_enabled() RETURNS boolean LANGUAGE sql STABLE AS $$
        SELECT EXISTS (
          SELECT 1 FROM alignment_agreements a
           WHERE a.marketing_approved_at IS NOT NULL AND a.sales_approved_at IS NOT NULL
             AND EXISTS (SELECT 1 FROM qualification_rules r WHERE r.policy_id = a.policy_id))
      $$;

      -- Queues the leads (those in NEW or RECYCLED) a statement may have qualified.
      CREATE FUNCTION auto_mql_queue_leads(p_lead_ids bigint[], p_from timestamptz[]) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        IF cardinality(p_lead_ids) = 0 OR NOT auto_mql_enabled() THEN
          RETURN;
        END IF;
        INSERT INTO auto_mql_pending (lead_id, from_at)
        SELECT c.lead_id, min(c.from_at)
          FROM unnest(p_lead_ids, p_from) AS c(lead_id, from_at)
          JOIN leads l ON l.id = c.lead_id AND l.stage IN ('NEW', 'RECYCLED')
         GROUP BY c.lead_id, c.from_at IS NULL;
        IF FOUND THEN
          INSERT INTO auto_mql_queue (txid) VALUES (pg_current_xact_id()) ON CONFLICT DO NOTHING;
        END IF;
      END $$;

    `);
    await q.query(`
      -- touches inserted, or changed in what a score reads (lead, time, kind, campaign)
      CREATE FUNCTION auto_mql_on_touchpoints() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        ids bigint[];
        times timestamptz[];
      BEGIN
        IF TG_OP = 'INSERT' THEN
          SELECT array_agg(t.lead_id), array_agg(t.occurred_at) INTO ids, times FROM auto_mql_new_touches t;
        ELSE
          SELECT array_agg(t.lead_id), array_agg(t.occurred_at) INTO ids, times
            FROM auto_mql_new_touches t JOIN auto_mql_old_touches o ON o.id = t.id
           WHERE (o.lead_id, o.occurred_at, o.kind, o.campaign_id) IS DISTINCT FROM (t.lead_id, t.occurred_at, t.kind, t.campaign_id);
        END IF;
        PERFORM auto_mql_queue_leads(coalesce(ids, '{}'), coalesce(times, '{}'));
        RETURN NULL;
      END $$;
      CREATE TRIGGER auto_mql_insert AFTER INSERT ON touchpoints
        REFERENCING NEW TABLE AS auto_mql_new_touches FOR EACH STATEMENT EXECUTE FUNCTION auto_mql_on_touchpoints();
      CREATE TRIGGER auto_mql_update AFTER UPDATE ON touchpoints
        REFERENCING OLD TABLE AS auto_mql_old_touches NEW TABLE AS auto_mql_new_touches FOR EACH STATEMENT EXECUTE FUNCTION auto_mql_on_touchpoints();

      -- a new lead: from its creation on; a change of what fit reads: at the moment of the write
      CREATE FUNCTION auto_mql_on_leads() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        ids bigint[];
        times timestamptz[];
      BEGIN
        IF TG_OP = 'INSERT' THEN
          SELECT array_agg(l.id), array_agg(l.created_at) INTO ids, times FROM auto_mql_new_leads l;
        ELSE
          SELECT array_agg(l.id), array_agg(NULL::timestamptz) INTO ids, times
            FROM auto_mql_new_leads l JOIN auto_mql_old_leads o ON o.id = l.id
           WHERE (o.attributes, o.title, o.account_id) IS DISTINCT FROM (l.attributes, l.title, l.account_id)
             -- an erasure clears the title: it takes personal data away, it is no news about the lead
             AND NOT (o.erased_at IS NULL AND l.erased_at IS NOT NULL);
        END IF;
        PERFORM auto_mql_queue_leads(coalesce(ids, '{}'), coalesce(times, '{}'));
        RETURN NULL;
      END $$;
      CREATE TRIGGER auto_mql_insert AFTER INSERT ON leads
        REFERENCING NEW TABLE AS auto_mql_new_leads FOR EACH STATEMENT EXECUTE FUNCTION auto_mql_on_leads();
      CREATE TRIGGER auto_mql_update AFTER UPDATE ON leads
        REFERENCING OLD TABLE AS auto_mql_old_leads NEW TABLE AS auto_mql_new_leads FOR EACH STATEMENT EXECUTE FUNCTION auto_mql_on_leads();

      -- an account's attributes, segment, industry or wallet size: its leads, at the moment of the write
      CREATE FUNCTION auto_mql_on_accounts() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        ids bigint[];
      BEGIN
        ids := ARRAY(
          SELECT l.id FROM auto_mql_new_accounts a JOIN auto_mql_old_accounts o ON o.id = a.id
            JOIN leads l ON l.account_id = a.id
           WHERE (o.attributes, o.segment, o.industry, o.wallet_size) IS DISTINCT FROM (a.attributes, a.segment, a.industry, a.wallet_size));
        PERFORM auto_mql_queue_leads(ids, array_fill(NULL::timestamptz, ARRAY[cardinality(ids)]));
        RETURN NULL;
      END $$;
      CREATE TRIGGER auto_mql_update AFTER UPDATE ON accounts
        REFERENCING OLD TABLE AS auto_mql_old_accounts NEW TABLE AS auto_mql_new_accounts FOR EACH STATEMENT EXECUTE FUNCTION auto_mql_on_accounts();

      -- a campaign's channel (engagement rules read it): its touches, as if written again
      CREATE FUNCTION auto_mql_on_campaigns() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        ids bigint[];
        times timestamptz[];
      BEGIN
        SELECT array_agg(t.lead_id), array_agg(t.first_at) INTO ids, times
          FROM (SELECT tp.lead_id, min(tp.occurred_at) AS first_at
                  FROM auto_mql_new_campaigns c JOIN auto_mql_old_campaigns o ON o.id = c.id
                  JOIN touchpoints tp ON tp.campaign_id = c.id
                 WHERE o.channel IS DISTINCT FROM c.channel
                 GROUP BY tp.lead_id) t;
        PERFORM auto_mql_queue_leads(coalesce(ids, '{}'), coalesce(times, '{}'));
        RETURN NULL;
      END $$;
      CREATE TRIGGER auto_mql_update AFTER UPDATE ON campaigns
        REFERENCING OLD TABLE AS auto_mql_old_campaigns NEW TABLE AS auto_mql_new_campaigns FOR EACH STATEMENT EXECUTE FUNCTION auto_mql_on_campaigns();

      -- Makes the leads MQLs that qualified: lead p_lead_ids[i] at p_at[i] under policy
      -- p_policy_ids[i] (the earliest time of a lead counts). Only leads still in NEW or RECYCLED
      -- move, at the later of the qualifying time and the time they entered their stage (their
      -- last stage change); mqlAt is set only the first time. Returns how many moved.
      CREATE FUNCTION auto_mql_make(p_lead_ids bigint[], p_at timestamptz[], p_policy_ids bigint[]) RETURNS integer
      LANGUAGE plpgsql AS $$
      DECLARE
        audited boolean := coalesce(current_setting('app.actor', true), '') <> '';
        previous text := current_setting('app.mutation', true);
        moved integer;
      BEGIN
        IF cardinality(p_lead_ids) = 0 THEN
          RETURN 0;
        END IF;
        -- lock them in id order (two writers qualifying the same leads wait, never deadlock)
        PERFORM 1 FROM leads l WHERE l.id IN (SELECT unnest(p_lead_ids)) AND l.stage IN ('NEW', 'RECYCLED') ORDER BY l.id FOR UPDATE;
        IF audited THEN
          PERFORM set_config('app.mutation', 'automaticMql', true);
        END IF;
        WITH hits AS (
          SELECT DISTINCT ON (h.lead_id) h.lead_id, h.at, h.policy_id
            FROM unnest(p_lead_ids, p_at, p_policy_ids) AS h(lead_id, at, policy_id)
           ORDER BY h.lead_id, h.at
        ),
        targets AS (
          SELECT h.lead_id, h.at, h.policy_id, l.stage AS from_stage, a.id AS agreement_id, a.version AS agreement_version,
                 greatest(h.at, l.created_at, l.mql_at, l.sal_at, l.sql_at, l.opportunity_at, l.customer_at, l.recycled_at,
                          l.disqualified_at, (SELECT max(c.changed_at) FROM lead_stage_changes c WHERE c.lead_id = l.id)) AS mql_at
            FROM hits h
            JOIN leads l ON l.id = h.lead_id AND l.stage IN ('NEW', 'RECYCLED')
            JOIN alignment_agreements a ON a.policy_id = h.policy_id
        ),
        groups AS (
          SELECT t.policy_id, array_agg(t.lead_id ORDER BY t.lead_id) AS ids, array_agg(t.at ORDER BY t.lead_id) AS times
            FROM targets t GROUP BY t.policy_id
        ),
        explained AS (
          SELECT x.lead_id,
                 coalesce(sum(x.points) FILTER (WHERE x.line IN ('FIT', 'FIT_CAP')), 0) AS fit,
                 coalesce(sum(x.points) FILTER (WHERE x.line IN ('ENGAGEMENT', 'ENGAGEMENT_CAP')), 0) AS engagement,
                 jsonb_agg(jsonb_build_object(
                   'kind', x.line, 'rulePosition', x.rule_position, 'touchpointId', x.touch_id::text,
                   'touchAt', to_char(x.touch_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                   'ageDays', x.age_days::text, 'points', x.points::text) ORDER BY x.line_no) AS lines
            FROM groups g CROSS JOIN LATERAL qualification_lines_at(g.policy_id, g.ids, g.times, false) x
           GROUP BY x.lead_id
        ),
        updated AS (
          UPDATE leads l SET stage = 'MQL', mql_at = coalesce(l.mql_at, t.mql_at), version = l.version + 1
            FROM targets t
           WHERE l.id = t.lead_id
          RETURNING l.id
        ),
        changes AS (
          INSERT INTO lead_stage_changes (lead_id, from_stage, to_stage, changed_at, qualified_by_agreement_id, qualified_by_version,
                                          qualifying_at, qualification)
          SELECT t.lead_id, t.from_stage, 'MQL', t.mql_at, t.agreement_id, t.agreement_version, t.at,
                 jsonb_build_object('fit', coalesce(e.fit, 0)::text, 'engagement', coalesce(e.engagement, 0)::text,
                                    'score', (coalesce(e.fit, 0) + coalesce(e.engagement, 0))::text, 'lines', coalesce(e.lines, '[]'::jsonb))
            FROM targets t
            JOIN updated u ON u.id = t.lead_id
            LEFT JOIN explained e ON e.lead_id = t.lead_id
           ORDER BY t.lead_id
          RETURNING qualified_by_agreement_id AS agreement_id, qualified_by_version AS agreement_version
        ),
        -- writes outside the API (imports, COPY) are not audited row by row: one entry per policy says it
        summary AS (
          INSERT INTO audit_log (actor, actor_role, mutation, object_type, object_id, action, after)
          SELECT 'system', 'SYSTEM', 'automaticMql', 'alignment_agreements', c.agreement_id::text, 'UPDATE',
                 jsonb_build_object('automaticMql', jsonb_build_object('agreementVersion', c.agreement_version, 'leads', count(*)))
            FROM changes c
           WHERE NOT audited
           GROUP BY c.agreement_id, c.agreement_version
          RETURNING 1
        )
        SELECT count(*) INTO moved FROM changes;
        IF audited THEN
          PERFORM set_config('app.mutation', coalesce(previous, ''), true);
        END IF;
        RETURN moved;
      END $$;

      -- At commit: the queued leads of this transaction, qualified by the writes it made.
      CREATE FUNCTION auto_mql_run() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        touch_ids bigint[];
        touch_from timestamptz[];
        moment_ids bigint[];
        hit_ids bigint[] := '{}';
        hit_at timestamptz[] := '{}';
        hit_policies bigint[] := '{}';
        span record;
        policy bigint;
      BEGIN
        DELETE FROM auto_mql_queue WHERE txid = NEW.txid;
        WITH pending AS (
          DELETE FROM auto_mql_pending RETURNING lead_id, from_at
        ),
        queued AS (
          SELECT p.lead_id, min(p.from_at) AS from_at, bool_or(p.from_at IS NULL) AS moment
            FROM pending p JOIN leads l ON l.id = p.lead_id AND l.stage IN ('NEW', 'RECYCLED')
           GROUP BY p.lead_id
        )
        SELECT ARRAY(SELECT lead_id FROM queued WHERE from_at IS NOT NULL ORDER BY lead_id),
               ARRAY(SELECT from_at FROM queued WHERE from_at IS NOT NULL ORDER BY lead_id),
               ARRAY(SELECT lead_id FROM queued WHERE moment ORDER BY lead_id)
          INTO touch_ids, touch_from, moment_ids;

        -- written touches and new leads: the earliest evaluation time at or after the lead's
        -- bound at which it qualifies under the policy in force then, span by span
        IF cardinality(touch_ids) > 0 THEN
          FOR span IN
            SELECT s.* FROM auto_mql_policy_spans() s WHERE s.to_at > (SELECT min(f) FROM unnest(touch_from) f) ORDER BY s.from_at
          LOOP
            WITH bound AS (
              SELECT b.lead_id, b.from_at FROM unnest(touch_ids, touch_from) AS b(lead_id, from_at)
               WHERE b.from_at < span.to_at AND b.lead_id NOT IN (SELECT unnest(hit_ids))
            ),
            first AS (
              SELECT q.lead_id, q.at FROM qualification_qualifying_at(span.policy_id, ARRAY(SELECT lead_id FROM bound),
                                                                      greatest(span.from_at, (SELECT min(from_at) FROM bound)), span.to_at) q
            ),
            -- a lead that qualified already before its bound (but did not move then): again, from its bound
            again AS (
              SELECT greatest(b.from_at, span.from_at) AS lo, array_agg(b.lead_id) AS ids
                FROM first f JOIN bound b ON b.lead_id = f.lead_id
               WHERE f.at < b.from_at
               GROUP BY 1
            ),
            found AS (
              SELECT f.lead_id, f.at FROM first f JOIN bound b ON b.lead_id = f.lead_id WHERE f.at >= b.from_at
              UNION ALL
              SELECT q.lead_id, q.at FROM again g CROSS JOIN LATERAL qualification_qualifying_at(span.policy_id, g.ids, g.lo, span.to_at) q
            )
            SELECT hit_ids || coalesce(array_agg(f.lead_id ORDER BY f.lead_id), '{}'),
                   hit_at || coalesce(array_agg(f.at ORDER BY f.lead_id), '{}'),
                   hit_policies || coalesce(array_agg(span.policy_id ORDER BY f.lead_id), '{}')
              INTO hit_ids, hit_at, hit_policies
              FROM found f;
          END LOOP;
        END IF;

        -- changes of attributes: at the moment of the write, under the policy in force now
        IF cardinality(moment_ids) > 0 THEN
          policy := qualification_policy_at(now());
          IF policy IS NOT NULL AND EXISTS (SELECT 1 FROM qualification_rules r WHERE r.policy_id = policy) THEN
            SELECT hit_ids || coalesce(array_agg(s.lead_id ORDER BY s.lead_id), '{}'),
                   hit_at || coalesce(array_agg(now() ORDER BY s.lead_id), '{}'),
                   hit_policies || coalesce(array_agg(policy ORDER BY s.lead_id), '{}')
              INTO hit_ids, hit_at, hit_policies
              FROM qualification_scores(policy, moment_ids, now()) s
             WHERE s.qualifies;
          END IF;
        END IF;

        PERFORM auto_mql_make(hit_ids, hit_at, hit_policies);
        RETURN NULL;
      END $$;
      CREATE CONSTRAINT TRIGGER auto_mql_at_commit AFTER INSERT ON auto_mql_queue
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION auto_mql_run();

      -- Policies coming into force: each fully approved agreement whose moment (the later of
      -- effectiveFrom and its second approval) has come (by the clock: an approval is stamped
      -- after its transaction began) and that was not applied yet, oldest first. The leads in NEW or RECYCLED since at most that moment that qualify at it become
      -- MQLs as of it. Returns each agreement applied with how many leads it qualified. With
      -- p_limit, a policy with more leads than that to judge is left, with the later ones, to the
      -- periodic check (src/qualification/auto-mql-sweep.ts), which runs without time limits:
      -- an approval is a request, bound by the statement timeout.
      CREATE FUNCTION auto_mql_apply_due(p_limit integer DEFAULT NULL) RETURNS TABLE (agreement_id bigint, qualified_leads integer)
      LANGUAGE plpgsql AS $$
      DECLARE
        a record;
        audited boolean := coalesce(current_setting('app.actor', true), '') <> '';
        previous text := current_setting('app.mutation', true);
        candidates bigint[];
        hits bigint[];
        n integer;
        in_force boolean;
      BEGIN
        IF NOT EXISTS (
          SELECT 1 FROM alignment_agreements g
           WHERE g.marketing_approved_at IS NOT NULL AND g.sales_approved_at IS NOT NULL
             AND greatest(g.effective_from, g.marketing_approved_at, g.sales_approved_at) <= clock_timestamp()
             AND NOT EXISTS (SELECT 1 FROM qualification_policy_applications p WHERE p.agreement_id = g.id)) THEN
          RETURN;
        END IF;
        -- one applier at a time (an approval and the periodic check)
        PERFORM pg_advisory_xact_lock(hashtext('auto_mql_apply_due'));
        FOR a IN
          SELECT g.id, g.version, g.policy_id, greatest(g.effective_from, g.marketing_approved_at, g.sales_approved_at) AS m
            FROM alignment_agreements g
           WHERE g.marketing_approved_at IS NOT NULL AND g.sales_approved_at IS NOT NULL
             AND greatest(g.effective_from, g.marketing_approved_at, g.sales_approved_at) <= clock_timestamp()
             AND NOT EXISTS (SELECT 1 FROM qualification_policy_applications p WHERE p.agreement_id = g.id)
           ORDER BY 4, g.version
        LOOP
          in_force := qualification_policy_at(a.m) = a.policy_id;
          n := 0;
          IF in_force AND EXISTS (SELECT 1 FROM qualification_rules r WHERE r.policy_id = a.policy_id) THEN
            candidates := ARRAY(
              SELECT l.id FROM leads l
               WHERE l.stage IN ('NEW', 'RECYCLED')
                 AND greatest(l.created_at, l.mql_at, l.sal_at, l.sql_at, l.opportunity_at, l.customer_at, l.recycled_at, l.disqualified_at,
                              (SELECT max(c.changed_at) FROM lead_stage_changes c WHERE c.lead_id = l.id)) <= a.m);
            IF cardinality(candidates) > p_limit THEN
              EXIT;
            END IF;
            hits := ARRAY(SELECT s.lead_id FROM qualification_scores(a.policy_id, candidates, a.m) s WHERE s.qualifies ORDER BY s.lead_id);
            n := auto_mql_make(hits, array_fill(a.m, ARRAY[cardinality(hits)]), array_fill(a.policy_id, ARRAY[cardinality(hits)]));
          END IF;
          IF audited THEN
            PERFORM set_config('app.mutation', 'automaticMql', true);
          END IF;
          INSERT INTO qualification_policy_applications (agreement_id, agreement_version, policy_id, in_force_at, came_into_force, qualified_leads)
          VALUES (a.id, a.version, a.policy_id, a.m, in_force, n);
          IF audited THEN
            PERFORM set_config('app.mutation', coalesce(previous, ''), true);
          END IF;
          agreement_id := a.id;
          qualified_leads := n;
          RETURN NEXT;
        END LOOP;
      END $$;

      -- an approval (or a load of agreements) that puts a policy in force now applies it at once,
      -- when at most 5,000 leads are to be judged (some seconds); more are left to the periodic check
      CREATE FUNCTION auto_mql_on_agreements() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM auto_mql_apply_due(5000);
        RETURN NULL;
      END $$;
      CREATE TRIGGER auto_mql_agreements AFTER INSERT OR UPDATE ON alignment_agreements
        FOR EACH STATEMENT EXECUTE FUNCTION auto_mql_on_agreements();
    `);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER auto_mql_agreements ON alignment_agreements;
      DROP TRIGGER auto_mql_update ON campaigns;
      DROP TRIGGER auto_mql_update ON accounts;
      DROP TRIGGER auto_mql_update ON leads;
      DROP TRIGGER auto_mql_insert ON leads;
      DROP TRIGGER auto_mql_update ON touchpoints;
      DROP TRIGGER auto_mql_insert ON touchpoints;
      DROP FUNCTION auto_mql_on_agreements(), auto_mql_apply_due(integer), auto_mql_on_campaigns(), auto_mql_on_accounts(),
        auto_mql_on_leads(), auto_mql_on_touchpoints();
      DROP TABLE auto_mql_queue, auto_mql_pending;
      DROP FUNCTION auto_mql_run(), auto_mql_make(bigint[], timestamptz[], bigint[]), auto_mql_queue_leads(bigint[], timestamptz[]),
        auto_mql_enabled(), auto_mql_policy_spans();
      DROP TABLE qualification_policy_applications;
      ALTER TABLE lead_stage_changes DROP COLUMN qualification, DROP COLUMN qualifying_at, DROP COLUMN qualified_by_version,
        DROP COLUMN qualified_by_agreement_id;
    `);
  }
}
