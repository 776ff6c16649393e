import { gid } from '../helpers/core-fixtures';
import { HttpTestApp, startHttpApp } from '../helpers/http-app';
import { Fixtures } from '../metrics/attribution-fixtures';
import { csvRecords, getExport, jsonLines, readParquet } from './support';

/*
 * Three months [2024-01-01, 2024-04-01), LINEAR, journeys over the account (the defaults).
 * Campaigns A (EMAIL), B (EVENT), C (PAID_SEARCH, nothing at all).
 * Spend: A 2024-01-10 100.10 and 2024-03-05 50.25; B 2024-02-14 20.00.
 * Account X: lead touches A 2024-01-05; deal 1000.00 created 2024-01-20, won 2024-02-10
 *   -> EMAIL pipeline January 1000.00, EMAIL revenue February 1000.00 (its only touch).
 * Account Y: lead touches B 2024-02-01; deal 500.55 created 2024-02-15, open
 *   -> EVENT pipeline February 500.55.
 * By CHANNEL the API answers only the cells with activity: EMAIL Jan, EVENT Feb, EMAIL Feb, EMAIL Mar (4 of 3 × 11).
 */
const WINDOW = { from: '2024-01-01T00:00:00.000Z', to: '2024-04-01T00:00:00.000Z' };
/** The fixtures' leads are created 2000-01-01: the funnel's cohort window. */
const LEADS_WINDOW = { from: '1999-12-01T00:00:00.000Z', to: '2000-02-01T00:00:00.000Z' };
const ROW_FIELDS = `periodStart from to channel campaign { id externalId name channel } spend attributedPipeline attributedRevenue unattributedPipeline unattributedRevenue`;
const SERIES = `query($input: RevenueTimeSeriesInput!) { revenueTimeSeries(input: $input) { rows { ${ROW_FIELDS} } } }`;

interface SeriesRow {
  periodStart: string;
  from: string;
  to: string;
  channel: string | null;
  campaign: { id: string; externalId: string | null; name: string; channel: string } | null;
  spend: string;
  attributedPipeline: string | null;
  attributedRevenue: string | null;
  unattributedPipeline: string | null;
  unattributedRevenue: string | null;
}

/** The export's columns of one GraphQL row, as CSV text (null is empty). */
function asColumns(row: SeriesRow): Record<string, string> {
  const text = (v: string | null | undefined) => v ?? '';
  return {
    period_start: row.periodStart,
    from: row.from,
    to: row.to,
    channel: text(row.channel),
    campaign_id: text(row.campaign?.id),
    campaign_external_id: text(row.campaign?.externalId),
    campaign_name: text(row.campaign?.name),
    campaign_channel: text(row.campaign?.channel),
    spend: row.spend,
    attributed_pipeline: text(row.attributedPipeline),
    attributed_revenue: text(row.attributedRevenue),
    unattributed_pipeline: text(row.unattributedPipeline),
    unattributed_revenue: text(row.unattributedRevenue),
  };
}

const pick = (record: Record<string, string>, keys: string[]) => Object.fromEntries(keys.map((k) => [k, record[k]]));

