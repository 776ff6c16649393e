import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../graphql/context';
import { funnelReport } from './funnel.service';
import { FunnelInput, FunnelReport } from './funnel.types';
import { validateWindow } from './metric-args';

@Resolver(() => FunnelReport)
export class FunnelResolver {
  @Query(() => FunnelReport, {
    description:
      'Demand waterfall: of the leads created in the window, how many reached MQL, SAL, SQL, OPPORTUNITY and CUSTOMER, the conversion rate and median days of each step, optionally by channel of first touch (docs/metrics.md, section "Funnel").',
  })
  async funnel(
    @Arg('input', () => FunnelInput, { description: 'Window of lead creation and grouping.' }) input: FunnelInput,
    @Ctx() ctx: Context,
  ): Promise<FunnelReport> {
    validateWindow('input.window', input.window);
    return funnelReport(ctx, input);
  }
}
