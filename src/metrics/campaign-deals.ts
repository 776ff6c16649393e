/**
 * The deals behind a campaign's performance row (CampaignPerformanceRow.deals): the opportunities
 * of the row's window and measure whose journey has a touch of the campaign, each with the
 * campaign's credit for it (Opportunity.attribution's, see deal-attribution.sql.ts). Batched:
 * the rows of one request asking the same page cost two statements, one to find the deals of
 * every campaign asked, one for the attribution of the deals of all the pages.
 */
import type { Context } from '../graphql/context';
import { BadInputError } from '../graphql/errors';
import { metricQuery } from '../db/metric-work';
import { AttributionMeasure } from './attribution.inputs';
import { attributionParams, AttributionQuery } from './attribution.params';
import { OPPORTUNITIES_IN_SCOPE, STATEMENT_HEAD } from './attribution.sql';
import { DealAttribution, DealAttributionQuery, queryDealAttributions } from './deal-attribution.service';

/** The (campaign, deal) pairs of the window: deals in scope whose journey has a touch of one of the campaigns ($26). */
export const CAMPAIGN_DEALS_SQL = `${STATEMENT_HEAD}
${OPPORTUNITIES_IN_SCOPE},
journey_campaigns AS (   -- the campaigns of each journey, once each
  SELECT DISTINCT t.campaign_id, t.opportunity_id
  FROM attribution_journey_touches(ARRAY(SELECT opportunity_id FROM opportunities_in_scope WHERE measure = 'PIPELINE'),
                                   ARRAY(SELECT opportunity_id FROM opportunities_in_scope WHERE measure = 'REVENUE'),
                                   $4::float8, $6::text) t
  WHERE t.campaign_id = ANY ($26::bigint[])
)
SELECT campaign_id::text AS "campaignId", opportunity_id::text AS "opportunityId"
FROM journey_campaigns
ORDER BY campaign_id, opportunity_id`;

export interface CampaignDealCredit {
  /** The opportunity's database id (the edge's node is keyed by it). */
  id: string;
  credit: string;
  exactCredit: string;
}

export interface CampaignDealsPage {
  deals: CampaignDealCredit[];
  hasNextPage: boolean;
  totalCount: number;
}

/** The measure whose deals are listed: the one asked for, which the row must have computed; by default revenue when computed. */
export function dealsMeasure(q: AttributionQuery, asked: AttributionMeasure | null | undefined): AttributionMeasure {
  const computed = [...(q.pipeline ? [AttributionMeasure.PIPELINE] : []), ...(q.revenue ? [AttributionMeasure.REVENUE] : [])];
  const measure = asked ?? (q.revenue ? AttributionMeasure.REVENUE : AttributionMeasure.PIPELINE);
  if (!computed.includes(measure)) throw new BadInputError('measure', `the row was computed for ${computed.join(' and ')} only`);
  return measure;
}

/** The deals of one campaign's row, a page of them after the deal id `after` (null: from the start), by deal id. */
export function loadCampaignDeals(
  ctx: Context,
  q: AttributionQuery,
  measure: AttributionMeasure,
  page: { first: number; after: string | null },
  campaignId: string,
): Promise<CampaignDealsPage> {
  const spec = q.models[0]!;
  if (spec.family === 'MARKOV') {
    throw new BadInputError('input.model', 'DATA_DRIVEN is not defined per deal: its credits are shared out of the whole window, not deal by deal');
  }
  const windowQuery: AttributionQuery = {
    ...q,
    grain: null,
    pipeline: measure === AttributionMeasure.PIPELINE,
    revenue: measure === AttributionMeasure.REVENUE,
    campaignIds: null,
    channels: null,
  };
  const dealQuery: DealAttributionQuery = {
    model: spec,
    measure,
    lookbackDays: q.lookbackDays,
    halfLifeDays: q.halfLifeDays,
    journeyScope: q.journeyScope,
  };
  const name = `CampaignPerformanceRow.deals:${JSON.stringify({ windowQuery, page })}`;
  return ctx.loaders
    .get<string, CampaignDealsPage>(name, async (campaignIds) => {
      const pairs: { campaignId: string; opportunityId: string }[] = await metricQuery(ctx, CAMPAIGN_DEALS_SQL, [
        ...attributionParams(windowQuery),
        [...campaignIds],
      ]);
      const byCampaign = new Map<string, string[]>();
      for (const { campaignId: c, opportunityId } of pairs) {
        const list = byCampaign.get(c) ?? [];
        list.push(opportunityId);
        byCampaign.set(c, list);
      }
      const after = page.after === null ? null : BigInt(page.after);
      const pages = new Map<string, { ids: string[]; hasNextPage: boolean; totalCount: number }>();
      for (const c of campaignIds) {
        const all = byCampaign.get(c) ?? [];
        const rest = after === null ? all : all.filter((id) => BigInt(id) > after);
        pages.set(c, { ids: rest.slice(0, page.first), hasNextPage: rest.length > page.first, totalCount: all.length });
      }
      const wanted = [...new Set([...pages.values()].flatMap((p) => p.ids))];
      const deals = wanted.length ? await queryDealAttributions(ctx, dealQuery, wanted) : new Map<string, DealAttribution>();
      return campaignIds.map((c) => {
        const p = pages.get(c)!;
        return {
          hasNextPage: p.hasNextPage,
          totalCount: p.totalCount,
          deals: p.ids.map((id) => {
            const credit = deals.get(id)?.campaigns.find((x) => x.campaignId === c);
            if (!credit) throw new Error(`deal ${id} lost campaign ${c} from its journey during the request`);
            return { id, credit: credit.credit, exactCredit: credit.share };
          }),
        };
      });
    })
    .load(campaignId);
}
