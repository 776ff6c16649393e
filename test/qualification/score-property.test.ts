import { createTestApp, TestApp } from '../helpers/app';
import { gid, insertCampaign, insertTouch } from '../helpers/core-fixtures';
import { exactSum } from './exact-sum';

/**
 * Property test over random policies and leads (a seeded PRNG, so every run is the same): the
 * explanation's lines always add up exactly to the total, the FIT lines to fit and the
 * ENGAGEMENT lines to engagement; caps bind exactly when the uncapped sum exceeds them; lines come
 * in the defined order; only touches at or before asOf and inside the window count; qualifies
 * follows the minimums and the threshold.
 */

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = prng(20261202);
const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)] as T;
const maybe = <T>(value: () => T): T | null => (random() < 0.5 ? null : value());
const subset = <T>(items: readonly T[]): T[] => items.filter(() => random() < 0.3);

const KINDS = ['FORM_FILL', 'EMAIL_CLICK', 'WEBINAR_ATTENDED', 'MEETING'] as const;
const CHANNELS = ['EMAIL', 'WEBINAR', 'PAID_SEARCH'] as const;
const TITLES = ['VP Sales', ' vp sales ', 'Director of IT', 'engineer', '', null] as const;
const WORDS = ['gold', 'Gold ', 'silver', 'EMEA', 'emea', ' '];
const KEYS = ['tier', 'size', 'partner', 'Tier'];
const ASOF = Date.parse('2024-06-01T00:00:00Z');

function randomValue(type?: 'TEXT' | 'NUMBER' | 'BOOLEAN'): { type: string; value: string } {
  const t = type ?? pick(['TEXT', 'NUMBER', 'BOOLEAN'] as const);
  if (t === 'NUMBER') return { type: t, value: pick(['0', '5', '12.5', '-3', '100', '1200.00']) };
  if (t === 'BOOLEAN') return { type: t, value: pick(['true', 'false']) };
  return { type: t, value: pick(WORDS) };
}

function randomFitRule(): Record<string, unknown> {
  const attribute = pick([
    'lead.jobTitle', 'account.segment', 'account.industry', 'account.walletSize',
    ...KEYS.map((k) => `lead.attributes.${k}`), ...KEYS.map((k) => `account.attributes.${k}`),
  ]);
  const builtIn = attribute === 'account.walletSize' ? 'NUMBER' : attribute.includes('.attributes.') ? undefined : 'TEXT';
  const operator = pick(['EQUALS', 'IN', 'CONTAINS', 'GTE', 'LTE', 'EXISTS'] as const);
  const points = int(-20, 20);
  if (operator === 'EXISTS') return { attribute, operator, values: [], points };
  if (operator === 'GTE' || operator === 'LTE') {
    return builtIn === 'TEXT' ? { attribute, operator: 'EXISTS', values: [], points } : { attribute, operator, values: [randomValue('NUMBER')], points };
  }
  if (operator === 'CONTAINS') {
    return builtIn === 'NUMBER' ? { attribute, operator: 'EXISTS', values: [], points } : { attribute, operator, values: [randomValue('TEXT'), randomValue('TEXT')].slice(0, int(1, 2)), points };
  }
  const values = Array.from({ length: operator === 'IN' ? int(1, 3) : 1 }, () => randomValue(builtIn));
  return { attribute, operator, values, points };
}

function randomPolicy(): Record<string, unknown> {
  return {
    fitRules: Array.from({ length: int(0, 6) }, randomFitRule),
    engagementRules: Array.from({ length: int(0, 4) }, () => ({ touchKinds: subset(KINDS), channels: subset(CHANNELS), points: int(0, 15) })),
    engagementHalfLifeDays: maybe(() => int(1, 100) / 10),
    engagementWindowDays: maybe(() => int(1, 60)),
    fitCap: maybe(() => int(0, 30)),
    engagementCap: maybe(() => int(0, 40)),
    minFit: maybe(() => int(-10, 10)),
    minEngagement: maybe(() => int(0, 20)),
  };
}

