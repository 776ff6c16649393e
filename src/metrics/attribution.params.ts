import { Channel, OpportunityKind } from '../common/enums';
import { BadInputError } from '../graphql/errors';
import { decodeId } from '../graphql/node';
import {
  AttributionMeasure,
  AttributionModel,
  AttributionScopeInput,
  AttributionSettingsInput,
  JourneyScope,
  RoleWeightsInput,
} from './attribution.inputs';
import { validateWindow } from './metric-args';

export const MAX_LOOKBACK_DAYS = 3650;
export const MAX_HALF_LIFE_DAYS = 3650;
export const MAX_CAMPAIGN_FILTER = 1000;

/** How a model's weights are computed in SQL: from roles, by time decay, or by the Markov solve. */
export type ModelFamily = 'ROLE' | 'DECAY' | 'MARKOV';

/** Weights of the five roles a touch may hold, as exact decimal strings. */
export interface RoleWeights {
  first: string;
  last: string;
  conversion: string;
  creation: string;
  close: string;
}

export interface ModelSpec {
  model: AttributionModel;
  family: ModelFamily;
  weights: RoleWeights;
}

export type SqlGrain = 'day' | 'week' | 'month' | 'quarter';

/**
 * Where journeys are read from: DIRECT computes them from the touches now (any settings);
 * the cached sources read the attribution cache kept current on write
 * (migrations/1732510000000-attribution-cache.ts), which holds the ACCOUNT-scope journeys of
 * one lookback and half-life: CACHED_JOURNEYS journey by journey, CACHED_MONTHS from the
 * monthly sums wherever whole months lie in the window (the kept credits of the fixed-weight
 * models and the per-mask coefficients of any role weights, as AUTO reads them; see
 * bi.attribution_report in sql/bi/attribution.sql). CACHED_SHAPES reads those whole months
 * from the monthly sums per journey shape under every model, which the kept credits are made
 * from: the attribution cache's tests compare it too.
 */
export const JOURNEY_SOURCES = ['DIRECT', 'CACHED_JOURNEYS', 'CACHED_MONTHS'] as const;
export type JourneySource = (typeof JOURNEY_SOURCES)[number] | 'CACHED_SHAPES';
export type RowKey = 'CAMPAIGN' | 'CHANNEL' | 'NONE';
export type ActivityFigures = 'ALL' | 'SPEND' | 'NONE';

/** One attribution question, validated; the statements' parameters come from it. */
export interface AttributionQuery {
  from: Date;
  to: Date;
  /** null: the whole window is one period. */
  grain: SqlGrain | null;
  lookbackDays: number;
  halfLifeDays: number;
  journeyScope: JourneyScope;
  opportunityKinds: OpportunityKind[];
  pipeline: boolean;
  revenue: boolean;
  models: ModelSpec[];
  /** Database ids of the campaigns whose rows are shown; null: all. */
  campaignIds: string[] | null;
  channels: Channel[] | null;
  rowKey: RowKey;
  /** What campaign activity to compute: spend, touches, leads sourced and MQLs (ALL), spend only (the time series), or NONE (the comparison). */
  activity: ActivityFigures;
  /** Forces where journeys are read from (tests compare the sources); default: the cache when it holds them. */
  source?: JourneySource;
}

const NO_ROLES: RoleWeights = { first: '0', last: '0', conversion: '0', creation: '0', close: '0' };

/** The role weights of each rule-based model (docs/metrics.md, "Attribution"); LINEAR has none, so the rest is shared equally. */
const FIXED_ROLE_WEIGHTS: Partial<Record<AttributionModel, RoleWeights>> = {
  [AttributionModel.FIRST_TOUCH]: { ...NO_ROLES, first: '1' },
  [AttributionModel.LAST_TOUCH]: { ...NO_ROLES, last: '1' },
  [AttributionModel.LINEAR]: NO_ROLES,
  [AttributionModel.POSITION_BASED]: { ...NO_ROLES, first: '0.4', last: '0.4' },
  [AttributionModel.W_SHAPED]: { ...NO_ROLES, first: '0.3', conversion: '0.3', creation: '0.3' },
  [AttributionModel.FULL_PATH]: { first: '0.225', last: '0', conversion: '0.225', creation: '0.225', close: '0.225' },
};

