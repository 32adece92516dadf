// The first run of a seat in a real browser (issue 13): a fresh data directory, the sign-in link
// `npm start` prints, the setup (who I am, my phone, "Ring me"), the test call's real card, and
// the normal screens once the setup is done. Screenshots in artifacts/screenshots/.
import { describe, expect, it } from 'vitest';
import { openPage, saveScreenshot, type AgentUiPage } from '../support/browser';
import { startTestRingside, type TestRingside } from '../support/ringside';
import { closeAllPhones, PHONE_PASSWORD, startPhone } from '../unit/tools/simulator/controlHelpers';
import { browserRig } from '../support/browserRig';

const rig = browserRig({ afterTest: closeAllPhones });

async function signInAsSeat(r: TestRingside, viewport?: { width: number; height: number }): Promise<AgentUiPage> {
  const { url } = (await r.api<{ url: string }>('POST', '/api/signin-links')).body;
  const ui = await openPage(rig.browser, url, viewport ? { viewport } : {});
  rig.pages.push(ui);
  await ui.page.locator('[data-testid="connection"][data-status="open"]').waitFor();
  return ui;
}

describe('the first run of a seat', () => {
  it('first run: setup, name and extension saved, "Ring me" shows the card, then the normal screens', async () => {
    rig.ringside = await startTestRingside();
    const ui = await signInAsSeat(rig.ringside);
    const { page } = ui;

    await page.getByRole('heading', { name: 'Set up this desk' }).waitFor();
    expect(await page.getByRole('tab').count()).toBe(0);

    await page.getByLabel('Your name (shown to your team)').fill('Sam Seat');
    await page.getByLabel(/Your extension/).fill('240');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await page.locator('.whoami').filter({ hasText: 'Sam Seat' }).waitFor();
    const agents = await rig.ringside.api<{ items: Array<{ id: string; name: string; extension: string | null }> }>('GET', '/api/agents');
    expect(agents.body.items).toEqual([expect.objectContaining({ id: 'me', name: 'Sam Seat', extension: '240' })]);

    await page.getByRole('button', { name: 'Show the lines to paste' }).click();
    await page.getByRole('button', { name: 'Copy Incoming Call' }).waitFor();
    await saveScreenshot(page, 'first run: the setup');

    await page.getByRole('button', { name: 'Ring me' }).click();
    await page.getByRole('region', { name: /Ringside test call/ }).waitFor();
    // Setup done: the screens are back, with the card above them.
    await page.getByRole('tab', { name: /Missed calls/ }).waitFor();
    expect(await page.getByRole('heading', { name: 'Set up this desk' }).count()).toBe(0);
    await saveScreenshot(page, 'first run done: the test call card');

    // Done for good: a reload opens on the normal screens.
    await page.reload();
    await page.getByRole('tab', { name: /Missed calls/ }).waitFor();
    expect(await page.getByRole('heading', { name: 'Set up this desk' }).count()).toBe(0);
    expect(ui.problems).toEqual([]);
  });

  it('first run at a popup\'s width: the setup fits in 420 px; "Skip" leads to the screens', async () => {
    rig.ringside = await startTestRingside();
    const ui = await signInAsSeat(rig.ringside, { width: 420, height: 900 });
    const { page } = ui;
    await page.getByRole('heading', { name: 'Set up this desk' }).waitFor();
    await page.getByRole('button', { name: 'Show the lines to paste' }).click();
    await page.getByRole('button', { name: 'Copy Incoming Call' }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await saveScreenshot(page, 'first run narrow: the setup at 420 px');

    await page.getByRole('button', { name: 'Skip the setup' }).click();
    await page.getByRole('tab', { name: /Missed calls/ }).waitFor();
    expect(ui.problems).toEqual([]);
  });

  it('first run with a phone: "Set up my phone" writes it, and the phone\'s first call closes the setup', async () => {
    rig.ringside = await startTestRingside({ publicHost: '127.0.0.1' });
    const phone = await startPhone();
    const ui = await signInAsSeat(rig.ringside);
    const { page } = ui;
    await page.getByRole('heading', { name: 'Set up this desk' }).waitFor();

    await page.getByLabel('Phone address').fill(`127.0.0.1:${phone.port}`);
    await page.getByLabel('Phone web password').fill('wrong-password');
    await page.getByRole('button', { name: 'Set up my phone' }).click();
    await page.getByRole('alert').filter({ hasText: /password|refused|log/i }).waitFor();
    await page.getByLabel('Phone web password').fill(PHONE_PASSWORD);
    await page.getByRole('button', { name: 'Set up my phone' }).click();
    await page.getByRole('status').filter({ hasText: /All 14 events now reach Ringside/ }).waitFor();
    await saveScreenshot(page, 'first run phone: the phone set up');

    phone.ring('+34915550123', 'Lucía Fernández');
    await page.getByRole('region', { name: /Lucía Fernández/ }).waitFor();
    await page.getByRole('tab', { name: /Missed calls/ }).waitFor();
    expect(await page.getByRole('heading', { name: 'Set up this desk' }).count()).toBe(0);
    // The failed login is a 502 the page shows in words; nothing else went wrong.
    expect(ui.problems.filter((p) => !/502/.test(p))).toEqual([]);
  });

  it('first run of another agent: no setup (only the seat\'s own agent sets up its desk)', async () => {
    rig.ringside = await startTestRingside();
    await rig.ringside.api('POST', '/api/agents', { body: { id: 'alice', name: 'Alice' } });
    const { url } = (await rig.ringside.api<{ url: string }>('POST', '/api/signin-links', { body: { agent: 'alice' } })).body;
    const ui = await openPage(rig.browser, url);
    rig.pages.push(ui);
    await ui.page.getByRole('tab', { name: /Missed calls/ }).waitFor();
    expect(await ui.page.getByRole('heading', { name: 'Set up this desk' }).count()).toBe(0);
  });
});
