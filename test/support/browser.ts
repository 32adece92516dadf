import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * The browser the end-to-end tests drive: Debian's Chromium through playwright-core (no browser
 * download: `apt-get install chromium`, which .ci/run does and exports as RINGSIDE_CHROMIUM).
 */
export const CHROMIUM = process.env.RINGSIDE_CHROMIUM ?? '/usr/bin/chromium';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const SCREENSHOT_DIR = join(ROOT, 'artifacts/screenshots');

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`The browser tests need Chromium at ${CHROMIUM}: apt-get install chromium (or set RINGSIDE_CHROMIUM)`);
  }
  // --no-sandbox: the tests run as root in CI, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}

export interface AgentUiPage {
  page: Page;
  /**
   * What went wrong inside the page: uncaught errors, console errors (a CSP violation is one),
   * failed requests. A test ends by expecting this to be empty.
   */
  problems: string[];
}

export interface PageOptions {
  colorScheme?: 'light' | 'dark';
  viewport?: { width: number; height: number };
  /** Runs in the page before its own scripts (a stand-in for the Electron bridge). */
  initScript?: () => void;
}

/** A fresh page that records its own errors, at `url`. */
export async function openPage(browser: Browser, url: string, options: PageOptions = {}): Promise<AgentUiPage> {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1100, height: 820 }, colorScheme: options.colorScheme ?? 'light', reducedMotion: 'reduce' });
  if (options.initScript) await context.addInitScript(options.initScript);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  await page.goto(url);
  return { page, problems };
}

/**
 * Opens the agent UI the way `ringside serve` prints it, `<api>/#token=<session token>`, and
 * waits until its WebSocket is connected (so a webhook sent next is seen by the page).
 */
export async function openAgentUi(browser: Browser, apiUrl: string, token: string, options: PageOptions = {}): Promise<AgentUiPage> {
  const ui = await openPage(browser, `${apiUrl}/#token=${encodeURIComponent(token)}`, options);
  await ui.page.locator('[data-testid="connection"][data-status="open"]').waitFor();
  return ui;
}

/**
 * `artifacts/screenshots/<name>.png`: the test's short name (its title up to a colon, as in
 * "missed call: listed with …"), made file-safe.
 */
export function screenshotPath(testName: string): string {
  const slug = testName.split(':')[0]!.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 100);
  return join(SCREENSHOT_DIR, `${slug}.png`);
}

export async function saveScreenshot(page: Page, testName: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = screenshotPath(testName);
  await page.screenshot({ path, fullPage: true });
  return path;
}