/** The spec of one model; CUSTOM needs `roleWeights` (already validated by validateScope). */
export function modelSpec(field: string, model: AttributionModel, roleWeights: RoleWeightsInput | null | undefined): ModelSpec {
  if (model === AttributionModel.TIME_DECAY) return { model, family: 'DECAY', weights: NO_ROLES };
  if (model === AttributionModel.DATA_DRIVEN) return { model, family: 'MARKOV', weights: NO_ROLES };
  if (model === AttributionModel.CUSTOM) {
    if (!roleWeights) throw new BadInputError(field, 'the CUSTOM model needs roleWeights');
    return {
      model,
      family: 'ROLE',
      weights: {
        first: decimalText(roleWeights.first),
        last: '0',
        conversion: decimalText(roleWeights.leadConversion),
        creation: decimalText(roleWeights.opportunityCreation),
        close: decimalText(roleWeights.close),
      },
    };
  }
  const weights = FIXED_ROLE_WEIGHTS[model];
  if (!weights) throw new BadInputError(field, `unknown model ${String(model)}`);
  return { model, family: 'ROLE', weights };
}

/** Checks what every attribution input shares; fails naming the field under `field`. */
export function validateScope(field: string, input: AttributionScopeInput): void {
  validateWindow(`${field}.window`, input.window);
  validateJourneySettings(field, input);
  if (input.opportunityKinds.length === 0) {
    throw new BadInputError(`${field}.opportunityKinds`, 'must name at least one kind');
  }
}

/**
 * Checks how journeys are built and weighted (lookback, half-life, role weights), naming the
 * field under `field` ("" for arguments of a field, such as Opportunity.attribution's).
 */
export function validateJourneySettings(
  field: string,
  input: Pick<AttributionScopeInput, 'lookbackDays' | 'halfLifeDays' | 'roleWeights'>,
): void {
  const at = (name: string) => (field ? `${field}.${name}` : name);
  const { lookbackDays, halfLifeDays } = input;
  if (!Number.isInteger(lookbackDays) || lookbackDays < 1 || lookbackDays > MAX_LOOKBACK_DAYS) {
    throw new BadInputError(at('lookbackDays'), `must be a whole number of days from 1 to ${MAX_LOOKBACK_DAYS}`);
  }
  if (!Number.isFinite(halfLifeDays) || halfLifeDays <= 0 || halfLifeDays > MAX_HALF_LIFE_DAYS) {
    throw new BadInputError(at('halfLifeDays'), `must be above 0 and at most ${MAX_HALF_LIFE_DAYS} days`);
  }
  if (input.roleWeights) validateRoleWeights(at('roleWeights'), input.roleWeights);
}

function validateRoleWeights(field: string, weights: RoleWeightsInput): void {
  const entries: [string, number][] = [
    ['first', weights.first],
    ['leadConversion', weights.leadConversion],
    ['opportunityCreation', weights.opportunityCreation],
    ['close', weights.close],
  ];
  for (const [name, value] of entries) {
    if (!Number.isFinite(value) || value < 0 || value > 1) throw new BadInputError(`${field}.${name}`, 'must be between 0 and 1');
  }
  // compared as the decimals the client sent: 0.1 + 0.2 + 0.3 + 0.4 is exactly 1
  if (compareDecimalSumToOne(entries.map(([, value]) => decimalText(value))) > 0) {
    throw new BadInputError(field, 'the weights must add up to at most 1');
  }
}

/** Checks the settings of a single-model report and turns them into a query (rows not yet chosen). */
export function settingsQuery(field: string, input: AttributionSettingsInput): AttributionQuery {
  validateScope(field, input);
  if (input.measures.length === 0) throw new BadInputError(`${field}.measures`, 'must name at least one measure');
  const pipeline = input.measures.includes(AttributionMeasure.PIPELINE);
  const revenue = input.measures.includes(AttributionMeasure.REVENUE);
  if (input.model === AttributionModel.DATA_DRIVEN && !revenue) {
    throw new BadInputError(`${field}.measures`, 'DATA_DRIVEN is defined for revenue only: ask for REVENUE');
  }
  return {
    ...scopeQuery(input),
    pipeline,
    revenue,
    models: [modelSpec(`${field}.roleWeights`, input.model, input.roleWeights)],
  };
}

