import { CHANNEL_PROFILES, CHANNELS, CAMPAIGN_THEMES, ChannelName, FIRST_NAMES, LAST_NAMES } from './demo-catalog';
import { SECONDS_PER_DAY } from './copy-format';
import { Rng } from './prng';

/**
 * What every pass of the generator shares: the resolved size, the time frame, the users
 * and the campaigns (small lists, kept in memory), and which campaigns run on which day.
 * Everything per account is rebuilt from its own seeded stream (demo-world.ts).
 */

/** How big the demo company is. */
export interface DemoSize {
  accounts: number;
  /** Average leads per account (enterprise accounts get more, SMB fewer). */
  leadsPerAccount: number;
  /** Average touchpoints per lead. */
  touchpointsPerLead: number;
  campaigns: number;
}

/** `S` (~300 accounts), `M` (10k accounts, ~1M touchpoints), a number of accounts, or explicit figures. */
export type DemoSizeOption = 'S' | 'M' | 'L' | number | (Partial<DemoSize> & { accounts: number });

export interface DemoOptions {
  size?: DemoSizeOption;
  /** Same seed, size and anchor: same data, row for row. */
  seed?: number;
  /** All times lie before the anchor, over about two years (default 2026-11-01T00:00:00Z). */
  anchor?: Date | string;
}

export const DEFAULT_ANCHOR = '2026-11-01T00:00:00Z';
export const DEFAULT_SEED = 20261101;
/** Days of history before the anchor in which leads are created. */
export const HISTORY_DAYS = 760;

/** S: a demo; M: a mid-sized company; L: 10x M (100k accounts, 1M leads, 10M touchpoints). */
const SIZE_ACCOUNTS = { S: 300, M: 10_000, L: 100_000 } as const;

/** Scales from S (300 accounts, 40 campaigns, 3.4 touches per lead) to M (10k, 300, 10) and beyond. */
export function resolveDemoSize(size: DemoSizeOption = 'S'): DemoSize {
  const explicit = typeof size === 'object' ? size : undefined;
  const accounts = typeof size === 'string' ? SIZE_ACCOUNTS[size] : typeof size === 'number' ? size : size.accounts;
  if (!Number.isInteger(accounts) || accounts < 1) throw new Error(`demo size must be at least 1 account, got ${String(accounts)}`);
  const campaigns = explicit?.campaigns;
  if (campaigns !== undefined && (!Number.isInteger(campaigns) || campaigns < CHANNELS.length)) {
    throw new Error(`demo size needs at least ${CHANNELS.length} campaigns (one per channel), got ${campaigns}`);
  }
  const t = Math.min(1, Math.max(0, Math.log(accounts / 300) / Math.log(10_000 / 300)));
  return {
    accounts,
    leadsPerAccount: explicit?.leadsPerAccount ?? 10,
    touchpointsPerLead: explicit?.touchpointsPerLead ?? 3.4 + 6.6 * t,
    campaigns: campaigns ?? Math.max(CHANNELS.length, Math.round(40 * Math.pow(accounts / 300, 0.575))),
  };
}

/** Reads `S`, `M`, `L` or a number of accounts (CLI flags, environment variables). */
export function parseDemoSize(text: string): DemoSizeOption {
  const upper = text.trim().toUpperCase();
  if (upper === 'S' || upper === 'M' || upper === 'L') return upper;
  const accounts = Number(upper);
  if (!Number.isInteger(accounts) || accounts < 1) throw new Error(`demo size must be S, M, L or a number of accounts, got "${text}"`);
  return accounts;
}

export interface DemoUser {
  id: number;
  name: string;
  email: string;
  team: 'MARKETING' | 'SALES' | 'REVENUE_OPS' | 'EXECUTIVE';
  createdAt: number;
}

export interface DemoCampaign {
  id: number;
  name: string;
  channel: ChannelName;
  ownerTeam: 'MARKETING' | 'SALES';
  startDay: number;
  /** Last day, or -1 when open-ended. */
  endDay: number;
  budgetCents: number;
  dailySpendCents: number;
  createdAt: number;
}

