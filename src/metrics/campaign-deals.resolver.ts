import { Arg, ArgsType, Args, Ctx, Field, FieldResolver, Int, ObjectType, Resolver, Root } from 'type-graphql';
import { connectionTypes, DEFAULT_PAGE_SIZE, decodeCursor, encodeCursor } from '../graphql/connection';
import type { Context } from '../graphql/context';
import { byIdLoader } from '../graphql/entity-loaders';
import { BadInputError } from '../graphql/errors';
import { DecimalScalar, MoneyScalar } from '../graphql/scalars';
import { Opportunity } from '../opportunities/opportunity.entity';
import { AttributionMeasure } from './attribution.inputs';
import { CampaignPerformanceRow } from './attribution.types';
import { dealsMeasure, loadCampaignDeals } from './campaign-deals';
import { rowQuery } from './row-queries';

const SORT = 'OPPORTUNITY_ID';

@ObjectType('CampaignDealCredit', { description: "One deal behind a campaign's performance row, with the campaign's credit for it." })
export class CampaignDealCredit {
  /** The opportunity's database id. */
  id: string;

  @Field(() => MoneyScalar, {
    description: "The campaign's credit for the deal, in cents: the deal's own rounding, as Opportunity.attribution's campaigns (0.00 when its touches carry no weight under the model).",
  })
  credit: string;

  @Field(() => DecimalScalar, {
    description:
      "The credit unrounded, at full precision. The row's figure is the sum of these over the deals (in decimal arithmetic) rounded by largest remainder with the other campaigns; the sum of the rounded credits may differ from it by up to a cent per deal.",
  })
  exactCredit: string;
}

const { EdgeType, ConnectionType: CampaignDealCreditConnection } = connectionTypes(CampaignDealCredit, 'CampaignDealCredit', "a campaign's deals with its credits");

@ArgsType()
class CampaignDealsArgs {
  @Field(() => Int, { nullable: true, description: 'Return the first n deals after `after` (default 20, at most the page limit).' })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Cursor to continue after (an `endCursor` or edge cursor).' })
  after?: string | null;
}

@Resolver(() => CampaignPerformanceRow)
export class CampaignDealsResolver {
  @FieldResolver(() => CampaignDealCreditConnection, {
    description:
      "The deals behind the row: the opportunities of the row's window and measure whose journey has a touch of the campaign, by deal, each with the campaign's credit. Not defined under DATA_DRIVEN (BAD_USER_INPUT).",
  })
  async deals(
    @Root() row: CampaignPerformanceRow,
    @Ctx() ctx: Context,
    @Args() args: CampaignDealsArgs,
    @Arg('measure', () => AttributionMeasure, { nullable: true, description: 'PIPELINE or REVENUE (default: REVENUE when the row has it); one the row computed.' })
    measure?: AttributionMeasure | null,
  ) {
    const q = rowQuery(row);
    if (!q) throw new Error('a campaign performance row without its query');
    const first = args.first ?? DEFAULT_PAGE_SIZE;
    if (first < 0 || first > ctx.config.maxPageSize) throw new BadInputError('first', `must be between 0 and ${ctx.config.maxPageSize}`);
    const after = args.after != null ? decodeCursor('after', SORT, args.after).id : null;
    const page = await loadCampaignDeals(ctx, q, dealsMeasure(q, measure), { first, after }, String(row.campaign.id));
    const edges = page.deals.map((deal) => Object.assign(new EdgeType(), { cursor: encodeCursor(SORT, deal.id, deal.id), node: Object.assign(new CampaignDealCredit(), deal) }));
    return Object.assign(new CampaignDealCreditConnection(), {
      edges,
      pageInfo: {
        hasNextPage: page.hasNextPage,
        hasPreviousPage: after !== null,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges[edges.length - 1]?.cursor ?? null,
      },
      totalCount: page.totalCount,
    });
  }
}

@Resolver(() => CampaignDealCredit)
export class CampaignDealCreditResolver {
  @FieldResolver(() => Opportunity, { description: 'The deal.' })
  async opportunity(@Root() deal: CampaignDealCredit, @Ctx() ctx: Context): Promise<Opportunity> {
    const row = await byIdLoader<Opportunity>(ctx, Opportunity).load(deal.id);
    if (!row) throw new Error(`opportunity ${deal.id} vanished during the request`);
    return row;
  }
}
