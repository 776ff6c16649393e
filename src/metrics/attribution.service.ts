import { metricQuery } from '../db/metric-work';
import type { Context } from '../graphql/context';
import { AttributionModel, JourneyScope } from './attribution.inputs';
import { attributionParams, AttributionQuery, JourneySource, MarkovFractionRows } from './attribution.params';
import { JOURNEY_WEIGHTS_SQL } from './attribution.sql';
import { markovCreditFractions, parseTransitions, TransitionTable } from './markov';

type AttributionContext = Pick<Context, 'ds' | 'tx'>;

/** Where journeys are read from: the cache when it holds them (AUTO), or the source a test forces. */
export type CreditSource = JourneySource | 'AUTO';

/**
 * The one definition of every attributed figure: bi.attribution_report (sql/bi/attribution.sql),
 * which BI tools call too (through bi.campaign_performance and the like). Its arguments are those
 * of the statement the API ran before it moved into the database (see that file).
 */
const REPORT_SQL = `
WITH declared_params AS (   -- every argument with its name and type, as in the other attribution statements
  SELECT $1::timestamptz AS window_from, $2::timestamptz AS window_to, $3::text AS grain,
         $4::float8 AS lookback_days, $5::float8 AS half_life_days, $6::text AS journey_scope,
         $7::text[] AS opportunity_kinds, $8::boolean AS want_pipeline, $9::boolean AS want_revenue,
         $10::text[] AS model_names, $11::text[] AS model_families,
         $12::numeric[] AS w_first, $13::numeric[] AS w_last, $14::numeric[] AS w_conversion,
         $15::numeric[] AS w_creation, $16::numeric[] AS w_close,
         $17::timestamptz[] AS markov_periods, $18::bigint[] AS markov_campaign_ids, $19::numeric[] AS markov_fractions,
         $20::bigint[] AS row_campaign_ids, $21::text[] AS row_channels, $22::text AS row_key,
         $23::text AS activity, $24::text AS journeys
)
SELECT r.row_kind AS "rowKind", r.model, r.period_start AS "periodStart", r.row_key AS "rowKey",
       r.spend, r.touches, r.leads_sourced AS "leadsSourced", r.mqls,
       r.attributed_pipeline AS "attributedPipeline", r.attributed_revenue AS "attributedRevenue",
       r.attributed_wins AS "attributedWins", r.roi, r.roas, r.cost_per_lead AS "costPerLead", r.cost_per_mql AS "costPerMql",
       r.unattributed_pipeline AS "unattributedPipeline", r.unattributed_revenue AS "unattributedRevenue",
       r.total_pipeline AS "totalPipeline", r.total_revenue AS "totalRevenue",
       r.unattributed_pipeline_share AS "unattributedPipelineShare", r.unattributed_revenue_share AS "unattributedRevenueShare"
FROM declared_params p
CROSS JOIN LATERAL bi.attribution_report(
  p.window_from, p.window_to, p.grain, p.lookback_days, p.half_life_days, p.journey_scope, p.opportunity_kinds,
  p.want_pipeline, p.want_revenue, p.model_names, p.model_families,
  p.w_first, p.w_last, p.w_conversion, p.w_creation, p.w_close,
  p.markov_periods, p.markov_campaign_ids, p.markov_fractions,
  p.row_campaign_ids, p.row_channels, p.row_key, p.activity, p.journeys) r`;

/**
 * DATA_DRIVEN transition counts: bi.attribution_markov_transitions (sql/bi/attribution.sql), one
 * text per period of "from to transitions" words (parseTransitions): a year at size L has about
 * 240,000 distinct steps, which as one object each would take tens of MB of the server's memory.
 */
const MARKOV_TRANSITIONS_SQL = `
SELECT period_start AS "periodStart", string_agg(from_state || ' ' || to_state || ' ' || transitions, ' ') AS steps
FROM bi.attribution_markov_transitions($1::timestamptz, $2::timestamptz, $3::text, $4::float8, $5::float8, $6::text,
                                       $7::text[], $8::text[], $9::text)
GROUP BY period_start`;

