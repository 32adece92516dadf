// Issue 5's Settings and Today screens end to end: Debian's Chromium on the built UI, served by a
// real Ringside started in this process (Settings: an office seat on the real Redis and RabbitMQ;
// Today: embedded), with a simulated phone behind the phone Test. Screenshots go to
// artifacts/screenshots/.
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, BOB } from '../../tools/simulator/cast';
import { closeAllPhones, PHONE_PASSWORD, startPhone } from '../unit/tools/simulator/controlHelpers';
import { launchBrowser, openAgentUi, saveScreenshot, type AgentUiPage } from '../support/browser';
import { startOffice, type Office } from '../support/office';
import { startTestRingside, TEST_TOKEN, type TestRingside } from '../support/ringside';
import { REDIS_URL } from '../support/services';
import { newCaller } from '../integration/component/fixtures';

const TIMEOUT = 60_000;
const REDIS_PASSWORD = 'redis-e2e-secret-7731';

let browser: Browser;
let office: Office | null = null;
let ringside: TestRingside | null = null;
const pages: AgentUiPage[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  const problems = pages.flatMap((ui) => ui.problems);
  for (const ui of pages.splice(0)) await ui.page.context().close();
  await closeAllPhones();
  await ringside?.stop();
  await office?.stop();
  ringside = null;
  office = null;
  // Nothing failed inside the pages: no script error, no CSP violation, no failed request.
  expect(problems).toEqual([]);
});

async function open(r: TestRingside, token: string): Promise<AgentUiPage> {
  const ui = await openAgentUi(browser, r.instance.apiUrl, token);
  pages.push(ui);
  return ui;
}

async function ok<T = unknown>(r: TestRingside, method: string, path: string, body?: unknown): Promise<T> {
  const res = await r.api<T>(method, path, { body });
  expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body;
}

