import { Campaign } from '../campaigns/campaign.entity';
import { Channel } from '../common/enums';
import type { Context } from '../graphql/context';
import { byIdLoader } from '../graphql/entity-loaders';
import { AttributionModel } from './attribution.inputs';
import { AttributionQuery } from './attribution.params';
import { PerformanceRecord, queryPerformance } from './attribution.service';
import { withRowQuery } from './row-queries';
import {
  CampaignPerformanceReport,
  CampaignPerformanceRow,
  ChannelPerformanceReport,
  ChannelPerformanceRow,
  PerformanceFigures,
  PerformanceReport,
  PerformanceTotals,
} from './attribution.types';

/** Campaign performance of one model over the window of `q` (rows by campaign id). */
export async function campaignPerformance(ctx: Context, q: AttributionQuery): Promise<CampaignPerformanceReport> {
  const records = await queryPerformance(ctx, { ...q, grain: null, rowKey: 'CAMPAIGN' });
  const rowRecords = records.filter((r) => r.rowKind === 'ROW').sort((a, b) => compareIds(a.rowKey ?? '', b.rowKey ?? ''));
  const campaigns = await loadCampaigns(ctx, rowRecords.map((r) => r.rowKey ?? ''));
  const rows = rowRecords.map((r) => withRowQuery(Object.assign(new CampaignPerformanceRow(), figuresOf(r), { campaign: campaigns.get(r.rowKey ?? '')! }), q));
  return Object.assign(new CampaignPerformanceReport(), reportOf(q, records), { rows });
}

/** Channel performance: the campaign figures summed per channel (rows by channel name). */
export async function channelPerformance(ctx: Context, q: AttributionQuery): Promise<ChannelPerformanceReport> {
  const records = await queryPerformance(ctx, { ...q, grain: null, rowKey: 'CHANNEL' });
  const rows = records
    .filter((r) => r.rowKind === 'ROW')
    .sort((a, b) => (a.rowKey ?? '').localeCompare(b.rowKey ?? ''))
    .map((r) => Object.assign(new ChannelPerformanceRow(), figuresOf(r), { channel: r.rowKey as Channel }));
  return Object.assign(new ChannelPerformanceReport(), reportOf(q, records), { rows });
}

/**
 * The performance row of one campaign, batched: every campaign asking with the same
 * arguments in one request shares one statement.
 */
export function loadCampaignPerformance(ctx: Context, q: AttributionQuery, campaign: Campaign): Promise<CampaignPerformanceRow> {
  const batchQuery: AttributionQuery = { ...q, grain: null, rowKey: 'CAMPAIGN', channels: null, campaignIds: null };
  const loader = ctx.loaders.get<string, PerformanceFigures>(`Campaign.performance:${JSON.stringify(batchQuery)}`, async (ids) => {
    const records = await queryPerformance(ctx, { ...batchQuery, campaignIds: [...ids] });
    const byId = new Map(records.filter((r) => r.rowKind === 'ROW').map((r) => [r.rowKey ?? '', figuresOf(r)]));
    return ids.map((id) => byId.get(id) ?? zeroFigures(batchQuery));
  });
  return loader.load(String(campaign.id)).then((figures) => withRowQuery(Object.assign(new CampaignPerformanceRow(), figures, { campaign }), q));
}

/** Campaigns by database id, in one query. */
export async function loadCampaigns(ctx: Context, ids: readonly string[]): Promise<Map<string, Campaign>> {
  const unique = [...new Set(ids)];
  const loaded = await byIdLoader<Campaign>(ctx, Campaign).loadMany(unique);
  const byId = new Map<string, Campaign>();
  loaded.forEach((campaign, i) => {
    if (campaign instanceof Error) throw campaign;
    if (!campaign) throw new Error(`campaign ${unique[i]} vanished during the report`);
    byId.set(unique[i]!, campaign);
  });
  return byId;
}

/** Whether pipeline is computed for a query's single model (never under DATA_DRIVEN). */
export function pipelineComputed(q: AttributionQuery, model: AttributionModel): boolean {
  return q.pipeline && model !== AttributionModel.DATA_DRIVEN;
}

export function figuresOf(r: PerformanceRecord): PerformanceFigures {
  return {
    spend: r.spend,
    touches: r.touches,
    leadsSourced: r.leadsSourced,
    mqls: r.mqls,
    attributedPipeline: r.attributedPipeline,
    attributedRevenue: r.attributedRevenue,
    attributedWins: r.attributedWins,
    roi: r.roi,
    roas: r.roas,
    costPerLead: r.costPerLead,
    costPerMql: r.costPerMql,
  };
}

/** The figures of a campaign or period with no activity at all. */
export function zeroFigures(q: AttributionQuery, model: AttributionModel = q.models[0]!.model): PerformanceFigures {
  return {
    spend: '0.00',
    touches: 0,
    leadsSourced: 0,
    mqls: 0,
    attributedPipeline: pipelineComputed(q, model) ? '0.00' : null,
    attributedRevenue: q.revenue ? '0.00' : null,
    attributedWins: q.revenue ? 0 : null,
    roi: null,
    roas: null,
    costPerLead: null,
    costPerMql: null,
  };
}

/** The parts of a report besides its rows, from the TOTAL record (or zeros when nothing is in scope). */
function reportOf(q: AttributionQuery, records: readonly PerformanceRecord[]): PerformanceReport {
  const model = q.models[0]!.model;
  const total = records.find((r) => r.rowKind === 'TOTAL') ?? zeroTotalRecord(q, model);
  return {
    from: q.from,
    to: q.to,
    model,
    totals: Object.assign(new PerformanceTotals(), figuresOf(total)),
    unattributedPipeline: total.unattributedPipeline,
    unattributedRevenue: total.unattributedRevenue,
    unattributedPipelineShare: total.unattributedPipelineShare,
    unattributedRevenueShare: total.unattributedRevenueShare,
    totalPipeline: total.totalPipeline,
    totalRevenue: total.totalRevenue,
  };
}

/** A TOTAL record for a period where nothing happened. */
export function zeroTotalRecord(q: AttributionQuery, model: AttributionModel, periodStart: Date = q.from): PerformanceRecord {
  const pipeline = pipelineComputed(q, model) ? '0.00' : null;
  const revenue = q.revenue ? '0.00' : null;
  return {
    rowKind: 'TOTAL',
    model,
    periodStart,
    rowKey: null,
    ...zeroFigures(q, model),
    unattributedPipeline: pipeline,
    unattributedRevenue: revenue,
    totalPipeline: pipeline,
    totalRevenue: revenue,
    unattributedPipelineShare: null,
    unattributedRevenueShare: null,
  };
}

/** Orders bigint ids given as decimal strings. */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
