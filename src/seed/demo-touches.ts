import { CHANNEL_PROFILES, ChannelName } from './demo-catalog';
import { SECONDS_PER_DAY } from './copy-format';
import { campaignRunsAt, DemoPlan, pickCampaign } from './demo-plan';
import { CUSTOMER, LeadModel, MQL, OPPORTUNITY, SAL, SQL } from './demo-world';
import { Rng } from './prng';

/**
 * The touchpoints of one lead: the first touch that created it (its source campaign), the
 * touch that converted it to MQL, sales' calls and meetings once it was handed over, touches
 * during its deal, and nurture touches spread over its life. Every touch lies at or after the
 * lead's creation, before the anchor, and on a day its campaign runs.
 */

const DAY = SECONDS_PER_DAY;
const HOUR = 3600;

/** Touches the fixed steps above add on average; the rest of the size's touches per lead are nurture. */
const STRUCTURAL_TOUCHES = 2.7;
/** More nurture for leads that went further (index: furthest funnel stage reached). */
const NURTURE_BY_STAGE = [0.75, 1.1, 1.3, 1.5, 1.8, 2.0] as const;

interface KindTable {
  kinds: string[];
  weights: number[];
}

const KINDS = Object.fromEntries(
  Object.entries(CHANNEL_PROFILES).map(([channel, profile]) => [
    channel,
    { kinds: profile.kinds.map(([kind]) => kind), weights: profile.kinds.map(([, weight]) => weight) },
  ]),
) as Record<ChannelName, KindTable>;

export type EmitTouch = (campaignIndex: number, kind: string, at: number) => void;

function kindFor(rng: Rng, channel: ChannelName): string {
  const table = KINDS[channel];
  return table.kinds[rng.weighted(table.weights)] ?? 'OTHER';
}

/** The lead's source campaign when it runs at `at` and `stickiness` says so, else one running then. */
function campaignAt(plan: DemoPlan, rng: Rng, lead: LeadModel, at: number, team: 'MARKETING' | 'SALES', stickiness: number): number {
  const source = plan.campaigns[lead.sourceCampaign];
  if (source?.ownerTeam === team && rng.chance(stickiness) && campaignRunsAt(plan, lead.sourceCampaign, at)) {
    return lead.sourceCampaign;
  }
  return pickCampaign(plan, rng, at, team);
}

function touch(plan: DemoPlan, rng: Rng, emit: EmitTouch, campaign: number, at: number, kind?: string): void {
  const c = plan.campaigns[campaign];
  if (!c || at >= plan.anchor) return;
  emit(campaign, kind ?? kindFor(rng, c.channel), Math.round(at));
}

export function emitLeadTouches(plan: DemoPlan, rng: Rng, lead: LeadModel, emit: EmitTouch): void {
  const created = lead.createdAt;
  const reached = lead.reached;
  const source = plan.campaigns[lead.sourceCampaign];
  const sourceChannel = source?.channel ?? 'ORGANIC';
  touch(plan, rng, emit, lead.sourceCampaign, created, rng.chance(0.5) ? CHANNEL_PROFILES[sourceChannel].conversionKind : undefined);

  const mqlAt = reached[MQL] ?? -1;
  if (mqlAt > created) {
    const at = mqlAt - rng.int(0, Math.min(2 * HOUR, mqlAt - created));
    const campaign = campaignAt(plan, rng, lead, at, 'MARKETING', 0.5);
    const channel = plan.campaigns[campaign]?.channel ?? 'ORGANIC';
    touch(plan, rng, emit, campaign, at, CHANNEL_PROFILES[channel].conversionKind);
  }
  if (lead.responseAt >= 0) {
    touch(plan, rng, emit, pickCampaign(plan, rng, lead.responseAt, 'SALES'), lead.responseAt, 'CALL');
  }
  const salAt = reached[SAL] ?? -1;
  if (salAt >= 0) {
    const at = salAt + Math.round(rng.range(1, 7) * DAY);
    touch(plan, rng, emit, pickCampaign(plan, rng, at, 'SALES'), at, 'MEETING');
  }
  const sqlAt = reached[SQL] ?? -1;
  if (sqlAt >= 0) {
    const at = sqlAt + Math.round(rng.range(0, 5) * DAY);
    touch(plan, rng, emit, campaignAt(plan, rng, lead, at, rng.chance(0.5) ? 'SALES' : 'MARKETING', 0.3), at);
  }
  const oppAt = reached[OPPORTUNITY] ?? -1;
  if (oppAt >= 0) {
    const end = lead.dealEnd >= 0 ? lead.dealEnd : plan.anchor - 1;
    for (let n = rng.int(1, 2); n > 0; n--) {
      const at = oppAt + Math.floor(rng.next() * (end - oppAt));
      touch(plan, rng, emit, campaignAt(plan, rng, lead, at, rng.chance(0.6) ? 'SALES' : 'MARKETING', 0.2), at);
    }
  }

  // nurture spread over the lead's life, more for leads that went further
  let furthest = 0;
  for (let s = CUSTOMER; s > 0; s--) {
    if ((reached[s] ?? -1) >= 0) {
      furthest = s;
      break;
    }
  }
  const lastChange = lead.events[lead.events.length - 1]?.at ?? created;
  const lifeEnd = Math.min(plan.anchor - 1, Math.max(lastChange, created + 30 * DAY) + 45 * DAY);
  const mean = Math.max(0, plan.size.touchpointsPerLead - STRUCTURAL_TOUCHES) * (NURTURE_BY_STAGE[furthest] ?? 1);
  const count = Math.floor(mean * rng.range(0.4, 1.6) + rng.next());
  const handedOver = mqlAt >= 0;
  for (let i = 0; i < count; i++) {
    const at = created + Math.floor(rng.next() * (lifeEnd - created));
    const team = handedOver && at >= mqlAt && rng.chance(0.2) ? 'SALES' : 'MARKETING';
    touch(plan, rng, emit, campaignAt(plan, rng, lead, at, team, 0.35), at);
  }
}
