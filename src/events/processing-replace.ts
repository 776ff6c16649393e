import type { EntityManager } from 'typeorm';
import { processChunk } from './processing-chunk';
import { processingSettingsFromEnv } from './processing-settings';

/** Which processed events a rule change may place elsewhere (a condition on tracked_events `t`, with its parameters). */
export interface AffectedEvents {
  where: string;
  params: unknown[];
}

const CHUNK = 5_000;

/** Events whose utm_campaign value is `value` (compared as the mapping compares it). */
export function eventsWithUtmCampaign(value: string): AffectedEvents {
  return { where: `t.utm_campaign IS NOT NULL AND lower(btrim(t.utm_campaign)) = lower(btrim($1))`, params: [value] };
}

/** Events a source/medium rule applies to (source and medium as tracking_norm gives them; null: any). */
export function eventsWithSourceMedium(source: string | null, medium: string | null): AffectedEvents {
  if (medium !== null) {
    return { where: `t.utm_medium IS NOT NULL AND tracking_norm(t.utm_medium) = $1 AND ($2::text IS NULL OR tracking_norm(t.utm_source) = $2)`, params: [medium, source] };
  }
  return { where: `t.utm_source IS NOT NULL AND tracking_norm(t.utm_source) = $1`, params: [source] };
}

/** Track events of that name (compared without case). */
export function eventsNamed(name: string): AffectedEvents {
  return { where: `t.type = 'track' AND lower(btrim(t.event)) = lower(btrim($1))`, params: [name] };
}

/**
 * Places again, in the caller's transaction (the rule change's), every processed event the change
 * may place elsewhere, then the conversions that took their campaign from them (their session):
 * touchpoints move to the campaign the rules now give, appear, or go. Returns how many events
 * were placed again. Chunks of CHUNK events, in id order.
 */
export async function replaceEvents(tx: EntityManager, affected: AffectedEvents): Promise<number> {
  const { lookbackDays } = processingSettingsFromEnv();
  const n = affected.params.length;
  let placed = 0;
  let after = '0';
  const sources: string[] = [];
  for (;;) {
    const rows = (await tx.query(
      `SELECT t.id::text AS id FROM tracked_events t
        WHERE ${affected.where} AND t.processed_at IS NOT NULL AND t.type IN ('track', 'page', 'screen') AND t.id > $${n + 1}
        ORDER BY t.id LIMIT ${CHUNK}`,
      [...affected.params, after],
    )) as { id: string }[];
    if (rows.length === 0) break;
    const ids = rows.map((r) => r.id);
    sources.push(...ids);
    placed += (await processChunk(tx, { ids }, lookbackDays)).events;
    after = ids[ids.length - 1]!;
    if (rows.length < CHUNK) break;
  }
  for (let i = 0; i < sources.length; i += CHUNK) {
    const dependents = (await tx.query(
      `SELECT id::text AS id FROM tracked_events WHERE session_event_id = ANY ($1::bigint[]) AND NOT (id = ANY ($1::bigint[])) ORDER BY id`,
      [sources.slice(i, i + CHUNK)],
    )) as { id: string }[];
    if (dependents.length > 0) placed += (await processChunk(tx, { ids: dependents.map((d) => d.id) }, lookbackDays)).events;
  }
  return placed;
}
