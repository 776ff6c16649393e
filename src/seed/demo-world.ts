import {
  CHANNEL_PROFILES, COMPANY_PREFIXES, COMPANY_SUFFIXES, CYCLE_DAYS, DEAL_RANGE, FEEDBACK_NOTES, FIRST_NAMES,
  LAST_NAMES, LOST_REASONS, RECYCLING_REASONS, REJECTION_REASONS, REJECTION_WEIGHTS, SEGMENT_LEAD_FACTOR,
  SEGMENT_SHARE, SEGMENTS, TITLES, TOP_LEVEL_DOMAINS, WALLET_RANGE, WIN_RATE,
} from './demo-catalog';
import { SECONDS_PER_DAY } from './copy-format';
import { DemoPlan, pickCampaign } from './demo-plan';
import { Rng } from './prng';

/**
 * One account's world: the company, its leads moving through the funnel and its deals.
 * Rebuilt from the account's own seeded stream by every pass of the generator, so no pass
 * keeps more than one account in memory and every pass sees the same account.
 */

export const STAGES = ['NEW', 'MQL', 'SAL', 'SQL', 'OPPORTUNITY', 'CUSTOMER', 'RECYCLED', 'DISQUALIFIED'] as const;
export const NEW = 0;
export const MQL = 1;
export const SAL = 2;
export const SQL = 3;
export const OPPORTUNITY = 4;
export const CUSTOMER = 5;
export const RECYCLED = 6;
export const DISQUALIFIED = 7;

export const STREAM_ACCOUNT = 1;
export const STREAM_TOUCHES = 2;
export const STREAM_SPEND = 3;

const HOUR = 3600;
const DAY = SECONDS_PER_DAY;
const days = (n: number): number => Math.round(n * DAY);

export interface StageEvent {
  /** Stage index before the change, -1 when the lead was created. */
  from: number;
  to: number;
  at: number;
  /** User who made the change, 0 for automation. */
  by: number;
}

export interface LeadModel {
  firstName: string;
  lastName: string;
  email: string;
  title: string;
  createdAt: number;
  sourceCampaign: number;
  quality: number;
  stage: number;
  /** First time each stage (by index) was reached, -1 when never. */
  reached: number[];
  events: StageEvent[];
  /** When sales first answered the MQL (accepted or rejected), -1 when not (yet). */
  responseAt: number;
  /** -1 no feedback, 0 accepted, else 1 + index into REJECTION_REASONS. */
  feedback: number;
  feedbackAt: number;
  feedbackNote: string;
  /** When the lead would become part of a deal, -1 when it won't. */
  readyAt: number;
  /** Close of the deal the lead is a contact of; -1 when open or none. */
  dealEnd: number;
}

export interface OpportunityModel {
  kind: 'NEW_BUSINESS' | 'EXPANSION' | 'RENEWAL';
  stage: string;
  amountCents: number;
  createdAt: number;
  closedAt: number;
  lostReason: string | null;
  /** Indexes into the account's leads. */
  contacts: number[];
  /** Opened because a lead became sales-qualified (not a renewal or upsell of a won deal). */
  fromLead: boolean;
}

export interface AccountModel {
  name: string;
  domain: string;
  segment: number;
  industry: string | null;
  walletCents: number;
  ownerId: number;
  createdAt: number;
  leads: LeadModel[];
  opportunities: OpportunityModel[];
}

const NAME_SPACE = COMPANY_PREFIXES.length * COMPANY_SUFFIXES.length * TOP_LEVEL_DOMAINS.length;
const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const NAME_STEP = [7919, 7927, 7933, 7937, 7949].find((p) => gcd(p, NAME_SPACE) === 1) ?? 1;
const INDUSTRIES = [...new Set(COMPANY_SUFFIXES.map(([, industry]) => industry))];

/** A unique company name and domain for account `index` (a permutation of the word lists). */
function companyOf(seed: number, index: number): { name: string; domain: string; suffix: number } {
  const round = Math.floor(index / NAME_SPACE);
  const perm = (((index % NAME_SPACE) * NAME_STEP + (seed % NAME_SPACE)) % NAME_SPACE + NAME_SPACE) % NAME_SPACE;
  const prefix = COMPANY_PREFIXES[perm % COMPANY_PREFIXES.length] ?? 'Acme';
  const suffixIndex = Math.floor(perm / COMPANY_PREFIXES.length) % COMPANY_SUFFIXES.length;
  const suffix = COMPANY_SUFFIXES[suffixIndex]?.[0] ?? 'Labs';
  const tld = TOP_LEVEL_DOMAINS[Math.floor(perm / (COMPANY_PREFIXES.length * COMPANY_SUFFIXES.length))] ?? 'com';
  const tag = round > 0 ? `${round + 1}` : '';
  return {
    name: tag ? `${prefix} ${suffix} ${tag}` : `${prefix} ${suffix}`,
    domain: `${prefix}${suffix}${tag}.${tld}`.toLowerCase(),
    suffix: suffixIndex,
  };
}