describe('time series exports', () => {
  let http: HttpTestApp;
  let campaigns: { a: string; b: string; c: string };
  const channels: string[] = [];

  beforeAll(async () => {
    http = await startHttpApp();
    const f = new Fixtures(http.db);
    const a = await f.campaign('A', 'EMAIL');
    const b = await f.campaign('B', 'EVENT');
    const c = await f.campaign('C', 'PAID_SEARCH');
    campaigns = { a: gid('Campaign', a), b: gid('Campaign', b), c: gid('Campaign', c) };
    await f.spend(a, '2024-01-10', '100.10');
    await f.spend(a, '2024-03-05', '50.25');
    await f.spend(b, '2024-02-14', '20.00');
    const x = await f.account('X');
    await f.touch(await f.lead(x), a, '2024-01-05T12:00:00Z');
    await f.opportunity({ accountId: x, amount: '1000.00', createdAt: '2024-01-20T00:00:00Z', closedAt: '2024-02-10T00:00:00Z' });
    const y = await f.account('Y');
    await f.touch(await f.lead(y), b, '2024-02-01T09:00:00Z');
    await f.opportunity({ accountId: y, amount: '500.55', createdAt: '2024-02-15T00:00:00Z' });
    const enumType = await http.gql<{ __type: { enumValues: { name: string }[] } }>(`{ __type(name: "Channel") { enumValues { name } } }`);
    channels.push(...enumType.body.data!.__type.enumValues.map((v) => v.name));
  });
  afterAll(() => http.close());

  const params = (by: string, extra = '') =>
    `input.window.from=${WINDOW.from}&input.window.to=${WINDOW.to}&input.grain=MONTH&input.by=${by}&input.model=LINEAR${extra}`;
  const series = async (by: string, extra: Record<string, unknown> = {}) => {
    const response = await http.gql<{ revenueTimeSeries: { rows: SeriesRow[] } }>(SERIES, { input: { window: WINDOW, grain: 'MONTH', by, model: 'LINEAR', ...extra } });
    expect(response.body.errors).toBeUndefined();
    return response.body.data!.revenueTimeSeries.rows;
  };

  it('CSV by channel: every month × channel, the API cells as the API answers them, zeros elsewhere', async () => {
    const periods = (await series('NONE')).map((r) => r.periodStart);
    expect(periods).toEqual(['2024-01-01T00:00:00.000Z', '2024-02-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z']);
    const api = await series('CHANNEL');
    expect(api.length).toBe(4); // sparse: the export has to fill the other 29 cells

    const response = await getExport(http, `revenueTimeSeries.csv?${params('CHANNEL')}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="revenueTimeSeries.csv"');
    const records = csvRecords(await response.text());
    expect(records.length).toBe(periods.length * channels.length);
    const keys = Object.keys(asColumns(api[0]!));
    const apiByCell = new Map(api.map((r) => [`${r.periodStart}|${r.channel}`, r]));
    for (const period of periods) {
      for (const channel of channels) {
        const found = records.filter((r) => r.period_start === period && r.channel === channel);
        expect(found.length).toBe(1);
        const fromApi = apiByCell.get(`${period}|${channel}`);
        if (fromApi) expect(pick(found[0]!, keys)).toEqual(asColumns(fromApi));
        else {
          expect(pick(found[0]!, ['spend', 'attributed_pipeline', 'attributed_revenue', 'unattributed_pipeline', 'unattributed_revenue', 'campaign_id'])).toEqual({
            spend: '0.00',
            attributed_pipeline: '0.00',
            attributed_revenue: '0.00',
            unattributed_pipeline: '',
            unattributed_revenue: '',
            campaign_id: '',
          });
        }
      }
    }
    // the hand-worked cells
    const cell = (period: string, channel: string) => records.find((r) => String(r.period_start).startsWith(period) && r.channel === channel)!;
    expect(pick(cell('2024-01', 'EMAIL'), ['spend', 'attributed_pipeline', 'attributed_revenue'])).toEqual({ spend: '100.10', attributed_pipeline: '1000.00', attributed_revenue: '0.00' });
    expect(pick(cell('2024-02', 'EMAIL'), ['spend', 'attributed_revenue'])).toEqual({ spend: '0.00', attributed_revenue: '1000.00' });
    expect(pick(cell('2024-02', 'EVENT'), ['spend', 'attributed_pipeline'])).toEqual({ spend: '20.00', attributed_pipeline: '500.55' });
    expect(cell('2024-03', 'EMAIL').spend).toBe('50.25');
    expect(cell('2024-03', 'EMAIL').to).toBe('2024-04-01T00:00:00.000Z');
  });

  it('Parquet by channel reads back in DuckDB equal to the API, to the cent, with DECIMAL money and UTC timestamps', async () => {
    const api = await series('CHANNEL');
    const response = await getExport(http, `revenueTimeSeries.parquet?${params('CHANNEL')}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/vnd.apache.parquet');
    const { rows, types } = await readParquet(
      new Uint8Array(await response.arrayBuffer()),
      `epoch_ms(period_start) AS period_start, epoch_ms("to") AS "to", channel, campaign_id, CAST(spend AS VARCHAR) AS spend,
       CAST(attributed_pipeline AS VARCHAR) AS attributed_pipeline, CAST(attributed_revenue AS VARCHAR) AS attributed_revenue,
       CAST(unattributed_pipeline AS VARCHAR) AS unattributed_pipeline, spend * 100 = round(spend * 100) AS whole_cents`,
    );
    expect(types.spend).toBe('DECIMAL(18,2)');
    expect(types.attributed_revenue).toBe('DECIMAL(18,2)');
    expect(types.period_start).toMatch(/^TIMESTAMP/);
    expect(rows.length).toBe(3 * channels.length);
    const byCell = new Map(rows.map((r) => [`${String(r.period_start)}|${String(r.channel)}`, r]));
    expect(byCell.size).toBe(rows.length);
    for (const g of api) {
      const row = byCell.get(`${String(Date.parse(g.periodStart))}|${g.channel}`);
      expect(row).toEqual({
        period_start: String(Date.parse(g.periodStart)),
        to: String(Date.parse(g.to)),
        channel: g.channel,
        campaign_id: null,
        spend: g.spend,
        attributed_pipeline: g.attributedPipeline,
        attributed_revenue: g.attributedRevenue,
        unattributed_pipeline: null,
        whole_cents: true,
      });
    }
    const filled = rows.filter((r) => !api.some((g) => String(Date.parse(g.periodStart)) === String(r.period_start) && g.channel === r.channel));
    expect(filled.length).toBe(rows.length - api.length);
    for (const row of filled) expect([row.spend, row.attributed_pipeline, row.attributed_revenue]).toEqual(['0.00', '0.00', '0.00']);
  });

  it('by campaign fills the campaigns asked for, even one without activity, with their ids and names', async () => {
    const ids = [campaigns.a, campaigns.b, campaigns.c];
    const api = await series('CAMPAIGN', { campaignIds: ids });
    expect(api.some((r) => r.campaign?.id === campaigns.c)).toBe(false);
    const response = await getExport(http, `revenueTimeSeries.jsonl?${params('CAMPAIGN')}&input.campaignIds=${ids.join(',')}`);
    expect(response.status).toBe(200);
    const lines = jsonLines(await response.text());
    expect(lines.length).toBe(3 * 3);
    // by period, then campaign, as the API orders its rows
    expect(lines.map((l) => [String(l.period_start).slice(0, 7), l.campaign_name])).toEqual(
      ['2024-01', '2024-02', '2024-03'].flatMap((m) => [[m, 'A'], [m, 'B'], [m, 'C']]),
    );
    for (const g of api) {
      const line = lines.find((l) => l.period_start === g.periodStart && l.campaign_id === g.campaign?.id);
      expect(line).toMatchObject({ spend: g.spend, attributed_pipeline: g.attributedPipeline, attributed_revenue: g.attributedRevenue, channel: g.channel });
    }
    const c = lines.filter((l) => l.campaign_id === campaigns.c);
    expect(c.map((l) => [l.campaign_name, l.channel, l.campaign_channel, l.spend, l.attributed_revenue])).toEqual(Array(3).fill(['C', 'PAID_SEARCH', 'PAID_SEARCH', '0.00', '0.00']));
  });

  it('dense=false answers the rows of the API as they are', async () => {
    const api = await series('CHANNEL');
    const response = await getExport(http, `revenueTimeSeries.csv?${params('CHANNEL', '&dense=false')}`);
    expect(response.status).toBe(200);
    const records = csvRecords(await response.text());
    const keys = Object.keys(asColumns(api[0]!));
    expect(records.map((r) => pick(r, keys))).toEqual(api.map(asColumns));
  });

  it('takes an input object as JSON text, the same as dotted names', async () => {
    const input = encodeURIComponent(JSON.stringify({ window: WINDOW, grain: 'MONTH', by: 'CHANNEL', model: 'LINEAR' }));
    const [json, dotted] = await Promise.all([getExport(http, `revenueTimeSeries.csv?input=${input}`), getExport(http, `revenueTimeSeries.csv?${params('CHANNEL')}`)]);
    expect(json.status).toBe(200);
    expect(await json.text()).toBe(await dotted.text());
  });

  it('a metric report with lists under lists flattens to one row per innermost item', async () => {
    const funnel = await http.gql<{ funnel: { groups: { channel: string | null; stages: { stage: string; count: number }[] }[] } }>(
      `query($input: FunnelInput!) { funnel(input: $input) { groups { channel stages { stage count } } } }`,
      { input: { window: LEADS_WINDOW, groupBy: 'CHANNEL' } },
    );
    expect(funnel.body.errors).toBeUndefined();
    const expected = funnel.body.data!.funnel.groups.flatMap((g) => g.stages.map((s) => ({ groups_channel: g.channel ?? '', stage: s.stage, count: String(s.count) })));
    expect(expected.length).toBeGreaterThan(0);
    const response = await getExport(http, `funnel/groups/stages.csv?input.window.from=${LEADS_WINDOW.from}&input.window.to=${LEADS_WINDOW.to}&input.groupBy=CHANNEL`);
    expect(response.status).toBe(200);
    expect(csvRecords(await response.text()).map((r) => pick(r, ['groups_channel', 'stage', 'count']))).toEqual(expected);
  });
});
