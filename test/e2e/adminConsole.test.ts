// The admin console and the agent's own Settings end to end: Debian's Chromium on the built UI,
// served by a real Ringside started in this process. The admin adds an agent, binds a phone to
// them, adds a helpline and imports contacts from a CSV file with bad rows; an agent has no console
// and the server refuses them its requests; ended call cards close after the agent's chosen time
// (the page's clock, driven by playwright); History and Settings fit a 420 px window.
// Screenshots go to artifacts/screenshots/.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ALICE } from '../../tools/simulator/cast';
import { openAgentUi, saveScreenshot, type AgentUiPage, type PageOptions } from '../support/browser';
import { startTestRingside, TEST_TOKEN } from '../support/ringside';
import { newCaller } from '../integration/component/fixtures';
import { browserRig } from '../support/browserRig';

const rig = browserRig({ noPageProblems: true });

const TIMEOUT = 60_000;
const NARROW = { width: 420, height: 760 };

async function open(token: string, options: PageOptions = {}): Promise<AgentUiPage> {
  const ui = await openAgentUi(rig.browser, rig.ringside!.instance.apiUrl, token, options);
  rig.pages.push(ui);
  return ui;
}

async function ok<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await rig.ringside!.api<T>(method, path, { body });
  expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body;
}

async function agentToken(id: string): Promise<string> {
  return (await ok<{ token: string }>('POST', '/api/session', { agent: id })).token;
}

/** No part of the page is wider than the window (nothing to scroll sideways). */
async function horizontalOverflow(page: Page): Promise<{ scrollWidth: number; innerWidth: number }> {
  return page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
}

async function screenshot(page: Page, name: string): Promise<void> {
  await saveScreenshot(page, name);
}

