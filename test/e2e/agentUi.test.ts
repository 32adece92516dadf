// The agent UI end to end: Debian's Chromium (playwright-core) on the built UI, served by a real
// Ringside started in this process, driven by phone webhooks as the phones send them. Each test
// saves a screenshot to artifacts/screenshots/.
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ALICE, BOB } from '../../tools/simulator/cast';
import type { SimulatedPhoneControl } from '../../tools/simulator/control/SimulatedPhoneControl';
import { closeAllPhones, PHONE_PASSWORD, startPhone } from '../unit/tools/simulator/controlHelpers';
import { launchBrowser, openAgentUi, saveScreenshot, type AgentUiPage } from '../support/browser';
import { TEST_WEBHOOK_TOKEN, type TestRingside } from '../support/ringside';
import { newCaller } from '../integration/component/fixtures';
import { HELPLINE, startUiOffice, type UiOffice } from './office';

const MISSED_DELAY_MS = 60_000;
const TIMEOUT = 60_000;

let browser: Browser;
let ringside: TestRingside;
let office: UiOffice;
let ui: AgentUiPage | null = null;

/** A call's phone parameters, as a GXP phone sends them. */
function call(mac: string, remote: string, local: string, displayRemote = 'Customer'): Record<string, string> {
  return { mac, remote, local, display_remote: displayRemote };
}



/** Alice's agent UI in the browser, the way `ringside serve` prints its link. */
async function openAsAlice(options: { colorScheme?: 'light' | 'dark' } = {}): Promise<AgentUiPage> {
  const { token } = await office.admin<{ token: string }>('POST', '/api/session', { agent: ALICE.id });
  ui = await openAgentUi(browser, ringside.instance.apiUrl, token, options);
  // Alice is known once the health message (her phones) and the directory are in.
  await ui.page.locator('.whoami', { hasText: 'Alice' }).waitFor();
  return ui;
}

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

beforeEach(async () => {
  office = await startUiOffice({ missedDelayMs: MISSED_DELAY_MS });
  ringside = office.ringside;
});
afterEach(async () => {
  const problems = ui?.problems ?? [];
  await ui?.page.context().close();
  ui = null;
  await closeAllPhones();
  await ringside.stop();
  // Nothing failed inside the page: no script error, no CSP violation, no failed request.
  expect(problems).toEqual([]);
});

