import { Channel } from '../common/enums';
import type { Context } from '../graphql/context';
import { AttributionComparisonInput, AttributionDimension, AttributionModel } from './attribution.inputs';
import { AttributionQuery, modelSpec, rowFilters, scopeQuery, validateScope } from './attribution.params';
import { queryPerformance } from './attribution.service';
import { AttributionComparison, AttributionComparisonRow, ModelRevenue } from './attribution.types';
import { compareIds, loadCampaigns } from './performance.service';

/** The field of ModelRevenue that holds each model's amount. */
const FIELD_OF: Record<AttributionModel, keyof ModelRevenue> = {
  [AttributionModel.FIRST_TOUCH]: 'firstTouch',
  [AttributionModel.LAST_TOUCH]: 'lastTouch',
  [AttributionModel.LINEAR]: 'linear',
  [AttributionModel.TIME_DECAY]: 'timeDecay',
  [AttributionModel.POSITION_BASED]: 'positionBased',
  [AttributionModel.W_SHAPED]: 'wShaped',
  [AttributionModel.FULL_PATH]: 'fullPath',
  [AttributionModel.CUSTOM]: 'custom',
  [AttributionModel.DATA_DRIVEN]: 'dataDriven',
};

/** Validates the comparison arguments: every model, CUSTOM only when roleWeights are given; revenue only. */
export function comparisonQuery(field: string, input: AttributionComparisonInput): AttributionQuery {
  validateScope(field, input);
  const models = Object.values(AttributionModel)
    .filter((model) => model !== AttributionModel.CUSTOM || input.roleWeights)
    .map((model) => modelSpec(`${field}.roleWeights`, model, input.roleWeights));
  return {
    ...scopeQuery(input),
    ...rowFilters(field, input),
    pipeline: false,
    revenue: true,
    models,
    rowKey: input.by === AttributionDimension.CHANNEL ? 'CHANNEL' : 'CAMPAIGN',
    activity: 'NONE',
  };
}

/** Revenue won in the window, attributed under every model of `q`, in one statement (two with DATA_DRIVEN). */
export async function attributionComparison(ctx: Context, q: AttributionQuery): Promise<AttributionComparison> {
  const records = await queryPerformance(ctx, { ...q, grain: null });
  const emptyRevenue = (): ModelRevenue => {
    const revenue: ModelRevenue = Object.assign(new ModelRevenue(), { custom: null });
    for (const spec of q.models) revenue[FIELD_OF[spec.model]] = '0.00';
    return revenue;
  };
  const byKey = new Map<string, ModelRevenue>();
  const totals = emptyRevenue();
  const unattributed = emptyRevenue();
  let totalRevenue = '0.00';
  for (const r of records) {
    const field = FIELD_OF[r.model];
    if (r.rowKind === 'TOTAL') {
      totals[field] = r.attributedRevenue ?? '0.00';
      unattributed[field] = r.unattributedRevenue ?? '0.00';
      totalRevenue = r.totalRevenue ?? totalRevenue;
      continue;
    }
    const key = r.rowKey ?? '';
    const revenue = byKey.get(key) ?? emptyRevenue();
    revenue[field] = r.attributedRevenue ?? '0.00';
    byKey.set(key, revenue);
  }
  const by = q.rowKey === 'CHANNEL' ? AttributionDimension.CHANNEL : AttributionDimension.CAMPAIGN;
  let rows: AttributionComparisonRow[];
  if (by === AttributionDimension.CHANNEL) {
    rows = [...byKey.keys()]
      .sort()
      .map((key) => Object.assign(new AttributionComparisonRow(), { campaign: null, channel: key as Channel, revenue: byKey.get(key)! }));
  } else {
    const keys = [...byKey.keys()].sort(compareIds);
    const campaigns = await loadCampaigns(ctx, keys);
    rows = keys.map((key) => {
      const campaign = campaigns.get(key)!;
      return Object.assign(new AttributionComparisonRow(), { campaign, channel: campaign.channel, revenue: byKey.get(key)! });
    });
  }
  return Object.assign(new AttributionComparison(), { from: q.from, to: q.to, by, rows, totals, unattributed, totalRevenue });
}
