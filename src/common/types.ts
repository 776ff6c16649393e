import { Field, InputType } from 'type-graphql';

@InputType('TimeRange', { description: 'A half-open time range: from <= t < to; either end may be left open.' })
export class TimeRange {
  @Field(() => Date, { nullable: true, description: 'Included start.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Excluded end.' })
  to?: Date | null;
}
