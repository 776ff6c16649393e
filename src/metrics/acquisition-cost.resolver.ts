import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../graphql/context';
import { acquisitionCost } from './acquisition-cost.service';
import { AcquisitionCostInput, AcquisitionCostReport } from './acquisition-cost.types';
import { validateWindow } from './metric-args';

@Resolver(() => AcquisitionCostReport)
export class AcquisitionCostResolver {
  @Query(() => AcquisitionCostReport, {
    description: 'Customer acquisition cost: total spend of the window divided by the accounts that became customers (first win ever) in it (docs/metrics.md, section "Acquisition cost").',
  })
  async acquisitionCost(
    @Arg('input', () => AcquisitionCostInput, { description: 'The window.' }) input: AcquisitionCostInput,
    @Ctx() ctx: Context,
  ): Promise<AcquisitionCostReport> {
    validateWindow('input.window', input.window);
    return acquisitionCost(ctx, input);
  }
}
