/**
 * The statements of the event processing (docs/events.md), run in order on one chunk
 * of events in one transaction by processing-chunk.ts. Each works on the whole chunk at once: the
 * chunk is a temporary table (ev_chunk), filled from tracked_events with what each event says
 * (identity, UTM values, click id, referrer) and where the rules place it, then completed
 * (identity, leads, sessions, outcome) and written back, with its touchpoints, by a few statements.
 *
 * Parameters: $lookback is EVENT_STITCH_LOOKBACK_DAYS (an event joins a person's lead only if it
 * happened at most that many days before the person was identified).
 */

/** Own placements: the event's own campaign data placed it (as opposed to SESSION). */
export const OWN_PLACEMENTS = `('UTM_MAPPING', 'CAMPAIGN_EXTERNAL_ID', 'CHANNEL_RULE', 'CLICK_ID', 'REFERRER')`;

/** Minutes before a conversion in which the same person's latest campaign-bearing event gives it its campaign. */
export const SESSION_MINUTES = 30;

export const CREATE_CHUNK = `
  CREATE TEMP TABLE ev_chunk (
    id bigint PRIMARY KEY, mode text NOT NULL, source_id bigint NOT NULL, message_id text NOT NULL, type text NOT NULL,
    event text, anonymous_id text, user_id text, previous_id text, group_id text, occurred_at timestamptz NOT NULL,
    prior_outcome text, prior_lead_id bigint, processed_at timestamptz,
    email text, first_name text, last_name text, group_domain text,
    utm_campaign text, utm_source text, utm_medium text, utm_term text, utm_content text,
    click_id text, referrer_host text, has_data boolean NOT NULL DEFAULT false,
    campaign_id bigint, channel text, placed_by text, session_event_id bigint, kind text,
    unknown_utm_campaign boolean NOT NULL DEFAULT false, unknown_source_medium boolean NOT NULL DEFAULT false,
    email_lead_id bigint, lead_id bigint, outcome text
  ) ON COMMIT DROP`;

/** The next pending events, oldest first; replicas skip each other's ($1: how many, $2: after which id). */
export const CLAIM_PENDING = `
  SELECT id, source_id, message_id, type, event, anonymous_id, user_id, previous_id, group_id, occurred_at, outcome, lead_id, processed_at,
         coalesce(payload -> 'context' -> 'page' ->> 'url', payload -> 'properties' ->> 'url') AS url,
         coalesce(payload -> 'context' -> 'page' ->> 'referrer', payload -> 'properties' ->> 'referrer') AS ref,
         payload -> 'context' -> 'campaign' AS campaign, coalesce(payload -> 'traits', payload -> 'context' -> 'traits') AS traits,
         CASE WHEN type = 'group' THEN btrim(coalesce(payload -> 'traits' ->> 'domain', payload -> 'traits' ->> 'website')) END AS group_site
    FROM tracked_events WHERE processed_at IS NULL AND id > $2 ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`;

/** Processed events to place again ($1: their ids): a rule changed. */
export const CLAIM_IDS = `
  SELECT id, source_id, message_id, type, event, anonymous_id, user_id, previous_id, group_id, occurred_at, outcome, lead_id, processed_at,
         coalesce(payload -> 'context' -> 'page' ->> 'url', payload -> 'properties' ->> 'url') AS url,
         coalesce(payload -> 'context' -> 'page' ->> 'referrer', payload -> 'properties' ->> 'referrer') AS ref,
         payload -> 'context' -> 'campaign' AS campaign, coalesce(payload -> 'traits', payload -> 'context' -> 'traits') AS traits,
         CASE WHEN type = 'group' THEN btrim(coalesce(payload -> 'traits' ->> 'domain', payload -> 'traits' ->> 'website')) END AS group_site
    FROM tracked_events WHERE id = ANY ($1::bigint[]) ORDER BY id FOR UPDATE`;

const PAID_SEARCH_CLICK_IDS = ['gclid', 'gbraid', 'wbraid', 'dclid', 'msclkid'];
const PAID_SOCIAL_CLICK_IDS = ['fbclid', 'li_fat_id', 'ttclid', 'twclid'];
export const CLICK_IDS = { PAID_SEARCH: PAID_SEARCH_CLICK_IDS, PAID_SOCIAL: PAID_SOCIAL_CLICK_IDS };

