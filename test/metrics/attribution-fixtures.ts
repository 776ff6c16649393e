import pino from 'pino';
import { OpportunityKind } from '../../src/common/enums';
import { loadConfig } from '../../src/config';
import { Context, createContext } from '../../src/graphql/context';
import {
  AttributionMeasure,
  AttributionModel,
  CampaignPerformanceInput,
  JourneyScope,
  RoleWeightsInput,
} from '../../src/metrics/attribution.inputs';
import { AttributionQuery, JourneySource, rowFilters, settingsQuery } from '../../src/metrics/attribution.params';
import type { TestDatabase } from '../helpers/db';

/** A request context over the test database, with fresh loaders, for calling services directly. */
export function serviceContext(db: TestDatabase): Context {
  return createContext({ ds: db.ds, config: loadConfig(), logger: pino({ level: 'silent' }), requestId: 'test' });
}

export const ALL_KINDS = [OpportunityKind.NEW_BUSINESS, OpportunityKind.EXPANSION, OpportunityKind.RENEWAL];

export interface SettingsOverrides {
  from?: string;
  to?: string;
  model?: AttributionModel;
  roleWeights?: Partial<RoleWeightsInput> | null;
  lookbackDays?: number;
  halfLifeDays?: number;
  journeyScope?: JourneyScope;
  opportunityKinds?: OpportunityKind[];
  measures?: AttributionMeasure[];
  campaignIds?: string[] | null;
  /** Where journeys are read from (default: the cache when it holds them). */
  source?: JourneySource;
}

/** The input a client would send, with the schema's defaults filled in. */
export function settingsInput(o: SettingsOverrides = {}): CampaignPerformanceInput {
  const weights = o.roleWeights ? { first: 0, leadConversion: 0, opportunityCreation: 0, close: 0, ...o.roleWeights } : null;
  return {
    window: { from: new Date(o.from ?? '2024-01-01T00:00:00Z'), to: new Date(o.to ?? '2025-01-01T00:00:00Z') },
    model: o.model ?? AttributionModel.LINEAR,
    roleWeights: weights,
    lookbackDays: o.lookbackDays ?? 90,
    halfLifeDays: o.halfLifeDays ?? 7,
    journeyScope: o.journeyScope ?? JourneyScope.ACCOUNT,
    opportunityKinds: o.opportunityKinds ?? ALL_KINDS,
    measures: o.measures ?? [AttributionMeasure.PIPELINE, AttributionMeasure.REVENUE],
    campaignIds: o.campaignIds ?? null,
    channels: null,
  };
}

/** A validated single-model query, as the resolvers build it (plus the journey source asked for). */
export function settings(o: SettingsOverrides = {}): AttributionQuery {
  const input = settingsInput(o);
  return { ...settingsQuery('input', input), ...rowFilters('input', input), ...(o.source ? { source: o.source } : {}) };
}

/**
 * Makes the attribution cache hold journeys of this lookback and half-life (rebuilding it),
 * so that the cached sources can answer queries with those settings.
 */
export async function cacheJourneys(db: TestDatabase, lookbackDays: number, halfLifeDays: number): Promise<void> {
  await db.sql('SELECT attribution_cache_configure($1, $2)', [lookbackDays, halfLifeDays]);
}

let counter = 0;
const unique = () => `${process.pid}x${++counter}`;

/** Inserts tiny hand-made data sets with plain SQL; returns database ids. */
export class Fixtures {
  constructor(private readonly db: TestDatabase) {}

  private async id(text: string, params: unknown[]): Promise<string> {
    const [row] = await this.db.sql<{ id: string }>(`${text} RETURNING id`, params);
    return row!.id;
  }

  account(name = 'Acme'): Promise<string> {
    return this.id(`INSERT INTO accounts (name, domain, segment) VALUES ($1, $2, 'SMB')`, [name, `a${unique()}.test`]);
  }

  campaign(name: string, channel = 'EMAIL', ownerTeam = 'MARKETING'): Promise<string> {
    return this.id(`INSERT INTO campaigns (name, channel, owner_team, starts_on) VALUES ($1, $2, $3, '2020-01-01')`, [
      name,
      channel,
      ownerTeam,
    ]);
  }

  lead(accountId: string | null, mqlAt: string | null = null): Promise<string> {
    return this.id(`INSERT INTO leads (email, account_id, created_at, mql_at) VALUES ($1, $2, '2000-01-01T00:00:00Z', $3)`, [
      `l${unique()}@x.test`,
      accountId,
      mqlAt,
    ]);
  }

  /** A touch; `id` forces the id (to test ties on occurredAt). */
  touch(leadId: string, campaignId: string, occurredAt: string, id?: number): Promise<string> {
    if (id !== undefined) {
      return this.id(`INSERT INTO touchpoints (id, lead_id, campaign_id, kind, occurred_at) VALUES ($1, $2, $3, 'OTHER', $4)`, [
        id,
        leadId,
        campaignId,
        occurredAt,
      ]);
    }
    return this.id(`INSERT INTO touchpoints (lead_id, campaign_id, kind, occurred_at) VALUES ($1, $2, 'OTHER', $3)`, [
      leadId,
      campaignId,
      occurredAt,
    ]);
  }

  async opportunity(o: {
    accountId: string;
    amount: string;
    createdAt: string;
    closedAt?: string | null;
    stage?: string;
    kind?: string;
    contacts?: string[];
  }): Promise<string> {
    const stage = o.stage ?? (o.closedAt ? 'CLOSED_WON' : 'PROSPECTING');
    const id = await this.id(
      `INSERT INTO opportunities (account_id, name, kind, stage, amount, created_at, closed_at) VALUES ($1, 'Deal', $2, $3, $4, $5, $6)`,
      [o.accountId, o.kind ?? 'NEW_BUSINESS', stage, o.amount, o.createdAt, o.closedAt ?? null],
    );
    for (const lead of o.contacts ?? []) {
      await this.db.sql(`INSERT INTO opportunity_contacts (opportunity_id, lead_id) VALUES ($1, $2)`, [id, lead]);
    }
    return id;
  }

  spend(campaignId: string, spentOn: string, amount: string): Promise<string> {
    return this.id(`INSERT INTO campaign_spend (campaign_id, spent_on, amount) VALUES ($1, $2, $3)`, [campaignId, spentOn, amount]);
  }

  /** Empties every table the metrics read, so each test starts from nothing. */
  async reset(): Promise<void> {
    await this.db.sql(
      `TRUNCATE opportunity_contacts, opportunities, touchpoints, campaign_spend, lead_stage_changes, lead_feedback, leads, campaigns, accounts RESTART IDENTITY CASCADE`,
    );
  }
}
