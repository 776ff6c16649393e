import { OpportunityKind } from '../common/enums';
import { metricQuery } from '../db/metric-work';
import type { Context } from '../graphql/context';
import { BadInputError } from '../graphql/errors';
import { AttributionMeasure, AttributionModel, JourneyScope, RoleWeightsInput } from './attribution.inputs';
import { attributionParams, AttributionQuery, modelSpec, ModelSpec, validateJourneySettings } from './attribution.params';
import { DEAL_ATTRIBUTION_SQL } from './deal-attribution.sql';

type DealContext = Pick<Context, 'ds' | 'tx' | 'metricWork'>;

/** The journey roles of METRICS.md, "Role-based models". */
export enum JourneyRole {
  FIRST = 'FIRST',
  LAST = 'LAST',
  LEAD_CONVERSION = 'LEAD_CONVERSION',
  OPPORTUNITY_CREATION = 'OPPORTUNITY_CREATION',
  CLOSE = 'CLOSE',
}

/** How the deals' journeys are built and weighted: the settings of a report, without a window. */
export interface DealAttributionQuery {
  model: ModelSpec;
  measure: AttributionMeasure;
  lookbackDays: number;
  halfLifeDays: number;
  journeyScope: JourneyScope;
}

export interface DealTouchCredit {
  touchId: string;
  campaignId: string;
  position: number;
  occurredAt: Date;
  /** The roles the touch is placed in (defined roles), and those of them that hold under the model (weight above 0). */
  roles: JourneyRole[];
  heldRoles: JourneyRole[];
  /** w_i, rounded to 12 decimals. */
  weight: string;
  /** amount * w_i, exact decimal. */
  share: string;
  /** The touch's cents (Money). */
  credit: string;
}

export interface DealCampaignCredit {
  campaignId: string;
  /** Exact decimal: the deal's amount times the weights of the campaign's touches. */
  share: string;
  /** Cents: the deal's own largest-remainder rounding. */
  credit: string;
}

export interface DealAttribution {
  opportunityId: string;
  measure: AttributionMeasure;
  amount: string;
  journeyEnd: Date;
  touches: DealTouchCredit[];
  /** By campaign id. */
  campaigns: DealCampaignCredit[];
}

export interface DealAttributionArgs {
  model: AttributionModel;
  journeyScope: JourneyScope;
  lookbackDays: number;
  halfLifeDays: number;
  roleWeights?: RoleWeightsInput | null;
  measure: AttributionMeasure;
}

/**
 * Checks the arguments of a deal's attribution, naming the argument that is wrong. DATA_DRIVEN is
 * refused: its credits are removal effects of a chain built from every deal closed in a window,
 * shared out of the window's total won amount, so a deal has no credit of its own that adds up.
 */
export function dealAttributionQuery(args: DealAttributionArgs): DealAttributionQuery {
  if (args.model === AttributionModel.DATA_DRIVEN) {
    throw new BadInputError(
      'model',
      'DATA_DRIVEN is not defined per deal (its credits are removal effects over all the paths of a window, shared out of the window\'s won total); use campaignPerformance for it, or a rule-based model here',
    );
  }
  validateJourneySettings('', args);
  return {
    model: modelSpec('roleWeights', args.model, args.roleWeights),
    measure: args.measure,
    lookbackDays: args.lookbackDays,
    halfLifeDays: args.halfLifeDays,
    journeyScope: args.journeyScope,
  };
}

interface DealRow {
  opportunityId: string;
  measure: AttributionMeasure;
  amount: string;
  journeyEnd: Date;
  touchId: string | null;
  campaignId: string;
  position: number;
  touchCount: number;
  occurredAt: Date;
  isFirst: boolean;
  isLast: boolean;
  isLeadConversion: boolean;
  isOpportunityCreation: boolean;
  isClose: boolean;
  weight: string;
  share: string;
  credit: string;
  campaignShare: string;
  campaignCredit: string;
}

const EPOCH = new Date(0);

/** The attribution of each deal of `ids` the measure applies to (revenue: won deals), in one statement. */
export async function queryDealAttributions(ctx: DealContext, q: DealAttributionQuery, ids: readonly string[]): Promise<Map<string, DealAttribution>> {
  const query: AttributionQuery = {
    from: EPOCH,
    to: EPOCH,
    grain: null,
    lookbackDays: q.lookbackDays,
    halfLifeDays: q.halfLifeDays,
    journeyScope: q.journeyScope,
    opportunityKinds: Object.values(OpportunityKind),
    pipeline: q.measure === AttributionMeasure.PIPELINE,
    revenue: q.measure === AttributionMeasure.REVENUE,
    models: [q.model],
    campaignIds: null,
    channels: null,
    rowKey: 'CAMPAIGN',
    activity: 'NONE',
  };
  const rows: DealRow[] = await metricQuery(ctx, DEAL_ATTRIBUTION_SQL, [...attributionParams(query), [...ids]]);
  const weights = q.model.weights;
  const holds = (role: JourneyRole): boolean => {
    const weight = {
      [JourneyRole.FIRST]: weights.first,
      [JourneyRole.LAST]: weights.last,
      [JourneyRole.LEAD_CONVERSION]: weights.conversion,
      [JourneyRole.OPPORTUNITY_CREATION]: weights.creation,
      [JourneyRole.CLOSE]: weights.close,
    }[role];
    return Number(weight) > 0;
  };
  const deals = new Map<string, DealAttribution>();
  for (const row of rows) {
    let deal = deals.get(row.opportunityId);
    if (!deal) {
      deal = { opportunityId: row.opportunityId, measure: row.measure, amount: row.amount, journeyEnd: row.journeyEnd, touches: [], campaigns: [] };
      deals.set(row.opportunityId, deal);
    }
    if (row.touchId === null) continue;
    const roles = [
      row.isFirst && JourneyRole.FIRST,
      row.isLast && JourneyRole.LAST,
      row.isLeadConversion && JourneyRole.LEAD_CONVERSION,
      row.isOpportunityCreation && JourneyRole.OPPORTUNITY_CREATION,
      row.isClose && JourneyRole.CLOSE,
    ].filter((role): role is JourneyRole => role !== false);
    deal.touches.push({
      touchId: row.touchId,
      campaignId: row.campaignId,
      position: row.position,
      occurredAt: row.occurredAt,
      roles,
      heldRoles: q.model.family === 'ROLE' ? roles.filter(holds) : [],
      weight: row.weight,
      share: row.share,
      credit: row.credit,
    });
    if (!deal.campaigns.some((c) => c.campaignId === row.campaignId)) {
      deal.campaigns.push({ campaignId: row.campaignId, share: row.campaignShare, credit: row.campaignCredit });
    }
  }
  for (const deal of deals.values()) deal.campaigns.sort((a, b) => a.campaignId.length - b.campaignId.length || (a.campaignId < b.campaignId ? -1 : 1));
  return deals;
}

/** Batched: every deal of a request asking with the same arguments shares one statement. */
export function loadDealAttribution(ctx: Context, q: DealAttributionQuery, opportunityId: string): Promise<DealAttribution | null> {
  return ctx.loaders
    .get<string, DealAttribution | null>(`Opportunity.attribution:${JSON.stringify(q)}`, async (ids) => {
      const deals = await queryDealAttributions(ctx, q, ids);
      return ids.map((id) => deals.get(id) ?? null);
    })
    .load(opportunityId);
}
