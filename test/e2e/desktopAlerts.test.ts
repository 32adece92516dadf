// The desktop app's own call alerts on the agent's Settings screen: in the desktop app (a stand-in
// for the preload's window.ringside, installed before the page's scripts, that records what it is
// asked) the agent switches the call popup and the desktop notification; in a browser (no bridge)
// those switches are not there. Screenshots go to artifacts/screenshots/.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ALICE } from '../../tools/simulator/cast';
import { openAgentUi, saveScreenshot } from '../support/browser';
import { startTestRingside } from '../support/ringside';
import { browserRig } from '../support/browserRig';

const rig = browserRig({ noPageProblems: true });

const TIMEOUT = 60_000;

declare global {
  interface Window {
    __desktopAlertsTest?: { sent: unknown[] };
  }
}

/** The bridge's shape (src/protocol/ipc.ts RingsideBridge), keeping the switches like the main process does. */
function installBridgeStub(): void {
  const sent: unknown[] = [];
  let kept = { popupWindow: true, notifications: true };
  window.__desktopAlertsTest = { sent };
  Object.defineProperty(window, 'ringside', {
    value: Object.freeze({
      platform: 'linux',
      version: 'test',
      showMain: async () => undefined,
      renewSession: async () => {
        throw new Error('not in this test');
      },
      markMissedSeen: async () => undefined,
      desktopSettings: Object.freeze({
        get: async () => ({ ...kept }),
        set: async (change: Partial<typeof kept>) => {
          sent.push(change);
          kept = { ...kept, ...change };
          return { ...kept };
        },
      }),
      popup: Object.freeze({ calls: async () => [], dismiss: async () => undefined, onCalls: () => () => undefined }),
    }),
  });
}

async function agentSettings(options: { desktop: boolean }): Promise<Page> {
  rig.ringside = await startTestRingside();
  const created = await rig.ringside.api('POST', '/api/agents', { body: { id: ALICE.id, name: 'Alice', extension: ALICE.phone.extension, devices: [ALICE.phone.mac] } });
  expect(created.status).toBe(200);
  const session = await rig.ringside.api<{ token: string }>('POST', '/api/session', { body: { agent: ALICE.id } });
  const ui = await openAgentUi(rig.browser, rig.ringside.instance.apiUrl, session.body.token, options.desktop ? { initScript: installBridgeStub } : {});
  rig.pages.push(ui);
  await ui.page.getByRole('tab', { name: 'Settings' }).click();
  await ui.page.getByRole('region', { name: 'Settings' }).getByLabel('Close the card of an ended call').waitFor();
  return ui.page;
}

describe('desktop call alerts in Settings', () => {
  it('desktop alerts: in the desktop app the agent turns the call popup and the notification off and on', { timeout: TIMEOUT }, async ({ task }) => {
    const page = await agentSettings({ desktop: true });
    const settings = page.getByRole('region', { name: 'Settings' });
    const popup = settings.getByLabel('Show the call popup in the corner of the screen');
    const notification = settings.getByLabel('Show a desktop notification');
    await popup.waitFor();
    expect(await popup.isChecked()).toBe(true);
    expect(await notification.isChecked()).toBe(true);

    await popup.uncheck();
    await page.waitForFunction(() => window.__desktopAlertsTest?.sent.length === 1);
    expect(await popup.isChecked()).toBe(false);
    await notification.uncheck();
    await page.waitForFunction(() => window.__desktopAlertsTest?.sent.length === 2);
    await popup.check();
    await page.waitForFunction(() => window.__desktopAlertsTest?.sent.length === 3);
    expect(await page.evaluate(() => window.__desktopAlertsTest?.sent)).toEqual([{ popupWindow: false }, { notifications: false }, { popupWindow: true }]);
    expect(await popup.isChecked()).toBe(true);
    expect(await notification.isChecked()).toBe(false);
    // The browser's own notification switch is for browsers: the desktop app has its own.
    expect(await settings.getByLabel('Show a notification when a call rings while Ringside is in the background').count()).toBe(0);
    await saveScreenshot(page, task.name);
  });

  it('desktop alerts in a browser: the desktop-only switches are not shown', { timeout: TIMEOUT }, async ({ task }) => {
    const page = await agentSettings({ desktop: false });
    const settings = page.getByRole('region', { name: 'Settings' });
    expect(await settings.getByLabel('Show the call popup in the corner of the screen').count()).toBe(0);
    expect(await settings.getByLabel('Show a desktop notification').count()).toBe(0);
    await saveScreenshot(page, task.name);
  });
});