/** One row of bi.attribution_report: a campaign / channel / period row, or the totals of a model and period. */
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
  return metricQuery(ctx, REPORT_SQL, reportArgs(q, markov));
}

/** One row of bi.time_series_report (sql/bi/time-series.sql). */
export interface TimeSeriesRecord {
  periodStart: Date;
  from: Date;
  to: Date;
  /** Campaign database id of a row by CAMPAIGN. */
  campaignId: string | null;
  /** The channel of a row by CHANNEL or CAMPAIGN. */
  channel: string | null;
  spend: string;
  attributedPipeline: string | null;
  attributedRevenue: string | null;
  unattributedPipeline: string | null;
  unattributedRevenue: string | null;
}

/** The revenue time series: bi.time_series_report, which bi.revenue_time_series (SQL callers) runs too. */
const TIME_SERIES_SQL = `
SELECT period_start AS "periodStart", period_from AS "from", period_to AS "to", campaign_id::text AS "campaignId", channel,
       spend, attributed_pipeline AS "attributedPipeline", attributed_revenue AS "attributedRevenue",
       unattributed_pipeline AS "unattributedPipeline", unattributed_revenue AS "unattributedRevenue"
FROM bi.time_series_report($1::timestamptz, $2::timestamptz, $3::text, $4::text, $5::float8, $6::float8, $7::text, $8::text[],
                           $9::boolean, $10::boolean, $11::text, $12::text,
                           $13::numeric, $14::numeric, $15::numeric, $16::numeric, $17::numeric,
                           $18::timestamptz[], $19::bigint[], $20::numeric[], $21::bigint[], $22::text[], $23::text)
LIMIT $24::bigint`;

/** The series of `q`'s one model (grain and rows by `q.rowKey`), period by period; at most `limit` rows (null: all). */
export async function queryTimeSeries(ctx: AttributionContext, q: AttributionQuery, limit: number | null = null): Promise<TimeSeriesRecord[]> {
  const markov = await markovFractionRows(ctx, q);
  const model = q.models[0]!;
  return metricQuery(ctx, TIME_SERIES_SQL, [
    q.from,
    q.to,
    q.grain,
    q.rowKey,
    q.lookbackDays,
    q.halfLifeDays,
    q.journeyScope,
    q.opportunityKinds,
    q.pipeline,
    q.revenue,
    model.model,
    model.family,
    model.weights.first,
    model.weights.last,
    model.weights.conversion,
    model.weights.creation,
    model.weights.close,
    markov.periodStarts,
    markov.campaignIds,
    markov.fractions,
    q.campaignIds,
    q.channels,
    statementSource(q),
    limit,
  ]);
}

/**
 * The arguments of bi.attribution_report for `q`: the 23 journey parameters of attributionParams
 * (the months it may read from monthly sums are worked out there), then the statement's source.
 */
function reportArgs(q: AttributionQuery, markov: MarkovFractionRows): unknown[] {
  return [...attributionParams(q, markov).slice(0, 23), statementSource(q)];
}

/** The journey source to read: AUTO unless `q` forces a source (the cache holds ACCOUNT journeys only). */
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
export async function queryMarkovTransitions(ctx: AttributionContext, q: AttributionQuery): Promise<Map<number, TransitionTable>> {
  const rows: { periodStart: Date; steps: string }[] = await metricQuery(ctx, MARKOV_TRANSITIONS_SQL, [
    q.from,
    q.to,
    q.grain,
    q.lookbackDays,
    q.halfLifeDays,
    q.journeyScope,
    q.opportunityKinds,
    q.models.map((m) => m.family),
    statementSource(q),
  ]);
  const byPeriod = new Map<number, TransitionTable>();
  // each period's text is parsed and let go in turn (rows.shift), so only one is held twice
  for (let row = rows.shift(); row; row = rows.shift()) byPeriod.set(row.periodStart.getTime(), parseTransitions(row.steps));
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
