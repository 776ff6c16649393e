import { Field, InputType } from 'type-graphql';
import { BadInputError } from '../graphql/errors';

const DAY_MS = 86_400_000;
export const MAX_WINDOW_DAYS = 3653; // ten years, leap days included

/** A half-open reporting window `from <= t < to`, in UTC. */
@InputType('ReportWindowInput', { description: 'A half-open reporting window: from <= t < to, in UTC.' })
export class ReportWindowInput {
  @Field({ description: 'Start of the window, included.' })
  from: Date;

  @Field({ description: 'End of the window, excluded.' })
  to: Date;
}

/** Checks a window and fails naming `field` (e.g. "input.window.to"). */
export function validateWindow(field: string, window: { from: Date; to: Date }): void {
  const from = window.from.getTime();
  const to = window.to.getTime();
  if (Number.isNaN(from)) throw new BadInputError(`${field}.from`, 'is not a valid date-time');
  if (Number.isNaN(to)) throw new BadInputError(`${field}.to`, 'is not a valid date-time');
  if (from >= to) throw new BadInputError(`${field}.to`, 'must be after from');
  if ((to - from) / DAY_MS > MAX_WINDOW_DAYS) throw new BadInputError(`${field}.to`, 'windows can span at most 10 years');
}

/** `asOf` of a metric that depends on "now": the given time, or now. */
export function resolveAsOf(asOf: Date | undefined | null): Date {
  return asOf ?? new Date();
}