const EMAIL_PATTERN = `'^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$'`;
const UTM = ['campaign', 'source', 'medium', 'term', 'content'] as const;
/** The context.campaign field of each UTM parameter (Segment: name is utm_campaign). */
const CAMPAIGN_FIELD: Record<(typeof UTM)[number], string> = { campaign: 'name', source: 'source', medium: 'medium', term: 'term', content: 'content' };
/** The raw value of query parameter `name` of q ('&' + the query + '&'), or null. String functions: regular expressions cost 5 to 10 times more. */
const param = (name: string) => `CASE WHEN strpos(e.q, '&${name}=') > 0 THEN split_part(substr(e.q, strpos(e.q, '&${name}=') + ${name.length + 2}), '&', 1) END`;
/** A raw query value, decoded (+ and %XX) only when it needs to be, trimmed; null when empty. */
const decoded = (v: string) =>
  `CASE WHEN ${v} IS NULL THEN NULL WHEN strpos(${v}, '%') = 0 AND strpos(${v}, '+') = 0 THEN nullif(btrim(${v}), '')
        ELSE nullif(btrim(tracking_percent_decode(replace(${v}, '+', ' '))), '') END`;
/** The authority of an absolute URL, lower case, without port, userinfo not yet removed. */
const authority = (url: string) =>
  `CASE WHEN strpos(${url}, '://') > 1 THEN lower(split_part(split_part(split_part(split_part(substr(${url}, strpos(${url}, '://') + 3), '/', 1), '?', 1), '#', 1), ':', 1)) END`;
/** A host from an authority: no userinfo, no leading www. */
const host = (a: string) =>
  `nullif(CASE WHEN left(${a}, 4) = 'www.' THEN substr(${a}, 5) WHEN strpos(${a}, '@') > 0 AND left(split_part(${a}, '@', 2), 4) = 'www.' THEN substr(split_part(${a}, '@', 2), 5)
               WHEN strpos(${a}, '@') > 0 THEN split_part(${a}, '@', 2) ELSE ${a} END, '')`;
const CLICK_ID_NAMES = [...PAID_SEARCH_CLICK_IDS, ...PAID_SOCIAL_CLICK_IDS];

/**
 * Fills the chunk from `claim` (CLAIM_PENDING or CLAIM_IDS): what each event says, then where the
 * rules place it (the campaign by the utm_campaign mapping or a campaign's external id; else the
 * channel by the source/medium rules, the click id or the referrer, and that channel's catch-all
 * campaign when it exists already) and the touchpoint kind it would make. Each CTE is
 * materialized: the expressions of a row are computed once, not once per reference.
 */
