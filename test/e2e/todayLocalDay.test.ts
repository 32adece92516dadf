// Figures agents can trust (issue 13), in Chromium on the built UI: Today names the seat's local
// day (the server in a zone whose day is not UTC's right now), counts Alice's call-back as a call
// she made and not as offered, shows the hours and every agent's name in full at a popup's width
// (420 px); the missed list names a caller the directory knows. Screenshots go to
// artifacts/screenshots/.
import { describe, expect, it } from 'vitest';
import { ALICE, BOB } from '../../tools/simulator/cast';
import { openAgentUi, saveScreenshot } from '../support/browser';
import { startTestRingside, type TestRingside } from '../support/ringside';
import { browserRig } from '../support/browserRig';

const rig = browserRig({ noPageProblems: true });

const TIMEOUT = 60_000;
const HOUR = 3_600_000;
const LUCIA = '+34912223344';
const LONG_NAME = 'Alice Wonderland-Smythe (simulated)';

async function ok<T = unknown>(r: TestRingside, method: string, path: string, body?: unknown): Promise<T> {
  const res = await r.api<T>(method, path, { body });
  expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body;
}

async function phone(r: TestRingside, steps: Array<[string, Record<string, string>]>): Promise<void> {
  for (const [event, params] of steps) expect((await r.phone(event, params)).status, event).toBe(200);
  await r.settle();
}

/** A zone whose day is not the UTC day right now (the browser runs in UTC), and its fixed offset. */
function zoneAwayFromUtcDay(now: number): { zone: string; offsetMs: number } {
  return new Date(now).getUTCHours() < 12 ? { zone: 'Etc/GMT+12', offsetMs: -12 * HOUR } : { zone: 'Pacific/Kiritimati', offsetMs: 14 * HOUR };
}

describe('Today and the missed list in a browser', () => {
  it("today local day: the seat's day and hours, a call-back counted as a call made, names in full at 420 px", { timeout: TIMEOUT }, async ({ task }) => {
    const { zone, offsetMs } = zoneAwayFromUtcDay(Date.now());
    rig.ringside = await startTestRingside({ timezone: zone });
    const r = rig.ringside;
    await ok(r, 'POST', '/api/agents', { id: ALICE.id, name: LONG_NAME, extension: ALICE.phone.extension, devices: [ALICE.phone.mac] });
    await ok(r, 'POST', '/api/agents', { id: BOB.id, name: 'Bob', extension: BOB.phone.extension, devices: [BOB.phone.mac] });
    await ok(r, 'POST', '/api/agents', { id: 'carol', name: 'Carol', extension: '8103', supervisor: true });
    await ok(r, 'POST', '/api/contacts', { number: LUCIA, name: 'Lucía Fernández' });

    // Alice answers a caller, misses Lucía (her phone sends no name), then calls Lucía back; Bob answers one.
    const answered = { mac: ALICE.phone.mac, remote: '+34910000001', local: ALICE.phone.extension, display_remote: 'Customer' };
    const missed = { mac: ALICE.phone.mac, remote: LUCIA, local: ALICE.phone.extension, display_remote: '' };
    const bobs = { mac: BOB.phone.mac, remote: '+34910000002', local: BOB.phone.extension, display_remote: 'Customer' };
    await phone(r, [['incoming', answered], ['answered', answered], ['hangup', answered]]);
    await phone(r, [['incoming', missed], ['missed', missed]]);
    r.advance(r.config.missedDelayMs + 1);
    await r.settle();
    await r.settle();
    await phone(r, [['outgoing', missed], ['answered', missed], ['hangup', missed]]);
    await phone(r, [['incoming', bobs], ['answered', bobs], ['hangup', bobs]]);

    const startedAt = (await ok<{ items: Array<{ startedAt: number }> }>(r, 'GET', '/api/calls')).items[0]!.startedAt;
    const local = new Date(startedAt + offsetMs);
    const title = `Today, ${new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long' }).format(local)}`;

    // Alice at a popup's width: her local day, her figures (the call-back is a call made, not offered).
    const alice = await openAgentUi(rig.browser, r.instance.apiUrl, (await ok<{ token: string }>(r, 'POST', '/api/session', { agent: ALICE.id })).token, { viewport: { width: 420, height: 900 } });
    rig.pages.push(alice);
    await alice.page.getByRole('tab', { name: 'Today' }).click();
    const heading = alice.page.getByRole('heading', { level: 2 }).filter({ hasText: 'Today' });
    await heading.filter({ hasText: title }).waitFor();
    expect(await heading.innerText()).not.toContain('UTC');
    const figures = alice.page.getByLabel('Your figures today');
    await figures.locator('[data-figure="Offered"]', { hasText: '2' }).waitFor();
    expect(await figures.locator('[data-figure="Answered"]').innerText()).toBe('1');
    expect(await figures.locator('[data-figure="Missed"]').innerText()).toBe('1');
    expect(await figures.locator('[data-figure="Answer rate"]').innerText()).toBe('50 %');
    expect(await figures.locator('[data-figure="Calls made"]').innerText()).toBe('1');
    expect(await figures.locator('[data-figure-note="Calls made"]').innerText()).toBe('1 answered');
    // Her hours: the local hour of the calls holds one answered and one missed.
    await alice.page.locator(`[data-testid="hourly-chart"] g[data-hour="${local.getUTCHours()}"][data-total="2"]`).waitFor();
    expect(await alice.page.locator('[data-testid="hourly-chart"] g[data-total="0"]').count()).toBe(23);
    // Nothing wider than the window.
    expect(await alice.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(420);
    await saveScreenshot(alice.page, `${task.name.split(':')[0]} agent 420`);

    // The missed list names Lucía, as the popup and the history do.
    await alice.page.getByRole('tab', { name: /Missed/ }).click();
    const row = alice.page.locator('li.missed', { hasText: LUCIA });
    await row.waitFor();
    expect(await row.locator('.missed__name').innerText()).toBe(`Lucía Fernández (${LUCIA})`);
    await saveScreenshot(alice.page, `${task.name.split(':')[0]} missed 420`);

    // Carol, a supervisor, at 420 px too: everyone's figures, each agent's name in full.
    const carol = await openAgentUi(rig.browser, r.instance.apiUrl, (await ok<{ token: string }>(r, 'POST', '/api/session', { agent: 'carol' })).token, { viewport: { width: 420, height: 1100 } });
    rig.pages.push(carol);
    await carol.page.getByRole('tab', { name: 'Today' }).click();
    await carol.page.getByRole('heading', { level: 2 }).filter({ hasText: title }).waitFor();
    const everyone = carol.page.getByLabel("Everyone's figures today");
    await everyone.locator('[data-figure="Offered"]', { hasText: '3' }).waitFor();
    expect(await everyone.locator('[data-figure="Calls made"]').innerText()).toBe('1');
    const aliceBar = carol.page.locator(`.agent-bar[data-agent="${ALICE.id}"] .agent-bar__name`);
    expect(await aliceBar.innerText()).toBe(LONG_NAME);
    // Shown whole: not cut off by its box.
    expect(await aliceBar.evaluate((el) => el.scrollWidth <= el.clientWidth && el.scrollHeight <= el.clientHeight + 1)).toBe(true);
    expect(await carol.page.locator(`.agent-bar[data-agent="${BOB.id}"] .agent-bar__name`).innerText()).toBe('Bob');
    expect(await carol.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(420);
    await saveScreenshot(carol.page, `${task.name.split(':')[0]} supervisor 420`);
  });
});
