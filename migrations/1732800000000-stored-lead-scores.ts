import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stored lead scores: what lets a list of 100k leads be ordered or filtered by score without
 * computing 100k scores per request. The numbers stay those of qualification_scores (migration
 * 1732770000000); the store only says which leads can be left out.
 *
 * lead_scores keeps, per lead, its state under the policy in force when it was scored
 * (scored_at): the fit (capped), the uncapped sum of its engagement contributions then, how many
 * (touch, rule) pairs counted, and changes_at, the first moment after which the score moves by
 * anything other than decay (a touch dated later than scored_at counts from its time; a
 * touch leaves the window). Until changes_at:
 * - without decay the score is the stored one, exactly;
 * - with decay the engagement at t is the stored sum times 0.5 ^ ((t - scored_at) / half-life),
 *   up to the rounding of each term (at most 5e-13 each, docs/metrics.md) and of double
 *   precision: qualification_score_bounds gives every lead [lo, hi] bounds that hold the exact
 *   score (equal when exact: no decay, no engagement, or a cap that binds either way).
 * A list then computes the exact score only of the leads whose bounds leave it in doubt:
 * qualification_score_page keeps the candidates of one page, qualification_score_at_least those
 * of a minScore filter; every figure an answer shows is still computed exactly.
 *
 * Current after every write: a statement that changes what a score reads (touches, a lead's
 * title, attributes or account, an account's attributes, segment, industry or wallet size, a
 * campaign's channel) deletes the stored rows of the leads it touched; a lead without a fresh
 * row (missing, under another policy, past its changes_at) counts as in doubt and is computed
 * exactly. lead_scores_refresh (run by the server's policy sweep, in batches) scores the leads
 * without a fresh row. Writers hold a shared advisory lock until they commit and the refresh
 * takes it exclusively with a try (never waiting): no write can be in flight while it reads, so
 * a row it stores cannot miss a write, and no writer can deadlock with it.
 */
/** Per stored row `s`: whether its bounds are the score itself, the decayed sum and its margin ($3 time, $4 half-life). */
const ESTIMATE = `
  CROSS JOIN LATERAL (
    SELECT $4::numeric IS NULL OR s.engagement_sum = 0 AS exact,
           -- the stored sum decayed to the time (past 1,000 half-lives the factor is below
           -- 2^-1000: the bounds still hold)
           s.engagement_sum::float8
             * power(0.5::float8, least(extract(epoch FROM $3 - s.scored_at)::float8 / ($4 * 86400)::float8, 1000)) AS estimate,
           -- each term rounded (5e-13) at both times, and double precision's own error
           (s.pairs + 1) * 1e-12::float8 + s.engagement_sum::float8 * 1e-14::float8 AS margin
  ) e`;

/** The lower and upper bound of a fresh row's score ($5 the engagement cap). */
const LO = `CASE WHEN e.exact THEN s.fit + least($5::numeric, s.engagement_sum)
                 ELSE s.fit + least($5::numeric, greatest(e.estimate - e.margin, 0)::numeric) END`;
const HI = `CASE WHEN e.exact THEN s.fit + least($5::numeric, s.engagement_sum)
                 ELSE s.fit + least($5::numeric, (e.estimate + e.margin)::numeric) END`;

/** A stored row that holds at $3 under policy $1. */
const FRESH = `s.policy_id = $1 AND s.scored_at <= $3 AND $3 < s.changes_at`;

/**
 * The bounds of each lead's score from its stored row (see qualification_score_bounds), as one
 * SELECT over $1 policy, $2 lead ids, $3 time, $4 its half-life, $5 its engagement cap.
 */
const BOUNDS = `
  SELECT i.id AS lead_id,
         CASE WHEN s.lead_id IS NULL THEN NULL ELSE ${LO} END AS lo,
         CASE WHEN s.lead_id IS NULL THEN NULL ELSE ${HI} END AS hi
  FROM unnest($2::bigint[]) i(id)
  -- only a fresh row: under this policy, scored at or before the time, nothing changed since
  LEFT JOIN lead_scores s ON s.lead_id = i.id AND ${FRESH}
  ${ESTIMATE}`;

/** Whether a lead with bounds [lo, hi] and id can pass / surely passes the cursor ($6, $7) and the minimum ($9). */
function passes(desc: boolean, lo: string, hi: string, id: string): { possible: string; sure: string } {
  const after = desc ? '<' : '>';
  const [near, far] = desc ? [lo, hi] : [hi, lo];
  return {
    possible: `($9::numeric IS NULL OR ${hi} >= $9) AND ($6::numeric IS NULL OR ${near} ${after} $6 OR (${near} = $6 AND ${id} ${after} $7))`,
    sure: `($9::numeric IS NULL OR ${lo} >= $9) AND ($6::numeric IS NULL OR ${far} ${after} $6 OR (${far} = $6 AND ${id} ${after} $7))`,
  };
}

/**
 * One walk of qualification_score_page_all: $1 policy, $2 the leads without a fresh row, $3
 * time, $4 half-life, $5 engagement cap, $6 cursor score, $7 cursor id, $8 rows, $9 minimum,
 * $10 rows to walk. One row: whether the walk was enough (complete) and the candidates with
 * their lower bounds and whether those are their scores.
 */
function walkPage(desc: boolean): string {
  const dir = desc ? 'DESC' : 'ASC';
  const key = desc ? 's.top' : 's.fit';
  const [near, far] = desc ? ['lo', 'hi'] : ['hi', 'lo'];
  const walkTest = passes(desc, LO, HI, 's.lead_id');
  const test = passes(desc, 'b.lo', 'b.hi', 'b.lead_id');
  // a lead at or ahead of theta / the walk's last row behind theta
  const ahead = desc ? `x.${far} > t.s OR (x.${far} = t.s AND x.lead_id >= t.id)` : `x.${far} < t.s OR (x.${far} = t.s AND x.lead_id <= t.id)`;
  const behind = desc ? `l.key < t.s OR (l.key = t.s AND l.lead_id <= t.id)` : `l.key > t.s OR (l.key = t.s AND l.lead_id >= t.id)`;
  return `
  WITH walked AS MATERIALIZED (
    -- the fresh rows in the order of the bound on the list's side: every row not walked is
    -- behind the last one walked by that bound
    SELECT s.lead_id, ${key} AS key, ${LO} AS lo, ${HI} AS hi
    FROM lead_scores s
    ${ESTIMATE}
    WHERE ${FRESH} ${desc ? 'AND ($9::numeric IS NULL OR s.top >= $9)' : ''} AND ${walkTest.possible}
    ORDER BY ${key} ${dir}, s.lead_id ${dir}
    LIMIT $10
  ),
  known AS MATERIALIZED (
    SELECT w.lead_id, w.lo, w.hi FROM walked w
    UNION ALL
    SELECT q.lead_id, q.score, q.score FROM qualification_scores($1, $2, $3) q
  ),
  flagged AS MATERIALIZED (
    SELECT b.*, ${test.possible} AS possible, ${test.sure} AS sure FROM known b
  ),
  theta AS (
    SELECT x.${near} AS s, x.lead_id AS id FROM flagged x WHERE x.sure ORDER BY x.${near} ${dir}, x.lead_id ${dir} OFFSET $8 - 1 LIMIT 1
  ),
  last_walked AS (
    SELECT w.key, w.lead_id FROM walked w ORDER BY w.key ${desc ? 'ASC' : 'DESC'}, w.lead_id ${desc ? 'ASC' : 'DESC'} LIMIT 1
  )
  SELECT ((SELECT count(*) FROM walked) < $10
          OR coalesce((SELECT ${behind} FROM last_walked l, theta t), false)) AS complete,
         coalesce(array_agg(x.lead_id), '{}') AS ids, coalesce(array_agg(x.lo), '{}') AS los, coalesce(array_agg(x.lo = x.hi), '{}') AS exacts
  FROM flagged x LEFT JOIN theta t ON true
  WHERE x.possible AND (t.s IS NULL OR ${ahead})`;
}

/**
 * The candidates of one page ordered by score (see qualification_score_page), one statement
 * per direction: $1 policy, $2 lead ids, $3 time, $4 half-life, $5 engagement cap, $6 cursor
 * score, $7 cursor id, $8 rows, $9 minimum. A lead without bounds is always a candidate.
 */
function page(desc: boolean): string {
  const dir = desc ? 'DESC' : 'ASC';
  // the bound that is on the safe side of the order, and the other
  const [near, far] = desc ? ['lo', 'hi'] : ['hi', 'lo'];
  const test = passes(desc, 'b.lo', 'b.hi', 'b.lead_id');
  return `
  WITH x AS MATERIALIZED (
    SELECT b.lead_id, b.lo, b.hi, coalesce(b.lo = b.hi, false) AS exact,
           -- can pass the minimum and the cursor / passes them whatever the score in [lo, hi] is
           b.lo IS NULL OR (${test.possible}) AS possible,
           b.lo IS NOT NULL AND ${test.sure} AS sure
    -- OFFSET 0: each row's bounds computed once, not once per reference
    FROM (${BOUNDS} OFFSET 0) b
  ),
  -- the $8-th sure lead by its near bound: each sure lead is at or ahead of (near bound, id), so
  -- at least $8 leads that pass are at or ahead of this one, and a lead surely behind it is
  -- not on the page
  theta AS (
    SELECT x.${near} AS s, x.lead_id AS id FROM x WHERE x.sure ORDER BY x.${near} ${dir}, x.lead_id ${dir} OFFSET $8 - 1 LIMIT 1
  ),
  candidates AS MATERIALIZED (
    SELECT x.* FROM x LEFT JOIN theta ON true
    WHERE x.possible
      AND (theta.s IS NULL OR x.lo IS NULL OR x.${far} ${desc ? '>' : '<'} theta.s OR (x.${far} = theta.s AND x.lead_id ${desc ? '>=' : '<='} theta.id))
  )
  SELECT c.lead_id, c.lo FROM candidates c WHERE c.exact
  UNION ALL
  SELECT q.lead_id, q.score
  FROM qualification_scores($1, ARRAY(SELECT c.lead_id FROM candidates c WHERE NOT c.exact), $3) q
  WHERE $9::numeric IS NULL OR q.score >= $9`;
}

/** The page when every score is 0 (a policy without rules): $1 ids, $2 desc, $3 cursor score, $4 cursor id, $5 rows, $6 minimum. */
function zeroPage(): string {
  return `
  SELECT i.id, 0::numeric FROM unnest($1::bigint[]) i(id)
  WHERE ($6::numeric IS NULL OR 0 >= $6)
    AND ($3::numeric IS NULL OR CASE WHEN $2 THEN (0, i.id) < ($3, $4) ELSE (0, i.id) > ($3, $4) END)
  ORDER BY CASE WHEN $2 THEN i.id END DESC, CASE WHEN NOT $2 THEN i.id END ASC LIMIT $5`;
}


export class StoredLeadScores1732800000000 implements MigrationInterface {
  name = 'StoredLeadScores1732800000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE lead_scores (
        lead_id        bigint PRIMARY KEY REFERENCES leads(id) ON DELETE CASCADE,
        policy_id      bigint REFERENCES qualification_policies(id) ON DELETE SET NULL,   -- null: never scored
        scored_at      timestamptz NOT NULL,
        fit            numeric NOT NULL,        -- capped
        engagement_sum numeric NOT NULL,        -- uncapped sum of the contributions at scored_at
        pairs          integer NOT NULL,        -- (touch, rule) pairs counted at scored_at
        changes_at     timestamptz NOT NULL,    -- fresh for scored_at <= t < changes_at; -infinity: forgotten
        top            numeric NOT NULL         -- the score at scored_at: the highest it reaches while fresh
      );
      -- the walks of a page ordered by score (highest first by top, lowest first by fit, the
      -- lowest it can reach), and the leads without a fresh row
      CREATE INDEX lead_scores_top ON lead_scores (policy_id, top, lead_id);
      CREATE INDEX lead_scores_fit ON lead_scores (policy_id, fit, lead_id);
      CREATE INDEX lead_scores_changes ON lead_scores (changes_at);
      CREATE INDEX lead_scores_scored ON lead_scores (scored_at);
      COMMENT ON TABLE lead_scores IS 'Per lead, its score state under the policy in force when scored (see migration 1732800000000): lets lists ordered or filtered by score compute exactly only the leads in doubt. Every lead has a row.';
      -- every lead has a row: the existing ones, forgotten (the refresh scores them)
      INSERT INTO lead_scores (lead_id, policy_id, scored_at, fit, engagement_sum, pairs, changes_at, top)
      SELECT id, NULL, '-infinity', 0, 0, 0, '-infinity', 0 FROM leads;

      -- The advisory lock between writers (shared) and lead_scores_refresh (exclusive, tried).
      CREATE FUNCTION lead_scores_lock_key() RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT 7253001::bigint $$;

      -- Whether scores can be other than 0: an approved agreement has a policy with rules.
      CREATE FUNCTION lead_scores_enabled() RETURNS boolean LANGUAGE sql STABLE AS $$
        SELECT EXISTS (
          SELECT 1 FROM alignment_agreements a
           WHERE a.marketing_approved_at IS NOT NULL AND a.sales_approved_at IS NOT NULL
             AND EXISTS (SELECT 1 FROM qualification_rules r WHERE r.policy_id = a.policy_id))
      $$;

      -- Forgets the stored scores of these leads (a write changed what they read): their rows
      -- stay, marked not fresh.
      CREATE FUNCTION lead_scores_forget(p_lead_ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        IF cardinality(p_lead_ids) = 0 OR NOT lead_scores_enabled() THEN
          RETURN;
        END IF;
        PERFORM pg_advisory_xact_lock_shared(lead_scores_lock_key());
        UPDATE lead_scores SET changes_at = '-infinity' WHERE lead_id = ANY (p_lead_ids) AND changes_at > '-infinity';
      END $$;

      -- The score state of each lead at p_at under p_policy (every lead asked for).
      CREATE FUNCTION qualification_score_state(p_policy bigint, p_lead_ids bigint[], p_at timestamptz)
      RETURNS TABLE (lead_id bigint, fit numeric, engagement_sum numeric, pairs integer, changes_at timestamptz)
      LANGUAGE sql STABLE AS $$
        WITH a AS (
          SELECT * FROM qualification_policies WHERE id = p_policy
        ),
        fit AS (
          SELECT f.lead_id, sum(f.points) AS points FROM qualification_fit_lines(p_policy, p_lead_ids) f GROUP BY f.lead_id
        ),
        touches AS (
          -- each (touch, rule) pair with its age at p_at, as qualification_pairs computes it
          SELECT m.lead_id, m.touch_at, m.rule_points, extract(epoch FROM p_at) - extract(epoch FROM m.touch_at) AS seconds
          FROM qualification_touch_rules(p_policy, p_lead_ids) m
        ),
        eng AS (
          SELECT t.lead_id,
                 sum(qualification_contribution(t.rule_points, t.seconds, a.engagement_half_life_days)) FILTER (WHERE c.counted) AS points,
                 count(*) FILTER (WHERE c.counted)::integer AS pairs,
                 min(t.touch_at) FILTER (WHERE t.touch_at > p_at) AS next_touch,
                 min(t.touch_at) FILTER (WHERE c.counted) AS oldest_counted
          FROM touches t
          CROSS JOIN a
          CROSS JOIN LATERAL (
            SELECT t.touch_at <= p_at AND (a.engagement_window_days IS NULL OR t.seconds <= a.engagement_window_days * 86400) AS counted
          ) c
          GROUP BY t.lead_id
        )
        SELECT ids.id,
               CASE WHEN a.fit_cap IS NOT NULL AND coalesce(fit.points, 0) > a.fit_cap THEN a.fit_cap::numeric ELSE coalesce(fit.points, 0) END,
               coalesce(eng.points, 0),
               coalesce(eng.pairs, 0),
               -- the first change other than decay; a millisecond early for the window (its
               -- length in double precision): earlier only costs an exact computation
               coalesce(least(eng.next_touch,
                              eng.oldest_counted + make_interval(secs => (a.engagement_window_days * 86400)::float8) - interval '1 millisecond'),
                        'infinity'::timestamptz)
        FROM (SELECT DISTINCT unnest(p_lead_ids) AS id) ids
        CROSS JOIN a
        LEFT JOIN fit ON fit.lead_id = ids.id
        LEFT JOIN eng ON eng.lead_id = ids.id
      $$;

      -- Bounds [lo, hi] of each lead's exact score at p_at under p_policy (every lead asked
      -- for; the ids distinct) from its stored row when fresh; both null when it has none (in
      -- doubt: computed exactly by whoever needs it). lo = hi is the score itself. Without a
      -- policy, or one without rules, every score is 0.
      CREATE FUNCTION qualification_score_bounds(p_policy bigint, p_lead_ids bigint[], p_at timestamptz)
      RETURNS TABLE (lead_id bigint, lo numeric, hi numeric)
      LANGUAGE plpgsql STABLE AS $fn$
      DECLARE
        a qualification_policies;
      BEGIN
        SELECT * INTO a FROM qualification_policies WHERE id = p_policy;
        IF NOT FOUND OR NOT EXISTS (SELECT 1 FROM qualification_rules r WHERE r.policy_id = p_policy) THEN
          RETURN QUERY SELECT i.id, 0::numeric, 0::numeric FROM unnest(p_lead_ids) i(id);
          RETURN;
        END IF;
        RETURN QUERY EXECUTE $q$ ${BOUNDS} $q$ USING p_policy, p_lead_ids, p_at, a.engagement_half_life_days, a.engagement_cap;
      END $fn$;

      -- The leads of one page of a list ordered by score at p_at (p_desc: highest first; ties on
      -- id the same way), after the cursor (p_cursor_score, p_cursor_id) when given, with score
      -- >= p_min when given: a superset of the first p_limit such leads, each with its exact
      -- score. Leads the bounds put surely behind the p_limit-th sure one are left out.
      CREATE FUNCTION qualification_score_page(p_policy bigint, p_lead_ids bigint[], p_at timestamptz, p_desc boolean,
                                               p_cursor_score numeric, p_cursor_id bigint, p_limit integer, p_min numeric)
      RETURNS TABLE (lead_id bigint, score numeric)
      LANGUAGE plpgsql STABLE AS $fn$
      DECLARE
        a qualification_policies;
      BEGIN
        IF p_min IS NOT NULL AND p_policy IS NULL THEN
          RETURN;   -- no policy in force: no lead has a score
        END IF;
        SELECT * INTO a FROM qualification_policies WHERE id = p_policy;
        IF NOT FOUND OR NOT EXISTS (SELECT 1 FROM qualification_rules r WHERE r.policy_id = p_policy) THEN
          -- every score is 0: the page is the ids in order
          RETURN QUERY EXECUTE $q$ ${zeroPage()} $q$ USING p_lead_ids, p_desc, p_cursor_score, p_cursor_id, p_limit, p_min;
        ELSIF p_desc THEN
          RETURN QUERY EXECUTE $q$ ${page(true)} $q$
            USING p_policy, p_lead_ids, p_at, a.engagement_half_life_days, a.engagement_cap, p_cursor_score, p_cursor_id, p_limit, p_min;
        ELSE
          RETURN QUERY EXECUTE $q$ ${page(false)} $q$
            USING p_policy, p_lead_ids, p_at, a.engagement_half_life_days, a.engagement_cap, p_cursor_score, p_cursor_id, p_limit, p_min;
        END IF;
      END $fn$;

      -- The leads with score >= p_min at p_at (none without a policy), each with its exact score
      -- when its bounds left it in doubt, else its lower bound (>= p_min).
      CREATE FUNCTION qualification_score_at_least(p_policy bigint, p_lead_ids bigint[], p_at timestamptz, p_min numeric)
      RETURNS TABLE (lead_id bigint, score numeric)
      LANGUAGE sql STABLE AS $$
        WITH x AS MATERIALIZED (
          SELECT * FROM qualification_score_bounds(p_policy, p_lead_ids, p_at) b
           WHERE p_policy IS NOT NULL AND (b.hi IS NULL OR b.hi >= p_min)
        )
        SELECT x.lead_id, x.lo FROM x WHERE x.lo >= p_min
        UNION ALL
        SELECT q.lead_id, q.score
        FROM qualification_scores(p_policy, ARRAY(SELECT x.lead_id FROM x WHERE x.lo IS NULL OR x.lo < p_min), p_at) q
        WHERE q.score >= p_min
      $$;

      -- The leads not fresh at p_at under p_policy (forgotten, never scored, under another
      -- policy, past changes_at), at most p_cap + 1 of them: index look-ups, not a scan.
      CREATE FUNCTION qualification_score_stale(p_policy bigint, p_at timestamptz, p_cap integer)
      RETURNS TABLE (lead_id bigint) LANGUAGE sql STABLE AS $$
        SELECT DISTINCT x.lead_id FROM (
          (SELECT s.lead_id FROM lead_scores s WHERE s.changes_at <= p_at LIMIT p_cap + 1)
          UNION ALL (SELECT s.lead_id FROM lead_scores s WHERE s.scored_at > p_at LIMIT p_cap + 1)
          UNION ALL (SELECT s.lead_id FROM lead_scores s WHERE s.policy_id < p_policy LIMIT p_cap + 1)
          UNION ALL (SELECT s.lead_id FROM lead_scores s WHERE s.policy_id > p_policy LIMIT p_cap + 1)
          UNION ALL (SELECT s.lead_id FROM lead_scores s WHERE s.policy_id IS NULL LIMIT p_cap + 1)
        ) x
        LIMIT p_cap + 1
      $$;

      -- qualification_score_page over every lead, without reading every lead: it walks the
      -- fresh rows by the index of the bound on the list's side (highest first: top, the
      -- score at scored_at, which it only decays from; lowest first: fit, below which it
      -- cannot go), widening the walk until no lead beyond it can be on the page, and adds the
      -- leads without a fresh row, scored exactly. When more than 2,000 leads have no fresh row
      -- (a policy just came into force, a bulk write) or the walk would pass 20,000 rows, it
      -- answers as qualification_score_page over every lead.
      -- (p_first_walk: the rows walked first, default p_limit * 4 + 100; tests make it small.)
      CREATE FUNCTION qualification_score_page_all(p_policy bigint, p_at timestamptz, p_desc boolean,
                                                   p_cursor_score numeric, p_cursor_id bigint, p_limit integer, p_min numeric,
                                                   p_first_walk integer DEFAULT NULL)
      RETURNS TABLE (lead_id bigint, score numeric)
      LANGUAGE plpgsql STABLE AS $fn$
      DECLARE
        a qualification_policies;
        stale bigint[];
        walk integer := coalesce(p_first_walk, p_limit * 4 + 100);
        result record;
      BEGIN
        SELECT * INTO a FROM qualification_policies WHERE id = p_policy;
        IF NOT FOUND OR NOT EXISTS (SELECT 1 FROM qualification_rules r WHERE r.policy_id = p_policy) THEN
          RETURN QUERY SELECT * FROM qualification_score_page(p_policy, ARRAY(SELECT l.id FROM leads l), p_at, p_desc,
                                                               p_cursor_score, p_cursor_id, p_limit, p_min);
          RETURN;
        END IF;
        stale := ARRAY(SELECT x.lead_id FROM qualification_score_stale(p_policy, p_at, 2000) x);
        WHILE cardinality(stale) <= 2000 AND walk <= 20000 LOOP
          IF p_desc THEN
            EXECUTE $q$ ${walkPage(true)} $q$ INTO result
              USING p_policy, stale, p_at, a.engagement_half_life_days, a.engagement_cap, p_cursor_score, p_cursor_id, p_limit, p_min, walk;
          ELSE
            EXECUTE $q$ ${walkPage(false)} $q$ INTO result
              USING p_policy, stale, p_at, a.engagement_half_life_days, a.engagement_cap, p_cursor_score, p_cursor_id, p_limit, p_min, walk;
          END IF;
          IF result.complete THEN
            RETURN QUERY
            SELECT c.lead_id, c.lo FROM unnest(result.ids, result.los, result.exacts) c(lead_id, lo, exact) WHERE c.exact
            UNION ALL
            SELECT q.lead_id, q.score
            FROM qualification_scores(p_policy, ARRAY(SELECT c.lead_id FROM unnest(result.ids, result.exacts) c(lead_id, exact) WHERE NOT c.exact), p_at) q
            WHERE p_min IS NULL OR q.score >= p_min;
            RETURN;
          END IF;
          walk := walk * 4;
        END LOOP;
        RETURN QUERY SELECT * FROM qualification_score_page(p_policy, ARRAY(SELECT l.id FROM leads l), p_at, p_desc,
                                                             p_cursor_score, p_cursor_id, p_limit, p_min);
      END $fn$;

      -- qualification_score_at_least over every lead: the fresh rows whose top reaches p_min
      -- (an index range) and the leads without a fresh row; over 2,000 of those, every lead.
      CREATE FUNCTION qualification_score_at_least_all(p_policy bigint, p_at timestamptz, p_min numeric)
      RETURNS TABLE (lead_id bigint, score numeric)
      LANGUAGE plpgsql STABLE AS $fn$
      DECLARE
        stale bigint[];
      BEGIN
        IF p_policy IS NULL THEN
          RETURN;
        END IF;
        stale := ARRAY(SELECT x.lead_id FROM qualification_score_stale(p_policy, p_at, 2000) x);
        IF cardinality(stale) > 2000 OR NOT EXISTS (SELECT 1 FROM qualification_rules r WHERE r.policy_id = p_policy) THEN
          RETURN QUERY SELECT * FROM qualification_score_at_least(p_policy, ARRAY(SELECT l.id FROM leads l), p_at, p_min);
          RETURN;
        END IF;
        RETURN QUERY SELECT * FROM qualification_score_at_least(p_policy,
          ARRAY(SELECT DISTINCT x.id FROM unnest(ARRAY(SELECT s.lead_id FROM lead_scores s WHERE s.policy_id = p_policy AND s.top >= p_min) || stale) x(id)),
          p_at, p_min);
      END $fn$;

      -- Scores up to p_limit leads without a fresh row under the policy in force now; returns
      -- how many, or -1 when writers are in flight (try again later). Leads are locked against
      -- no one: the exclusive advisory lock keeps every writer out while this transaction reads.
      CREATE FUNCTION lead_scores_refresh(p_limit integer) RETURNS integer LANGUAGE plpgsql AS $$
      DECLARE
        at timestamptz := now();
        policy bigint := qualification_policy_at(now());
        ids bigint[];
        n integer;
      BEGIN
        IF NOT pg_try_advisory_xact_lock(lead_scores_lock_key()) THEN
          RETURN -1;
        END IF;
        IF policy IS NULL OR NOT EXISTS (SELECT 1 FROM qualification_rules r WHERE r.policy_id = policy) THEN
          RETURN 0;   -- every score is 0 and exact: nothing to store
        END IF;
        -- a lead without a row (none should be: the leads trigger adds one): a forgotten one
        INSERT INTO lead_scores (lead_id, policy_id, scored_at, fit, engagement_sum, pairs, changes_at, top)
        SELECT l.id, NULL, '-infinity', 0, 0, 0, '-infinity', 0
          FROM leads l WHERE NOT EXISTS (SELECT 1 FROM lead_scores s WHERE s.lead_id = l.id);
        ids := ARRAY(
          SELECT s.lead_id FROM lead_scores s
           WHERE s.policy_id IS DISTINCT FROM policy OR s.changes_at <= at OR s.scored_at > at
           ORDER BY s.lead_id LIMIT p_limit);
        IF cardinality(ids) = 0 THEN
          RETURN 0;
        END IF;
        UPDATE lead_scores s
           SET policy_id = policy, scored_at = at, fit = st.fit, engagement_sum = st.engagement_sum, pairs = st.pairs,
               changes_at = st.changes_at, top = st.fit + least(a.engagement_cap::numeric, st.engagement_sum)
          FROM qualification_score_state(policy, ids, at) st, qualification_policies a
         WHERE s.lead_id = st.lead_id AND a.id = policy;
        RETURN cardinality(ids);
      END $$;
    `);
    await q.query(`
      -- touches written, moved or deleted: their leads (old and new)
      CREATE FUNCTION lead_scores_on_touchpoints() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          PERFORM lead_scores_forget(ARRAY(SELECT DISTINCT t.lead_id FROM lead_scores_new_touches t));
        ELSIF TG_OP = 'DELETE' THEN
          PERFORM lead_scores_forget(ARRAY(SELECT DISTINCT o.lead_id FROM lead_scores_old_touches o));
        ELSE
          PERFORM lead_scores_forget(ARRAY(
            SELECT DISTINCT x.lead_id
              FROM lead_scores_new_touches t JOIN lead_scores_old_touches o ON o.id = t.id
             CROSS JOIN LATERAL (VALUES (o.lead_id), (t.lead_id)) x(lead_id)
             WHERE (o.lead_id, o.occurred_at, o.kind, o.campaign_id) IS DISTINCT FROM (t.lead_id, t.occurred_at, t.kind, t.campaign_id)));
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER lead_scores_insert AFTER INSERT ON touchpoints
        REFERENCING NEW TABLE AS lead_scores_new_touches FOR EACH STATEMENT EXECUTE FUNCTION lead_scores_on_touchpoints();
      CREATE TRIGGER lead_scores_update AFTER UPDATE ON touchpoints
        REFERENCING OLD TABLE AS lead_scores_old_touches NEW TABLE AS lead_scores_new_touches FOR EACH STATEMENT EXECUTE FUNCTION lead_scores_on_touchpoints();
      CREATE TRIGGER lead_scores_delete AFTER DELETE ON touchpoints
        REFERENCING OLD TABLE AS lead_scores_old_touches FOR EACH STATEMENT EXECUTE FUNCTION lead_scores_on_touchpoints();

      -- a lead's title, attributes or account; a deleted lead (its row cascades, and the lock
      -- keeps the refresh from storing a row for it meanwhile); a new lead has no row
      CREATE FUNCTION lead_scores_on_leads() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          PERFORM lead_scores_forget(ARRAY(SELECT o.id FROM lead_scores_old_leads o));
        ELSE
          PERFORM lead_scores_forget(ARRAY(
            SELECT l.id FROM lead_scores_new_leads l JOIN lead_scores_old_leads o ON o.id = l.id
             WHERE (o.attributes, o.title, o.account_id) IS DISTINCT FROM (l.attributes, l.title, l.account_id)));
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER lead_scores_update AFTER UPDATE ON leads
        REFERENCING OLD TABLE AS lead_scores_old_leads NEW TABLE AS lead_scores_new_leads FOR EACH STATEMENT EXECUTE FUNCTION lead_scores_on_leads();
      CREATE TRIGGER lead_scores_delete AFTER DELETE ON leads
        REFERENCING OLD TABLE AS lead_scores_old_leads FOR EACH STATEMENT EXECUTE FUNCTION lead_scores_on_leads();

      -- an account's attributes, segment, industry or wallet size: its leads
      CREATE FUNCTION lead_scores_on_accounts() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM lead_scores_forget(ARRAY(
          SELECT l.id FROM lead_scores_new_accounts a JOIN lead_scores_old_accounts o ON o.id = a.id
            JOIN leads l ON l.account_id = a.id
           WHERE (o.attributes, o.segment, o.industry, o.wallet_size) IS DISTINCT FROM (a.attributes, a.segment, a.industry, a.wallet_size)));
        RETURN NULL;
      END $$;
      CREATE TRIGGER lead_scores_update AFTER UPDATE ON accounts
        REFERENCING OLD TABLE AS lead_scores_old_accounts NEW TABLE AS lead_scores_new_accounts FOR EACH STATEMENT EXECUTE FUNCTION lead_scores_on_accounts();

      -- a campaign's channel: the leads with touches in it
      CREATE FUNCTION lead_scores_on_campaigns() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM lead_scores_forget(ARRAY(
          SELECT DISTINCT tp.lead_id FROM lead_scores_new_campaigns c JOIN lead_scores_old_campaigns o ON o.id = c.id
            JOIN touchpoints tp ON tp.campaign_id = c.id
           WHERE o.channel IS DISTINCT FROM c.channel));
        RETURN NULL;
      END $$;
      CREATE TRIGGER lead_scores_update AFTER UPDATE ON campaigns
        REFERENCING OLD TABLE AS lead_scores_old_campaigns NEW TABLE AS lead_scores_new_campaigns FOR EACH STATEMENT EXECUTE FUNCTION lead_scores_on_campaigns();

      -- TRUNCATE leaves no rows to compare: every stored score is forgotten (TRUNCATE leads
      -- must cascade to lead_scores anyway)
      CREATE FUNCTION lead_scores_on_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock_shared(lead_scores_lock_key());
        UPDATE lead_scores SET changes_at = '-infinity' WHERE changes_at > '-infinity';
        RETURN NULL;
      END $$;

      -- a new lead: its row, forgotten until the refresh scores it
      CREATE FUNCTION lead_scores_on_new_leads() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO lead_scores (lead_id, policy_id, scored_at, fit, engagement_sum, pairs, changes_at, top)
        SELECT l.id, NULL, '-infinity', 0, 0, 0, '-infinity', 0 FROM lead_scores_new_leads l;
        RETURN NULL;
      END $$;
      CREATE TRIGGER lead_scores_insert AFTER INSERT ON leads
        REFERENCING NEW TABLE AS lead_scores_new_leads FOR EACH STATEMENT EXECUTE FUNCTION lead_scores_on_new_leads();
      CREATE TRIGGER lead_scores_truncate AFTER TRUNCATE ON touchpoints FOR EACH STATEMENT EXECUTE FUNCTION lead_scores_on_truncate();
      CREATE TRIGGER lead_scores_truncate AFTER TRUNCATE ON accounts FOR EACH STATEMENT EXECUTE FUNCTION lead_scores_on_truncate();
      CREATE TRIGGER lead_scores_truncate AFTER TRUNCATE ON campaigns FOR EACH STATEMENT EXECUTE FUNCTION lead_scores_on_truncate();
    `);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TRIGGER lead_scores_truncate ON campaigns;
      DROP TRIGGER lead_scores_truncate ON accounts;
      DROP TRIGGER lead_scores_truncate ON touchpoints;
      DROP FUNCTION lead_scores_on_truncate();
      DROP TRIGGER lead_scores_insert ON leads;
      DROP FUNCTION lead_scores_on_new_leads();
      DROP TRIGGER lead_scores_update ON campaigns;
      DROP FUNCTION lead_scores_on_campaigns();
      DROP TRIGGER lead_scores_update ON accounts;
      DROP FUNCTION lead_scores_on_accounts();
      DROP TRIGGER lead_scores_delete ON leads;
      DROP TRIGGER lead_scores_update ON leads;
      DROP FUNCTION lead_scores_on_leads();
      DROP TRIGGER lead_scores_delete ON touchpoints;
      DROP TRIGGER lead_scores_update ON touchpoints;
      DROP TRIGGER lead_scores_insert ON touchpoints;
      DROP FUNCTION lead_scores_on_touchpoints();
      DROP FUNCTION lead_scores_refresh(integer);
      DROP FUNCTION qualification_score_at_least_all(bigint, timestamptz, numeric);
      DROP FUNCTION qualification_score_page_all(bigint, timestamptz, boolean, numeric, bigint, integer, numeric, integer);
      DROP FUNCTION qualification_score_stale(bigint, timestamptz, integer);
      DROP FUNCTION qualification_score_at_least(bigint, bigint[], timestamptz, numeric);
      DROP FUNCTION qualification_score_page(bigint, bigint[], timestamptz, boolean, numeric, bigint, integer, numeric);
      DROP FUNCTION qualification_score_bounds(bigint, bigint[], timestamptz);
      DROP FUNCTION qualification_score_state(bigint, bigint[], timestamptz);
      DROP FUNCTION lead_scores_forget(bigint[]);
      DROP FUNCTION lead_scores_enabled();
      DROP FUNCTION lead_scores_lock_key();
      DROP TABLE lead_scores;
    `);
  }
}