export function fillChunk(claim: string): string {
  return `
  WITH claimed AS (${claim}),
  said AS MATERIALIZED (
    SELECT e.id, e.source_id, e.message_id, e.type, e.event, e.anonymous_id, e.user_id, e.previous_id, e.group_id, e.occurred_at,
           e.outcome AS prior_outcome, e.lead_id AS prior_lead_id, e.processed_at, e.campaign, e.traits, e.group_site,
           ${authority('e.url')} AS page_auth, ${authority('e.ref')} AS ref_auth,
           ${UTM.map((u) => `${param(`utm_${u}`)} AS p_${u}`).join(', ')},
           CASE WHEN e.q IS NOT NULL THEN CASE ${CLICK_ID_NAMES.map((c) => `WHEN strpos(e.q, '&${c}=') > 0 AND strpos(e.q, '&${c}=&') = 0 THEN '${c}'`).join(' ')} END END AS click_id,
           CASE WHEN e.type IN ('identify', 'track', 'page', 'screen') AND (e.traits IS NOT NULL OR e.user_id LIKE '%@%') THEN
             (SELECT m FROM (SELECT btrim(coalesce(e.traits ->> 'email',
                                                 CASE WHEN e.user_id ~ ${EMAIL_PATTERN} THEN e.user_id END)) AS m) v
               WHERE m ~ ${EMAIL_PATTERN} AND length(m) <= 254)
           END AS email
      FROM (SELECT c.id, c.source_id, c.message_id, c.type, c.event, c.anonymous_id, c.user_id, c.previous_id, c.group_id, c.occurred_at,
                   c.outcome, c.lead_id, c.processed_at, c.url, c.ref, c.campaign, c.traits, c.group_site,
                   CASE WHEN strpos(c.url, '?') > 0 THEN '&' || split_part(split_part(c.url, '?', 2), '#', 1) || '&' END AS q
              FROM claimed c) e
  ),
  read AS MATERIALIZED (
    SELECT d.id, d.source_id, d.message_id, d.type, d.event, d.anonymous_id, d.user_id, d.previous_id, d.group_id, d.occurred_at,
           d.prior_outcome, d.prior_lead_id, d.processed_at, d.email, d.page_host, d.click_id,
           CASE WHEN d.email IS NOT NULL THEN left(nullif(btrim(coalesce(d.traits ->> 'firstName', d.traits ->> 'first_name',
                  split_part(btrim(d.traits ->> 'name'), ' ', 1))), ''), 200) END AS first_name,
           CASE WHEN d.email IS NOT NULL THEN left(nullif(btrim(coalesce(d.traits ->> 'lastName', d.traits ->> 'last_name',
                  substring(btrim(d.traits ->> 'name') FROM '^\\S+\\s+(.+)$'))), ''), 200) END AS last_name,
           CASE WHEN d.group_site IS NOT NULL THEN tracking_host(CASE WHEN strpos(d.group_site, '://') > 0 THEN d.group_site ELSE 'http://' || d.group_site END)
           END AS group_domain,
           ${UTM.map(
             (u) => `CASE WHEN d.type IN ('track', 'page', 'screen') THEN left(coalesce(nullif(btrim(d.campaign ->> '${CAMPAIGN_FIELD[u]}'), ''), ${decoded(`d.p_${u}`)}), 500) END AS utm_${u}`,
           ).join(',\n           ')},
           CASE WHEN d.type IN ('track', 'page', 'screen') AND d.ref_host IS NOT NULL
                 AND NOT (d.page_host IS NOT NULL AND (d.ref_host = d.page_host OR right(d.ref_host, length(d.page_host) + 1) = '.' || d.page_host
                                                     OR right(d.page_host, length(d.ref_host) + 1) = '.' || d.ref_host))
                THEN d.ref_host END AS referrer_host
      FROM (SELECT s.*, ${host('s.page_auth')} AS page_host, ${host('s.ref_auth')} AS ref_host FROM said s) d
  ),
  ruled AS MATERIALIZED (
    SELECT r.*,
           coalesce(mk.id, xk.id) AS matched_campaign_id,
           coalesce(mk.channel, xk.channel) AS matched_channel,
           CASE WHEN mk.id IS NOT NULL THEN 'UTM_MAPPING' WHEN xk.id IS NOT NULL THEN 'CAMPAIGN_EXTERNAL_ID' END AS matched_by,
           coalesce(r1.channel, r2.channel, r3.channel) AS rule_channel,
           CASE WHEN r.click_id IN (${PAID_SEARCH_CLICK_IDS.map((c) => `'${c}'`).join(', ')}) THEN 'PAID_SEARCH'
                WHEN r.click_id IS NOT NULL THEN 'PAID_SOCIAL' END AS click_channel,
           CASE WHEN r.referrer_host IS NULL THEN NULL WHEN tracking_is_search_engine(r.referrer_host) THEN 'ORGANIC' ELSE 'REFERRAL' END AS referrer_channel,
           ek.kind AS event_kind
      FROM (SELECT r0.*, CASE WHEN r0.utm_source IS NOT NULL THEN tracking_norm(r0.utm_source) END AS n_source,
                   CASE WHEN r0.utm_medium IS NOT NULL THEN tracking_norm(r0.utm_medium) END AS n_medium
              FROM read r0) r
      LEFT JOIN tracking_utm_campaigns m ON r.utm_campaign IS NOT NULL AND lower(btrim(m.utm_campaign)) = lower(r.utm_campaign)
      LEFT JOIN campaigns mk ON mk.id = m.campaign_id
      LEFT JOIN campaigns xk ON r.utm_campaign IS NOT NULL AND xk.external_id = r.utm_campaign
      LEFT JOIN tracking_channel_rules r1 ON r1.source = r.n_source AND r1.medium = r.n_medium
      LEFT JOIN tracking_channel_rules r2 ON r2.source IS NULL AND r2.medium = r.n_medium
      LEFT JOIN tracking_channel_rules r3 ON r3.source = r.n_source AND r3.medium IS NULL
      LEFT JOIN tracking_event_kinds ek ON r.type = 'track' AND lower(btrim(ek.event_name)) = lower(btrim(r.event))
  ),
  placed AS (
    SELECT p.*,
           coalesce(p.matched_channel, p.rule_channel, p.click_channel, p.referrer_channel) AS channel,
           CASE WHEN p.matched_by IS NOT NULL THEN p.matched_by WHEN p.rule_channel IS NOT NULL THEN 'CHANNEL_RULE'
                WHEN p.click_channel IS NOT NULL THEN 'CLICK_ID' WHEN p.referrer_channel IS NOT NULL THEN 'REFERRER' END AS placed_by
      FROM ruled p
  )
  INSERT INTO ev_chunk (id, mode, source_id, message_id, type, event, anonymous_id, user_id, previous_id, group_id, occurred_at,
                        prior_outcome, prior_lead_id, processed_at, email, first_name, last_name, group_domain,
                        utm_campaign, utm_source, utm_medium, utm_term, utm_content, click_id, referrer_host, has_data,
                        campaign_id, channel, placed_by, kind, unknown_utm_campaign, unknown_source_medium)
  SELECT p.id, 'NEW', p.source_id, p.message_id, p.type, p.event, p.anonymous_id, p.user_id, p.previous_id, p.group_id, p.occurred_at,
         p.prior_outcome, p.prior_lead_id, p.processed_at, p.email, p.first_name, p.last_name, p.group_domain,
         p.utm_campaign, p.utm_source, p.utm_medium, p.utm_term, p.utm_content, p.click_id, p.referrer_host,
         (p.utm_campaign IS NOT NULL OR p.utm_source IS NOT NULL OR p.utm_medium IS NOT NULL OR p.utm_term IS NOT NULL
          OR p.utm_content IS NOT NULL OR p.click_id IS NOT NULL OR p.referrer_host IS NOT NULL),
         coalesce(p.matched_campaign_id, w.id), p.channel, p.placed_by,
         CASE WHEN p.type IN ('page', 'screen') THEN
                CASE WHEN p.placed_by IS NOT NULL AND (p.click_id IS NOT NULL OR p.channel IN ('PAID_SEARCH', 'PAID_SOCIAL')) THEN 'AD_CLICK' ELSE 'WEB_VISIT' END
              WHEN p.type = 'track' THEN p.event_kind END,
         p.utm_campaign IS NOT NULL AND p.matched_campaign_id IS NULL,
         (p.utm_source IS NOT NULL OR p.utm_medium IS NOT NULL) AND p.matched_campaign_id IS NULL AND p.rule_channel IS NULL
    FROM placed p
    LEFT JOIN campaigns w ON p.matched_campaign_id IS NULL AND p.channel IS NOT NULL AND w.external_id = 'web:' || p.channel`;
}

