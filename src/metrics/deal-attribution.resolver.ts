import { Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { Campaign } from '../campaigns/campaign.entity';
import { Touchpoint } from '../campaigns/touchpoint.entity';
import type { Context } from '../graphql/context';
import { byIdLoader } from '../graphql/entity-loaders';
import { normaliseMoney } from '../graphql/scalars';
import { Opportunity } from '../opportunities/opportunity.entity';
import { dealAttributionQuery, loadDealAttribution } from './deal-attribution.service';
import { AttributedTouch, CampaignCredit, OpportunityAttribution, OpportunityAttributionArgs } from './deal-attribution.types';

/** Opportunity.attribution: batched, so a page of deals costs one statement (plus the touchpoints and campaigns it names). */
@Resolver(() => Opportunity)
export class OpportunityAttributionResolver {
  @FieldResolver(() => OpportunityAttribution, {
    nullable: true,
    description:
      "The deal's journey under a model, touch by touch, each touch with its roles, weight and credit; the credits add up to the amount exactly (docs/metrics.md, \"Attribution\"). Null for REVENUE when the deal is not won.",
  })
  async attribution(@Root() opportunity: Opportunity, @Ctx() ctx: Context, @Args() args: OpportunityAttributionArgs): Promise<OpportunityAttribution | null> {
    const q = dealAttributionQuery(args);
    const deal = await loadDealAttribution(ctx, q, String(opportunity.id));
    if (!deal) return null;
    return Object.assign(new OpportunityAttribution(), {
      model: q.model.model,
      measure: deal.measure,
      journeyEnd: deal.journeyEnd,
      amount: normaliseMoney(deal.amount),
      unattributed: deal.touches.length === 0 ? normaliseMoney(deal.amount) : '0.00',
      touches: deal.touches.map((t) => Object.assign(new AttributedTouch(), t)),
      campaigns: deal.campaigns.map((c) => Object.assign(new CampaignCredit(), { campaignId: c.campaignId, credit: c.credit, exactCredit: c.share })),
    });
  }
}

@Resolver(() => AttributedTouch)
export class AttributedTouchResolver {
  @FieldResolver(() => Touchpoint, { description: 'The touchpoint.' })
  async touchpoint(@Root() touch: AttributedTouch, @Ctx() ctx: Context): Promise<Touchpoint> {
    const row = await byIdLoader<Touchpoint>(ctx, Touchpoint).load(touch.touchId);
    if (!row) throw new Error(`touchpoint ${touch.touchId} vanished during the request`);
    return row;
  }

  @FieldResolver(() => Campaign, { description: "The touch's campaign." })
  campaign(@Root() touch: AttributedTouch, @Ctx() ctx: Context): Promise<Campaign> {
    return campaignById(ctx, touch.campaignId);
  }
}

@Resolver(() => CampaignCredit)
export class CampaignCreditResolver {
  @FieldResolver(() => Campaign, { description: 'The campaign.' })
  campaign(@Root() credit: CampaignCredit, @Ctx() ctx: Context): Promise<Campaign> {
    return campaignById(ctx, credit.campaignId);
  }
}

async function campaignById(ctx: Context, id: string): Promise<Campaign> {
  const row = await byIdLoader<Campaign>(ctx, Campaign).load(id);
  if (!row) throw new Error(`campaign ${id} vanished during the request`);
  return row;
}
