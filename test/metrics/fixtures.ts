import type { Config } from '../../src/config';
import type { Context } from '../../src/graphql/context';
import { LoaderRegistry } from '../../src/graphql/loaders';
import type { TestDatabase } from '../helpers/db';

/** A request context for calling metric services directly: a fresh loader registry per call. */
export function metricsContext(db: TestDatabase, maxPageSize = 100): Context {
  return {
    ds: db.ds,
    loaders: new LoaderRegistry(),
    config: { maxPageSize } as Config,
    requestId: 'test',
  } as unknown as Context;
}

let serial = 0;
const unique = () => `${process.pid}-${++serial}`;

async function insertOne(db: TestDatabase, sql: string, params: unknown[]): Promise<string> {
  const [row] = await db.sql<{ id: string }>(sql, params);
  if (!row) throw new Error('insert returned no row');
  return row.id;
}

export function insertCampaign(db: TestDatabase, channel: string, ownerTeam = 'MARKETING', name = `Campaign ${unique()}`) {
  return insertOne(
    db,
    `INSERT INTO campaigns (name, channel, owner_team, starts_on) VALUES ($1, $2, $3, '2020-01-01') RETURNING id`,
    [name, channel, ownerTeam],
  );
}

export interface LeadTimes {
  createdAt: string;
  mqlAt?: string;
  salAt?: string;
  sqlAt?: string;
  opportunityAt?: string;
  customerAt?: string;
  accountId?: string;
}

export function insertLead(db: TestDatabase, t: LeadTimes) {
  return insertOne(
    db,
    `INSERT INTO leads (email, created_at, mql_at, sal_at, sql_at, opportunity_at, customer_at, account_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [`lead-${unique()}@example.com`, t.createdAt, t.mqlAt ?? null, t.salAt ?? null, t.sqlAt ?? null, t.opportunityAt ?? null, t.customerAt ?? null, t.accountId ?? null],
  );
}

export function insertTouch(db: TestDatabase, leadId: string, campaignId: string, occurredAt: string) {
  return insertOne(
    db,
    `INSERT INTO touchpoints (lead_id, campaign_id, kind, occurred_at) VALUES ($1, $2, 'OTHER', $3) RETURNING id`,
    [leadId, campaignId, occurredAt],
  );
}

export function insertFeedback(db: TestDatabase, leadId: string, givenAt: string, reason: string | null) {
  return insertOne(
    db,
    `INSERT INTO lead_feedback (lead_id, disposition, reason, given_at) VALUES ($1, $2, $3, $4) RETURNING id`,
    [leadId, reason === null ? 'ACCEPTED' : 'REJECTED', reason, givenAt],
  );
}

export async function insertUser(db: TestDatabase, team: string) {
  return insertOne(db, `INSERT INTO users (name, email, team) VALUES ('U', $1, $2) RETURNING id`, [`user-${unique()}@example.com`, team]);
}

export interface AgreementFixture {
  version: number;
  effectiveFrom: string;
  followUpHours: string;
  monthlyMqlTarget: number;
  /** Approval time of both sides; null leaves it unapproved by sales. */
  approvedAt: string | null;
  approverId: string;
}

export function insertAgreement(db: TestDatabase, a: AgreementFixture) {
  return insertOne(
    db,
    `INSERT INTO alignment_agreements (version, effective_from, mql_threshold, follow_up_hours, monthly_mql_target,
       marketing_approved_by_id, marketing_approved_at, sales_approved_by_id, sales_approved_at)
     VALUES ($1, $2, 50, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [a.version, a.effectiveFrom, a.followUpHours, a.monthlyMqlTarget, a.approverId, a.approvedAt ?? '2020-01-01T00:00:00Z',
     a.approvedAt === null ? null : a.approverId, a.approvedAt],
  );
}

export function insertAccount(db: TestDatabase, walletSize: string | null, segment = 'MID_MARKET') {
  const key = unique();
  return insertOne(
    db,
    `INSERT INTO accounts (name, domain, segment, wallet_size) VALUES ($1, $2, $3, $4) RETURNING id`,
    [`Account ${key}`, `a${key}.example.com`, segment, walletSize],
  );
}

export interface OpportunityFixture {
  accountId: string;
  kind?: string;
  stage: string;
  amount: string;
  createdAt: string;
  closedAt?: string;
}

export function insertOpportunity(db: TestDatabase, o: OpportunityFixture) {
  return insertOne(
    db,
    `INSERT INTO opportunities (account_id, name, kind, stage, amount, created_at, closed_at)
     VALUES ($1, 'Deal', $2, $3, $4, $5, $6) RETURNING id`,
    [o.accountId, o.kind ?? 'NEW_BUSINESS', o.stage, o.amount, o.createdAt, o.closedAt ?? null],
  );
}

export function insertSpend(db: TestDatabase, campaignId: string, spentOn: string, amount: string) {
  return insertOne(
    db,
    `INSERT INTO campaign_spend (campaign_id, spent_on, amount) VALUES ($1, $2, $3) RETURNING id`,
    [campaignId, spentOn, amount],
  );
}

/** Wipes the tables metric fixtures use, so each test starts from nothing. */
export async function truncateAll(db: TestDatabase): Promise<void> {
  await db.sql(
    `TRUNCATE alignment_agreements, lead_feedback, opportunity_contacts, opportunities, touchpoints, campaign_spend,
       campaigns, lead_stage_changes, leads, accounts, users RESTART IDENTITY CASCADE`,
  );
}