/** What the chunk needs beyond the common path (each flag turns statements on). */
export const CHUNK_FLAGS = `
  SELECT count(*) FILTER (WHERE mode = 'NEW')::int AS events,
         bool_or(email IS NOT NULL) AS emails,
         bool_or(anonymous_id IS NOT NULL AND user_id IS NOT NULL) AS pairs,
         bool_or(type = 'alias') AS aliases,
         bool_or(type = 'group') AS groups,
         bool_or(type = 'track' AND kind IS NOT NULL AND NOT has_data) AS conversions,
         bool_or(prior_outcome IS NOT NULL) AS again,
         bool_or(campaign_id IS NULL AND channel IS NOT NULL) AS catch_alls
    FROM ev_chunk`;

/**
 * Leads for the emails the chunk names, created when no lead has the email (compared without
 * case): the email, first and last name from the traits, the account whose domain is the email's,
 * created at the first identifying event's time; stage NEW (the column's default) with its first
 * stage history entry, so automatic MQL and the stored scores see a new lead as they see any
 * other. Then each event's lead by email.
 */
export const CREATE_LEADS = `
  WITH created AS (
    INSERT INTO leads (email, first_name, last_name, account_id, created_at)
    SELECT w.email, w.first_name, w.last_name, a.id, w.occurred_at
      FROM (SELECT DISTINCT ON (lower(email)) email, first_name, last_name, occurred_at
              FROM ev_chunk WHERE email IS NOT NULL ORDER BY lower(email), occurred_at, id) w
      LEFT JOIN accounts a ON a.domain = lower(split_part(w.email, '@', 2))
     WHERE NOT EXISTS (SELECT 1 FROM leads l WHERE lower(l.email) = lower(w.email))
    ON CONFLICT ((lower(email))) DO NOTHING
    RETURNING id, stage, created_at
  )
  -- the first entry of its stage history, as createLead writes it
  INSERT INTO lead_stage_changes (lead_id, from_stage, to_stage, changed_at) SELECT id, NULL, stage, created_at FROM created`;

export const EMAIL_LEADS = `
  UPDATE ev_chunk c SET email_lead_id = l.id FROM leads l WHERE c.email IS NOT NULL AND lower(l.email) = lower(c.email)`;

/** userId -> lead, from the events that carry both a userId and an email; an earlier identification moves the look-back. */
export const LINK_USERS = `
  INSERT INTO tracking_user_ids AS u (user_id, lead_id, identified_at)
  SELECT user_id, (array_agg(email_lead_id ORDER BY occurred_at, id))[1], min(occurred_at)
    FROM ev_chunk WHERE user_id IS NOT NULL AND email_lead_id IS NOT NULL GROUP BY user_id ORDER BY user_id
  ON CONFLICT (user_id) DO UPDATE SET identified_at = EXCLUDED.identified_at, linked_at = now()
   WHERE EXCLUDED.identified_at < u.identified_at
  RETURNING user_id`;

