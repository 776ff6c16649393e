import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { Role } from '../../src/auth/roles';
import type { HttpTestApp } from '../helpers/http-app';
import { expected, launchChromium, offlineContext, screenshot, signIn, startWebApp } from './browser';

/**
 * The dashboard in Chromium against the real server and the demo company: what it shows is
 * what the API answers for the same arguments, formatted for en-US.
 */

jest.setTimeout(300_000);

let app: HttpTestApp & { origin: string };
let browser: Browser;
let executiveKey: string;

beforeAll(async () => {
  app = await startWebApp({ demo: true });
  executiveKey = (await app.newKey(Role.EXECUTIVE)).secret;
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

async function api<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const { body } = await app.gql<T>(query, variables, { key: executiveKey });
  if (body.errors?.length) throw new Error(JSON.stringify(body.errors));
  return body.data!;
}

/** "Last quarter" as the page must compute it: the calendar quarter before this one, UTC. */
function lastQuarter(now = new Date()) {
  const q = Math.floor(now.getUTCMonth() / 3);
  const start = new Date(Date.UTC(now.getUTCFullYear(), (q - 1) * 3, 1));
  const end = new Date(Date.UTC(now.getUTCFullYear(), q * 3, 1));
  const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');
  const length = end.getTime() - start.getTime();
  return { cur: { from: iso(start), to: iso(end) }, prev: { from: iso(new Date(start.getTime() - length)), to: iso(start) } };
}

async function axeViolations(page: Page): Promise<string[]> {
  // run through the debugging protocol: the page's own policy allows no script of ours
  await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  // page scripts as strings: this program is typed for Node, not for the DOM
  const results = (await page.evaluate("axe.run(document, { resultTypes: ['violations'] })")) as { violations: { id: string; impact: string; nodes: { target: string[] }[] }[] };
  return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Waits until the view has loaded, and fails with the page's error messages if it shows any. */
async function loaded(page: Page): Promise<void> {
  await page.locator('main#content h1').waitFor();
  await page.waitForFunction(() => !(globalThis as unknown as { document: { querySelector(selector: string): unknown } }).document.querySelector('[role=status] .spinner'));
  expect(await page.locator('.status.error').allInnerTexts()).toEqual([]);
}

async function text(page: Page, testId: string): Promise<string> {
  return (await page.getByTestId(testId).innerText()).trim();
}

describe('the dashboard', () => {
  let page: Page;
  let blocked: string[];
  let errors: string[];

  beforeAll(async () => {
    const offline = await offlineContext(browser, app.origin);
    blocked = offline.blocked;
    errors = offline.errors;
    page = await offline.context.newPage();
  });
  afterAll(() => page?.context().close());

  it('refuses a wrong key, signs in with a right one and keeps it in the tab session only', async () => {
    await page.goto(`${app.origin}/`);
    await page.getByLabel('API key').fill('ra_not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').innerText()).resolves.toMatch(/refused/);
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'sign-in');
    await signIn(page, app.origin, executiveKey);
    expect(await page.evaluate('Object.values(sessionStorage)')).toContain(executiveKey);
    expect(await page.evaluate('Object.values(localStorage)')).not.toContain(executiveKey);
    expect(await page.evaluate('document.cookie')).toBe('');
  });

  it('shows on the overview what the API answers for the window and model picked, and keeps them in the URL', async () => {
    await page.getByLabel('Window').selectOption('last-quarter');
    await page.getByLabel('Attribution model').selectOption('LINEAR');
    await page.getByLabel("Deal's contacts").check();
    await page.waitForURL(/window=last-quarter/);
    const url = new URL(page.url());
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ view: 'overview', window: 'last-quarter', model: 'LINEAR', scope: 'CONTACTS' });
    await loaded(page);
    const { cur, prev } = lastQuarter();
    const input = (window: object) => ({ window, model: 'LINEAR', journeyScope: 'CONTACTS', measures: ['REVENUE', 'PIPELINE'] });
    const d = await api<{
      c: { totals: { spend: string; attributedRevenue: string; attributedPipeline: string; roas: number | null }; unattributedRevenueShare: number | null };
      p: { totals: { spend: string } };
      cac: { cac: string | null };
      nrr: { portfolio: { netRevenueRetention: number | null } };
    }>(
      `query ($c: CampaignPerformanceInput!, $p: CampaignPerformanceInput!, $w: ReportWindowInput!, $asOf: DateTime!) {
        c: campaignPerformance(input: $c) { totals { spend attributedRevenue attributedPipeline roas } unattributedRevenueShare }
        p: campaignPerformance(input: $p) { totals { spend } }
        cac: acquisitionCost(input: { window: $w }) { cac }
        nrr: walletShare(input: { asOf: $asOf }) { portfolio { netRevenueRetention } }
      }`,
      { c: input(cur), p: input(prev), w: cur, asOf: new Date(new Date(cur.to).getTime() - 1000).toISOString() },
    );
    expect(Number(d.c.totals.attributedRevenue)).toBeGreaterThan(0);
    expect(await text(page, 'tile-spend-value')).toBe(expected.money(d.c.totals.spend));
    expect(await text(page, 'tile-revenue-value')).toBe(expected.money(d.c.totals.attributedRevenue));
    expect(await text(page, 'tile-pipeline-value')).toBe(expected.money(d.c.totals.attributedPipeline));
    expect(await text(page, 'tile-roas-value')).toBe(expected.ratio(d.c.totals.roas));
    expect(await text(page, 'tile-unattributed-value')).toBe(expected.percent(d.c.unattributedRevenueShare));
    expect(await text(page, 'tile-cac-value')).toBe(expected.money(d.cac.cac));
    expect(await text(page, 'tile-nrr-value')).toBe(expected.percent(d.nrr.portfolio.netRevenueRetention));
    expect(await text(page, 'tile-spend')).toContain(`(was ${expected.money(d.p.totals.spend)})`);
    // a shared link opens the same view, once its reader signed in (a new tab holds no key)
    const other = await page.context().newPage();
    await other.goto(page.url());
    await other.getByLabel('API key').fill(executiveKey);
    await other.getByRole('button', { name: 'Sign in' }).click();
    await other.getByTestId('tile-revenue-value').waitFor();
    expect(other.url()).toBe(page.url());
    expect(await text(other, 'tile-revenue-value')).toBe(expected.money(d.c.totals.attributedRevenue));
    await other.close();
  });

  it('has a sortable campaign table whose CSV is what the API answers, in the order shown', async () => {
    await page.getByRole('link', { name: 'Attribution' }).click();
    await loaded(page);
    const { cur } = lastQuarter();
    type Row = { campaign: { name: string; channel: string }; spend: string; leadsSourced: number; mqls: number; attributedPipeline: string | null; attributedRevenue: string | null; roi: number | null; roas: number | null; costPerLead: number | null; costPerMql: number | null };
    const { campaignPerformance } = await api<{ campaignPerformance: { rows: Row[] } }>(
      `query ($w: ReportWindowInput!) { campaignPerformance(input: { window: $w, model: LINEAR, journeyScope: CONTACTS, measures: [REVENUE, PIPELINE] }) {
        rows { campaign { name channel } spend leadsSourced mqls attributedPipeline attributedRevenue roi roas costPerLead costPerMql } } }`,
      { w: cur },
    );
    expect(campaignPerformance.rows.length).toBeGreaterThan(1);
    const csvOf = (rows: Row[]) =>
      [
        'Campaign,Channel,Spend,Leads,MQLs,Attributed pipeline,Attributed revenue,ROI,ROAS,Cost per lead,Cost per MQL',
        ...rows.map((r) => [r.campaign.name, r.campaign.channel, r.spend, r.leadsSourced, r.mqls, r.attributedPipeline, r.attributedRevenue, r.roi, r.roas, r.costPerLead, r.costPerMql].map((v) => (v === null ? '' : String(v))).map((v) => (/[",]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(',')),
      ].join('\r\n') + '\r\n';
    const by = (value: (r: Row) => number | null) => (a: Row, b: Row) => {
      const x = value(a);
      const y = value(b);
      return x === y ? 0 : x === null ? 1 : y === null ? -1 : y - x;
    };
    const download = async () => {
      const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
      expect(file.suggestedFilename()).toBe(`campaigns-linear-${cur.from.slice(0, 10)}-${cur.to.slice(0, 10)}.csv`);
      return readFileSync((await file.path())!, 'utf8');
    };
    // first sorted by attributed revenue, largest first
    const byRevenue = [...campaignPerformance.rows].sort(by((r) => (r.attributedRevenue === null ? null : Number(r.attributedRevenue))));
    expect(await download()).toBe(csvOf(byRevenue));
    const firstRow = page.getByTestId('campaign-table').locator('tbody tr').first();
    expect(await firstRow.locator('td').first().innerText()).toBe(byRevenue[0]!.campaign.name);
    expect(await firstRow.locator('td').nth(6).innerText()).toBe(expected.money(byRevenue[0]!.attributedRevenue));
    // sorted by ROAS from the keyboard
    await page.getByRole('button', { name: /^ROAS/ }).focus();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('columnheader', { name: /ROAS/ }).getAttribute('aria-sort')).resolves.toBe('descending');
    const byRoas = [...campaignPerformance.rows].sort(by((r) => r.roas));
    expect(await download()).toBe(csvOf(byRoas));
    expect(await firstRow.locator('td').nth(8).innerText()).toBe(expected.ratio(byRoas[0]!.roas));
    // every model side by side: the chosen one's column is the API's
    const { attributionComparison } = await api<{ attributionComparison: { rows: { channel: string; revenue: { linear: string; dataDriven: string } }[] } }>(
      `query ($w: ReportWindowInput!) { attributionComparison(input: { window: $w, journeyScope: CONTACTS, by: CHANNEL }) { rows { channel revenue { linear dataDriven } } } }`,
      { w: cur },
    );
    const table = page.getByTestId('model-table');
    for (const row of attributionComparison.rows) {
      const cells = table.locator('tbody tr').filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${row.channel.replace('_', ' ')}$`, 'i') }) }).locator('td');
      expect(await cells.nth(2).innerText()).toBe(expected.money(row.revenue.linear));
      expect(await cells.nth(7).innerText()).toBe(expected.money(row.revenue.dataDriven));
    }
  });

  it('opens a deal and shows its journey, whose credits add up to the amount', async () => {
    await page.goto(`${app.origin}/?view=deal&window=last-quarter&model=LINEAR&scope=CONTACTS`);
    const deals = page.getByRole('list', { name: /deals won/i }).getByRole('button');
    await deals.first().waitFor();
    const hasAttribution = await api<{ __type: { fields: { name: string }[] } }>('{ __type(name: "Opportunity") { fields { name } } }').then((d) => d.__type.fields.some((f) => f.name === 'attribution'));
    type Credits = { amount: string; unattributed: string; touches: { credit: string }[] };
    let credits: Credits | null = null;
    let amount = '';
    // the first deal listed whose journey holds touches (the largest deals won come first)
    for (let i = 0; i < Math.min(5, await deals.count()); i++) {
      await deals.nth(i).click();
      await page.locator('[data-testid=journey], .status.error').first().waitFor();
      expect(await page.locator('.status.error').allInnerTexts()).toEqual([]);
      await page.waitForURL(/deal=/);
      const id = new URL(page.url()).searchParams.get('deal')!;
      await expect(page.getByRole('button', { pressed: true }).count()).resolves.toBe(1);
      if (hasAttribution) {
        const d = await api<{ opportunity: { amount: string; attribution: Credits } }>(
          'query ($id: ID!) { opportunity(id: $id) { amount attribution(model: LINEAR, journeyScope: CONTACTS) { amount unattributed touches { credit } } } }',
          { id },
        );
        amount = d.opportunity.amount;
        if (d.opportunity.attribution.touches.length) {
          credits = d.opportunity.attribution;
          break;
        }
      } else {
        amount = (await api<{ opportunity: { amount: string } }>('query ($id: ID!) { opportunity(id: $id) { amount } }', { id })).opportunity.amount;
        break;
      }
    }
    await page.getByTestId('deal-amount').waitFor();
    expect(await text(page, 'deal-amount')).toBe(expected.cents(amount));
    if (hasAttribution) {
      expect(credits).not.toBeNull();
      const shown = await page.getByTestId('journey-credit').allInnerTexts();
      expect(shown).toEqual(credits!.touches.map((t) => expected.cents(t.credit)));
      const sum = shown.map((c) => Math.round(Number(c.replace(/[$,]/g, '')) * 100)).reduce((a, b) => a + b, 0);
      expect(sum + Math.round(Number(credits!.unattributed) * 100)).toBe(Math.round(Number(amount) * 100));
      expect(await text(page, 'journey-total')).toBe(expected.cents((sum / 100).toFixed(2)));
    } else {
      // an API without Opportunity.attribution: the journey is the contacts' touches, said so
      expect(await text(page, 'journey-notice')).toMatch(/does not give per-touch credits yet/);
    }
    await screenshot(page, 'deal');
  });

  it('approves a proposed definition from the qualification view, for a role that may, with the backtest beside it', async () => {
    const { alignmentAgreements } = await api<{ alignmentAgreements: { edges: { node: { id: string; version: number; approved: boolean; mqlThreshold: number } }[] } }>(
      '{ alignmentAgreements(first: 20) { edges { node { id version approved mqlThreshold } } } }',
    );
    const proposed = alignmentAgreements.edges.map((e) => e.node).find((a) => !a.approved)!;
    expect(proposed).toBeDefined();
    const approveAsSales = async (p: Page) => {
      await p.goto(`${app.origin}/?view=qualification&window=last-12-months`);
      await loaded(p);
      expect(await p.getByLabel('Proposed definition').inputValue()).toBe(proposed.id);
      expect(await p.getByTestId('policy-proposed').innerText()).toContain(`${proposed.mqlThreshold} points`);
      const sales = await p.getByLabel('Approve as').locator('option', { hasText: '(Sales)' }).first().getAttribute('value');
      await p.getByLabel('Approve as').selectOption(sales!);
      await p.getByRole('button', { name: 'Approve' }).click();
    };
    // an executive reads everything and writes nothing: the refusal is shown, nothing changes
    await approveAsSales(page);
    await expect(page.getByRole('alert').innerText()).resolves.toMatch(/may not approve/);
    const still = await api<{ node: { approved: boolean } }>('query ($id: ID!) { node(id: $id) { ... on AlignmentAgreement { approved } } }', { id: proposed.id });
    expect(still.node.approved).toBe(false);
    // revenue ops may approve for a sales user
    const ops = await page.context().browser()!.newContext({ locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1366, height: 900 } });
    try {
      const opsPage = await ops.newPage();
      await signIn(opsPage, app.origin, (await app.newKey(Role.REVENUE_OPS)).secret, '?view=qualification');
      await approveAsSales(opsPage);
      await expect(opsPage.getByRole('status').filter({ hasText: 'Approved' }).innerText()).resolves.toMatch(/Approved by both teams/);
      const now = await api<{ node: { approved: boolean; salesApprovedAt: string | null } }>('query ($id: ID!) { node(id: $id) { ... on AlignmentAgreement { approved salesApprovedAt } } }', { id: proposed.id });
      expect(now.node.approved).toBe(true);
      // the comparison is run again: the approved version is now the one in force
      await expect(opsPage.getByTestId('policy-in-force').getByText(`In force: version ${proposed.version}`).waitFor()).resolves.toBeUndefined();
      expect(await opsPage.getByTestId('policy-in-force').innerText()).toContain(`${proposed.mqlThreshold} points`);
      await screenshot(opsPage, 'qualification-approved');
    } finally {
      await ops.close();
    }
  });

  it('shows on the alignment view the response-time distribution the API answers', async () => {
    await page.goto(`${app.origin}/?view=alignment&window=last-12-months&model=W_SHAPED&scope=ACCOUNT`);
    await loaded(page);
    const { from, to } = (() => {
      // "last 12 months" as the page computes it: the 12 months up to the end of today (UTC)
      const end = new Date();
      const day = Date.UTC(end.getUTCFullYear(), end.getUTCMonth(), end.getUTCDate() + 1);
      const start = new Date(day);
      start.setUTCFullYear(start.getUTCFullYear() - 1);
      return { from: start.toISOString().replace('.000Z', 'Z'), to: new Date(day).toISOString().replace('.000Z', 'Z') };
    })();
    const shown = await text(page, 'response-times');
    const { sla } = await api<{ sla: { responded: number; responseTimes: { fromHours: number; toHours: number | null; leads: number }[] } }>(
      'query ($w: ReportWindowInput!) { sla: slaCompliance(input: { window: $w }) { responded responseTimes { fromHours toHours leads } } }',
      { w: { from, to } },
    );
    expect(sla.responded).toBeGreaterThan(0);
    const count = (n: number) => new Intl.NumberFormat('en-US').format(n);
    expect(shown).toBe(sla.responseTimes.map((b) => `${b.toHours === null ? `${b.fromHours}+ h` : `${b.fromHours}–${b.toHours} h`}: ${count(b.leads)}`).join(' · '));
  });

  it('has no serious accessibility violation on any view, on a laptop and on a tablet', async () => {
    const views = ['overview', 'attribution', 'funnel', 'alignment', 'accounts', 'qualification', 'deal'];
    const found: Record<string, string[]> = {};
    for (const view of views) {
      await page.goto(`${app.origin}/?view=${view}&window=last-12-months&model=W_SHAPED&scope=ACCOUNT`);
      await loaded(page);
      const violations = await axeViolations(page);
      if (violations.length) found[view] = violations;
      await screenshot(page, `laptop-${view}`);
    }
    await page.setViewportSize({ width: 820, height: 1180 });
    for (const view of ['overview', 'attribution', 'alignment']) {
      await page.goto(`${app.origin}/?view=${view}&window=last-12-months`);
      await loaded(page);
      const violations = await axeViolations(page);
      if (violations.length) found[`tablet ${view}`] = violations;
      // nothing wider than the screen but the tables, which scroll in their own box
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(820);
      await screenshot(page, `tablet-${view}`);
    }
    expect(found).toEqual({});
    expect(blocked).toEqual([]);
    expect(errors).toEqual([]);
  });
});
