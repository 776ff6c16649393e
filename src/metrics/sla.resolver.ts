import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../graphql/context';
import { BadInputError } from '../graphql/errors';
import { validateWindow } from './metric-args';
import { slaComplianceReport } from './sla.service';
import { SlaComplianceInput, SlaComplianceReport } from './sla.types';

@Resolver(() => SlaComplianceReport)
export class SlaResolver {
  @Query(() => SlaComplianceReport, {
    description:
      "SLA compliance both ways: how fast sales followed up on the MQLs of the window (within, breached, pending), and marketing's MQL volume against the monthly target (docs/metrics.md, section \"SLA compliance\").",
  })
  async slaCompliance(
    @Arg('input', () => SlaComplianceInput, { description: 'Window on mqlAt and asOf.' }) input: SlaComplianceInput,
    @Ctx() ctx: Context,
  ): Promise<SlaComplianceReport> {
    validateWindow('input.window', input.window);
    if (input.asOf && Number.isNaN(input.asOf.getTime())) throw new BadInputError('input.asOf', 'is not a valid date-time');
    return slaComplianceReport(ctx, input);
  }
}