/** alias(previousId, userId): kept, and a lead either id has goes to the other (when it has none). */
export const RECORD_ALIASES = `
  INSERT INTO tracking_aliases AS a (previous_id, user_id, aliased_at)
  SELECT DISTINCT ON (previous_id) previous_id, user_id, occurred_at FROM ev_chunk
   WHERE type = 'alias' AND previous_id IS NOT NULL AND user_id IS NOT NULL ORDER BY previous_id, occurred_at DESC, id DESC
  ON CONFLICT (previous_id) DO UPDATE SET user_id = EXCLUDED.user_id, aliased_at = EXCLUDED.aliased_at
   WHERE EXCLUDED.aliased_at >= a.aliased_at`;

export const LINK_ALIASED_USERS = `
  INSERT INTO tracking_user_ids (user_id, lead_id, identified_at)
  SELECT c.user_id, u.lead_id, least(c.occurred_at, u.identified_at) FROM ev_chunk c JOIN tracking_user_ids u ON u.user_id = c.previous_id
   WHERE c.type = 'alias' AND c.user_id IS NOT NULL
  UNION ALL
  SELECT c.previous_id, u.lead_id, least(c.occurred_at, u.identified_at) FROM ev_chunk c JOIN tracking_user_ids u ON u.user_id = c.user_id
   WHERE c.type = 'alias' AND c.previous_id IS NOT NULL
  ON CONFLICT (user_id) DO NOTHING
  RETURNING user_id`;

/**
 * anonymousId -> person: every event with an anonymousId and a userId or an email identifies the
 * anonymousId (alias: the previousId too); the first person it is identified as keeps it, the
 * earliest identifying time is the look-back's start.
 */
export const LINK_ANONYMOUS = `
  INSERT INTO tracking_anonymous_ids AS a (anonymous_id, user_id, lead_id, identified_at)
  SELECT anon, (array_agg(user_id ORDER BY occurred_at, id) FILTER (WHERE user_id IS NOT NULL))[1],
         (array_agg(lead_id ORDER BY occurred_at, id) FILTER (WHERE lead_id IS NOT NULL))[1], min(occurred_at)
    FROM (SELECT c.anonymous_id AS anon, c.user_id, coalesce(c.email_lead_id, u.lead_id) AS lead_id, c.occurred_at, c.id
            FROM ev_chunk c LEFT JOIN tracking_user_ids u ON u.user_id = c.user_id
           WHERE c.mode = 'NEW' AND c.type <> 'group' AND c.anonymous_id IS NOT NULL AND (c.user_id IS NOT NULL OR c.email_lead_id IS NOT NULL)
          UNION ALL
          SELECT c.previous_id, c.user_id, u.lead_id, c.occurred_at, c.id
            FROM ev_chunk c LEFT JOIN tracking_user_ids u ON u.user_id = c.user_id
           WHERE c.type = 'alias' AND c.previous_id IS NOT NULL AND c.user_id IS NOT NULL) p
   GROUP BY anon ORDER BY anon
  ON CONFLICT (anonymous_id) DO UPDATE
     SET user_id = coalesce(a.user_id, EXCLUDED.user_id), lead_id = coalesce(a.lead_id, EXCLUDED.lead_id),
         identified_at = least(a.identified_at, EXCLUDED.identified_at), linked_at = now()
   WHERE (a.user_id IS NULL AND EXCLUDED.user_id IS NOT NULL) OR (a.lead_id IS NULL AND EXCLUDED.lead_id IS NOT NULL)
      OR a.identified_at IS NULL OR EXCLUDED.identified_at < a.identified_at
  RETURNING anonymous_id`;

/** Anonymous ids identified by a userId whose lead became known ($1: those userIds). */
export const LINK_ANONYMOUS_BY_USER = `
  UPDATE tracking_anonymous_ids a SET lead_id = u.lead_id, linked_at = now()
    FROM tracking_user_ids u
   WHERE u.user_id = ANY ($1::text[]) AND a.user_id = u.user_id AND a.lead_id IS NULL
  RETURNING a.anonymous_id`;

/**
 * Each event's lead (the one it had, else its userId's, else its anonymousId's, within the
 * look-back of the identification) and what became of it.
 */
