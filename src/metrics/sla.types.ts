import { Field, Float, InputType, Int, ObjectType } from 'type-graphql';
import { ReportWindowInput } from './metric-args';

@InputType('SlaComplianceInput', { description: 'Which MQLs to judge (by mqlAt) and as of when.' })
export class SlaComplianceInput {
  @Field(() => ReportWindowInput, { description: 'Half-open window on mqlAt: from <= t < to (UTC).' })
  window: ReportWindowInput;

  @Field(() => Date, {
    nullable: true,
    description: 'The "now" of the report (default: now): responses and approvals recorded after it are ignored.',
  })
  asOf?: Date | null;
}

@ObjectType('SlaMonth', { description: "Marketing's side of the SLA for one calendar month (UTC) of the window." })
export class SlaMonth {
  @Field({ description: 'First instant of the calendar month (UTC).' })
  monthStart: Date;

  @Field({ description: 'Start of the part of the month inside the window (the month start unless the window starts later).' })
  periodFrom: Date;

  @Field({ description: 'End (excluded) of the part of the month inside the window.' })
  periodTo: Date;

  @Field({ description: 'The whole calendar month lies inside the window; when false the target is still the full monthly one.' })
  fullMonth: boolean;

  @Field(() => Int, { nullable: true, description: 'Version of the agreement in force at the month start; null when none.' })
  agreementVersion: number | null;

  @Field(() => Int, { description: 'Leads whose mqlAt lies in [periodFrom, periodTo).' })
  mqlsDelivered: number;

  @Field(() => Int, { nullable: true, description: "Monthly MQL target of the agreement in force at the month start; null when none." })
  monthlyMqlTarget: number | null;

  @Field(() => Float, { nullable: true, description: 'mqlsDelivered / monthlyMqlTarget; null when there is no target or it is 0.' })
  attainment: number | null;
}

@ObjectType('SlaResponseTimeBand', {
  description: 'Responded MQLs of the window whose first response came fromHours to toHours after mqlAt (docs/metrics.md, "SLA compliance").',
})
export class SlaResponseTimeBand {
  @Field(() => Int, { description: 'Hours after mqlAt where the band starts (included).' })
  fromHours: number;

  @Field(() => Int, { nullable: true, description: 'Hours after mqlAt where the band ends (excluded); null for the last band, which has no end.' })
  toHours: number | null;

  @Field(() => Int, { description: 'Responded MQLs whose first response fell in the band.' })
  leads: number;
}

@ObjectType('SlaComplianceReport', {
  description: "Both sides of the marketing–sales SLA: sales' follow-up speed on the MQLs of a window, and marketing's monthly MQL volume.",
})
export class SlaComplianceReport {
  @Field({ description: 'Start of the window on mqlAt (included).' })
  from: Date;

  @Field({ description: 'End of the window on mqlAt (excluded).' })
  to: Date;

  @Field({ description: 'The "now" the report was computed as of.' })
  asOf: Date;

  @Field(() => Int, { description: 'Leads with mqlAt in the window: within + breached + pending + noAgreement.' })
  mqls: number;

  @Field(() => Int, { description: 'Responded within the follow-up hours of the agreement in force.' })
  within: number;

  @Field(() => Int, { description: 'Responded later than the follow-up hours, or not responded and already past them at asOf.' })
  breached: number;

  @Field(() => Int, { description: 'Not responded yet and still inside the follow-up hours at asOf.' })
  pending: number;

  @Field(() => Int, { description: 'MQLs with no approved agreement effective at their mqlAt: not judged.' })
  noAgreement: number;

  @Field(() => Int, { description: 'MQLs with a first response at or before asOf (with or without an agreement).' })
  responded: number;

  @Field(() => Float, { nullable: true, description: 'within / (within + breached); null when both are 0.' })
  complianceRate: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Median fractional hours from mqlAt to the first response, over the responded MQLs; null when none.',
  })
  medianResponseHours: number | null;

  @Field(() => [SlaResponseTimeBand], {
    description:
      'The response-time distribution: the responded MQLs by hours from mqlAt to the first response, in the bands 0-1, 1-4, 4-8, 8-24, 24-48, 48-168 and 168+ hours, in order, every band listed; the bands add up to responded.',
  })
  responseTimes: SlaResponseTimeBand[];

  @Field(() => [SlaMonth], { description: 'Marketing side: one row per calendar month (UTC) the window touches, in order.' })
  months: SlaMonth[];
}
