// The popup view and reload recovery end to end: Debian's Chromium (playwright-core) on the built
// UI served by a real Ringside started in this process. The popup is the view the desktop shell's
// popup window loads (`/#popup&token=…`); here a page-level stand-in for the preload's
// window.ringside (src/desktop/preload/api.ts) feeds it and records what it asks of the shell.
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ALICE } from '../../tools/simulator/cast';
import { launchBrowser, openAgentUi, openPage, saveScreenshot, type AgentUiPage } from '../support/browser';
import type { TestRingside } from '../support/ringside';
import { newCaller } from '../integration/component/fixtures';
import { HELPLINE, startUiOffice, type UiOffice } from './office';

const TIMEOUT = 60_000;

let browser: Browser;
let ringside: TestRingside;
let office: UiOffice;
let ui: AgentUiPage | null = null;



async function aliceToken(): Promise<string> {
  return (await office.admin<{ token: string }>('POST', '/api/session', { agent: ALICE.id })).token;
}

/** What the stand-in bridge records, read back from the page. */
interface BridgeRecord {
  dismissed: string[];
  showMain: number;
  subscribed: number;
}

declare global {
  interface Window {
    /** Set by the init script below: the test's handle on the stand-in bridge. */
    __ringsideTest?: { record: BridgeRecord; push(calls: unknown[]): void };
  }
}

/**
 * A stand-in for the preload's window.ringside, installed before any page script runs. It has the
 * bridge's shape (platform, version, showMain, renewSession, markMissedSeen, popup.calls/dismiss/
 * onCalls), starts with no call ringing, and lets the test push a list the way the shell does.
 */
function installBridgeStub(): void {
  const listeners = new Set<(calls: unknown[]) => void>();
  const record = { dismissed: [] as string[], showMain: 0, subscribed: 0 };
  window.__ringsideTest = {
    record,
    push: (calls) => {
      for (const listener of listeners) listener(calls);
    },
  };
  Object.defineProperty(window, 'ringside', {
    value: Object.freeze({
      platform: 'linux',
      version: 'test',
      showMain: async () => {
        record.showMain += 1;
      },
      renewSession: async () => {
        throw new Error('not in this test');
      },
      markMissedSeen: async () => undefined,
      desktopSettings: Object.freeze({
        get: async () => ({ popupWindow: true, notifications: true }),
        set: async (change: object) => ({ popupWindow: true, notifications: true, ...change }),
      }),
      popup: Object.freeze({
        calls: async () => [],
        dismiss: async (callId: string) => {
          record.dismissed.push(callId);
        },
        onCalls: (listener: (calls: unknown[]) => void) => {
          listeners.add(listener);
          record.subscribed += 1;
          return () => {
            listeners.delete(listener);
          };
        },
      }),
    }),
  });
}

/** The popup view in a window of the popup's size (380 × 140: one call), with the stand-in bridge. */
async function openPopup(token: string): Promise<AgentUiPage> {
  const popupUrl = `${ringside.instance.apiUrl}/#popup&token=${encodeURIComponent(token)}`;
  const ui = await openPage(browser, popupUrl, { viewport: { width: 380, height: 140 }, initScript: installBridgeStub });
  await ui.page.getByTestId('popup').waitFor();
  return ui;
}

async function bridgeRecord(page: Page): Promise<BridgeRecord> {
  return page.evaluate(() => window.__ringsideTest!.record);
}

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

beforeEach(async () => {
  office = await startUiOffice({ missedDelayMs: 60_000 });
  ringside = office.ringside;
});
afterEach(async () => {
  const problems = ui?.problems ?? [];
  await ui?.page.context().close();
  ui = null;
  await ringside.stop();
  // Nothing failed inside the page: no script error, no CSP violation, no failed request.
  expect(problems).toEqual([]);
});