export const RESOLVE = `
  UPDATE ev_chunk c SET lead_id = r.lead_id, outcome = CASE
      WHEN c.type IN ('identify', 'group', 'alias') THEN 'IDENTITY'
      WHEN c.kind IS NULL THEN 'NOT_A_TOUCH'
      WHEN c.campaign_id IS NOT NULL AND EXISTS (SELECT 1 FROM campaigns k WHERE k.id = c.campaign_id)
        THEN CASE WHEN r.lead_id IS NOT NULL THEN 'TOUCHPOINT' ELSE 'ANONYMOUS' END
      WHEN c.has_data OR c.session_event_id IS NOT NULL THEN 'UNPLACED'
      ELSE 'DIRECT' END
    FROM (SELECT x.id, coalesce(x.prior_lead_id,
                   (SELECT u.lead_id FROM tracking_user_ids u WHERE x.user_id IS NOT NULL AND u.user_id = x.user_id
                       AND x.occurred_at >= u.identified_at - make_interval(days => $1)),
                   (SELECT a.lead_id FROM tracking_anonymous_ids a WHERE x.anonymous_id IS NOT NULL AND a.anonymous_id = x.anonymous_id
                       AND x.occurred_at >= a.identified_at - make_interval(days => $1))) AS lead_id
            FROM ev_chunk x WHERE x.mode = 'NEW') r
   WHERE c.id = r.id AND c.mode = 'NEW'`;

/** group calls: the group's account (domain or website trait, else the groupId as an account's external id). */
export const RECORD_GROUPS = `
  INSERT INTO tracking_groups AS g (group_id, account_id, seen_at)
  SELECT DISTINCT ON (c.group_id) c.group_id, coalesce(a1.id, a2.id), c.occurred_at
    FROM ev_chunk c
    LEFT JOIN accounts a1 ON a1.domain = c.group_domain
    LEFT JOIN accounts a2 ON a2.external_id = c.group_id
   WHERE c.type = 'group' AND c.group_id IS NOT NULL
   ORDER BY c.group_id, c.occurred_at DESC, c.id DESC
  ON CONFLICT (group_id) DO UPDATE SET account_id = coalesce(EXCLUDED.account_id, g.account_id), seen_at = greatest(g.seen_at, EXCLUDED.seen_at)`;

/** A grouped person's lead gets the group's account when it has none; an anonymous one keeps it for when it is identified. */
export const GROUP_LEADS = `
  UPDATE leads l SET account_id = x.account_id
    FROM (SELECT DISTINCT ON (c.lead_id) c.lead_id, g.account_id
            FROM ev_chunk c JOIN tracking_groups g ON g.group_id = c.group_id
           WHERE c.type = 'group' AND c.lead_id IS NOT NULL AND g.account_id IS NOT NULL
           ORDER BY c.lead_id, c.occurred_at DESC, c.id DESC) x
   WHERE l.id = x.lead_id AND l.account_id IS NULL`;

export const GROUP_ANONYMOUS = `
  INSERT INTO tracking_anonymous_ids AS a (anonymous_id, account_id)
  SELECT DISTINCT ON (c.anonymous_id) c.anonymous_id, g.account_id
    FROM ev_chunk c JOIN tracking_groups g ON g.group_id = c.group_id
   WHERE c.type = 'group' AND c.anonymous_id IS NOT NULL AND g.account_id IS NOT NULL
   ORDER BY c.anonymous_id, c.occurred_at DESC, c.id DESC
  ON CONFLICT (anonymous_id) DO UPDATE SET account_id = EXCLUDED.account_id WHERE a.account_id IS DISTINCT FROM EXCLUDED.account_id`;

/** Leads of anonymous ids just identified get the account a group call gave the anonymous id ($1: those ids). */
export const ACCOUNTS_FROM_GROUPS = `
  UPDATE leads l SET account_id = a.account_id
    FROM tracking_anonymous_ids a
   WHERE a.anonymous_id = ANY ($1::text[]) AND a.lead_id = l.id AND a.account_id IS NOT NULL AND l.account_id IS NULL`;

/**
 * Conversions (track events that are touches) without campaign data of their own take the
 * campaign of the same person's latest event with campaign data of its own in the
 * SESSION_MINUTES before: the same anonymousId (else userId) in the chunk, or in the events
 * processed before, by anonymousId or by the conversion's lead ($1: the look-back). When that
 * event's data placed it nowhere, neither is the conversion. Joins, not a scan per conversion.
 */