const toDollarCents = (dollars: number, step: number): number => Math.max(1, Math.round(dollars / step)) * step * 100;

export function buildAccount(plan: DemoPlan, index: number): AccountModel {
  const rng = new Rng(plan.seed, STREAM_ACCOUNT, index);
  const company = companyOf(plan.seed, index);
  const segment = rng.weighted(SEGMENT_SHARE);
  const roll = rng.next();
  const industry = roll < 0.03 ? null : roll < 0.9 ? (COMPANY_SUFFIXES[company.suffix]?.[1] ?? null) : rng.pick(INDUSTRIES);
  const [walletLo, walletHi] = WALLET_RANGE[segment] ?? [30_000, 250_000];
  const walletCents = rng.chance(0.06) ? -1 : toDollarCents(rng.logUniform(walletLo, walletHi), 1000);
  const account: AccountModel = {
    name: company.name,
    domain: company.domain,
    segment,
    industry,
    walletCents,
    ownerId: rng.pick(plan.salesUserIds),
    createdAt: 0,
    leads: [],
    opportunities: [],
  };
  buildLeads(plan, rng, account);
  account.createdAt = (account.leads[0]?.createdAt ?? plan.start) - days(rng.range(1, 120));
  buildOpportunities(plan, rng, account);
  return account;
}

/** Appends a stage change unless it would happen at or after the anchor. */
function move(plan: DemoPlan, lead: LeadModel, stage: number, time: number, by: number): boolean {
  const at = Math.max(Math.round(time), lead.events[lead.events.length - 1]?.at ?? lead.createdAt);
  if (at >= plan.anchor) return false;
  lead.events.push({ from: lead.stage, to: stage, at, by });
  lead.stage = stage;
  if (stage <= CUSTOMER) {
    // jumping ahead fills the skipped stages with the same time
    for (let s = MQL; s <= stage; s++) if ((lead.reached[s] ?? -1) < 0) lead.reached[s] = at;
  } else if ((lead.reached[stage] ?? -1) < 0) {
    lead.reached[stage] = at;
  }
  return true;
}

function buildLeads(plan: DemoPlan, rng: Rng, account: AccountModel): void {
  const factor = (SEGMENT_LEAD_FACTOR[account.segment] ?? 1) / 0.93;
  const count = Math.max(1, Math.round(plan.size.leadsPerAccount * factor * rng.range(0.5, 1.5)));
  const span = plan.anchor - plan.start - HOUR;
  const created: number[] = [];
  // more leads lately: the company grows
  for (let i = 0; i < count; i++) created.push(plan.start + Math.floor(span * Math.pow(rng.next(), 0.8)));
  created.sort((a, b) => a - b);
  const locals = new Set<string>();
  for (const createdAt of created) {
    const firstName = rng.pick(FIRST_NAMES);
    const lastName = rng.pick(LAST_NAMES);
    let local = `${firstName}.${lastName}`.toLowerCase();
    for (let n = 2; locals.has(local); n++) local = `${firstName}.${lastName}${n}`.toLowerCase();
    locals.add(local);
    const outbound = rng.chance(0.12);
    const sourceCampaign = pickCampaign(plan, rng, createdAt, outbound ? 'SALES' : 'MARKETING');
    const channel = plan.campaigns[sourceCampaign]?.channel ?? 'ORGANIC';
    const lead: LeadModel = {
      firstName,
      lastName,
      email: `${local}@${account.domain}`,
      title: rng.pick(TITLES),
      createdAt,
      sourceCampaign,
      quality: CHANNEL_PROFILES[channel].quality,
      stage: NEW,
      reached: [createdAt, -1, -1, -1, -1, -1, -1, -1],
      events: [{ from: -1, to: NEW, at: createdAt, by: 0 }],
      responseAt: -1,
      feedback: -1,
      feedbackAt: -1,
      feedbackNote: '',
      readyAt: -1,
      dealEnd: -1,
    };
    runFunnel(plan, rng, account, lead);
    account.leads.push(lead);
  }
}

/** Hours sales takes to answer an MQL: mostly within a day, some late, a few very late. */
function responseHours(rng: Rng): number {
  const roll = rng.next();
  if (roll < 0.72) return rng.range(0.25, 20);
  if (roll < 0.92) return rng.range(24, 72);
  return rng.range(72, 240);
}

