import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { MoneyScalar } from '../graphql/scalars';
import { ReportWindowInput } from './metric-args';

@InputType('AcquisitionCostInput', { description: 'The window of customer acquisition cost.' })
export class AcquisitionCostInput {
  @Field(() => ReportWindowInput, { description: 'Half-open window: from <= t < to (UTC); spend days compare at 00:00 UTC.' })
  window: ReportWindowInput;
}

@ObjectType('AcquisitionCostReport', { description: 'Customer acquisition cost: all spend of a window per new customer won in it.' })
export class AcquisitionCostReport {
  @Field({ description: 'Start of the window (included).' })
  from: Date;

  @Field({ description: 'End of the window (excluded).' })
  to: Date;

  @Field(() => Int, { description: 'Accounts whose first CLOSED_WON opportunity ever closed in the window.' })
  newCustomers: number;

  @Field(() => MoneyScalar, { description: 'All campaign spend with spentOn in the window.' })
  spend: string;

  @Field(() => MoneyScalar, { nullable: true, description: 'spend / newCustomers, rounded to cents; null when there are no new customers.' })
  cac: string | null;
}