export const SESSIONS = `
  WITH v AS MATERIALIZED (
    SELECT x.id, x.anonymous_id, x.user_id, x.occurred_at,
           coalesce(x.prior_lead_id,
             (SELECT u.lead_id FROM tracking_user_ids u WHERE x.user_id IS NOT NULL AND u.user_id = x.user_id
                 AND x.occurred_at >= u.identified_at - make_interval(days => $1)),
             (SELECT a.lead_id FROM tracking_anonymous_ids a WHERE x.anonymous_id IS NOT NULL AND a.anonymous_id = x.anonymous_id
                 AND x.occurred_at >= a.identified_at - make_interval(days => $1))) AS lead_id
      FROM ev_chunk x WHERE x.mode = 'NEW' AND x.type = 'track' AND x.kind IS NOT NULL AND NOT x.has_data
  ),
  candidates AS (
    SELECT v.id AS conversion, y.id, y.campaign_id, y.channel, y.occurred_at FROM v JOIN ev_chunk y ON y.anonymous_id = v.anonymous_id
     WHERE y.has_data AND y.type IN ('track', 'page', 'screen') AND y.id <> v.id AND y.occurred_at BETWEEN v.occurred_at - interval '${SESSION_MINUTES} minutes' AND v.occurred_at
    UNION ALL
    SELECT v.id, y.id, y.campaign_id, y.channel, y.occurred_at FROM v JOIN ev_chunk y ON y.user_id = v.user_id
     WHERE v.anonymous_id IS NULL AND y.has_data AND y.type IN ('track', 'page', 'screen') AND y.id <> v.id AND y.occurred_at BETWEEN v.occurred_at - interval '${SESSION_MINUTES} minutes' AND v.occurred_at
    UNION ALL
    SELECT v.id, t.id, t.campaign_id, t.channel, t.occurred_at FROM v JOIN tracked_events t ON t.anonymous_id = v.anonymous_id
     WHERE t.occurred_at BETWEEN v.occurred_at - interval '${SESSION_MINUTES} minutes' AND v.occurred_at AND t.processed_at IS NOT NULL AND t.session_event_id IS NULL AND (t.placed_by IS NOT NULL OR t.outcome = 'UNPLACED')
               AND NOT EXISTS (SELECT 1 FROM ev_chunk y WHERE y.id = t.id)
    UNION ALL
    SELECT v.id, t.id, t.campaign_id, t.channel, t.occurred_at FROM v JOIN tracked_events t ON t.lead_id = v.lead_id
     WHERE t.occurred_at BETWEEN v.occurred_at - interval '${SESSION_MINUTES} minutes' AND v.occurred_at AND t.processed_at IS NOT NULL AND t.session_event_id IS NULL AND (t.placed_by IS NOT NULL OR t.outcome = 'UNPLACED')
               AND NOT EXISTS (SELECT 1 FROM ev_chunk y WHERE y.id = t.id)
  ),
  latest AS (
    SELECT DISTINCT ON (conversion) conversion, id, campaign_id, channel FROM candidates ORDER BY conversion, occurred_at DESC, id DESC
  )
  UPDATE ev_chunk c SET session_event_id = s.id, campaign_id = s.campaign_id, channel = s.channel,
                        placed_by = CASE WHEN s.campaign_id IS NOT NULL OR s.channel IS NOT NULL THEN 'SESSION' END
    FROM latest s
   WHERE c.id = s.conversion AND c.mode = 'NEW'`;

/** Placed on a channel but no campaign: the channel's catch-all web campaign, created on first use. */
export const CREATE_CATCH_ALLS = `
  INSERT INTO campaigns (external_id, name, channel, owner_team, starts_on)
  SELECT 'web:' || channel, 'Web: ' || initcap(replace(lower(channel), '_', ' ')) || ' (no campaign matched)', channel, 'MARKETING', min(occurred_at)::date
    FROM ev_chunk WHERE campaign_id IS NULL AND channel IS NOT NULL GROUP BY channel
  ON CONFLICT (external_id) DO NOTHING`;

export const USE_CATCH_ALLS = `
  UPDATE ev_chunk c SET campaign_id = k.id FROM campaigns k
   WHERE c.campaign_id IS NULL AND c.channel IS NOT NULL AND k.external_id = 'web:' || c.channel`;

/**
 * Stitching: processed events of the anonymous ids ($2) and userIds ($3) just identified that
 * have no lead yet join the chunk with the lead they now have (within the look-back, $1); the
 * ones that would be touches become touchpoints with the rest of the chunk.
 */
