// Signing in by oneself in a real browser against a real server: the sign-in page (agent name and
// password, Enter submits), an invite link (choose a password twice, then signed in; the same link
// again is refused), a wrong password and, after five, the wait; and a session that ended offers
// to sign in again. Screenshots at a desk's width and at a popup's 420 px.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { saveScreenshot, type AgentUiPage } from '../support/browser';
import { startTestRingside, type TestRingside } from '../support/ringside';
import { browserRig } from '../support/browserRig';

const rig = browserRig();

const PASSWORD = 'correct horse battery';
const NARROW = { width: 420, height: 720 };

async function start(): Promise<TestRingside> {
  rig.ringside = await startTestRingside();
  for (const [id, name] of [['alice', 'Alice Adams'], ['bob', 'Bob Brown']]) {
    expect((await rig.ringside.api('POST', '/api/agents', { body: { id, name } })).status).toBe(200);
  }
  return rig.ringside;
}

const connected = (page: Page) => page.locator('[data-testid="connection"][data-status="open"]').waitFor();
/** What went wrong in the page besides the refusals the test asked for (the browser logs a 401, 403 or 429 and a refused WebSocket). */
const unexpected = (ui: AgentUiPage) => ui.problems.filter((p) => !/\b(401|403|429)\b|WebSocket .* HTTP Authentication failed/.test(p));

