import { NodeTypeName, toGlobalId } from '../../src/graphql/node';
import type { TestDatabase } from './db';

/** Rows for the core API tests, inserted with plain SQL (fast, and independent of the code under test). */

let serial = 0;
/** A value no other fixture of this run uses (emails, domains, names). */
export const unique = (prefix = 'x') => `${prefix}${process.pid}n${++serial}`;

export const gid = (type: NodeTypeName, id: string | number) => toGlobalId(type, id);

async function insertOne(db: TestDatabase, text: string, params: unknown[]): Promise<string> {
  const [row] = await db.sql<{ id: string }>(text, params);
  if (!row) throw new Error('insert returned no row');
  return row.id;
}

export function insertUser(db: TestDatabase, team: string, name = unique('User ')): Promise<string> {
  return insertOne(db, `INSERT INTO users (name, email, team) VALUES ($1, $2, $3) RETURNING id`, [
    name,
    `${unique('user')}@corp.test`,
    team,
  ]);
}

export function insertAccount(
  db: TestDatabase,
  a: { name?: string; segment?: string; ownerId?: string | null; createdAt?: string; walletSize?: string | null } = {},
): Promise<string> {
  return insertOne(
    db,
    `INSERT INTO accounts (name, domain, segment, owner_id, created_at, wallet_size)
     VALUES ($1, $2, $3, $4, coalesce($5::timestamptz, now()), $6) RETURNING id`,
    [a.name ?? unique('Account '), `${unique('d')}.test`, a.segment ?? 'SMB', a.ownerId ?? null, a.createdAt ?? null, a.walletSize ?? null],
  );
}

export function insertLead(
  db: TestDatabase,
  l: { email?: string; accountId?: string | null; stage?: string; createdAt?: string; mqlAt?: string | null } = {},
): Promise<string> {
  return insertOne(
    db,
    `INSERT INTO leads (email, account_id, stage, created_at, mql_at)
     VALUES ($1, $2, $3, coalesce($4::timestamptz, now()), $5) RETURNING id`,
    [l.email ?? `${unique('lead')}@prospect.test`, l.accountId ?? null, l.stage ?? 'NEW', l.createdAt ?? null, l.mqlAt ?? null],
  );
}

export function insertCampaign(
  db: TestDatabase,
  c: { name?: string; channel?: string; ownerTeam?: string; startsOn?: string; endsOn?: string | null } = {},
): Promise<string> {
  return insertOne(
    db,
    `INSERT INTO campaigns (name, channel, owner_team, starts_on, ends_on) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [c.name ?? unique('Campaign '), c.channel ?? 'EMAIL', c.ownerTeam ?? 'MARKETING', c.startsOn ?? '2024-01-01', c.endsOn ?? null],
  );
}

export function insertTouch(db: TestDatabase, leadId: string, campaignId: string, occurredAt: string, kind = 'OTHER'): Promise<string> {
  return insertOne(
    db,
    `INSERT INTO touchpoints (lead_id, campaign_id, kind, occurred_at) VALUES ($1, $2, $3, $4) RETURNING id`,
    [leadId, campaignId, kind, occurredAt],
  );
}

export function insertOpportunity(
  db: TestDatabase,
  o: {
    accountId: string;
    name?: string;
    kind?: string;
    stage?: string;
    amount?: string;
    createdAt?: string;
    closedAt?: string | null;
    ownerId?: string | null;
  },
): Promise<string> {
  return insertOne(
    db,
    `INSERT INTO opportunities (account_id, name, kind, stage, amount, created_at, closed_at, owner_id)
     VALUES ($1, $2, $3, $4, $5, coalesce($6::timestamptz, now()), $7, $8) RETURNING id`,
    [
      o.accountId,
      o.name ?? unique('Deal '),
      o.kind ?? 'NEW_BUSINESS',
      o.stage ?? 'PROSPECTING',
      o.amount ?? '1000.00',
      o.createdAt ?? null,
      o.closedAt ?? null,
      o.ownerId ?? null,
    ],
  );
}

export async function countRows(db: TestDatabase, table: string, where = 'true', params: unknown[] = []): Promise<number> {
  const [row] = await db.sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, params);
  return row?.n ?? 0;
}

/** The `extensions` and message of the first error of a result, for error assertions. */
export function firstError(result: { errors?: { message: string; extensions?: Record<string, unknown> }[] }) {
  const error = result.errors?.[0];
  if (!error) throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  return { message: error.message, code: error.extensions?.code, field: error.extensions?.field };
}