describe('the admin console', () => {
  it('admin console: adds an agent, binds a phone, adds a helpline, imports contacts showing each bad row by line', { timeout: TIMEOUT }, async () => {
    rig.ringside = await startTestRingside();
    const ui = await open(TEST_TOKEN);
    const { page } = ui;
    await page.getByRole('tab', { name: 'Admin' }).click();
    const admin = page.getByRole('region', { name: 'Admin' });

    // An agent.
    const addAgent = admin.getByRole('form', { name: 'Add an agent' });
    await addAgent.getByLabel('Name', { exact: true }).fill('Dana Ortiz');
    await addAgent.getByLabel('Sign-in name').fill('dana');
    await addAgent.getByLabel('Extension').fill('8201');
    await addAgent.getByRole('button', { name: 'Add agent' }).click();
    await admin.locator('[data-agent-row="dana"]', { hasText: 'Dana Ortiz' }).waitFor();
    // A second one with the same extension is refused, in words, and nothing is written.
    await addAgent.getByLabel('Name', { exact: true }).fill('Eve');
    await addAgent.getByLabel('Sign-in name').fill('eve');
    await addAgent.getByLabel('Extension').fill('8201');
    await addAgent.getByRole('button', { name: 'Add agent' }).click();
    await admin.getByTestId('agent-new-status').filter({ hasText: 'Extension 8201 belongs to agent dana.' }).waitFor();
    // The browser logs the refused request: expected here.
    ui.problems.splice(0, ui.problems.length, ...ui.problems.filter((p) => !/409/.test(p)));
    const ids = (await ok<{ items: { id: string }[] }>('GET', '/api/agents')).items.map((a) => a.id);
    expect(ids).toContain('dana');
    expect(ids).not.toContain('eve');

    // Her phone.
    await admin.getByRole('tab', { name: 'Phones' }).click();
    const addPhone = admin.getByRole('form', { name: 'Add a phone' });
    await addPhone.getByLabel('MAC address').fill('00:0b:82:aa:bb:01');
    await addPhone.getByLabel('Agent').selectOption('dana');
    await addPhone.getByRole('button', { name: 'Add phone' }).click();
    await admin.getByTestId('phones-status').filter({ hasText: 'Phone 000B82AABB01 is now Dana Ortiz’s.' }).waitFor();
    await admin.locator('[data-phone="000B82AABB01"]').waitFor();
    const dana = (await ok<{ items: { id: string; devices: string[] }[] }>('GET', '/api/agents')).items.find((a) => a.id === 'dana');
    expect(dana?.devices).toEqual(['000B82AABB01']);

    // A helpline she answers.
    await admin.getByRole('tab', { name: 'Helplines' }).click();
    const addHelpline = admin.getByRole('form', { name: 'Add a helpline' });
    await addHelpline.getByLabel('Number').fill('8300');
    await addHelpline.getByLabel('Name', { exact: true }).fill('Support');
    await addHelpline.getByLabel('Dana Ortiz').check();
    await addHelpline.getByRole('button', { name: 'Add helpline' }).click();
    await admin.locator('[data-helpline-row="8300"]', { hasText: 'Dana Ortiz' }).waitFor();
    expect((await ok<{ items: { number: string; agents: string[] | null }[] }>('GET', '/api/helplines')).items).toEqual([
      expect.objectContaining({ number: '8300', name: 'Support', agents: ['dana'] }),
    ]);

    // Contacts from a file with two bad rows: lines 3 (no name) and 5 (no digits in the number).
    await admin.getByRole('tab', { name: 'Contacts' }).click();
    const csv = ['number,name,company', '+34911000001,Lucía Fernández,Acme', '+34911000002,,Acme', '+34911000003,Marta Ruiz,', 'no-digits,Nobody,'].join('\n');
    await admin.getByLabel('CSV file').setInputFiles({ name: 'contacts.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
    await admin.getByRole('button', { name: 'Import' }).click();
    const result = admin.getByTestId('import-result');
    await result.waitFor();
    expect(await result.innerText()).toContain('2 contacts imported. 2 rows were left out:');
    const rejected = result.getByRole('list', { name: 'Rows left out' }).getByRole('listitem');
    expect(await rejected.evaluateAll((items) => items.map((li) => li.getAttribute('data-line')))).toEqual(['3', '5']);
    expect(await rejected.first().innerText()).toMatch(/^Line 3: /);
    // The list shows the imported contacts.
    await admin.locator('[data-contact-row="+34911000001"]', { hasText: 'Lucía Fernández' }).waitFor();
    await screenshot(page, 'admin console contacts 1100');

    // A contact edited, another removed (the browser's confirmation accepted).
    page.on('dialog', (dialog) => void dialog.accept());
    await admin.getByRole('button', { name: 'Edit Marta Ruiz' }).click();
    const editContact = admin.getByRole('form', { name: 'Edit Marta Ruiz' });
    await editContact.getByLabel('Company').fill('Ruiz & Co');
    await editContact.getByRole('button', { name: 'Save' }).click();
    await admin.locator('[data-contact-row="+34911000003"]', { hasText: 'Ruiz & Co' }).waitFor();
    await admin.getByRole('button', { name: 'Remove Lucía Fernández' }).click();
    await admin.locator('[data-contact-row="+34911000001"]').waitFor({ state: 'detached' });

    // Dana edited: her extension changes, her helpline shows by name; her phone and helpline stay.
    await admin.getByRole('tab', { name: 'Agents' }).click();
    await admin.locator('[data-agent-row="dana"]', { hasText: 'Helpline Support (8300)' }).waitFor();
    await admin.getByRole('button', { name: 'Edit Dana Ortiz' }).click();
    const editAgent = admin.getByRole('form', { name: 'Edit Dana Ortiz' });
    await editAgent.getByLabel('Extension').fill('8202');
    await editAgent.getByRole('button', { name: 'Save' }).click();
    await admin.locator('[data-agent-row="dana"]', { hasText: '8202' }).waitFor();
    expect((await ok<{ items: { id: string; extension: string; devices: string[]; helplines: string[] }[] }>('GET', '/api/agents')).items.find((a) => a.id === 'dana'))
      .toMatchObject({ extension: '8202', devices: ['000B82AABB01'], helplines: ['8300'] });
    await screenshot(page, 'admin console agents 1100');
    await page.setViewportSize(NARROW);
    expect(await horizontalOverflow(page)).toEqual({ scrollWidth: NARROW.width, innerWidth: NARROW.width });
    await screenshot(page, 'admin console agents 420');
    await admin.getByRole('tab', { name: 'Phones' }).click();
    await admin.locator('[data-phone="000B82AABB01"]').waitFor();
    expect(await horizontalOverflow(page)).toEqual({ scrollWidth: NARROW.width, innerWidth: NARROW.width });
    await screenshot(page, 'admin console phones 420');
  });

  it('agent: no Admin tab, the server refuses the console requests, and Settings speaks to the agent', { timeout: TIMEOUT }, async () => {
    rig.ringside = await startTestRingside();
    await ok('POST', '/api/agents', { id: ALICE.id, name: 'Alice', extension: ALICE.phone.extension, devices: [ALICE.phone.mac] });
    const ui = await open(await agentToken(ALICE.id));
    const { page } = ui;
    await page.locator('.whoami', { hasText: 'Alice' }).waitFor();
    await page.getByRole('tab', { name: 'Settings' }).waitFor();
    expect(await page.getByRole('tab', { name: 'Admin' }).count()).toBe(0);

    // The same request the console makes, with this page's own session: refused.
    const status = await page.evaluate(async () => {
      const token = sessionStorage.getItem('ringside.session');
      const res = await fetch('/api/agents', {
        method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ id: 'mallory', name: 'Mallory' }),
      });
      return res.status;
    });
    expect(status).toBe(403);
    ui.problems.splice(0, ui.problems.length, ...ui.problems.filter((p) => !/403/.test(p)));
    expect((await ok<{ items: { id: string }[] }>('GET', '/api/agents')).items.map((a) => a.id)).not.toContain('mallory');

    await page.getByRole('tab', { name: 'Settings' }).click();
    const settings = page.getByRole('region', { name: 'Settings' });
    await settings.getByRole('group', { name: `Phone ${ALICE.phone.mac.replace(/:/g, '')}` }).waitFor();
    await settings.getByLabel('Close the card of an ended call').waitFor();
    const text = await settings.innerText();
    for (const internal of ['/api/', 'spool', 'REDIS_URL', 'AMQP_URL', 'admin token', 'webhook', 'Redis', 'RabbitMQ', 'Check']) expect(text).not.toContain(internal);
    await screenshot(page, 'agent settings 1100');
    await page.setViewportSize(NARROW);
    expect(await horizontalOverflow(page)).toEqual({ scrollWidth: NARROW.width, innerWidth: NARROW.width });
    await screenshot(page, 'agent settings 420');
  });

  it('history 420: the call history fits a popup-sized window', { timeout: TIMEOUT }, async () => {
    rig.ringside = await startTestRingside();
    await ok('POST', '/api/agents', { id: ALICE.id, name: 'Alice', extension: ALICE.phone.extension, devices: [ALICE.phone.mac] });
    await ok('POST', '/api/helplines', { number: '8300', name: 'Support', agents: [ALICE.id] });
    const caller = newCaller();
    await ok('POST', '/api/contacts', { number: caller, name: 'Bartholomew Featherstonehaugh-Whittington', company: 'Example Holdings International' });
    for (const event of ['incoming', 'answered', 'hangup']) expect((await rig.ringside.phone(event, { mac: ALICE.phone.mac, remote: caller, local: '8300', display_remote: 'Customer' })).status).toBe(200);
    await rig.ringside.settle();

    const { page } = await open(await agentToken(ALICE.id), { viewport: NARROW });
    await page.getByRole('tab', { name: 'History' }).click();
    const row = page.getByRole('table', { name: 'Calls' }).locator('tr', { hasText: 'Bartholomew' });
    await row.waitFor();
    expect(await horizontalOverflow(page)).toEqual({ scrollWidth: NARROW.width, innerWidth: NARROW.width });
    await row.getByRole('button', { name: 'Details' }).click();
    await page.getByRole('table', { name: 'Who the call rang' }).waitFor();
    expect(await horizontalOverflow(page)).toEqual({ scrollWidth: NARROW.width, innerWidth: NARROW.width });
    await screenshot(page, 'history 420');
  });

  it('ended cards: close by themselves after the seconds the agent chose, or stay when asked to', { timeout: TIMEOUT }, async () => {
    rig.ringside = await startTestRingside();
    await ok('POST', '/api/agents', { id: ALICE.id, name: 'Alice', extension: ALICE.phone.extension, devices: [ALICE.phone.mac] });
    const token = await agentToken(ALICE.id);
    // The page's clock is playwright's: it runs at real pace until the test moves it on.
    const context = await rig.browser.newContext({ viewport: { width: 1100, height: 820 }, reducedMotion: 'reduce' });
    const page = await context.newPage();
    const ui: AgentUiPage = { page, problems: [] };
    rig.pages.push(ui);
    page.on('pageerror', (error) => ui.problems.push(`page error: ${error.message}`));
    await page.clock.install();
    await page.goto(`${rig.ringside.instance.apiUrl}/#token=${encodeURIComponent(token)}`);
    await page.locator('[data-testid="connection"][data-status="open"]').waitFor();

    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByLabel('Close the card of an ended call').selectOption('30');

    const ringAndEnd = async (name: string) => {
      const params = { mac: ALICE.phone.mac, remote: newCaller(), local: ALICE.phone.extension, display_remote: name };
      expect((await rig.ringside!.phone('incoming', params)).status).toBe(200);
      await page.getByRole('region', { name: `Incoming call: ${name}` }).waitFor();
      expect((await rig.ringside!.phone('hangup', params)).status).toBe(200);
      const ended = page.locator('section.card[data-phase="ended"]', { hasText: name });
      await ended.waitFor();
      return ended;
    };

    // 30 seconds: still there after 29 (the default of 8 would have closed it), gone after 31.
    const first = await ringAndEnd('Quentin');
    await page.clock.fastForward(29_000);
    expect(await first.count()).toBe(1);
    await page.clock.fastForward(2_000);
    await first.waitFor({ state: 'detached' });

    // Kept until closed by hand: still there two minutes on; Close takes it away.
    await page.getByLabel('Close the card of an ended call').selectOption('never');
    const second = await ringAndEnd('Rosalind');
    await page.clock.fastForward(120_000);
    expect(await second.count()).toBe(1);
    await second.getByRole('button', { name: 'Close' }).click();
    await second.waitFor({ state: 'detached' });
  });
});
