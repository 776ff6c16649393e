import type { EntityManager } from 'typeorm';
import { Campaign } from '../campaigns/campaign.entity';
import { Channel, TouchpointKind } from '../common/enums';
import { managerOf } from '../db/with-transaction';
import type { Context } from '../graphql/context';
import { byIdLoader } from '../graphql/entity-loaders';
import { ConnectionResult, PageArgs, resolvePage, toConnection } from '../graphql/connection';
import { BadInputError, NotFoundError } from '../graphql/errors';
import { runMutation } from '../graphql/mutation';
import { decodeId } from '../graphql/node';
import { eventsNamed, eventsWithSourceMedium, eventsWithUtmCampaign, replaceEvents } from './processing-replace';
import {
  ChannelRule,
  ChannelRulePayload,
  EventKindMapping,
  EventKindMappingPayload,
  RemoveChannelRuleInput,
  SetChannelRuleInput,
  SetEventKindMappingInput,
  SetUtmCampaignMappingInput,
  UtmCampaignMapping,
  UtmCampaignMappingPayload,
} from './tracking-rules.types';

/**
 * The rules that place web events (docs/events.md): read in pages, and changed by
 * mutations that place again, in the same transaction, every processed event the change concerns.
 */

const MAPPING_COLUMNS = `id::text AS id, utm_campaign AS "utmCampaign", campaign_id::text AS "campaignId", created_at AS "createdAt", updated_at AS "updatedAt"`;
const RULE_COLUMNS = `id::text AS id, source, medium, channel, created_at AS "createdAt", updated_at AS "updatedAt"`;
const KIND_COLUMNS = `id::text AS id, event_name AS "eventName", kind, created_at AS "createdAt", updated_at AS "updatedAt"`;

/** A page of a rules table, in id order (the order the rules were made). */
async function pageOfRules<T extends { id: string }>(ctx: Context, table: string, columns: string, args: PageArgs): Promise<ConnectionResult<T>> {
  const page = resolvePage(args, 'id:ASC', ctx.config.maxPageSize);
  const db = managerOf(ctx);
  const cursor = page.cursor ? (page.backwards ? `WHERE id < $1` : `WHERE id > $1`) : '';
  const rows = (await db.query(
    `SELECT ${columns}, id::text AS __sort FROM ${table} ${cursor} ORDER BY id ${page.backwards ? 'DESC' : 'ASC'} LIMIT ${page.limit + 1}`,
    page.cursor ? [page.cursor.id] : [],
  )) as (T & { __sort: string })[];
  return toConnection(rows, page, 'id:ASC', async () => {
    const [row] = (await db.query(`SELECT count(*)::int AS n FROM ${table}`)) as { n: number }[];
    return row?.n ?? 0;
  });
}

export const listUtmCampaignMappings = (ctx: Context, args: PageArgs) => pageOfRules<UtmCampaignMapping>(ctx, 'tracking_utm_campaigns', MAPPING_COLUMNS, args);
export const listChannelRules = (ctx: Context, args: PageArgs) => pageOfRules<ChannelRule>(ctx, 'tracking_channel_rules', RULE_COLUMNS, args);
export const listEventKindMappings = (ctx: Context, args: PageArgs) => pageOfRules<EventKindMapping>(ctx, 'tracking_event_kinds', KIND_COLUMNS, args);

export function mappingCampaign(ctx: Context, mapping: UtmCampaignMapping): Promise<Campaign | null> {
  return byIdLoader<Campaign>(ctx, Campaign).load(mapping.campaignId);
}

function trimmed(field: string, value: string): string {
  const v = value.trim();
  if (v.length === 0) throw new BadInputError(field, 'must not be blank');
  return v;
}

async function one<T>(tx: EntityManager, text: string, params: unknown[]): Promise<T | null> {
  const rows = (await tx.query(text, params)) as T[];
  return rows[0] ?? null;
}

export function setUtmCampaignMapping(ctx: Context, input: SetUtmCampaignMappingInput): Promise<UtmCampaignMappingPayload> {
  return runMutation(ctx, async (tx) => {
    const value = trimmed('input.utmCampaign', input.utmCampaign);
    const campaignId = decodeId('input.campaignId', 'Campaign', input.campaignId);
    if (!(await one(tx, `SELECT 1 FROM campaigns WHERE id = $1`, [campaignId]))) throw new NotFoundError('input.campaignId', 'Campaign', input.campaignId);
    const mapping = await one<UtmCampaignMapping>(
      tx,
      `INSERT INTO tracking_utm_campaigns AS m (utm_campaign, campaign_id) VALUES ($1, $2)
       ON CONFLICT ((lower(btrim(utm_campaign)))) DO UPDATE SET utm_campaign = EXCLUDED.utm_campaign, campaign_id = EXCLUDED.campaign_id
       RETURNING ${MAPPING_COLUMNS}`,
      [value, campaignId],
    );
    return { mapping, replacedEvents: await replaceEvents(tx, eventsWithUtmCampaign(value)) };
  });
}

