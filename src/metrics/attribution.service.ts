import { metricQuery } from '../db/metric-work';
import type { Context } from '../graphql/context';
import { CreditSource, MARKOV_TRANSITIONS_SQL } from './attribution-sources.sql';
import { AttributionModel, JourneyScope } from './attribution.inputs';
import { attributionParams, AttributionQuery, MarkovFractionRows } from './attribution.params';
import { JOURNEY_WEIGHTS_SQL } from './attribution.sql';
import { markovCreditFractions, TransitionCount } from './markov';
import { PERFORMANCE_SQL } from './performance.sql';

type AttributionContext = Pick<Context, 'ds' | 'tx'>;

/** One row of PERFORMANCE_SQL: a campaign / channel / period row, or the totals of a model and period. */
export interface PerformanceRecord {
  rowKind: 'ROW' | 'TOTAL';
  model: AttributionModel;
  periodStart: Date;
  /** Campaign database id or channel of a ROW; null for TOTAL and for rows by NONE. */
  rowKey: string | null;
  spend: string;
  touches: number;
  leadsSourced: number;
  mqls: number;
  attributedPipeline: string | null;
  attributedRevenue: string | null;
  attributedWins: number | null;
  roi: number | null;
  roas: number | null;
  costPerLead: number | null;
  costPerMql: number | null;
  /** The next six are set on TOTAL records only. */
  unattributedPipeline: string | null;
  unattributedRevenue: string | null;
  totalPipeline: string | null;
  totalRevenue: string | null;
  unattributedPipelineShare: number | null;
  unattributedRevenueShare: number | null;
}

/** The weight of one touch of one journey under one rule-based model. */
export interface JourneyWeight {
  model: AttributionModel;
  measure: 'PIPELINE' | 'REVENUE';
  opportunityId: string;
  touchId: string;
  campaignId: string;
  position: number;
  /** Exact decimal string. */
  weight: string;
}

/**
 * Attributes pipeline and revenue and gathers campaign activity for every model and
 * period of `q`, in one statement (plus one for the transition counts when a
 * DATA_DRIVEN model asks for revenue). Journeys come from the attribution cache when it
 * holds them, else from the touches (or from `q.source`).
 */
export async function queryPerformance(ctx: AttributionContext, q: AttributionQuery): Promise<PerformanceRecord[]> {
  const markov = await markovFractionRows(ctx, q);
  return metricQuery(ctx, PERFORMANCE_SQL[statementSource(q)], attributionParams(q, markov));
}

/** The statements to run: AUTO unless `q` forces a source (the cache holds ACCOUNT journeys only). */
function statementSource(q: AttributionQuery): CreditSource {
  if (q.source && q.source !== 'DIRECT' && q.journeyScope !== JourneyScope.ACCOUNT) {
    throw new Error(`the attribution cache holds ACCOUNT journeys only, not ${q.journeyScope}`);
  }
  return q.source ?? 'AUTO';
}

/** The weight of every touch of every journey in scope under the rule-based models of `q` (explains a credit). */
export function queryJourneyWeights(ctx: AttributionContext, q: AttributionQuery): Promise<JourneyWeight[]> {
  return metricQuery(ctx, JOURNEY_WEIGHTS_SQL, attributionParams(q));
}

/** Transition counts of the Markov paths of each period (closed won or lost in it). */
export async function queryMarkovTransitions(
  ctx: AttributionContext,
  q: AttributionQuery,
): Promise<Map<number, TransitionCount[]>> {
  const sql = MARKOV_TRANSITIONS_SQL[statementSource(q)];
  const rows: (TransitionCount & { periodStart: Date })[] = await metricQuery(ctx, sql, attributionParams(q));
  const byPeriod = new Map<number, TransitionCount[]>();
  for (const { periodStart, ...count } of rows) {
    const key = periodStart.getTime();
    const list = byPeriod.get(key) ?? [];
    list.push(count);
    byPeriod.set(key, list);
  }
  return byPeriod;
}

/**
 * RE(c) / sum RE for every period and campaign, when a DATA_DRIVEN model needs them.
 * Fractions travel as decimals rounded to 12 places, so that campaigns whose removal
 * effects are equal in exact arithmetic (but not in float) tie; SQL renormalises them.
 */
async function markovFractionRows(ctx: AttributionContext, q: AttributionQuery): Promise<MarkovFractionRows> {
  const rows: MarkovFractionRows = { periodStarts: [], campaignIds: [], fractions: [] };
  if (!q.revenue || !q.models.some((m) => m.family === 'MARKOV')) return rows;
  for (const [period, counts] of await queryMarkovTransitions(ctx, q)) {
    for (const [campaignId, fraction] of markovCreditFractions(counts)) {
      rows.periodStarts.push(new Date(period));
      rows.campaignIds.push(campaignId);
      rows.fractions.push(fraction.toFixed(12));
    }
  }
  return rows;
}
