import { Client } from 'pg';
import pino from 'pino';
import { createDataSource } from '../src/db/data-source';
import { EventProcessor } from '../src/events/processor';

/**
 * (j) The processing of web events (docs/events.md): a backlog of N events queued
 * directly in tracked_events, as the intake stores them, then processed by an EventProcessor
 * (chunks of EVENT_PROCESS_CHUNK, default 5,000) in this process; events per second from the
 * first claim to the empty queue. Target (issue 15): >= 20,000 events/s on 2 cores.
 *
 * The stream: N / 10 visitors (anonymous ids) with about 10 events each, 3 minutes apart, in
 * time order. Every 5th visitor's 6th event is an identify (2 % of the events; every 10th
 * visitor by the email of a lead of the data set, the others new leads); of the others, 8 %
 * track events (3 % Form Submitted, 5 % Button Clicked), and the page views: 30 % with the UTM
 * parameters of a campaign (its external id), 5 % with an unknown utm_campaign, 10 % with a
 * Google click id, 20 % from a search engine, 7 % from another site, the rest direct. Run it
 * after the import scenario (which gives every campaign an external id): it adds touchpoints and
 * leads to the database the other scenarios read.
 */

export interface EventProcessingFigures {
  events: number;
  chunkSize: number;
  ms: number;
  eventsPerSecond: number;
  /** Events by outcome once processed. */
  outcomes: Record<string, number>;
  touchpoints: number;
  leadsCreated: number;
}

const QUEUE = `
  WITH c AS (SELECT array_agg(external_id ORDER BY id) AS ids FROM (SELECT id, external_id FROM campaigns WHERE external_id IS NOT NULL ORDER BY id LIMIT 50) x),
       l AS (SELECT coalesce(array_agg(email ORDER BY id), '{}') AS emails FROM (SELECT id, email FROM leads WHERE erased_at IS NULL ORDER BY id LIMIT 500) y),
       g AS (
         SELECT n, n % $2 AS v, n / $2 AS s, (n * 7919) % 100 AS r FROM generate_series(0, $1 - 1) AS n
       ),
       e AS (
         SELECT g.*, (g.v % 5 = 0 AND g.s = 5) AS is_identify,
                CASE WHEN g.v % 10 = 0 AND cardinality(l.emails) > 0 THEN l.emails[1 + (g.v / 10) % cardinality(l.emails)]
                     ELSE 'visitor' || g.v || '@bench-events.test' END AS email,
                'https://www.bench-site.test/p' || (g.n % 40) ||
                CASE WHEN g.r BETWEEN 8 AND 37 THEN '?utm_campaign=' || c.ids[1 + g.n % cardinality(c.ids)] || '&utm_source=google&utm_medium=cpc'
                     WHEN g.r BETWEEN 38 AND 42 THEN '?utm_campaign=promo-' || (g.n % 20) || '&utm_source=newsletter&utm_medium=email'
                     WHEN g.r BETWEEN 43 AND 52 THEN '?gclid=EAIaIQ' || g.n
                     ELSE '' END AS url,
                CASE WHEN g.r BETWEEN 53 AND 72 THEN 'https://www.google.com/'
                     WHEN g.r BETWEEN 73 AND 79 THEN 'https://news.example.test/story'
                     ELSE 'https://www.bench-site.test/' END AS referrer,
                timestamptz '2026-10-01T00:00:00Z' + g.s * interval '3 minutes' + g.v * interval '1 second' AS at
           FROM g, c, l
       )
  INSERT INTO tracked_events (source_id, message_id, type, event, anonymous_id, user_id, occurred_at, payload)
  SELECT $3, 'bench-' || e.n, t.type, t.event, 'anon-' || e.v, NULL, e.at,
         jsonb_build_object('type', t.type, 'messageId', 'bench-' || e.n, 'anonymousId', 'anon-' || e.v, 'timestamp', e.at,
           'context', jsonb_build_object('ip', '203.0.113.9', 'userAgent', 'Mozilla/5.0 (X11; Linux x86_64)',
                                         'library', jsonb_build_object('name', 'analytics.js', 'version', '2.11.1'),
                                         'page', jsonb_build_object('url', e.url, 'referrer', e.referrer, 'path', '/p', 'title', 'Bench')))
         || CASE t.type WHEN 'identify' THEN jsonb_build_object('traits', jsonb_build_object('email', e.email, 'firstName', 'Visitor', 'lastName', e.v::text))
                        WHEN 'track' THEN jsonb_build_object('event', t.event, 'properties', jsonb_build_object('url', e.url))
                        ELSE jsonb_build_object('properties', jsonb_build_object('url', e.url, 'referrer', e.referrer, 'path', '/p')) END
    FROM e
    CROSS JOIN LATERAL (SELECT CASE WHEN e.is_identify THEN 'identify' WHEN e.r < 8 THEN 'track' ELSE 'page' END AS type,
                               CASE WHEN e.is_identify THEN NULL WHEN e.r < 3 THEN 'Form Submitted' WHEN e.r < 8 THEN 'Button Clicked' END AS event) t
   ORDER BY e.n`;