export function removeUtmCampaignMapping(ctx: Context, utmCampaign: string): Promise<UtmCampaignMappingPayload> {
  return runMutation(ctx, async (tx) => {
    const value = trimmed('input.utmCampaign', utmCampaign);
    const removed = (await tx.query(`DELETE FROM tracking_utm_campaigns WHERE lower(btrim(utm_campaign)) = lower($1) RETURNING id`, [value])) as unknown[];
    if (countOf(removed) === 0) throw new NotFoundError('input.utmCampaign', 'UtmCampaignMapping', value);
    return { mapping: null, replacedEvents: await replaceEvents(tx, eventsWithUtmCampaign(value)) };
  });
}

/** Rows a DELETE returned through TypeORM ([rows, count]). */
function countOf(result: unknown[]): number {
  return typeof result[1] === 'number' ? result[1] : result.length;
}

/** The source and medium of a rule as stored (tracking_norm), refusing what no event can carry. */
async function ruleKey(tx: EntityManager, input: { source?: string | null; medium?: string | null }): Promise<{ source: string | null; medium: string | null }> {
  for (const field of ['source', 'medium'] as const) {
    const v = input[field];
    if (v != null && (v.trim().length === 0 || v.length > 255)) throw new BadInputError(`input.${field}`, 'must be 1 to 255 characters, not blank');
  }
  const key = await one<{ source: string | null; medium: string | null }>(tx, `SELECT tracking_norm($1) AS source, tracking_norm($2) AS medium`, [
    input.source ?? null,
    input.medium ?? null,
  ]);
  if (!key || (key.source === null && key.medium === null)) throw new BadInputError('input.medium', 'give a source, a medium or both');
  return key;
}

export function setChannelRule(ctx: Context, input: SetChannelRuleInput): Promise<ChannelRulePayload> {
  return runMutation(ctx, async (tx) => {
    const key = await ruleKey(tx, input);
    if (!Object.values(Channel).includes(input.channel)) throw new BadInputError('input.channel', 'is no channel');
    const rule = await one<ChannelRule>(
      tx,
      `INSERT INTO tracking_channel_rules AS r (source, medium, channel) VALUES ($1, $2, $3)
       ON CONFLICT ((coalesce(source, '')), (coalesce(medium, ''))) DO UPDATE SET channel = EXCLUDED.channel
       RETURNING ${RULE_COLUMNS}`,
      [key.source, key.medium, input.channel],
    );
    return { rule, replacedEvents: await replaceEvents(tx, eventsWithSourceMedium(key.source, key.medium)) };
  });
}

export function removeChannelRule(ctx: Context, input: RemoveChannelRuleInput): Promise<ChannelRulePayload> {
  return runMutation(ctx, async (tx) => {
    const key = await ruleKey(tx, input);
    const removed = (await tx.query(
      `DELETE FROM tracking_channel_rules WHERE coalesce(source, '') = coalesce($1, '') AND coalesce(medium, '') = coalesce($2, '') RETURNING id`,
      [key.source, key.medium],
    )) as unknown[];
    if (countOf(removed) === 0) throw new NotFoundError(key.medium !== null ? 'input.medium' : 'input.source', 'ChannelRule', `${key.source ?? '*'}/${key.medium ?? '*'}`);
    return { rule: null, replacedEvents: await replaceEvents(tx, eventsWithSourceMedium(key.source, key.medium)) };
  });
}

export function setEventKindMapping(ctx: Context, input: SetEventKindMappingInput): Promise<EventKindMappingPayload> {
  return runMutation(ctx, async (tx) => {
    const name = trimmed('input.eventName', input.eventName);
    if (!Object.values(TouchpointKind).includes(input.kind)) throw new BadInputError('input.kind', 'is no touchpoint kind');
    const mapping = await one<EventKindMapping>(
      tx,
      `INSERT INTO tracking_event_kinds AS k (event_name, kind) VALUES ($1, $2)
       ON CONFLICT ((lower(btrim(event_name)))) DO UPDATE SET event_name = EXCLUDED.event_name, kind = EXCLUDED.kind
       RETURNING ${KIND_COLUMNS}`,
      [name, input.kind],
    );
    return { mapping, replacedEvents: await replaceEvents(tx, eventsNamed(name)) };
  });
}

export function removeEventKindMapping(ctx: Context, eventName: string): Promise<EventKindMappingPayload> {
  return runMutation(ctx, async (tx) => {
    const name = trimmed('input.eventName', eventName);
    const removed = (await tx.query(`DELETE FROM tracking_event_kinds WHERE lower(btrim(event_name)) = lower($1) RETURNING id`, [name])) as unknown[];
    if (countOf(removed) === 0) throw new NotFoundError('input.eventName', 'EventKindMapping', name);
    return { mapping: null, replacedEvents: await replaceEvents(tx, eventsNamed(name)) };
  });
}