function giveFeedback(plan: DemoPlan, rng: Rng, lead: LeadModel, verdict: number, at: number): void {
  const key = verdict === 0 ? 'ACCEPTED' : (REJECTION_REASONS[verdict - 1] ?? 'OTHER');
  lead.feedback = verdict;
  lead.feedbackAt = Math.min(Math.round(at), plan.anchor - 1);
  lead.feedbackNote = rng.pick(FEEDBACK_NOTES[key] ?? ['']);
}

/** NEW → MQL → SAL → SQL with drop-offs; whether the lead then joins a deal is decided by the account. */
function runFunnel(plan: DemoPlan, rng: Rng, account: AccountModel, lead: LeadModel): void {
  const q = lead.quality;
  const owner = account.ownerId;
  if (!rng.chance(Math.min(0.85, 0.5 * q))) {
    if (rng.chance(0.12)) move(plan, lead, DISQUALIFIED, lead.createdAt + days(rng.range(1, 30)), 0);
    return;
  }
  const mqlAt = rng.chance(0.2) ? lead.createdAt : lead.createdAt + HOUR + Math.round(rng.exponential(12 * DAY));
  if (rng.chance(0.06 * q)) {
    // a demo request: straight to sales-qualified, the skipped stages get the same time
    if (!move(plan, lead, SQL, mqlAt, owner)) return;
    lead.responseAt = mqlAt;
    giveFeedback(plan, rng, lead, 0, mqlAt + rng.int(0, 4 * HOUR));
    return considerDeal(plan, rng, lead);
  }
  if (!move(plan, lead, MQL, mqlAt, 0)) return;
  if (rng.chance(0.08)) {
    // never followed up; marketing takes some back after a while
    if (rng.chance(0.5)) move(plan, lead, RECYCLED, mqlAt + days(rng.range(30, 60)), 0);
    return;
  }
  const respondedAt = mqlAt + Math.round(responseHours(rng) * HOUR);
  if (respondedAt >= plan.anchor) return;
  lead.responseAt = respondedAt;
  if (!rng.chance(Math.min(0.92, 0.7 * Math.sqrt(q)))) {
    const weights = REJECTION_WEIGHTS.map((w, i) => (REJECTION_REASONS[i] === 'BAD_FIT' ? (w * 1.2) / q : w));
    const reason = rng.weighted(weights);
    giveFeedback(plan, rng, lead, reason + 1, respondedAt);
    move(plan, lead, reason < RECYCLING_REASONS ? RECYCLED : DISQUALIFIED, respondedAt, owner);
    return;
  }
  move(plan, lead, SAL, respondedAt, owner);
  giveFeedback(plan, rng, lead, 0, respondedAt + rng.int(0, 2 * HOUR));
  if (!rng.chance(Math.min(0.85, 0.6 * Math.sqrt(q)))) {
    const roll = rng.next();
    if (roll < 0.5) move(plan, lead, DISQUALIFIED, respondedAt + days(rng.range(5, 40)), owner);
    else if (roll < 0.8) move(plan, lead, RECYCLED, respondedAt + days(rng.range(10, 60)), owner);
    return;
  }
  if (!move(plan, lead, SQL, respondedAt + days(rng.range(1, 21)), owner)) return;
  considerDeal(plan, rng, lead);
}

function considerDeal(plan: DemoPlan, rng: Rng, lead: LeadModel): void {
  const sqlAt = lead.reached[SQL] ?? -1;
  if (rng.chance(0.9)) {
    const readyAt = sqlAt + days(rng.range(0.5, 10));
    if (readyAt < plan.anchor) lead.readyAt = readyAt;
  } else {
    move(plan, lead, DISQUALIFIED, sqlAt + days(rng.range(5, 30)), lead.events[lead.events.length - 1]?.by ?? 0);
  }
}

/** Closes the deal at `closeAt` (won with `winChance`), or leaves it open at a stage that fits its age. */
function settle(plan: DemoPlan, rng: Rng, opp: OpportunityModel, closeAt: number, winChance: number): void {
  const close = Math.max(Math.round(closeAt), opp.createdAt + DAY);
  if (close >= plan.anchor) {
    const progress = (plan.anchor - opp.createdAt) / (close - opp.createdAt);
    opp.stage = progress < 0.25 ? 'PROSPECTING' : progress < 0.5 ? 'QUALIFICATION' : progress < 0.75 ? 'PROPOSAL' : 'NEGOTIATION';
    return;
  }
  if (rng.chance(winChance)) {
    opp.stage = 'CLOSED_WON';
    opp.closedAt = close;
  } else {
    opp.stage = 'CLOSED_LOST';
    opp.closedAt = opp.createdAt + Math.round((close - opp.createdAt) * rng.range(0.4, 1));
    opp.lostReason = rng.pick(LOST_REASONS);
  }
}

