// Issue 13, the first hour: on a fresh single seat, the seat's own agent, signed in through the
// seat's sign-in link, administers the seat: the Admin tab is theirs, they add a second agent and a
// helpline, and give the new agent an invite link, which the agent opens in their own window to
// choose a password and sign in. Debian's Chromium on the built UI, served by a real Ringside in
// this process. Screenshots go to artifacts/screenshots/.
import { describe, expect, it } from 'vitest';
import { saveScreenshot } from '../support/browser';
import { startTestRingside } from '../support/ringside';
import { browserRig } from '../support/browserRig';

const rig = browserRig();

const TIMEOUT = 60_000;
const NARROW = { width: 420, height: 760 };
const PASSWORD = 'correct horse battery';

describe("the seat's own agent administers a single seat", () => {
  it('seat admin: signs in by the seat link, sees Admin, adds an agent and a helpline, invites the agent, who chooses a password and signs in', { timeout: TIMEOUT }, async () => {
    rig.ringside = await startTestRingside();
    const { url } = (await rig.ringside.api<{ url: string }>('POST', '/api/signin-links', { body: { agent: rig.ringside.config.agent } })).body;
    const ui = await rig.open(url);
    const { page } = ui;
    await page.locator('[data-testid="connection"][data-status="open"]').waitFor();
    // A fresh seat offers its setup first; this test is about the console.
    await page.getByRole('button', { name: 'Skip the setup' }).click();
    await page.getByRole('tab', { name: 'Admin' }).click();
    const admin = page.getByRole('region', { name: 'Admin' });

    // A second agent, with the Admin box left alone.
    const addAgent = admin.getByRole('form', { name: 'Add an agent' });
    expect(await addAgent.getByLabel('Admin (opens this console with their own sign-in)').isChecked()).toBe(false);
    await addAgent.getByLabel('Name', { exact: true }).fill('Bob Brown');
    await addAgent.getByLabel('Sign-in name').fill('bob');
    await addAgent.getByLabel('Extension').fill('202');
    await addAgent.getByRole('button', { name: 'Add agent' }).click();
    await admin.locator('[data-agent-row="bob"]', { hasText: 'Bob Brown' }).waitFor();
    // The seat's own agent shows as its admin.
    await admin.locator(`[data-agent-row="${rig.ringside.config.agent}"]`, { hasText: 'admin' }).waitFor();

    // A helpline Bob answers.
    await admin.getByRole('tab', { name: 'Helplines' }).click();
    const addHelpline = admin.getByRole('form', { name: 'Add a helpline' });
    await addHelpline.getByLabel('Number').fill('8300');
    await addHelpline.getByLabel('Name', { exact: true }).fill('Support');
    await addHelpline.getByLabel('Bob Brown').check();
    await addHelpline.getByRole('button', { name: 'Add helpline' }).click();
    await admin.locator('[data-helpline-row="8300"]', { hasText: 'Bob Brown' }).waitFor();
    const helplines = (await rig.ringside.api<{ items: Array<{ number: string; agents: string[] | null }> }>('GET', '/api/helplines')).body.items;
    expect(helplines).toEqual([expect.objectContaining({ number: '8300', agents: ['bob'] })]);

    // Bob's invite link, with Copy and until when it works.
    await admin.getByRole('tab', { name: 'Agents' }).click();
    await admin.getByRole('button', { name: 'Invite link for Bob Brown' }).click();
    const panel = admin.getByTestId('agent-signin-panel');
    const link = panel.getByTestId('invite-url');
    await link.waitFor();
    const invite = await link.inputValue();
    expect(invite).toMatch(/#invite=/);
    await panel.getByRole('button', { name: 'Copy the invite link for Bob Brown' }).waitFor();
    expect(await panel.getByTestId('invite-expiry').innerText()).toMatch(/^Works until /);
    await saveScreenshot(page, 'seat admin invite link 1100');
    await page.setViewportSize(NARROW);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(NARROW.width);
    await saveScreenshot(page, 'seat admin invite link 420');
    const text = await admin.innerText();
    for (const internal of ['/api/', 'token', 'webhook', 'spool']) expect(text).not.toContain(internal);

    // Bob, in his own window: chooses a password and is signed in.
    const bob = await rig.open(invite, NARROW);
    await bob.page.getByRole('heading', { name: 'Welcome, Bob Brown' }).waitFor();
    await bob.page.getByLabel('New password').fill(PASSWORD);
    await bob.page.getByLabel('The same password again').fill(PASSWORD);
    await bob.page.getByRole('button', { name: 'Save password and sign in' }).click();
    await bob.page.locator('[data-testid="connection"][data-status="open"]').waitFor();
    expect(await bob.page.locator('.whoami').textContent()).toBe('Bob Brown');
    // Bob is no admin: no console for him.
    await bob.page.getByRole('tab', { name: 'Settings' }).waitFor();
    expect(await bob.page.getByRole('tab', { name: 'Admin' }).count()).toBe(0);
    expect(bob.problems).toEqual([]);

    // Back in the console: Bob has a password now, which can be removed.
    await page.setViewportSize({ width: 1100, height: 820 });
    await panel.getByRole('button', { name: 'Close' }).click();
    await admin.getByRole('tab', { name: 'Phones' }).click();
    await admin.getByRole('tab', { name: 'Agents' }).click();
    await admin.getByRole('button', { name: 'Remove Bob Brown’s password' }).waitFor();
    await saveScreenshot(page, 'seat admin agents 1100');

    // Removed (the browser's confirmation accepted), then set by the administrator: Bob signs in with it.
    page.on('dialog', (dialog) => void dialog.accept());
    await admin.getByRole('button', { name: 'Remove Bob Brown’s password' }).click();
    await admin.getByTestId('agents-status').filter({ hasText: 'Bob Brown’s password was removed.' }).waitFor();
    await admin.getByRole('button', { name: 'Set Bob Brown’s password' }).click();
    const form = admin.getByRole('form', { name: 'Set Bob Brown’s password' });
    await form.getByLabel('New password for Bob Brown').fill('short');
    await form.getByLabel('New password for Bob Brown').fill('a new desk password');
    await saveScreenshot(page, 'seat admin set password 1100');
    await form.getByRole('button', { name: 'Set password' }).click();
    await admin.getByTestId('agents-status').filter({ hasText: 'Bob Brown’s password is set.' }).waitFor();
    await admin.getByRole('button', { name: 'Remove Bob Brown’s password' }).waitFor();
    const signin = await rig.ringside.api('POST', '/api/signin', { token: undefined, body: { agent: 'bob', password: 'a new desk password' } });
    expect(signin.status).toBe(200);
    expect(ui.problems).toEqual([]);
  });
});
