import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { loadDemoDataWithDataSource } from '../../src/seed/load-demo';
import { builtServiceDir, ROOT } from '../helpers/built-service';
import { startHttpApp, type HttpTestApp } from '../helpers/http-app';

/*
 * Browser tests: Debian's Chromium (installed by .ci/run when missing, never downloaded) driven
 * by playwright-core against the real HTTP server, which serves the web build of this run.
 */

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(ROOT, 'test-artifacts', 'screenshots');

/** The web build of this run (vite build, once per run: the first file builds, the others wait). */
export async function webBuild(): Promise<string> {
  const dir = `${builtServiceDir()}-web`;
  const done = join(dir, '.built');
  let owner = false;
  try {
    mkdirSync(dir);
    owner = true;
  } catch {
    // another test file builds (or built) it
  }
  if (owner) {
    const out = join(dir, 'web');
    const result = spawnSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '-c', 'web/vite.config.mjs', '--outDir', out, '--emptyOutDir'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 170_000,
    });
    if (result.status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`the web build failed:\n${result.stdout}\n${result.stderr}`);
    }
    writeFileSync(done, '');
  }
  const deadline = Date.now() + 180_000;
  while (!existsSync(done)) {
    if (Date.now() > deadline || !existsSync(dir)) throw new Error('the web build of another test file did not finish');
    await new Promise((ok) => setTimeout(ok, 200));
  }
  return join(dir, 'web');
}

/** The HTTP app over a fresh database, serving this run's web build; `demo` loads the demo company (size S). */
export async function startWebApp(options: { demo?: boolean; configure?: Parameters<typeof startHttpApp>[0] } = {}): Promise<HttpTestApp & { origin: string }> {
  const webDir = await webBuild();
  const previous = process.env.WEB_DIR;
  process.env.WEB_DIR = webDir;
  try {
    const app = await startHttpApp(options.configure);
    if (options.demo) await loadDemoDataWithDataSource(app.db.ds, { size: 'S' });
    return Object.assign(app, { origin: new URL(app.url).origin });
  } finally {
    if (previous === undefined) delete process.env.WEB_DIR;
    else process.env.WEB_DIR = previous;
  }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * A browser context that may reach only `origin` (every other request is aborted and recorded)
 * and collects the page's errors.
 */
export async function offlineContext(browser: Browser, origin: string, options: { width?: number; height?: number } = {}) {
  const context: BrowserContext = await browser.newContext({
    viewport: { width: options.width ?? 1366, height: options.height ?? 900 },
    locale: 'en-US',
    timezoneId: 'UTC',
    acceptDownloads: true,
  });
  const blocked: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    blocked.push(url);
    return route.abort('internetdisconnected');
  });
  const errors: string[] = [];
  context.on('weberror', (e) => errors.push(e.error().message));
  return { context, blocked, errors };
}

export async function screenshot(page: Page, name: string, fullPage = true): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}

/** Signs in on the dashboard with `key` and waits for the views' navigation. */
export async function signIn(page: Page, origin: string, key: string, search = ''): Promise<void> {
  await page.goto(`${origin}/${search}`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Views' }).waitFor();
}

/** Formatting as the dashboard does it in en-US, restated here: the test checks the page against it. */
export const expected = {
  money: (v: string | number | null) => (v === null ? '—' : new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0, minimumFractionDigits: 0 }).format(Number(v))),
  cents: (v: string | number | null) => (v === null ? '—' : new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2 }).format(Number(v))),
  percent: (v: number | null) => (v === null ? '—' : new Intl.NumberFormat('en-US', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(v)),
  ratio: (v: number | null) => (v === null ? '—' : `${new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(v)}×`),
};