interface Line {
  kind: string;
  rulePosition: number | null;
  touchAt: string | null;
  ageDays: string | null;
  points: string;
  touchpoint: { id: string } | null;
}
interface Score {
  fit: string;
  engagement: string;
  total: string;
  qualifies: boolean;
  explanation: Line[];
}

/** a - b as a sign (exact, through exactSum). */
const compare = (a: string, b: string) => {
  const d = exactSum([a, b.startsWith('-') ? b.slice(1) : `-${b}`]);
  return d === '0' ? 0 : d.startsWith('-') ? -1 : 1;
};

describe('Lead.score: properties over random policies and leads', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
    const campaigns: Record<string, string> = {};
    for (const channel of CHANNELS) campaigns[channel] = await insertCampaign(app.db, { channel });
    const accounts: string[] = [];
    for (let i = 0; i < 4; i++) {
      const attributes = Object.fromEntries(subset(KEYS).map((k) => [k, JSON.parse(JSON.stringify(randomValue()))]));
      const json = `{${Object.entries(attributes).map(([k, v]) => `${JSON.stringify(k)}:${v.type === 'TEXT' ? JSON.stringify(v.value) : v.value}`).join(',')}}`;
      const [row] = await app.db.sql<{ id: string }>(
        `INSERT INTO accounts (name, domain, segment, industry, wallet_size, attributes) VALUES ($1, $2, $3, $4, $5, $6::jsonb) RETURNING id`,
        [`P${i}`, `p${i}.test`, pick(['SMB', 'MID_MARKET', 'ENTERPRISE']), maybe(() => pick(WORDS)), maybe(() => pick(['100.00', '5', '1200'])), json],
      );
      accounts.push(row!.id);
    }
    for (let i = 0; i < 30; i++) {
      const attributes = subset(KEYS).map((k) => {
        const v = randomValue();
        return `${JSON.stringify(k)}:${v.type === 'TEXT' ? JSON.stringify(v.value) : v.value}`;
      });
      const [row] = await app.db.sql<{ id: string }>(
        `INSERT INTO leads (email, account_id, title, created_at, attributes) VALUES ($1, $2, $3, '2024-01-01', $4::jsonb) RETURNING id`,
        [`prop${i}@p.test`, random() < 0.25 ? null : pick(accounts), pick(TITLES), `{${attributes.join(',')}}`],
      );
      let last = ASOF - int(0, 90) * 86_400_000;
      for (let t = int(0, 6); t > 0; t--) {
        // ties: about one touch in four at the same time as the one before
        if (random() > 0.25) last = ASOF - int(-5, 90) * 86_400_000 - int(0, 86_399) * 1000;
        await insertTouch(app.db, row!.id, campaigns[pick(CHANNELS)]!, new Date(last).toISOString(), pick(KINDS));
      }
    }
  });
  afterAll(() => app.close());

  it('holds for 40 random policies over 30 random leads', async () => {
    const seen = new Map<string, number>();
    const saw = (what: string) => seen.set(what, (seen.get(what) ?? 0) + 1);
    for (let run = 0; run < 40; run++) {
      const policy = randomPolicy();
      const mqlThreshold = int(0, 50);
      const proposed = await app.ok<{ proposeAgreement: { agreement: { id: string } } }>(
        `mutation($input: ProposeAgreementInput!) { proposeAgreement(input: $input) { agreement { id } } }`,
        { input: { effectiveFrom: '2024-01-01T00:00:00Z', mqlThreshold, scoringRules: [], followUpHours: 24, monthlyMqlTarget: 10, policy } },
      );
      const data = await app.ok<{ leads: { edges: { node: { id: string; score: Score } }[] } }>(
        `query($agreementId: ID!) { leads(first: 100) { edges { node { id score(asOf: "2024-06-01T00:00:00Z", agreementId: $agreementId) {
           fit engagement total qualifies explanation { kind rulePosition touchAt ageDays points touchpoint { id } } } } } } }`,
        { agreementId: proposed.proposeAgreement.agreement.id },
      );
      expect(data.leads.edges).toHaveLength(30);
      for (const { node } of data.leads.edges) {
        const s = node.score;
        const context = JSON.stringify({ run, lead: node.id, policy, mqlThreshold, s });
        const lines = s.explanation;
        const of = (...kinds: string[]) => lines.filter((l) => kinds.includes(l.kind)).map((l) => l.points);
        const ok = (condition: boolean) => expect([condition, context]).toEqual([true, context]);
        ok(exactSum(lines.map((l) => l.points)) === s.total);
        ok(exactSum(of('FIT', 'FIT_CAP')) === s.fit);
        ok(exactSum(of('ENGAGEMENT', 'ENGAGEMENT_CAP')) === s.engagement);
        // caps bind exactly when the uncapped sum exceeds them, and then the sum is the cap
        const fitCap = policy.fitCap as number | null;
        const uncappedFit = exactSum(of('FIT'));
        ok(of('FIT_CAP').length === (fitCap !== null && compare(uncappedFit, String(fitCap)) > 0 ? 1 : 0));
        if (of('FIT_CAP').length) ok(s.fit === String(fitCap));
        const engagementCap = policy.engagementCap as number | null;
        const uncappedEngagement = exactSum(of('ENGAGEMENT'));
        ok(of('ENGAGEMENT_CAP').length === (engagementCap !== null && compare(uncappedEngagement, String(engagementCap)) > 0 ? 1 : 0));
        // order: FIT by position, FIT_CAP, ENGAGEMENT by (touch time, touch id, rule position), ENGAGEMENT_CAP
        const part = { FIT: 1, FIT_CAP: 2, ENGAGEMENT: 3, ENGAGEMENT_CAP: 4 } as Record<string, number>;
        for (let i = 1; i < lines.length; i++) {
          const [a, b] = [lines[i - 1]!, lines[i]!];
          ok(part[a.kind]! <= part[b.kind]!);
          if (a.kind === 'FIT' && b.kind === 'FIT') ok(a.rulePosition! < b.rulePosition!);
          if (a.kind === 'ENGAGEMENT' && b.kind === 'ENGAGEMENT') {
            const key = (l: Line) => [Date.parse(l.touchAt!), Number(Buffer.from(l.touchpoint!.id, 'base64').toString().split(':')[1]), l.rulePosition!];
            const [x, y] = [key(a), key(b)];
            ok(x[0]! < y[0]! || (x[0] === y[0] && (x[1]! < y[1]! || (x[1] === y[1] && x[2]! < y[2]!))));
          }
        }
        // only touches at or before asOf and inside the window; without decay a line is its rule's points
        const rules = policy.engagementRules as { points: number }[];
        for (const line of lines.filter((l) => l.kind === 'ENGAGEMENT')) {
          ok(Date.parse(line.touchAt!) <= ASOF);
          if (policy.engagementWindowDays !== null) ok(compare(line.ageDays!, String(policy.engagementWindowDays)) <= 0);
          if (policy.engagementHalfLifeDays === null) ok(line.points === String(rules[line.rulePosition! - 1]!.points));
          else ok(compare(line.points, String(rules[line.rulePosition! - 1]!.points)) <= 0 && !line.points.startsWith('-'));
        }
        const minFit = policy.minFit as number | null;
        const minEngagement = policy.minEngagement as number | null;
        const qualifies =
          (minFit === null || compare(s.fit, String(minFit)) >= 0) &&
          (minEngagement === null || compare(s.engagement, String(minEngagement)) >= 0) &&
          compare(s.total, String(mqlThreshold)) >= 0;
        ok(s.qualifies === qualifies);
        for (const line of lines) saw(line.kind);
        saw(s.qualifies ? 'qualifies' : 'not');
        if (lines.some((l) => l.kind === 'ENGAGEMENT' && l.points.includes('.'))) saw('decayed');
        if (lines.some((l) => l.kind === 'FIT' && l.points.startsWith('-'))) saw('negative');
      }
    }
    // the random cases reach every kind of line and both outcomes
    expect([...seen.keys()].sort()).toEqual(['ENGAGEMENT', 'ENGAGEMENT_CAP', 'FIT', 'FIT_CAP', 'decayed', 'negative', 'not', 'qualifies']);
  });
});
