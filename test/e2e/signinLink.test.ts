// A one-time sign-in link (`ringside signin`, `npm start` on a desktop) in a real browser: the page
// trades `#signin=<code>` for a session, takes the code out of the address bar, and a second
// opening of the same link signs nobody in.
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, type AgentUiPage } from '../support/browser';
import { startTestRingside, type TestRingside } from '../support/ringside';

let browser: Browser;
let ringside: TestRingside | null = null;
const pages: AgentUiPage[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  for (const ui of pages.splice(0)) await ui.page.context().close();
  await ringside?.stop();
  ringside = null;
});

describe('a one-time sign-in link', () => {
  it('signs the agent in once and leaves no code in the address bar', async () => {
    ringside = await startTestRingside();
    const { url } = (await ringside.api<{ url: string }>('POST', '/api/signin-links')).body;

    const first = await openPage(browser, url);
    pages.push(first);
    await first.page.locator('[data-testid="connection"][data-status="open"]').waitFor();
    expect(first.page.url()).toBe(`${ringside.instance.apiUrl}/`);
    expect(first.problems).toEqual([]);

    // The same link again (from a terminal's scrollback, say): no session; the sign-in page says why.
    const second = await openPage(browser, url);
    pages.push(second);
    await second.page.getByTestId('signin-notice').filter({ hasText: 'This sign-in link was used already' }).waitFor();
    await second.page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(second.page.url()).toBe(`${ringside.instance.apiUrl}/`);
    // The refused trade is the only thing that went wrong there.
    expect(second.problems.filter((p) => !/401/.test(p))).toEqual([]);
  });
});