/** Active campaigns of one day with cumulative traffic weights, for weighted picks. */
interface DayPool {
  campaigns: Int32Array;
  cumulative: Float64Array;
}

export interface DemoPlan {
  seed: number;
  size: DemoSize;
  /** Seconds since the epoch; nothing happens at or after it. */
  anchor: number;
  anchorDay: number;
  /** First second leads can be created. */
  start: number;
  startDay: number;
  users: DemoUser[];
  salesUserIds: number[];
  marketingUserIds: number[];
  campaigns: DemoCampaign[];
  /** Indexed by `day - startDay`; marketing-run and sales-run campaigns apart. */
  marketingPools: DayPool[];
  salesPools: DayPool[];
}

export function createDemoPlan(options: DemoOptions, userIdBase = 0): DemoPlan {
  const size = resolveDemoSize(options.size);
  const seed = (options.seed ?? DEFAULT_SEED) >>> 0;
  const anchorMs = new Date(options.anchor ?? DEFAULT_ANCHOR).getTime();
  if (!Number.isFinite(anchorMs)) throw new Error(`demo anchor is not a valid date: ${String(options.anchor)}`);
  const anchor = Math.floor(anchorMs / 1000);
  const anchorDay = Math.floor(anchor / SECONDS_PER_DAY);
  const startDay = anchorDay - HISTORY_DAYS;
  const users = createUsers(seed, size, startDay, userIdBase);
  const campaigns = createCampaigns(seed, size, startDay, anchorDay);
  const plan: DemoPlan = {
    seed,
    size,
    anchor,
    anchorDay,
    start: startDay * SECONDS_PER_DAY,
    startDay,
    users,
    salesUserIds: users.filter((u) => u.team === 'SALES').map((u) => u.id),
    marketingUserIds: users.filter((u) => u.team === 'MARKETING').map((u) => u.id),
    campaigns,
    marketingPools: [],
    salesPools: [],
  };
  // the anchor's own day counts when the anchor is not midnight
  const lastDay = Math.floor((anchor - 1) / SECONDS_PER_DAY);
  for (let day = startDay; day <= lastDay; day++) {
    plan.marketingPools.push(poolOf(campaigns, day, 'MARKETING'));
    plan.salesPools.push(poolOf(campaigns, day, 'SALES'));
  }
  return plan;
}

function createUsers(seed: number, size: DemoSize, startDay: number, idBase: number): DemoUser[] {
  const rng = new Rng(seed, 10);
  const sales = Math.max(6, Math.round(size.accounts / 80));
  const teams: [DemoUser['team'], number][] = [
    ['MARKETING', Math.max(4, Math.round(sales / 3))],
    ['SALES', sales],
    ['REVENUE_OPS', Math.max(2, Math.round(sales / 12))],
    ['EXECUTIVE', Math.max(2, Math.round(sales / 40))],
  ];
  const users: DemoUser[] = [];
  const taken = new Set<string>();
  for (const [team, count] of teams) {
    for (let i = 0; i < count; i++) {
      const first = rng.pick(FIRST_NAMES);
      const last = rng.pick(LAST_NAMES);
      let local = `${first}.${last}`.toLowerCase();
      for (let n = 2; taken.has(local); n++) local = `${first}.${last}${n}`.toLowerCase();
      taken.add(local);
      users.push({
        id: idBase + users.length + 1,
        name: `${first} ${last}`,
        email: `${local}@demo-revenue.example`,
        team,
        createdAt: (startDay - rng.int(60, 400)) * SECONDS_PER_DAY + rng.int(8 * 3600, 18 * 3600),
      });
    }
  }
  return users;
}

