import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Web events out (issue 15): what the processing (src/events/processor.ts) makes of the events
 * migration 1732840000000 stores. docs/events.md is the full description.
 *
 * - tracked_events gets its placement: the outcome, the lead, the campaign and channel and how
 *   they were found, the touchpoint kind it makes, the UTM values, click id and referrer host
 *   read from it, and whether its UTM values matched nothing (kept, reported, re-placed when a
 *   rule is added). A touchpoint made from an event has the external id
 *   'event:<source id>:<messageId>', so processing an event again makes no second one.
 * - Identity: tracking_user_ids (a userId's lead), tracking_anonymous_ids (an anonymousId's
 *   person: its userId and lead, and when it was identified; an account from a group call),
 *   tracking_aliases (alias calls) and tracking_groups (group calls' accounts).
 * - The rules kept in the API: tracking_utm_campaigns (a utm_campaign value's campaign),
 *   tracking_channel_rules (utm_source / utm_medium -> channel, seeded below) and
 *   tracking_event_kinds (a track event's name -> touchpoint kind, seeded below).
 * - Helpers the processing's statements call: tracking_norm (how source and medium compare),
 *   tracking_percent_decode, tracking_host, tracking_is_search_engine.
 */

const CHANNELS = `'PAID_SEARCH','PAID_SOCIAL','EMAIL','EVENT','WEBINAR','CONTENT','DIRECT_MAIL','REFERRAL','ORGANIC','OUTBOUND','PARTNER'`;
const KINDS = `'AD_CLICK','AD_VIEW','EMAIL_OPEN','EMAIL_CLICK','FORM_FILL','WEB_VISIT','EVENT_ATTENDED','WEBINAR_ATTENDED','CONTENT_DOWNLOAD',
               'MEETING','CALL','DIRECT_MAIL_RESPONSE','REFERRAL','OTHER'`;

/** The default source/medium rules: [source, medium, channel] (null: any), values as tracking_norm gives them. */
export const DEFAULT_CHANNEL_RULES: readonly [string | null, string | null, string][] = [
  ...['cpc', 'ppc', 'paid-search', 'paidsearch', 'sem', 'search-ads'].map((m): [null, string, string] => [null, m, 'PAID_SEARCH']),
  ...['paid-social', 'paidsocial', 'social-paid', 'paid-social-media', 'social-ads'].map((m): [null, string, string] => [null, m, 'PAID_SOCIAL']),
  ...['email', 'e-mail', 'newsletter'].map((m): [null, string, string] => [null, m, 'EMAIL']),
  [null, 'referral', 'REFERRAL'],
  ...['organic', 'seo'].map((m): [null, string, string] => [null, m, 'ORGANIC']),
  ...['affiliate', 'partner', 'partners'].map((m): [null, string, string] => [null, m, 'PARTNER']),
  [null, 'webinar', 'WEBINAR'],
  ...['event', 'events', 'conference', 'trade-show'].map((m): [null, string, string] => [null, m, 'EVENT']),
  ...['content', 'content-syndication', 'syndication'].map((m): [null, string, string] => [null, m, 'CONTENT']),
  ...['direct-mail', 'print'].map((m): [null, string, string] => [null, m, 'DIRECT_MAIL']),
  ...['outbound', 'sdr'].map((m): [null, string, string] => [null, m, 'OUTBOUND']),
];

/** The default event name -> touchpoint kind mapping (names compare without case). */
export const DEFAULT_EVENT_KINDS: readonly [string, string][] = [
  ['Form Submitted', 'FORM_FILL'],
  ['Signed Up', 'FORM_FILL'],
  ['Demo Requested', 'FORM_FILL'],
  ['Trial Started', 'FORM_FILL'],
  ['Contact Requested', 'FORM_FILL'],
  ['Content Downloaded', 'CONTENT_DOWNLOAD'],
  ['Whitepaper Downloaded', 'CONTENT_DOWNLOAD'],
  ['Ebook Downloaded', 'CONTENT_DOWNLOAD'],
  ['Webinar Attended', 'WEBINAR_ATTENDED'],
  ['Event Attended', 'EVENT_ATTENDED'],
  ['Email Link Clicked', 'EMAIL_CLICK'],
  ['Email Opened', 'EMAIL_OPEN'],
  ['Meeting Booked', 'MEETING'],
];

const sqlText = (v: string | null) => (v === null ? 'NULL' : `'${v.replace(/'/g, "''")}'`);

export class EventProcessing1732850000000 implements MigrationInterface {
  name = 'EventProcessing1732850000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- how utm_source and utm_medium values compare: trimmed, lower case, runs of spaces and underscores as one hyphen
      CREATE FUNCTION tracking_norm(v text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT nullif(lower(regexp_replace(btrim(v), '[\\s_]+', '-', 'g')), '')
      $$;

      -- percent-decoding of a URL's query value (UTF-8); a value that is not valid is kept as it is
      CREATE FUNCTION tracking_percent_decode(s text) RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
      BEGIN
        RETURN convert_from(
          (SELECT string_agg(CASE WHEN m[1] ~ '^%[0-9A-Fa-f]{2}' THEN decode(replace(m[1], '%', ''), 'hex') ELSE convert_to(m[1], 'UTF8') END, ''::bytea)
             FROM regexp_matches(s, '((?:%[0-9A-Fa-f]{2})+|[^%]+|%)', 'g') AS m),
          'UTF8');
      EXCEPTION WHEN others THEN
        RETURN s;
      END $$;

      -- the host of an absolute URL, lower case, without userinfo, port or a leading www.; null otherwise
      -- (string functions: the processing's hot path writes the same inline, src/events/processing-sql.ts)
      CREATE FUNCTION tracking_host(url text) RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
      DECLARE
        a text;
        p int := strpos(url, '://');
      BEGIN
        IF p < 2 THEN
          RETURN NULL;
        END IF;
        a := lower(split_part(split_part(split_part(split_part(substr(url, p + 3), '/', 1), '?', 1), '#', 1), ':', 1));
        IF strpos(a, '@') > 0 THEN
          a := split_part(a, '@', 2);
        END IF;
        IF left(a, 4) = 'www.' THEN
          a := substr(a, 5);
        END IF;
        RETURN nullif(a, '');
      END $$;

      -- the known search engines (a referrer from one makes a visit ORGANIC): a label of the host is
      -- one of theirs (google.com, google.co.uk, search.yahoo.com, ...); webmail hosts are not
      CREATE FUNCTION tracking_is_search_engine(host text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT string_to_array(host, '.') && ARRAY['google', 'bing', 'yahoo', 'duckduckgo', 'baidu', 'yandex', 'ecosia', 'qwant',
                                                  'startpage', 'naver', 'seznam', 'aol', 'brave', 'ask']
               AND left(host, 5) <> 'mail.' AND left(host, 8) <> 'outlook.' AND left(host, 8) <> 'webmail.'
      $$;

      ALTER TABLE tracked_events
        ADD COLUMN outcome text CHECK (outcome IN ('TOUCHPOINT', 'ANONYMOUS', 'DIRECT', 'UNPLACED', 'NOT_A_TOUCH', 'IDENTITY')),
        ADD COLUMN lead_id bigint REFERENCES leads(id) ON DELETE SET NULL,
        -- no foreign key: a deleted campaign leaves the id, and no touchpoint is made to it
        ADD COLUMN campaign_id bigint,
        ADD COLUMN channel text CHECK (channel IN (${CHANNELS})),
        ADD COLUMN placed_by text CHECK (placed_by IN ('UTM_MAPPING', 'CAMPAIGN_EXTERNAL_ID', 'CHANNEL_RULE', 'CLICK_ID', 'REFERRER', 'SESSION')),
        ADD COLUMN touch_kind text CHECK (touch_kind IN (${KINDS})),
        ADD COLUMN session_event_id bigint,
        ADD COLUMN utm_campaign text,
        ADD COLUMN utm_source text,
        ADD COLUMN utm_medium text,
        ADD COLUMN utm_term text,
        ADD COLUMN utm_content text,
        ADD COLUMN click_id text,
        ADD COLUMN referrer_host text,
        ADD COLUMN unknown_utm_campaign boolean NOT NULL DEFAULT false,
        ADD COLUMN unknown_source_medium boolean NOT NULL DEFAULT false;
      COMMENT ON COLUMN tracked_events.outcome IS 'What the processing made of the event (docs/events.md); null while it waits.';
      -- stitching and sessions (by person and time), erasure, first/latest UTMs (by lead)
      CREATE INDEX tracked_events_anonymous ON tracked_events (anonymous_id, occurred_at) WHERE anonymous_id IS NOT NULL;
      CREATE INDEX tracked_events_user ON tracked_events (user_id, occurred_at) WHERE user_id IS NOT NULL;
      CREATE INDEX tracked_events_lead ON tracked_events (lead_id, occurred_at, id) WHERE lead_id IS NOT NULL;
      CREATE INDEX tracked_events_session ON tracked_events (session_event_id) WHERE session_event_id IS NOT NULL;
      -- re-placing the events a new rule places
      CREATE INDEX tracked_events_utm_campaign ON tracked_events (lower(btrim(utm_campaign))) WHERE utm_campaign IS NOT NULL;
      CREATE INDEX tracked_events_utm_source ON tracked_events (tracking_norm(utm_source)) WHERE utm_source IS NOT NULL;
      CREATE INDEX tracked_events_utm_medium ON tracked_events (tracking_norm(utm_medium)) WHERE utm_medium IS NOT NULL;
      CREATE INDEX tracked_events_track_name ON tracked_events (lower(btrim(event))) WHERE type = 'track';
      -- the tracking health's window (events arrive roughly in time order: a BRIN index costs next to nothing)
      CREATE INDEX tracked_events_time ON tracked_events USING brin (occurred_at);

      CREATE TABLE tracking_user_ids (
        user_id       text PRIMARY KEY,
        lead_id       bigint NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
        identified_at timestamptz NOT NULL,            -- the first event that named the lead (the look-back counts from it)
        linked_at     timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX tracking_user_ids_lead ON tracking_user_ids (lead_id);
      COMMENT ON TABLE tracking_user_ids IS 'The lead of each userId of web events (found or created by email).';

      CREATE TABLE tracking_anonymous_ids (
        anonymous_id  text PRIMARY KEY,
        user_id       text,                            -- the userId it was identified as
        lead_id       bigint REFERENCES leads(id) ON DELETE CASCADE,
        identified_at timestamptz,                     -- the identifying event's time; null: only grouped so far
        account_id    bigint REFERENCES accounts(id) ON DELETE SET NULL,   -- from a group call
        linked_at     timestamptz NOT NULL DEFAULT now()                   -- when the processing last linked it
      );
      CREATE INDEX tracking_anonymous_ids_lead ON tracking_anonymous_ids (lead_id) WHERE lead_id IS NOT NULL;
      CREATE INDEX tracking_anonymous_ids_user ON tracking_anonymous_ids (user_id) WHERE user_id IS NOT NULL;
      CREATE INDEX tracking_anonymous_ids_linked ON tracking_anonymous_ids (linked_at);
      COMMENT ON TABLE tracking_anonymous_ids IS 'The person behind each identified anonymousId of web events: its userId, lead and time of identification.';

      CREATE TABLE tracking_aliases (
        previous_id text PRIMARY KEY,
        user_id     text NOT NULL,
        aliased_at  timestamptz NOT NULL
      );
      COMMENT ON TABLE tracking_aliases IS 'Alias calls of web events: previousId is the same person as userId.';

      CREATE TABLE tracking_groups (
        group_id   text PRIMARY KEY,
        account_id bigint REFERENCES accounts(id) ON DELETE SET NULL,
        seen_at    timestamptz NOT NULL
      );
      COMMENT ON TABLE tracking_groups IS 'Group calls of web events: the account of each groupId (by its domain or website trait, or its external id).';

      CREATE TABLE tracking_utm_campaigns (
        id           bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        utm_campaign text NOT NULL CHECK (length(btrim(utm_campaign)) BETWEEN 1 AND 255),
        campaign_id  bigint NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
        created_at   timestamptz NOT NULL DEFAULT now(),
        updated_at   timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX tracking_utm_campaigns_value ON tracking_utm_campaigns (lower(btrim(utm_campaign)));
      CREATE INDEX tracking_utm_campaigns_campaign ON tracking_utm_campaigns (campaign_id);
      COMMENT ON TABLE tracking_utm_campaigns IS 'utm_campaign values (compared without case) and the campaign each stands for.';

      CREATE TABLE tracking_channel_rules (
        id         bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        source     text CHECK (source = tracking_norm(source)),
        medium     text CHECK (medium = tracking_norm(medium)),
        channel    text NOT NULL CHECK (channel IN (${CHANNELS})),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (source IS NOT NULL OR medium IS NOT NULL)
      );
      CREATE UNIQUE INDEX tracking_channel_rules_key ON tracking_channel_rules (coalesce(source, ''), coalesce(medium, ''));
      COMMENT ON TABLE tracking_channel_rules IS 'utm_source / utm_medium -> channel (null: any); source and medium together win over medium alone, medium alone over source alone.';

      CREATE TABLE tracking_event_kinds (
        id         bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        event_name text NOT NULL CHECK (length(btrim(event_name)) BETWEEN 1 AND 255),
        kind       text NOT NULL CHECK (kind IN (${KINDS})),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE UNIQUE INDEX tracking_event_kinds_name ON tracking_event_kinds (lower(btrim(event_name)));
      COMMENT ON TABLE tracking_event_kinds IS 'Track events (by name, compared without case) that are touches, and their touchpoint kind.';
    `);
    for (const table of ['tracking_utm_campaigns', 'tracking_channel_rules', 'tracking_event_kinds']) {
      await q.query(`
        CREATE TRIGGER ${table}_updated_at BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION set_updated_at();
        CREATE TRIGGER ${table}_audit AFTER INSERT OR UPDATE OR DELETE ON ${table}
          FOR EACH ROW WHEN (coalesce(current_setting('app.actor', true), '') <> '') EXECUTE FUNCTION audit_row();`);
    }
    await q.query(
      `INSERT INTO tracking_channel_rules (source, medium, channel) VALUES ${DEFAULT_CHANNEL_RULES.map(([s, m, c]) => `(${sqlText(s)}, ${sqlText(m)}, '${c}')`).join(', ')}`,
    );
    await q.query(`INSERT INTO tracking_event_kinds (event_name, kind) VALUES ${DEFAULT_EVENT_KINDS.map(([n, k]) => `(${sqlText(n)}, '${k}')`).join(', ')}`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE tracking_event_kinds, tracking_channel_rules, tracking_utm_campaigns, tracking_groups, tracking_aliases,
        tracking_anonymous_ids, tracking_user_ids;
      DROP INDEX tracked_events_time, tracked_events_track_name, tracked_events_utm_medium, tracked_events_utm_source, tracked_events_utm_campaign,
        tracked_events_session, tracked_events_lead, tracked_events_user, tracked_events_anonymous;
      ALTER TABLE tracked_events
        DROP COLUMN outcome, DROP COLUMN lead_id, DROP COLUMN campaign_id, DROP COLUMN channel, DROP COLUMN placed_by,
        DROP COLUMN touch_kind, DROP COLUMN session_event_id, DROP COLUMN utm_campaign, DROP COLUMN utm_source,
        DROP COLUMN utm_medium, DROP COLUMN utm_term, DROP COLUMN utm_content, DROP COLUMN click_id, DROP COLUMN referrer_host,
        DROP COLUMN unknown_utm_campaign, DROP COLUMN unknown_source_medium;
      DROP FUNCTION tracking_is_search_engine(text), tracking_host(text), tracking_percent_decode(text), tracking_norm(text);
    `);
  }
}