export const STITCH = `
  INSERT INTO ev_chunk (id, mode, source_id, message_id, type, event, anonymous_id, user_id, previous_id, group_id, occurred_at,
                        prior_outcome, prior_lead_id, processed_at, utm_campaign, utm_source, utm_medium, utm_term, utm_content,
                        click_id, referrer_host, campaign_id, channel, placed_by, session_event_id, kind,
                        unknown_utm_campaign, unknown_source_medium, lead_id, outcome)
  SELECT t.id, 'STITCH', t.source_id, t.message_id, t.type, t.event, t.anonymous_id, t.user_id, t.previous_id, t.group_id, t.occurred_at,
         t.outcome, NULL, t.processed_at, t.utm_campaign, t.utm_source, t.utm_medium, t.utm_term, t.utm_content,
         t.click_id, t.referrer_host, t.campaign_id, t.channel, t.placed_by, t.session_event_id, t.touch_kind,
         t.unknown_utm_campaign, t.unknown_source_medium, l.lead_id,
         CASE WHEN t.outcome = 'ANONYMOUS' AND EXISTS (SELECT 1 FROM campaigns k WHERE k.id = t.campaign_id) THEN 'TOUCHPOINT' ELSE t.outcome END
    FROM tracked_events t
    CROSS JOIN LATERAL (
      SELECT coalesce(
        (SELECT u.lead_id FROM tracking_user_ids u WHERE t.user_id IS NOT NULL AND u.user_id = t.user_id
            AND t.occurred_at >= u.identified_at - make_interval(days => $1)),
        (SELECT a.lead_id FROM tracking_anonymous_ids a WHERE t.anonymous_id IS NOT NULL AND a.anonymous_id = t.anonymous_id
            AND t.occurred_at >= a.identified_at - make_interval(days => $1))) AS lead_id
    ) l
   WHERE (t.anonymous_id = ANY ($2::text[]) OR t.user_id = ANY ($3::text[]))
     AND t.lead_id IS NULL AND t.processed_at IS NOT NULL AND l.lead_id IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM ev_chunk c WHERE c.id = t.id)
     FOR UPDATE OF t SKIP LOCKED`;

/** Anonymous ids and userIds linked to a lead in the last minutes ($1): the catch-up's stitching (see processor.ts). */
export const RECENT_LINKS = `
  SELECT coalesce((SELECT array_agg(anonymous_id) FROM tracking_anonymous_ids WHERE linked_at > now() - make_interval(secs => $1) AND lead_id IS NOT NULL), '{}') AS anonymous,
         coalesce((SELECT array_agg(user_id) FROM tracking_user_ids WHERE linked_at > now() - make_interval(secs => $1)), '{}') AS users`;

const externalId = (c: string) => `'event:' || ${c}.source_id || ':' || ${c}.message_id`;

/** The chunk's touchpoints: one per event, by its external id, so a second processing changes nothing (or moves it). */
export const UPSERT_TOUCHPOINTS = `
  INSERT INTO touchpoints AS t (external_id, lead_id, campaign_id, kind, occurred_at)
  SELECT ${externalId('c')}, c.lead_id, c.campaign_id, c.kind, c.occurred_at FROM ev_chunk c WHERE c.outcome = 'TOUCHPOINT'
  ON CONFLICT (external_id) DO UPDATE
     SET lead_id = EXCLUDED.lead_id, campaign_id = EXCLUDED.campaign_id, kind = EXCLUDED.kind, occurred_at = EXCLUDED.occurred_at
   WHERE (t.lead_id, t.campaign_id, t.kind, t.occurred_at) IS DISTINCT FROM (EXCLUDED.lead_id, EXCLUDED.campaign_id, EXCLUDED.kind, EXCLUDED.occurred_at)`;

/** Events placed again that are no longer touches lose their touchpoint. */
export const DROP_TOUCHPOINTS = `
  DELETE FROM touchpoints t USING ev_chunk c
   WHERE c.prior_outcome = 'TOUCHPOINT' AND c.outcome <> 'TOUCHPOINT' AND t.external_id = ${externalId('c')}`;

/** The chunk written back: placed, and (new ones) processed. */
export const WRITE_BACK = `
  UPDATE tracked_events t
     SET processed_at = CASE WHEN c.mode = 'STITCH' THEN t.processed_at ELSE now() END,
         outcome = c.outcome, lead_id = c.lead_id, campaign_id = c.campaign_id, channel = c.channel, placed_by = c.placed_by,
         touch_kind = c.kind, session_event_id = c.session_event_id, utm_campaign = c.utm_campaign, utm_source = c.utm_source,
         utm_medium = c.utm_medium, utm_term = c.utm_term, utm_content = c.utm_content, click_id = c.click_id,
         referrer_host = c.referrer_host, unknown_utm_campaign = c.unknown_utm_campaign, unknown_source_medium = c.unknown_source_medium
    FROM ev_chunk c
   -- the array lets the plan find the rows by primary key: a join alone is planned as a scan of
   -- all of tracked_events once the table outgrows a few chunks
   WHERE t.id = c.id AND t.id = ANY (ARRAY(SELECT id FROM ev_chunk))`;

export const CHUNK_COUNTS = `
  SELECT count(*) FILTER (WHERE mode = 'NEW')::int AS events, count(*) FILTER (WHERE mode = 'STITCH')::int AS stitched,
         count(*) FILTER (WHERE outcome = 'TOUCHPOINT')::int AS touchpoints, max(id) FILTER (WHERE mode = 'NEW')::text AS "lastId"
    FROM ev_chunk`;
