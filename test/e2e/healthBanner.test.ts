// The health banner end to end: Ringside in shared mode reaches the real Redis through a TCP proxy
// this test owns, so Redis can be taken away from it (never stopping the machine's Redis, which
// other test files use). The browser shows the banner while Redis is away and drops it after.
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchBrowser, openAgentUi, saveScreenshot, type AgentUiPage } from '../support/browser';
import { deleteKeys } from '../support/office';
import { startTestRingside, type TestRingside } from '../support/ringside';
import { REDIS_URL, TEST_CACHE_DB, TEST_CALLS_DB, uniqueName } from '../support/services';
import { startTcpProxy, targetOf, type TcpProxy } from '../support/tcpProxy';

const MAC = '00:0B:82:E2:E0:01';

let browser: Browser;
let proxy: TcpProxy;
let ringside: TestRingside | null = null;
let ui: AgentUiPage | null = null;
let root: string;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

beforeEach(async () => {
  proxy = await startTcpProxy(targetOf(REDIS_URL, 6379));
  root = uniqueName('e2e-health');
  ringside = await startTestRingside({ redis: { url: proxy.url(REDIS_URL), callsDb: TEST_CALLS_DB, cacheDb: TEST_CACHE_DB, keyPrefix: root } });
});
afterEach(async () => {
  const problems = ui?.problems ?? [];
  await ui?.page.context().close();
  ui = null;
  // Redis comes back first, so that Ringside closes cleanly.
  proxy.resume();
  try {
    await ringside?.stop();
  } finally {
    ringside = null;
    await proxy.close();
    await deleteKeys(root);
  }
  expect(problems).toEqual([]);
});

describe('the health banner', () => {
  it('health banner: appears while Redis is down and goes once it is back', { timeout: 60_000 }, async ({ task }) => {
    const r = ringside!;
    const created = await r.api('POST', '/api/agents', { body: { id: 'erin', name: 'Erin', extension: '301', devices: [MAC] } });
    expect(created.status).toBe(200);
    const session = await r.api<{ token: string }>('POST', '/api/session', { body: { agent: 'erin' } });
    ui = await openAgentUi(browser, r.instance.apiUrl, session.body.token);
    const { page } = ui;
    const banner = page.getByTestId('health-banner');
    expect(await banner.count()).toBe(0);

    // Redis goes away: every connection is cut and the reconnects are held by the proxy.
    const cut = proxy.pause({ newConnections: 'hold' });
    expect(cut).toBeGreaterThan(0);
    await proxy.arrivals(cut);

    await banner.locator('[data-problem="redis"]', { hasText: 'Redis is unreachable' }).waitFor();
    // The UI's own connection to Ringside is fine: only the dependency is reported.
    expect(await page.getByTestId('connection').getAttribute('data-status')).toBe('open');
    await saveScreenshot(page, task.name);

    proxy.resume();
    await banner.waitFor({ state: 'detached' });
  });
});
