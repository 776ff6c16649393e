import { coerceInputValue, GraphQLSchema, isEnumType, isInputType } from 'graphql';
import { fromGlobalId } from '../graphql/node';
import { compareIds } from '../metrics/performance.service';
import { periodsOf } from '../metrics/time-series.service';
import { TimeGrain } from '../metrics/time-series.types';
import type { ExportTable } from './export-tables';

/**
 * Dense time series: revenueTimeSeries by CHANNEL or CAMPAIGN answers only the cells with
 * activity; an export (unless `dense=false`) has every period × key of the window, the missing
 * cells as zeros. The periods are the API's own (periodsOf); the keys are the channels asked
 * for (every channel when none are), or the campaigns asked for together with those that appear.
 * By NONE the API already answers every period.
 */

type Row = Record<string, unknown>;

interface SeriesInput {
  window: { from: Date; to: Date };
  grain: TimeGrain;
  by: 'NONE' | 'CHANNEL' | 'CAMPAIGN';
  model: string;
  measures: string[];
  channels?: string[] | null;
  campaignIds?: string[] | null;
}

/** Whether `table` is a time series that is filled. */
export function isDenseSeries(table: ExportTable): boolean {
  return table.segments[0]?.field.name === 'revenueTimeSeries' && table.segments[1]?.field.name === 'rows' && table.segments.length === 2;
}

const time = (value: unknown) => (value instanceof Date ? value.getTime() : new Date(String(value)).getTime());

/** Global campaign ids in the order the API sorts rows: by the number behind them. */
function compareCampaigns(a: string, b: string): number {
  return compareIds(fromGlobalId(a)?.id ?? a, fromGlobalId(b)?.id ?? b);
}

/**
 * Fills the missing cells of `data.revenueTimeSeries.rows` (the answer to the export's
 * operation). `campaignsById` loads campaigns that were asked for but appear in no row, with the
 * same selection as the rows' `campaign`.
 */
export async function fillSeries(
  schema: GraphQLSchema,
  data: Record<string, unknown>,
  variables: Record<string, unknown>,
  campaignsById: (ids: string[]) => Promise<Map<string, Row>>,
): Promise<void> {
  const series = data.revenueTimeSeries as { rows: Row[] } | null;
  const inputType = schema.getType('RevenueTimeSeriesInput');
  if (!series || !inputType || !isInputType(inputType)) return;
  const input = coerceInputValue(variables.input, inputType) as SeriesInput;
  if (input.by === 'NONE') return;
  const byCampaign = input.by === 'CAMPAIGN';
  const keyOf = (row: Row) => (byCampaign ? ((row.campaign as Row | null)?.id as string | undefined) : (row.channel as string | undefined)) ?? '';

  const known = new Map<string, Row>();
  for (const row of series.rows) {
    if (byCampaign && row.campaign) known.set(keyOf(row), row.campaign as Row);
  }
  let keys: string[];
  if (byCampaign) {
    const asked = input.campaignIds ?? [];
    const missing = asked.filter((id) => !known.has(id));
    if (missing.length) for (const [id, campaign] of await campaignsById(missing)) known.set(id, campaign);
    keys = [...known.keys()].sort(compareCampaigns);
  } else {
    const channelType = schema.getType('Channel');
    const all = channelType && isEnumType(channelType) ? channelType.getValues().map((v) => String(v.value)) : [];
    keys = [...new Set(input.channels?.length ? input.channels : all)].sort((a, b) => a.localeCompare(b));
  }

  // a cell where nothing happened, as the API writes one (zeroFigures in performance.service.ts)
  const pipeline = input.measures.includes('PIPELINE') && input.model !== 'DATA_DRIVEN';
  const revenue = input.measures.includes('REVENUE');
  const zero = {
    spend: '0.00',
    attributedPipeline: pipeline ? '0.00' : null,
    attributedRevenue: revenue ? '0.00' : null,
    unattributedPipeline: null,
    unattributedRevenue: null,
  };
  const byCell = new Map(series.rows.map((row) => [`${time(row.periodStart)}|${keyOf(row)}`, row]));
  const rows: Row[] = [];
  for (const period of periodsOf(input.window.from, input.window.to, input.grain)) {
    for (const key of keys) {
      const cell = `${period.periodStart.getTime()}|${key}`;
      const row = byCell.get(cell);
      if (row) {
        rows.push(row);
        continue;
      }
      const campaign = byCampaign ? (known.get(key) ?? null) : null;
      rows.push({
        ...zero,
        periodStart: period.periodStart,
        from: period.from,
        to: period.to,
        campaign,
        channel: byCampaign ? (campaign?.channel ?? null) : key,
      });
    }
  }
  // rows of the answer outside the grid (none are expected) are kept, not dropped
  const grid = new Set(rows);
  for (const row of series.rows) if (!grid.has(row)) rows.push(row);
  series.rows = rows;
}
