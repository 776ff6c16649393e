import type { TestDatabase } from '../helpers/db';
import { mulberry32 } from './prng';

/*
 * A random company for attribution tests (seeded, so every run sees the same data): 40
 * accounts, 140 leads (10% without an account, half with an mqlAt), 1,500 touches on 12
 * campaigns at whole hours (so ties on occurredAt happen), 400 opportunities won, lost or
 * open, most with contacts.
 */
const DAY = 86_400_000;
const KINDS = ['NEW_BUSINESS', 'EXPANSION', 'RENEWAL'];

export interface Lead { id: number; accountId: number | null; mqlAt: number | null }
export interface Touch { id: number; leadId: number; campaignId: number; at: number }
export interface Opp { id: number; accountId: number; cents: number; kind: string; stage: string; createdAt: number; closedAt: number | null; contacts: number[] }
export interface Data { leads: Lead[]; touches: Touch[]; opps: Opp[]; channels: string[] }

export function generate(seed: number): Data {
  const random = mulberry32(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const time = (fromIso: string, toIso: string) => {
    const from = Date.parse(fromIso);
    // whole hours, so that ties on occurredAt happen
    return from + Math.floor((random() * (Date.parse(toIso) - from)) / 3_600_000) * 3_600_000;
  };
  const channels = Array.from({ length: 12 }, () => pick(['EMAIL', 'EVENT', 'WEBINAR', 'PAID_SEARCH']));
  const leads: Lead[] = Array.from({ length: 140 }, (_, i) => ({
    id: i + 1,
    accountId: random() < 0.1 ? null : 1 + Math.floor(random() * 40),
    mqlAt: random() < 0.5 ? time('2023-11-01', '2024-12-01') : null,
  }));
  const touches: Touch[] = Array.from({ length: 1500 }, (_, i) => ({
    id: i + 1,
    leadId: 1 + Math.floor(random() * leads.length),
    campaignId: 1 + Math.floor(random() * channels.length),
    at: time('2023-10-01', '2025-01-15'),
  }));
  const opps: Opp[] = Array.from({ length: 400 }, (_, i) => {
    const accountId = 1 + Math.floor(random() * 40);
    const createdAt = time('2023-12-01', '2024-11-20');
    const roll = random();
    const stage = roll < 0.45 ? 'CLOSED_WON' : roll < 0.7 ? 'CLOSED_LOST' : 'PROSPECTING';
    const atAccount = leads.filter((l) => l.accountId === accountId);
    return {
      id: i + 1,
      accountId,
      cents: random() < 0.05 ? 0 : 1 + Math.floor(random() * 5_000_000),
      kind: pick(KINDS),
      stage,
      createdAt,
      closedAt: stage === 'PROSPECTING' ? null : createdAt + Math.floor(random() * 60) * DAY + Math.floor(random() * DAY),
      contacts: atAccount.length && random() < 0.8 ? [...new Set([pick(atAccount).id, pick(atAccount).id])] : [],
    };
  });
  return { leads, touches, opps, channels };
}

export async function load(db: TestDatabase, data: Data): Promise<void> {
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  await db.sql(
    `INSERT INTO accounts (id, name, domain, segment) SELECT g, 'Account ' || g, 'a' || g || '.test', 'SMB' FROM generate_series(1, 40) g`,
  );
  await db.sql(
    `INSERT INTO campaigns (id, name, channel, owner_team, starts_on)
     SELECT i, 'Campaign ' || i, c, 'MARKETING', '2020-01-01' FROM unnest($1::text[]) WITH ORDINALITY AS t(c, i)`,
    [data.channels],
  );
  await db.sql(
    `INSERT INTO leads (id, email, account_id, created_at, mql_at)
     SELECT id, 'l' || id || '@x.test', account_id, '2000-01-01', mql_at
     FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[]) AS t(id, account_id, mql_at)`,
    [data.leads.map((l) => l.id), data.leads.map((l) => l.accountId), data.leads.map((l) => iso(l.mqlAt))],
  );
  await db.sql(
    `INSERT INTO touchpoints (id, lead_id, campaign_id, kind, occurred_at)
     SELECT id, lead_id, campaign_id, 'OTHER', at FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::timestamptz[]) AS t(id, lead_id, campaign_id, at)`,
    [data.touches.map((t) => t.id), data.touches.map((t) => t.leadId), data.touches.map((t) => t.campaignId), data.touches.map((t) => iso(t.at))],
  );
  await db.sql(
    `INSERT INTO opportunities (id, account_id, name, kind, stage, amount, created_at, closed_at)
     SELECT id, account_id, 'Deal', kind, stage, cents / 100.0, created_at, closed_at
     FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::timestamptz[], $7::timestamptz[])
          AS t(id, account_id, kind, stage, cents, created_at, closed_at)`,
    [
      data.opps.map((o) => o.id),
      data.opps.map((o) => o.accountId),
      data.opps.map((o) => o.kind),
      data.opps.map((o) => o.stage),
      data.opps.map((o) => o.cents),
      data.opps.map((o) => iso(o.createdAt)),
      data.opps.map((o) => iso(o.closedAt)),
    ],
  );
  const pairs = data.opps.flatMap((o) => o.contacts.map((lead) => [o.id, lead] as const));
  await db.sql(`INSERT INTO opportunity_contacts (opportunity_id, lead_id) SELECT * FROM unnest($1::bigint[], $2::bigint[])`, [
    pairs.map((p) => p[0]),
    pairs.map((p) => p[1]),
  ]);
}