describe('the sign-in page', () => {
  it('sign in with a password: the agent name and password, Enter, and the agent UI is theirs', async () => {
    const r = await start();
    await r.api('POST', '/api/agents/alice/password', { body: { password: PASSWORD } });

    const ui = await rig.open(`${r.instance.apiUrl}/`);
    const { page } = ui;
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await saveScreenshot(page, 'sign-in page');
    await page.getByLabel('Agent name').fill('alice');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel('Password').press('Enter');
    await connected(page);
    expect(await page.locator('.whoami').textContent()).toBe('Alice Adams');
    expect(page.url()).toBe(`${r.instance.apiUrl}/`);
    // A reload keeps the session of this tab.
    await page.reload();
    await connected(page);
    await saveScreenshot(page, 'signed in with a password');
    // Signing out ends the session (a reload does not bring it back) and shows the sign-in page.
    const token = await page.evaluate(() => sessionStorage.getItem('ringside.session'));
    expect((await r.api('GET', '/api/session', { token: token! })).status).toBe(200);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByTestId('signin-notice').filter({ hasText: 'You have signed out.' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await expect.poll(async () => (await r.api('GET', '/api/session', { token: token! })).status, { timeout: 5_000 }).toBe(401);
    expect(unexpected(ui)).toEqual([]);

    // At a popup's width the form fits: nothing wider than the window.
    const narrow = await rig.open(`${r.instance.apiUrl}/`, NARROW);
    await narrow.page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await narrow.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(NARROW.width);
    await saveScreenshot(narrow.page, 'sign-in page at 420 px');
  });

  it('a wrong password: "Wrong agent or password", and after five the wait, in words', async () => {
    const r = await start();
    await r.api('POST', '/api/agents/alice/password', { body: { password: PASSWORD } });
    const ui = await rig.open(`${r.instance.apiUrl}/`, NARROW);
    const { page } = ui;
    const error = page.getByTestId('signin-error');

    await page.getByLabel('Agent name').fill('alice');
    await page.getByLabel('Password').fill('not my password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong agent or password.' }).waitFor();
    // The password field is emptied and has the focus for the next try.
    expect(await page.getByLabel('Password').inputValue()).toBe('');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('signin-password');
    await saveScreenshot(page, 'sign-in page, wrong password');

    for (let i = 2; i <= 5; i++) {
      await page.getByLabel('Password').fill(`guess number ${i}`);
      await page.getByLabel('Password').press('Enter');
      await page.getByRole('button', { name: 'Sign in' }).and(page.locator(':enabled')).waitFor();
      expect(await error.textContent()).toBe('Wrong agent or password.');
    }
    // The sixth, the right password even: too many attempts.
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel('Password').press('Enter');
    await page.getByRole('alert').filter({ hasText: 'Too many attempts. Try again in a minute.' }).waitFor();
    await saveScreenshot(page, 'sign-in page, too many attempts');
    expect(await page.locator('[data-testid="connection"]').count()).toBe(0);
    expect(unexpected(ui)).toEqual([]);
  });

  it('a session that ended: the page offers to sign in again, saying why', async () => {
    const r = await start();
    const { token } = (await r.api<{ token: string }>('POST', '/api/session', { body: { agent: 'alice' } })).body;
    const ui = await rig.open(`${r.instance.apiUrl}/#token=${encodeURIComponent(token)}`);
    await connected(ui.page);
    // The admin resets Alice's password: her sessions end.
    await r.api('POST', '/api/agents/alice/password', { body: { password: PASSWORD } });
    await ui.page.reload();
    await ui.page.getByTestId('signin-notice').filter({ hasText: 'Your session has ended. Sign in again to go on.' }).waitFor();
    await ui.page.getByLabel('Agent name').fill('alice');
    await ui.page.getByLabel('Password').fill(PASSWORD);
    await ui.page.getByLabel('Password').press('Enter');
    await connected(ui.page);
    expect(unexpected(ui)).toEqual([]);
  });
});

describe('the agent\'s own password', () => {
  it('changed in Settings: the page goes on signed in; the old password no longer works, the new one does', async () => {
    const r = await start();
    await r.api('POST', '/api/agents/alice/password', { body: { password: PASSWORD } });
    const ui = await rig.open(`${r.instance.apiUrl}/`, NARROW);
    const { page } = ui;
    await page.getByLabel('Agent name').fill('alice');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel('Password').press('Enter');
    await connected(page);
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByLabel('Current password').fill('not my password');
    await page.getByLabel('New password (at least 8 characters)').fill('my new password');
    await page.getByLabel('The same new password again').fill('my new password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('alert').filter({ hasText: 'Your current password is not right.' }).waitFor();
    await saveScreenshot(page, 'my password in settings at 420 px');
    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    // A new session: the agent UI starts again with it, connected.
    await page.getByRole('tab', { name: 'Missed calls', selected: true }).waitFor();
    await connected(page);
    const signin = (password: string) => r.api('POST', '/api/signin', { token: undefined, body: { agent: 'alice', password } });
    expect((await signin(PASSWORD)).status).toBe(401);
    expect((await signin('my new password')).status).toBe(200);
    expect(unexpected(ui)).toEqual([]);
  });
});

describe('an invite link', () => {
  it('sign in with an invite link: choose a password twice, then signed in; the link a second time is refused', async () => {
    const r = await start();
    const { url } = (await r.api<{ url: string }>('POST', '/api/agents/bob/invite', { body: {} })).body;

    const ui = await rig.open(url, NARROW);
    const { page } = ui;
    await page.getByRole('heading', { name: 'Welcome, Bob Brown' }).waitFor();
    // The code is a credential: out of the address bar at once.
    expect(page.url()).toBe(`${r.instance.apiUrl}/`);
    expect(await page.getByTestId('invite-agent').textContent()).toBe('bob');
    await saveScreenshot(page, 'invite page at 420 px');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(NARROW.width);

    await page.getByLabel('New password').fill(PASSWORD);
    await page.getByLabel('The same password again').fill('correct horse batterx');
    await page.getByLabel('The same password again').press('Enter');
    await page.getByRole('alert').filter({ hasText: 'The two passwords are not the same. Type them again.' }).waitFor();
    await page.getByLabel('New password').fill('short');
    await page.getByLabel('The same password again').fill('short');
    await page.getByRole('button', { name: 'Save password and sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Choose a password of at least 8 characters.' }).waitFor();

    await page.getByLabel('New password').fill(PASSWORD);
    await page.getByLabel('The same password again').fill(PASSWORD);
    await page.getByLabel('The same password again').press('Enter');
    await connected(page);
    expect(await page.locator('.whoami').textContent()).toBe('Bob Brown');
    expect(unexpected(ui)).toEqual([]);

    // The same link again (a second click in the mail): refused, and the way on is to sign in.
    const again = await rig.open(url);
    await again.page.getByTestId('invite-error').filter({ hasText: 'This invite link was used already or has expired.' }).waitFor();
    await saveScreenshot(again.page, 'invite link used twice');
    await again.page.getByRole('button', { name: 'Go to sign in' }).click();
    await again.page.getByLabel('Agent name').fill('bob');
    await again.page.getByLabel('Password').fill(PASSWORD);
    await again.page.getByLabel('Password').press('Enter');
    await connected(again.page);
    expect(unexpected(again)).toEqual([]);
  });
});