function createCampaigns(seed: number, size: DemoSize, startDay: number, anchorDay: number): DemoCampaign[] {
  const rng = new Rng(seed, 11);
  // spend grows with the number of accounts each campaign serves (S: 7.5 accounts per campaign);
  // the catalog's daily rates times 6 put marketing spend at roughly a tenth of won revenue
  const spendScale = (6 * size.accounts) / size.campaigns / 7.5;
  const weights = CHANNELS.map((c) => CHANNEL_PROFILES[c].campaignWeight);
  const campaigns: DemoCampaign[] = [];
  for (let i = 0; i < size.campaigns; i++) {
    // the first of each channel comes first, so every channel has at least one campaign
    const channel: ChannelName = i < CHANNELS.length ? (CHANNELS[i] as ChannelName) : (CHANNELS[rng.weighted(weights)] as ChannelName);
    const profile = CHANNEL_PROFILES[channel];
    const evergreen = profile.evergreen && i < CHANNELS.length;
    const ownerTeam = channel === 'OUTBOUND' || (channel === 'EVENT' && rng.chance(0.35)) ? 'SALES' : 'MARKETING';
    const startDayOf = evergreen ? startDay - 30 : rng.int(startDay, anchorDay - 3);
    const duration = rng.int(profile.durationDays[0], profile.durationDays[1]);
    const endDay = evergreen ? -1 : startDayOf + duration - 1;
    const dailySpendCents = Math.round(profile.dailySpend * spendScale * rng.range(0.7, 1.3) * 100);
    // an always-on program is budgeted from its start through a year past the anchor
    const plannedDays = evergreen ? anchorDay - startDayOf + 365 : duration;
    const budgetCents = profile.dailySpend === 0 ? -1 : Math.round((dailySpendCents * plannedDays * rng.range(1.0, 1.15)) / 10_000) * 10_000;
    const theme = evergreen ? 'Always on' : rng.pick(CAMPAIGN_THEMES);
    const startDate = new Date(startDayOf * SECONDS_PER_DAY * 1000);
    const quarter = `Q${Math.floor(startDate.getUTCMonth() / 3) + 1} ${startDate.getUTCFullYear()}`;
    campaigns.push({
      id: i + 1,
      name: evergreen ? `${profile.label} - ${theme}` : `${profile.label} - ${theme} ${quarter}`,
      channel,
      ownerTeam,
      startDay: startDayOf,
      endDay,
      budgetCents,
      dailySpendCents: profile.dailySpend === 0 ? 0 : dailySpendCents,
      createdAt: (startDayOf - rng.int(5, 30)) * SECONDS_PER_DAY + rng.int(8 * 3600, 18 * 3600),
    });
  }
  return campaigns;
}

function poolOf(campaigns: DemoCampaign[], day: number, team: DemoCampaign['ownerTeam']): DayPool {
  const picked: number[] = [];
  const cumulative: number[] = [];
  let total = 0;
  campaigns.forEach((c, index) => {
    if (c.ownerTeam !== team || c.startDay > day || (c.endDay >= 0 && c.endDay < day)) return;
    // always-on programs draw steady but modest traffic next to the campaign of the moment
    total += CHANNEL_PROFILES[c.channel].trafficWeight * (c.endDay < 0 ? 0.35 : 1);
    picked.push(index);
    cumulative.push(total);
  });
  return { campaigns: Int32Array.from(picked), cumulative: Float64Array.from(cumulative) };
}

/**
 * A campaign of `team` running on the day of `time`, weighted by channel traffic, as an index
 * into `plan.campaigns`; -1 when none runs (never for the evergreen teams' pools).
 */
export function pickCampaign(plan: DemoPlan, rng: Rng, time: number, team: DemoCampaign['ownerTeam']): number {
  const day = Math.floor(time / SECONDS_PER_DAY) - plan.startDay;
  const pool = (team === 'SALES' ? plan.salesPools : plan.marketingPools)[day];
  if (!pool || pool.campaigns.length === 0) return -1;
  const x = rng.next() * (pool.cumulative[pool.cumulative.length - 1] ?? 0);
  for (let i = 0; i < pool.cumulative.length; i++) {
    if (x < (pool.cumulative[i] ?? 0)) return pool.campaigns[i] ?? -1;
  }
  return pool.campaigns[pool.campaigns.length - 1] ?? -1;
}

/** Whether campaign `index` runs on the day of `time`. */
export function campaignRunsAt(plan: DemoPlan, index: number, time: number): boolean {
  const c = plan.campaigns[index];
  if (!c) return false;
  const day = Math.floor(time / SECONDS_PER_DAY);
  return c.startDay <= day && (c.endDay < 0 || day <= c.endDay);
}