export async function eventProcessingScenario(url: string, events: number, log: (line: string) => void): Promise<EventProcessingFigures> {
  const client = new Client({ connectionString: url, application_name: 'bench-events' });
  await client.connect();
  const ds = createDataSource({ url, poolSize: 2 });
  try {
    const [source] = (
      await client.query<{ id: string }>(`INSERT INTO event_sources (name, prefix, key_hash) VALUES ('bench', 'wk_bench', sha256(gen_random_uuid()::text::bytea)) RETURNING id::text AS id`)
    ).rows;
    const before = await client.query<{ leads: number; touchpoints: number }>(
      `SELECT (SELECT count(*)::int FROM leads) AS leads, (SELECT count(*)::int FROM touchpoints WHERE external_id LIKE 'event:%') AS touchpoints`,
    );
    const queued = performance.now();
    await client.query(QUEUE, [events, Math.max(1, Math.floor(events / 10)), source!.id]);
    await client.query('ANALYZE tracked_events');
    log(`(j) queued ${events} web events in ${((performance.now() - queued) / 1000).toFixed(1)} s; processing them`);
    await ds.initialize();
    const processor = new EventProcessor(ds, pino({ level: 'silent' }), { pollMs: 0 });
    const started = performance.now();
    const processed = await processor.runOnce();
    const ms = performance.now() - started;
    await processor.stop();
    const outcomes = Object.fromEntries(
      (await client.query<{ outcome: string; n: number }>(`SELECT coalesce(outcome, 'PENDING') AS outcome, count(*)::int AS n FROM tracked_events WHERE source_id = $1 GROUP BY 1 ORDER BY 1`, [source!.id])).rows.map((r) => [
        r.outcome,
        r.n,
      ]),
    );
    const after = await client.query<{ leads: number; touchpoints: number }>(
      `SELECT (SELECT count(*)::int FROM leads) AS leads, (SELECT count(*)::int FROM touchpoints WHERE external_id LIKE 'event:%') AS touchpoints`,
    );
    const figures: EventProcessingFigures = {
      events: processed,
      chunkSize: Number(process.env.EVENT_PROCESS_CHUNK ?? 5000),
      ms: Math.round(ms),
      eventsPerSecond: Math.round((processed / ms) * 1000),
      outcomes,
      touchpoints: after.rows[0]!.touchpoints - before.rows[0]!.touchpoints,
      leadsCreated: after.rows[0]!.leads - before.rows[0]!.leads,
    };
    log(`  ${processed} events in ${(ms / 1000).toFixed(1)} s: ${figures.eventsPerSecond} events/s; ${figures.touchpoints} touchpoints, ${figures.leadsCreated} new leads; ${JSON.stringify(outcomes)}`);
    return figures;
  } finally {
    if (ds.isInitialized) await ds.destroy();
    await client.end();
  }
}