/** The scope part of a query; the caller sets measures and models. */
export function scopeQuery(input: AttributionScopeInput): AttributionQuery {
  return {
    from: input.window.from,
    to: input.window.to,
    grain: null,
    lookbackDays: input.lookbackDays,
    halfLifeDays: input.halfLifeDays,
    journeyScope: input.journeyScope,
    opportunityKinds: [...new Set(input.opportunityKinds)],
    pipeline: false,
    revenue: true,
    models: [],
    campaignIds: null,
    channels: null,
    rowKey: 'CAMPAIGN',
    activity: 'ALL',
  };
}

/** Decodes the campaign filter (global ids) and the channel filter. */
export function rowFilters(
  field: string,
  input: { campaignIds?: string[] | null; channels?: Channel[] | null },
): Pick<AttributionQuery, 'campaignIds' | 'channels'> {
  const ids = input.campaignIds ?? null;
  if (ids && ids.length > MAX_CAMPAIGN_FILTER) {
    throw new BadInputError(`${field}.campaignIds`, `at most ${MAX_CAMPAIGN_FILTER} campaigns`);
  }
  return {
    campaignIds: ids ? ids.map((id, i) => decodeId(`${field}.campaignIds[${i}]`, 'Campaign', id)) : null,
    channels: input.channels ? [...new Set(input.channels)] : null,
  };
}

/** The 25 parameters JOURNEY_WEIGHTS_SQL binds (see attribution.sql.ts; the metrics call bi.attribution_report). */
export function attributionParams(q: AttributionQuery, markov: MarkovFractionRows = EMPTY_MARKOV): unknown[] {
  return [
    q.from,
    q.to,
    q.grain,
    q.lookbackDays,
    q.halfLifeDays,
    q.journeyScope,
    q.opportunityKinds,
    q.pipeline,
    q.revenue,
    q.models.map((m) => m.model),
    q.models.map((m) => m.family),
    q.models.map((m) => m.weights.first),
    q.models.map((m) => m.weights.last),
    q.models.map((m) => m.weights.conversion),
    q.models.map((m) => m.weights.creation),
    q.models.map((m) => m.weights.close),
    markov.periodStarts,
    markov.campaignIds,
    markov.fractions,
    q.campaignIds,
    q.channels,
    q.rowKey,
    q.activity,
    null, // $24, $25: the months a cached statement reads from monthly sums (bi.attribution_report works them out)
    null,
  ];
}

/** DATA_DRIVEN credit fractions as parallel arrays, one entry per period and campaign. */
export interface MarkovFractionRows {
  periodStarts: Date[];
  campaignIds: string[];
  fractions: string[];
}

const EMPTY_MARKOV: MarkovFractionRows = { periodStarts: [], campaignIds: [], fractions: [] };

/** A JS number as the shortest decimal that reads back as it (what the client typed). */
export function decimalText(value: number): string {
  return String(value);
}

/** Sign of (sum of decimal strings - 1), computed exactly with integers. */
export function compareDecimalSumToOne(values: readonly string[]): number {
  const parsed = values.map(parseDecimal);
  const scale = Math.max(0, ...parsed.map((p) => p.scale));
  const sum = parsed.reduce((acc, p) => acc + p.digits * 10n ** BigInt(scale - p.scale), 0n);
  const one = 10n ** BigInt(scale);
  return sum === one ? 0 : sum > one ? 1 : -1;
}

/** "1.5e-7" -> 15 * 10^-8, as { digits: 15n, scale: 8 }. */
function parseDecimal(text: string): { digits: bigint; scale: number } {
  const match = /^(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i.exec(text);
  if (!match) throw new Error(`not a non-negative decimal: ${text}`);
  const [, whole = '0', fraction = '', exponent = '0'] = match;
  let scale = fraction.length - Number(exponent);
  let digits = BigInt(whole + fraction);
  if (scale < 0) {
    digits *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { digits, scale };
}