describe('the agent UI in a browser', () => {
  it('incoming call card: a webhook shows the caller card with name, company, notes, line and ring timer', { timeout: TIMEOUT }, async ({ task }) => {
    const caller = newCaller();
    await office.admin('POST', '/api/contacts', { number: caller, name: 'Ann Example', company: 'Example Ltd', notes: 'Prefers a call back after 14:00.' });
    const { page } = await openAsAlice();

    await office.phone('incoming', call(ALICE.phone.mac, caller, ALICE.phone.extension));

    const card = page.getByRole('region', { name: 'Incoming call: Ann Example' });
    await card.waitFor();
    const text = await card.innerText();
    expect(text).toContain(caller);
    expect(text).toContain('Example Ltd');
    expect(text).toContain('Prefers a call back after 14:00.');
    expect(text).toContain('Direct line');
    await card.getByRole('timer', { name: 'Ringing for' }).waitFor();
    await saveScreenshot(page, task.name);
  });

  it('answered elsewhere: an answer on another phone closes the card with who answered', { timeout: TIMEOUT }, async ({ task }) => {
    const caller = newCaller();
    const { page } = await openAsAlice();

    // The helpline rings both phones; Bob picks up on his.
    await office.phone('incoming', call(ALICE.phone.mac, caller, HELPLINE, 'Harriet'));
    await office.phone('incoming', call(BOB.phone.mac, caller, HELPLINE, 'Harriet'));
    const ringing = page.getByRole('region', { name: 'Incoming call: Harriet' });
    await ringing.waitFor();
    expect(await ringing.innerText()).toContain('Helpline Support (5000)');

    await office.phone('answered', call(BOB.phone.mac, caller, HELPLINE));
    const closed = page.getByRole('region', { name: 'Answered by Bob: Harriet' });
    await closed.waitFor();
    expect(await closed.getAttribute('data-phase')).toBe('answered_elsewhere');
    await ringing.waitFor({ state: 'detached' });
    await saveScreenshot(page, task.name);
  });

  it('missed call: listed with an unread count; call-back takes ownership and dials', { timeout: TIMEOUT }, async ({ task }) => {
    const webhook = new URL(ringside.instance.webhookUrl);
    const desk: SimulatedPhoneControl = await startPhone({
      identity: ALICE.phone, form: 'session', remoteAnswer: { afterMs: 0 },
      webhook: { host: '127.0.0.1', port: Number(webhook.port), token: TEST_WEBHOOK_TOKEN },
    });
    await office.admin('PUT', `/api/devices/${ALICE.phone.mac}/control`, { host: desk.host, port: desk.port, password: PHONE_PASSWORD });
    const caller = newCaller();
    const { page } = await openAsAlice();
    // Away from the missed-call list, a new one counts as unread.
    await page.getByRole('tab', { name: 'History' }).click();

    await office.phone('incoming', call(ALICE.phone.mac, caller, ALICE.phone.extension, 'Carol'));
    await page.getByRole('region', { name: 'Incoming call: Carol' }).waitFor();
    await office.phone('missed', call(ALICE.phone.mac, caller, ALICE.phone.extension));
    await page.getByRole('region', { name: 'Caller hung up: Carol' }).waitFor();
    // The grace delay passes (on Ringside's clock): the call is missed.
    ringside.advance(MISSED_DELAY_MS + 1_000);
    await ringside.settle();

    await page.getByTestId('badge-missed').filter({ hasText: '1' }).waitFor();
    await page.getByRole('tab', { name: /Missed calls/ }).click();
    const item = page.locator('li.missed', { hasText: caller });
    await item.locator('[data-testid="missed-state"]', { hasText: 'Nobody has called back yet' }).waitFor();
    await page.getByTestId('badge-missed').waitFor({ state: 'detached' });

    await item.getByRole('button', { name: /^Call back/ }).click();
    await item.getByRole('status').filter({ hasText: `Dialling ${caller} on your phone.` }).waitFor();
    const [missed] = (await office.admin<{ items: Array<{ callId: string; owner: string | null }> }>('GET', `/api/missed?limit=5`)).items;
    expect(missed).toMatchObject({ owner: ALICE.id });

    // The phone dialled and the callee answered: the call-back closes the missed call, and the
    // agent is on the call.
    await desk.outbox.flush();
    await ringside.settle();
    await item.locator('[data-testid="missed-state"]', { hasText: /Called back by you/ }).waitFor();
    await page.getByRole('region', { name: /^On call \(outgoing\)/ }).waitFor();
    await saveScreenshot(page, task.name);
  });

  it('history: search finds a call by name and shows its legs', { timeout: TIMEOUT }, async ({ task }) => {
    const found = newCaller();
    const other = newCaller();
    await office.admin('POST', '/api/contacts', { number: found, name: 'Dora Searchable', company: 'Lookup GmbH' });
    for (const [remote, answeredOn] of [[found, BOB.phone.mac], [other, ALICE.phone.mac]] as const) {
      await office.phone('incoming', call(ALICE.phone.mac, remote, HELPLINE));
      await office.phone('incoming', call(BOB.phone.mac, remote, HELPLINE));
      await office.phone('answered', call(answeredOn, remote, HELPLINE));
      await office.phone('hangup', call(answeredOn, remote, HELPLINE));
    }
    await ringside.settle();
    const { page } = await openAsAlice({ colorScheme: 'dark' });

    await page.getByRole('tab', { name: 'History' }).click();
    const calls = page.getByRole('table', { name: 'Calls' });
    await calls.locator('tr', { hasText: other }).waitFor();
    await page.getByRole('searchbox', { name: 'Number or name' }).fill('Dora');
    await page.getByRole('searchbox', { name: 'Number or name' }).press('Enter');
    await calls.locator('tr', { hasText: other }).waitFor({ state: 'detached' });
    const row = calls.locator('tr', { hasText: found });
    await row.waitFor();
    expect(await row.innerText()).toContain('Dora Searchable');

    await row.getByRole('button', { name: 'Details' }).click();
    const legs = page.getByRole('table', { name: 'Who the call rang' });
    await legs.waitFor();
    const legText = await legs.innerText();
    expect(legText).toContain('Alice');
    expect(legText).toContain('Bob');
    await saveScreenshot(page, task.name);
  });

  it("an agent's own: History and Missed calls hold her calls and her helpline's, not Bob's; Settings shows her phone without its address or login", { timeout: TIMEOUT }, async () => {
    const [hers, bobsAnswered, bobsMissed, onTheHelpline] = [newCaller(), newCaller(), newCaller(), newCaller()];
    await office.admin('PUT', `/api/devices/${ALICE.phone.mac}/control`, { host: '192.0.2.55', port: 8088, username: 'desk', password: PHONE_PASSWORD });
    for (const [mac, remote, local] of [[ALICE.phone.mac, hers, ALICE.phone.extension], [BOB.phone.mac, bobsAnswered, BOB.phone.extension]] as const) {
      for (const event of ['incoming', 'answered', 'hangup']) await office.phone(event, call(mac, remote, local));
    }
    // Bob's direct missed call, and a helpline call that rang only Bob's phone: hers as a member of the helpline.
    for (const [remote, local] of [[bobsMissed, BOB.phone.extension], [onTheHelpline, HELPLINE]] as const) {
      await office.phone('incoming', call(BOB.phone.mac, remote, local));
      await office.phone('missed', call(BOB.phone.mac, remote, local));
    }
    await ringside.settle();
    ringside.advance(MISSED_DELAY_MS + 1_000);
    await ringside.settle();
    const { page } = await openAsAlice();

    await page.getByRole('tab', { name: /Missed calls/ }).click();
    await page.locator('li.missed', { hasText: onTheHelpline }).waitFor();
    expect(await page.locator('li.missed', { hasText: bobsMissed }).count()).toBe(0);

    await page.getByRole('tab', { name: 'History' }).click();
    const calls = page.getByRole('table', { name: 'Calls' });
    await calls.locator('tr', { hasText: hers }).waitFor();
    await calls.locator('tr', { hasText: onTheHelpline }).waitFor();
    for (const remote of [bobsAnswered, bobsMissed]) expect(await calls.locator('tr', { hasText: remote }).count(), remote).toBe(0);
    await saveScreenshot(page, 'agent own history');

    await page.getByRole('tab', { name: 'Settings' }).click();
    const mac = ALICE.phone.mac.replaceAll(':', '');
    const phone = page.getByRole('group', { name: `Phone ${mac}` });
    await phone.locator(`[data-phone-ready="${mac}"]`, { hasText: 'yes' }).waitFor();
    expect(await page.getByRole('textbox', { name: /Address|User name/ }).count()).toBe(0);
    const text = await page.locator('body').innerText();
    for (const secret of ['192.0.2.55', '8088', 'desk', PHONE_PASSWORD]) expect(text, secret).not.toContain(secret);
    await saveScreenshot(page, 'agent own settings');
  });

  it("presence: the agent's choice reaches Ringside, and others' presence on the helpline follows live", { timeout: TIMEOUT }, async ({ task }) => {
    const { page } = await openAsAlice();
    await page.getByRole('tab', { name: 'Team' }).click();
    const bobOnTeam = page.getByRole('list', { name: 'Presence on Support (5000)' }).locator(`[data-agent="${BOB.id}"]`);
    await bobOnTeam.filter({ hasText: 'Offline' }).waitFor();

    // Bob opens his UI (his heartbeat makes him available), then turns on do-not-disturb.
    const bob = await ringside.agent(BOB.id, { name: 'Bob', extension: BOB.phone.extension, devices: [BOB.phone.mac] });
    await bobOnTeam.filter({ hasText: 'Available' }).waitFor();
    bob.send({ type: 'presence.set', status: 'dnd' });
    await bobOnTeam.filter({ hasText: 'Do not disturb' }).waitFor();

    // Alice goes away, with the keyboard: the presence choices are radio buttons.
    await page.getByRole('radio', { name: 'Available' }).focus();
    await page.keyboard.press('ArrowRight');
    await bob.next((m) => m.type === 'presence.changed' && m.agent === ALICE.id && m.status === 'away', 'alice away');
    const agents = await office.admin<{ items: Array<{ id: string; presence: string }> }>('GET', '/api/agents');
    expect(agents.items.find((a) => a.id === ALICE.id)?.presence).toBe('away');
    expect(await page.getByRole('radio', { name: 'Away' }).isChecked()).toBe(true);
    await saveScreenshot(page, task.name);
  });
});
