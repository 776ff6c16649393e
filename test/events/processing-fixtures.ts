import { randomUUID } from 'node:crypto';
import { EventProcessor } from '../../src/events/processor';
import { silentLogger } from '../helpers/app';
import type { TestDatabase } from '../helpers/db';

/**
 * Events for the processing tests, stored as the intake stores them (tracked_events, with the
 * fields it extracts), from payloads shaped as Segment's spec shapes them.
 */

export type SegmentPayload = Record<string, unknown> & { type: 'identify' | 'track' | 'page' | 'screen' | 'group' | 'alias'; timestamp: string };

/** A source with a dummy write key hash. */
export async function createSource(db: TestDatabase, name = 'website'): Promise<string> {
  const [row] = await db.sql<{ id: string }>(
    `INSERT INTO event_sources (name, prefix, key_hash) VALUES ($1, 'wk_test', sha256($2::bytea)) RETURNING id::text AS id`,
    [name, randomUUID()],
  );
  return row!.id;
}

/** Stores events as accepted (messageId: the payload's, else a new one); returns their ids in order. */
export async function storeEvents(db: TestDatabase, sourceId: string, events: SegmentPayload[]): Promise<string[]> {
  const ids: string[] = [];
  for (const e of events) {
    const payload = { messageId: randomUUID(), ...e };
    const name = e.type === 'track' ? e.event : e.type === 'page' || e.type === 'screen' ? e.name : undefined;
    const [row] = await db.sql<{ id: string }>(
      `INSERT INTO tracked_events (source_id, message_id, type, event, anonymous_id, user_id, previous_id, group_id, occurred_at, payload)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id::text AS id`,
      [
        sourceId, payload.messageId, e.type, typeof name === 'string' ? name : null, (e.anonymousId as string | undefined) ?? null,
        (e.userId as string | undefined) ?? null, (e.previousId as string | undefined) ?? null, (e.groupId as string | undefined) ?? null,
        e.timestamp, JSON.stringify(payload),
      ],
    );
    ids.push(row!.id);
  }
  return ids;
}

/** A page view as analytics.js sends it. */
export function page(anonymousId: string, timestamp: string, url: string, extra: { referrer?: string; userId?: string; campaign?: Record<string, string>; name?: string } = {}): SegmentPayload {
  const u = new URL(url);
  return {
    type: 'page',
    anonymousId,
    ...(extra.userId ? { userId: extra.userId } : {}),
    ...(extra.name ? { name: extra.name } : {}),
    timestamp,
    properties: { path: u.pathname, url, search: u.search, title: 'Page', referrer: extra.referrer ?? '' },
    context: {
      ip: '203.0.113.7',
      userAgent: 'Mozilla/5.0',
      page: { path: u.pathname, url, search: u.search, title: 'Page', referrer: extra.referrer ?? '' },
      ...(extra.campaign ? { campaign: extra.campaign } : {}),
      library: { name: 'analytics.js', version: '2.11.1' },
    },
  };
}

export function identify(ids: { anonymousId?: string; userId?: string }, timestamp: string, traits: Record<string, unknown>): SegmentPayload {
  return { type: 'identify', ...ids, timestamp, traits, context: { ip: '203.0.113.7', library: { name: 'analytics.js', version: '2.11.1' } } };
}

export function track(
  ids: { anonymousId?: string; userId?: string },
  timestamp: string,
  event: string,
  extra: { properties?: Record<string, unknown>; traits?: Record<string, unknown>; url?: string; campaign?: Record<string, string> } = {},
): SegmentPayload {
  return {
    type: 'track',
    ...ids,
    event,
    timestamp,
    properties: extra.properties ?? {},
    context: {
      ip: '203.0.113.7',
      ...(extra.traits ? { traits: extra.traits } : {}),
      ...(extra.url ? { page: { url: extra.url, path: new URL(extra.url).pathname } } : {}),
      ...(extra.campaign ? { campaign: extra.campaign } : {}),
    },
  };
}

export function processor(db: TestDatabase, options: { lookbackDays?: number; chunkSize?: number } = {}): EventProcessor {
  return new EventProcessor(db.ds, silentLogger, { pollMs: 0, ...options });
}

export interface EventRow {
  id: string;
  outcome: string | null;
  lead_id: string | null;
  campaign_id: string | null;
  channel: string | null;
  placed_by: string | null;
  touch_kind: string | null;
  processed: boolean;
}

export async function eventRows(db: TestDatabase, ids: string[]): Promise<EventRow[]> {
  return db.sql<EventRow>(
    `SELECT id::text AS id, outcome, lead_id::text AS lead_id, campaign_id::text AS campaign_id, channel, placed_by, touch_kind, processed_at IS NOT NULL AS processed
       FROM tracked_events WHERE id = ANY ($1::bigint[]) ORDER BY array_position($1::bigint[], id)`,
    [ids],
  );
}

/** The touchpoints made from events, in time order. */
export async function eventTouches(db: TestDatabase, where = 'true', params: unknown[] = []) {
  return db.sql<{ lead_id: string; campaign_id: string; kind: string; occurred_at: string }>(
    `SELECT lead_id::text AS lead_id, campaign_id::text AS campaign_id, kind, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS occurred_at
       FROM touchpoints WHERE external_id LIKE 'event:%' AND (${where}) ORDER BY occurred_at, id`,
    params,
  );
}