function newOpportunity(kind: OpportunityModel['kind'], createdAt: number, amountCents: number, fromLead: boolean): OpportunityModel {
  return { kind, stage: 'PROSPECTING', amountCents, createdAt, closedAt: -1, lostReason: null, contacts: [], fromLead };
}

function buildOpportunities(plan: DemoPlan, rng: Rng, account: AccountModel): void {
  const seg = account.segment;
  const [dealLo, dealHi] = DEAL_RANGE[seg] ?? [8_000, 40_000];
  const opps = account.opportunities;
  const candidates = account.leads
    .map((lead, index) => ({ lead, index }))
    .filter((c) => c.lead.readyAt >= 0)
    .sort((a, b) => a.lead.readyAt - b.lead.readyAt || a.index - b.index);
  for (const { lead, index } of candidates) {
    const t = lead.readyAt;
    const open = opps.find((o) => o.createdAt <= t && (o.closedAt < 0 || t < o.closedAt));
    if (!open) {
      const wonBefore = opps.some((o) => o.stage === 'CLOSED_WON' && o.closedAt <= t);
      let dollars: number;
      let opp: OpportunityModel;
      if (wonBefore) {
        dollars = rng.logUniform(dealLo, dealHi) * rng.range(0.15, 0.5);
        opp = newOpportunity('EXPANSION', t, toDollarCents(dollars, 100), true);
        settle(plan, rng, opp, t + days(rng.range(20, 90)), 0.55);
      } else {
        dollars = account.walletCents > 0 ? (account.walletCents / 100) * rng.range(0.05, 0.2) : rng.logUniform(dealLo, dealHi);
        dollars = Math.min(dealHi, Math.max(dealLo, dollars));
        opp = newOpportunity('NEW_BUSINESS', t, toDollarCents(dollars, 100), true);
        const [cycleLo, cycleHi] = CYCLE_DAYS[seg] ?? [14, 60];
        settle(plan, rng, opp, t + days(rng.range(cycleLo, cycleHi)), Math.min(0.7, (WIN_RATE[seg] ?? 0.3) * Math.sqrt(lead.quality)));
      }
      opps.push(opp);
    }
    const deal = open ?? opps[opps.length - 1];
    if (!deal || !move(plan, lead, OPPORTUNITY, t, account.ownerId)) continue;
    deal.contacts.push(index);
  }
  // the outcome of each lead-driven deal moves its contacts on
  for (const opp of opps) {
    for (const c of opp.contacts) {
      const lead = account.leads[c];
      if (!lead) continue;
      lead.dealEnd = opp.closedAt;
      if (opp.stage === 'CLOSED_WON') move(plan, lead, CUSTOMER, opp.closedAt, account.ownerId);
      else if (opp.stage === 'CLOSED_LOST' && rng.chance(0.5)) {
        move(plan, lead, RECYCLED, opp.closedAt + days(rng.range(0, 14)), account.ownerId);
      }
    }
  }
  // customers renew yearly and some buy more
  for (const won of opps.filter((o) => o.kind === 'NEW_BUSINESS' && o.stage === 'CLOSED_WON')) {
    const contacts = won.contacts.slice(0, 2);
    let base = won.amountCents;
    let anniversary = won.closedAt + 365 * DAY;
    while (anniversary - 45 * DAY < plan.anchor) {
      const amount = toDollarCents((base / 100) * rng.range(0.97, 1.15), 100);
      const renewal = newOpportunity('RENEWAL', anniversary - days(rng.range(45, 75)), amount, false);
      renewal.contacts = contacts;
      settle(plan, rng, renewal, anniversary + days(rng.range(-20, 20)), 0.85);
      opps.push(renewal);
      if (renewal.stage !== 'CLOSED_WON') break;
      base = amount;
      anniversary = renewal.closedAt + 365 * DAY;
    }
    if (rng.chance(0.55)) {
      const createdAt = won.closedAt + days(rng.range(60, 300));
      if (createdAt < plan.anchor) {
        const upsell = newOpportunity('EXPANSION', createdAt, toDollarCents((won.amountCents / 100) * rng.range(0.15, 0.5), 100), false);
        upsell.contacts = contacts.slice(0, 1);
        settle(plan, rng, upsell, createdAt + days(rng.range(20, 90)), 0.55);
        opps.push(upsell);
      }
    }
  }
  opps.sort((a, b) => a.createdAt - b.createdAt);
}

export const segmentName = (segment: number): string => SEGMENTS[segment] ?? 'SMB';
