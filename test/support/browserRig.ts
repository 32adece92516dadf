import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { launchBrowser, openPage, type AgentUiPage } from './browser';
import type { TestRingside } from './ringside';

/** What a browser test file shares (browserRig). */
export interface BrowserRig {
  /** One Chromium for the whole file. */
  readonly browser: Browser;
  /** The Ringside the running test started; stopped after it. */
  ringside: TestRingside | null;
  /** The pages the running test opened; closed after it. */
  readonly pages: AgentUiPage[];
  /** Opens a page at `url` (optionally at a viewport's size), closed after the test. */
  open(url: string, viewport?: { width: number; height: number }): Promise<AgentUiPage>;
}

/**
 * One Chromium per test file and, after each test, its pages closed and its Ringside stopped.
 * With `noPageProblems` a test also fails on anything that went wrong inside its pages and that it
 * did not clear itself; `afterTest` runs last (a test file's own clean-up).
 */
export function browserRig(options: { noPageProblems?: boolean; afterTest?: () => Promise<void> } = {}): BrowserRig {
  let browser: Browser | undefined;
  const rig: BrowserRig = {
    get browser() {
      if (!browser) throw new Error('browserRig: Chromium is started in beforeAll; use it inside a test');
      return browser;
    },
    ringside: null,
    pages: [],
    async open(url, viewport) {
      const ui = await openPage(rig.browser, url, viewport ? { viewport } : {});
      rig.pages.push(ui);
      return ui;
    },
  };
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    const problems = rig.pages.flatMap((ui) => ui.problems);
    for (const ui of rig.pages.splice(0)) await ui.page.context().close();
    await rig.ringside?.stop();
    rig.ringside = null;
    await options.afterTest?.();
    if (options.noPageProblems) expect(problems).toEqual([]);
  });
  return rig;
}