describe('Settings and Today in a browser', () => {
  it('settings: the admin console shows the ports, masked service URLs, a passing Redis test, the phone test and the Action URL lines', { timeout: TIMEOUT }, async ({ task }) => {
    // The Redis URL carries a password (the test server's default user takes any): it must never show.
    const redisUrl = new URL(REDIS_URL);
    if (!redisUrl.password) {
      redisUrl.username = 'default';
      redisUrl.password = REDIS_PASSWORD;
    }
    office = await startOffice(1, { publicHost: 'ringside.example.test' }, { redisUrl: () => redisUrl.toString() });
    const seat = office.seats[0]!;
    await ok(seat, 'POST', '/api/agents', { id: ALICE.id, name: 'Alice', extension: ALICE.phone.extension, devices: [ALICE.phone.mac] });
    const phone = await startPhone({ identity: ALICE.phone, form: 'session' });
    await ok(seat, 'PUT', `/api/devices/${ALICE.phone.mac}/control`, { host: phone.host, port: phone.port, password: PHONE_PASSWORD });

    const { page } = await open(seat, TEST_TOKEN);
    // The admin's side of it is the Admin tab's console: System, Phones and Connect a phone.
    await page.getByRole('tab', { name: 'Admin' }).click();
    await page.getByRole('tab', { name: 'System' }).click();

    const webhookPort = new URL(seat.instance.webhookUrl).port;
    const apiPort = new URL(seat.instance.apiUrl).port;
    await page.locator('[data-setting="webhook"]', { hasText: `127.0.0.1:${webhookPort}` }).waitFor();
    expect(await page.locator('[data-setting="api"]').innerText()).toBe(`127.0.0.1:${apiPort}`);
    expect(await page.locator('[data-setting="public"]').innerText()).toBe(`ringside.example.test:${webhookPort}`);
    const redisRow = page.locator('[data-service="redis"]');
    await redisRow.locator('text=:***@').waitFor();
    expect(await page.locator('[data-service="rabbitmq"]').innerText()).toContain(`exchange ${office.root}`);

    await page.getByRole('button', { name: 'Test Redis' }).click();
    await page.locator('[data-test-result="redis"]', { hasText: 'test passed' }).waitFor();
    await saveScreenshot(page, 'admin console system');

    await page.getByRole('tab', { name: 'Phones' }).click();
    await page.getByRole('button', { name: 'Test phone 000B825E0001' }).click();
    await page.locator('[data-phone-result="000B825E0001"]', { hasText: 'Logged in (session login); the phone is available.' }).waitFor();
    // Provisioning from the screen writes the same lines into the phone's slots.
    await page.getByRole('button', { name: 'Write the Action URLs into phone 000B825E0001' }).click();
    await page.locator('[data-phone-result="000B825E0001"]', { hasText: 'All 14 events now reach Ringside (14 written' }).waitFor();
    expect(phone.config.value('P8310')).toMatch(new RegExp(`^http://ringside\\.example\\.test:${webhookPort}/gs/.+/cti/incoming\\?`));

    // The Action URL lines, with copy buttons, for the admin token.
    await page.getByRole('tab', { name: 'Connect a phone' }).click();
    const lines = page.getByRole('definition').locator('code.action-url');
    await lines.first().waitFor();
    expect(await lines.count()).toBeGreaterThan(3);
    expect(await lines.first().innerText()).toContain(`http://ringside.example.test:${webhookPort}/gs/`);
    expect(await page.getByRole('button', { name: 'Copy all Action URLs' }).count()).toBe(1);

    const text = await page.locator('body').innerText();
    expect(text).not.toContain(redisUrl.password);
    expect(text).not.toContain(PHONE_PASSWORD);
    await saveScreenshot(page, task.name);
  });

  it("today supervisor: a supervisor sees everyone's figures and the chart; a plain agent only their own", { timeout: TIMEOUT }, async ({ task }) => {
    ringside = await startTestRingside();
    const r = ringside;
    await ok(r, 'POST', '/api/agents', { id: ALICE.id, name: 'Alice', extension: ALICE.phone.extension, devices: [ALICE.phone.mac] });
    await ok(r, 'POST', '/api/agents', { id: BOB.id, name: 'Bob', extension: BOB.phone.extension, devices: [BOB.phone.mac] });
    await ok(r, 'POST', '/api/agents', { id: 'carol', name: 'Carol', extension: '8103', supervisor: true });
    for (const [mac, local] of [[ALICE.phone.mac, ALICE.phone.extension], [ALICE.phone.mac, ALICE.phone.extension], [BOB.phone.mac, BOB.phone.extension]] as const) {
      const call = { mac, remote: newCaller(), local, display_remote: 'Customer' };
      for (const event of ['incoming', 'answered', 'hangup']) expect((await r.phone(event, call)).status).toBe(200);
    }
    await r.settle();

    // Carol, a supervisor: her own figures, everyone's, the chart and the table.
    const carol = await open(r, (await ok<{ token: string }>(r, 'POST', '/api/session', { agent: 'carol' })).token);
    await carol.page.locator('.whoami', { hasText: 'Carol' }).waitFor();
    await carol.page.getByRole('tab', { name: 'Today' }).click();
    const table = carol.page.getByRole('table', { name: 'Figures per agent' });
    await table.locator('tr', { hasText: 'Alice' }).waitFor();
    expect(await table.locator('tr', { hasText: 'Bob' }).count()).toBe(1);
    expect(await carol.page.getByRole('heading', { name: 'Everyone' }).count()).toBe(1);
    expect(await carol.page.getByLabel("Everyone's figures today").locator('[data-figure="Offered"]').innerText()).toBe('3');
    expect(await carol.page.locator('.agent-bar').count()).toBe(2);
    await saveScreenshot(carol.page, task.name);

    // Alice, a plain agent: her own figures and chart, nobody else's.
    const alice = await open(r, (await ok<{ token: string }>(r, 'POST', '/api/session', { agent: ALICE.id })).token);
    await alice.page.locator('.whoami', { hasText: 'Alice' }).waitFor();
    await alice.page.getByRole('tab', { name: 'Today' }).click();
    await alice.page.getByTestId('team-note').waitFor();
    await alice.page.getByLabel('Your figures today').locator('[data-figure="Offered"]', { hasText: '2' }).waitFor();
    expect(await alice.page.getByRole('heading', { name: 'Everyone' }).count()).toBe(0);
    expect(await alice.page.getByRole('table', { name: 'Figures per agent' }).count()).toBe(0);
    expect(await alice.page.getByTestId('hourly-chart').count()).toBe(1);
    expect(await alice.page.locator('.agent-bar').count()).toBe(0);
    expect(await alice.page.locator('body').innerText()).not.toContain('Bob');
  });
});