describe('the popup view and reload recovery', () => {
  it('popup: a call pushed by the shell shows as a compact row; × and Open go to the shell', { timeout: TIMEOUT }, async ({ task }) => {
    ui = await openPopup(await aliceToken());
    const { page } = ui;
    // The URL's token is taken out of the address bar, the popup flag read before that.
    expect(new URL(page.url()).hash).toBe('');
    await page.getByRole('status').filter({ hasText: 'No call ringing' }).waitFor();
    expect((await bridgeRecord(page)).subscribed).toBeGreaterThan(0);

    const caller = newCaller();
    const entry = {
      callId: 'call-popup-1', remote: caller, name: 'Ann Example', company: 'Example Ltd', notes: 'Prefers a call back after 14:00.',
      crmUrl: 'https://crm.example/contacts/ann', line: 'helpline', helpline: HELPLINE, transferredFromName: 'Bob', startedAt: Date.now() - 4_000,
    };
    await page.evaluate((calls) => window.__ringsideTest!.push(calls), [entry]);

    const row = page.locator('li.popup-row[data-call-id="call-popup-1"]');
    await row.waitFor();
    await page.getByRole('status').filter({ hasText: 'Incoming call' }).waitFor();
    // The helpline's name comes from the API, with the popup's own token.
    await row.filter({ hasText: 'Helpline Support (5000)' }).waitFor();
    const text = await row.innerText();
    expect(text).toContain('Ann Example');
    expect(text).toContain(caller);
    expect(text).toContain('Example Ltd');
    expect(text).toContain('Transferred from Bob');
    await row.getByRole('timer', { name: 'Ringing for' }).waitFor();
    expect(await row.getByRole('link', { name: 'CRM' }).getAttribute('href')).toBe(entry.crmUrl);
    // One row of 96 px under the 44 px header fills the 140 px window; name and number are not cut.
    expect(await row.evaluate((el) => el.getBoundingClientRect().height)).toBe(96);
    for (const part of ['.popup-row__name', '.popup-row__number', '.popup-row__line', '.popup-row__transferred']) {
      expect(await row.locator(part).evaluate((el) => el.scrollWidth <= el.clientWidth), part).toBe(true);
    }
    await saveScreenshot(page, task.name);

    // Three at once: the shell makes the window 332 px high, and they fit without scrolling.
    await page.setViewportSize({ width: 380, height: 332 });
    const more = [
      { ...entry, callId: 'call-popup-3', remote: newCaller(), name: null, company: null, notes: null, crmUrl: null, line: 'direct', helpline: null, transferredFromName: null },
      { ...entry, callId: 'call-popup-2', remote: newCaller(), name: 'Bartholomew Longname-Example', crmUrl: null },
      entry,
    ];
    await page.evaluate((calls) => window.__ringsideTest!.push(calls), more);
    await page.getByRole('status').filter({ hasText: '3 incoming calls' }).waitFor();
    await page.locator('li.popup-row[data-call-id="call-popup-3"]').filter({ hasText: 'Direct line' }).waitFor();
    expect(await page.locator('.popup__rows').evaluate((el) => el.scrollHeight <= el.clientHeight)).toBe(true);
    await saveScreenshot(page, 'popup three calls');
    await page.evaluate((calls) => window.__ringsideTest!.push(calls), [entry]);
    await page.locator('li.popup-row').nth(1).waitFor({ state: 'detached' });

    await row.getByRole('button', { name: 'Open' }).click();
    await page.waitForFunction(() => window.__ringsideTest!.record.showMain === 1);

    await row.getByRole('button', { name: 'Dismiss Ann Example' }).click();
    await row.waitFor({ state: 'detached' });
    expect((await bridgeRecord(page)).dismissed).toEqual(['call-popup-1']);
    // The shell then sends the list without it: the window is hidden.
    await page.evaluate(() => window.__ringsideTest!.push([]));
    await page.getByRole('status').filter({ hasText: 'No call ringing' }).waitFor();
  });

  it('reload keeps card: a ringing call, and then the call once answered, are still shown after a reload', { timeout: TIMEOUT }, async ({ task }) => {
    const caller = newCaller();
    await office.admin('POST', '/api/contacts', { number: caller, name: 'Rita Reload', company: 'Reload Ltd' });
    ui = await openAgentUi(browser, ringside.instance.apiUrl, await aliceToken());
    const { page } = ui;
    await page.locator('.whoami', { hasText: 'Alice' }).waitFor();

    await office.phone('incoming', { mac: ALICE.phone.mac, remote: caller, local: ALICE.phone.extension, display_remote: 'Rita' });
    await page.getByRole('region', { name: 'Incoming call: Rita Reload' }).waitFor();

    await page.reload();
    await page.locator('[data-testid="connection"][data-status="open"]').waitFor();
    const ringing = page.getByRole('region', { name: 'Incoming call: Rita Reload' });
    await ringing.waitFor();
    expect(await ringing.getAttribute('data-phase')).toBe('ringing');
    const text = await ringing.innerText();
    expect(text).toContain(caller);
    expect(text).toContain('Reload Ltd');
    expect(text).toContain('Direct line');
    await ringing.getByRole('timer', { name: 'Ringing for' }).waitFor();
    await saveScreenshot(page, task.name);

    // Answered on Alice's phone: after another reload the on-call card with its talk timer is back.
    await office.phone('answered', { mac: ALICE.phone.mac, remote: caller, local: ALICE.phone.extension });
    await page.getByRole('region', { name: 'On call: Rita Reload' }).waitFor();
    await page.reload();
    await page.locator('[data-testid="connection"][data-status="open"]').waitFor();
    const onCall = page.getByRole('region', { name: 'On call: Rita Reload' });
    await onCall.waitFor();
    await onCall.getByRole('timer', { name: 'Talk time' }).waitFor();
    expect(await page.getByRole('region', { name: /^Incoming call/ }).count()).toBe(0);
  });
});
