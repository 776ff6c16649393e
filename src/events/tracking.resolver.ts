import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { Campaign } from '../campaigns/campaign.entity';
import type { Context } from '../graphql/context';
import { Lead } from '../leads/lead.entity';
import { trackingHealth, untrackedCampaign } from './tracking-health.service';
import { TrackingHealthInput, TrackingHealthReport, UntrackedCampaignSpend } from './tracking-health.types';
import { LeadTouchUtm, leadUtmLoader } from './tracking-utm';

@Resolver(() => TrackingHealthReport)
export class TrackingHealthResolver {
  @Query(() => TrackingHealthReport, {
    description:
      'What the web event processing could not place in a window: events by outcome, unknown UTM values, spend on campaigns no tracked event reached, anonymous ids never identified, and the backlog.',
  })
  trackingHealth(@Ctx() ctx: Context, @Arg('input', () => TrackingHealthInput) input: TrackingHealthInput) {
    return trackingHealth(ctx, input);
  }
}

@Resolver(() => UntrackedCampaignSpend)
export class UntrackedCampaignSpendResolver {
  @FieldResolver(() => Campaign)
  campaign(@Ctx() ctx: Context, @Root() row: UntrackedCampaignSpend) {
    return untrackedCampaign(ctx, row);
  }
}

@Resolver(() => Lead)
export class LeadTrackingResolver {
  @FieldResolver(() => LeadTouchUtm, { nullable: true, description: 'UTM parameters of the first web touchpoint of the lead that carried some; null when none did.' })
  async firstTouchUtm(@Ctx() ctx: Context, @Root() lead: Lead) {
    return (await leadUtmLoader(ctx).load(lead.id)).first;
  }

  @FieldResolver(() => LeadTouchUtm, { nullable: true, description: 'UTM parameters of the latest web touchpoint of the lead that carried some; null when none did.' })
  async latestTouchUtm(@Ctx() ctx: Context, @Root() lead: Lead) {
    return (await leadUtmLoader(ctx).load(lead.id)).latest;
  }
}
