import { FUNNEL_STAGES, LeadStage } from '../common/enums';
import { BadInputError } from '../graphql/errors';
import { Lead, STAGE_TIME_FIELD } from './lead.entity';

const rank = (stage: LeadStage) => FUNNEL_STAGES.indexOf(stage);

/**
 * The rule of lead stages: forward through the funnel (a jump fills the skipped stages),
 * back only to RECYCLED or DISQUALIFIED; a recycled lead re-enters at MQL or later;
 * a disqualified one can only be recycled.
 */
export function checkTransition(from: LeadStage, to: LeadStage): void {
  const field = 'input.stage';
  if (from === to) throw new BadInputError(field, `the lead is already ${to}`);
  if (to === LeadStage.RECYCLED || to === LeadStage.DISQUALIFIED) return;
  if (to === LeadStage.NEW) throw new BadInputError(field, 'a lead cannot go back to NEW; recycle it instead');
  if (from === LeadStage.DISQUALIFIED) throw new BadInputError(field, 'a disqualified lead can only be RECYCLED');
  if (from === LeadStage.RECYCLED) return;
  if (rank(to) < rank(from)) {
    throw new BadInputError(field, `cannot move back from ${from} to ${to}; only RECYCLED or DISQUALIFIED go back`);
  }
}

/** Sets the first-reached time of `to` and of every funnel stage it skips (kept if already set). */
export function markStageReached(lead: Lead, to: LeadStage, at: Date): void {
  const upTo = rank(to);
  const stages = upTo >= 0 ? FUNNEL_STAGES.slice(1, upTo + 1) : [to];
  for (const stage of stages) {
    const key = STAGE_TIME_FIELD[stage];
    if (key && lead[key] == null) (lead as unknown as Record<string, Date>)[key] = at;
  }
  lead.stage = to;
}
