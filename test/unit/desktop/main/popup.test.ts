// The incoming-call popup: where it goes, what it holds, when it and its notification close, and the
// window it lives in (a fake BrowserWindow: the Electron runtime cannot start on this machine).
import { describe, expect, it } from 'vitest';
import { IPC } from '../../../../src/protocol/ipc';
import { Notifications } from '../../../../src/desktop/main/notifications';
import { entryFromRinging, notificationText, PopupController, type PopupAlerts, type PopupEntry } from '../../../../src/desktop/main/popupController';
import { popupBounds, popupCorner, popupSize, POPUP_WIDTH } from '../../../../src/desktop/main/popupPlacement';
import { PopupWindow, popupUrl, popupWindowOptions } from '../../../../src/desktop/main/popupWindow';
import { parseServerMessage, readServerMessage, type ServerMessage, type ServerMessageOf } from '../../../../src/protocol/messages';
import type { RingingEndType } from '../../../../src/protocol/rules';
import type { CallView } from '../../../../src/protocol/views';
import { callView, message, missedCall } from '../../protocol/fixtures';
import { FakeBrowserWindow, FakeElectron, FakeScreen } from './fakes';

const WORK_AREA = { x: 0, y: 0, width: 1920, height: 1040 };

const NUMBER = '+923001234567';
const card = (fields: Partial<NonNullable<ServerMessageOf<'call.ringing'>['card']>> = {}) => ({ number: NUMBER, name: null, company: null, notes: null, crmUrl: null, source: 'none' as const, ...fields });
const contact = (name: string, company: string | null) => ({ number: NUMBER, name, company, notes: null, crmUrl: null });

function ringing(id: string, extra: Partial<ServerMessageOf<'call.ringing'>> = {}, call: Partial<CallView> = {}): ServerMessageOf<'call.ringing'> {
  return message('call.ringing', {
    call: callView({ id, direction: 'in', remote: NUMBER, remoteName: 'PHONE NAME', line: 'direct', helpline: null, startedAt: 900, contact: null, ...call }),
    card: card(), transferredFrom: null, transferredFromName: null,
    ...extra,
  }, 1_000);
}

/** A message after which the call rings no more (src/protocol/rules.ts), about call `id`. */
function over(type: RingingEndType, id: string, extra: Record<string, unknown> = {}): ServerMessage {
  const call = callView({ id, direction: 'in', remote: NUMBER });
  const fields = {
    'call.answered': { call },
    'call.dismissed': { call, answeredBy: null, answeredByAgent: null },
    'call.ended': { call, outcome: 'unanswered', endedAt: 2_000 },
    'call.missed': { call, missed: missedCall({ callId: id, remote: NUMBER }) },
    'call.transferred': { call, kind: null },
  }[type];
  return message(type, { ...fields, ...extra } as never, 2_000);
}

class RecordingSurface {
  shown: PopupEntry[][] = [];
  hidden = 0;
  visible = false;
  show(entries: readonly PopupEntry[]): void {
    this.shown.push([...entries]);
    this.visible = true;
  }
  hide(): void {
    this.hidden++;
    this.visible = false;
  }
}

function controller(alerts?: PopupAlerts) {
  const electron = new FakeElectron();
  const clicks: number[] = [];
  const notifications = new Notifications(electron.slice().notifications, () => clicks.push(1));
  const surface = new RecordingSurface();
  return { popup: new PopupController(surface, notifications, alerts ? () => alerts : undefined), surface, electron, clicks };
}

describe('popup placement', () => {
  it('goes to the bottom-right corner of the work area on Windows and Linux, top right on macOS', () => {
    const size = popupSize(1);
    expect(popupCorner('win32')).toBe('bottom-right');
    expect(popupCorner('linux')).toBe('bottom-right');
    expect(popupCorner('darwin')).toBe('top-right');
    expect(popupBounds(WORK_AREA, size, 'bottom-right')).toEqual({ x: 1920 - POPUP_WIDTH - 12, y: 1040 - size.height - 12, ...size });
    // macOS: the work area starts below the menu bar.
    expect(popupBounds({ x: 0, y: 25, width: 1440, height: 875 }, size, 'top-right')).toEqual({ x: 1440 - POPUP_WIDTH - 12, y: 25 + 12, ...size });
  });

  it('stays inside a display that is not the primary one (negative and offset coordinates)', () => {
    const left = { x: -1280, y: 200, width: 1280, height: 984 };
    const bounds = popupBounds(left, popupSize(1), 'bottom-right');
    expect(bounds.x).toBe(-12 - POPUP_WIDTH);
    expect(bounds.x + bounds.width).toBeLessThanOrEqual(left.x + left.width);
    expect(bounds.y + bounds.height).toBe(200 + 984 - 12);
  });

  it('shrinks to fit a work area smaller than the popup', () => {
    const tiny = { x: 10, y: 10, width: 300, height: 100 };
    const bounds = popupBounds(tiny, popupSize(3), 'bottom-right');
    expect(bounds).toEqual({ x: 10 + 12, y: 10 + 12, width: 300 - 24, height: 100 - 24 });
  });

  it('grows with the calls ringing at once, up to three rows', () => {
    expect(popupSize(2).height).toBeGreaterThan(popupSize(1).height);
    expect(popupSize(3).height).toBeGreaterThan(popupSize(2).height);
    expect(popupSize(7)).toEqual(popupSize(3));
    expect(popupSize(0)).toEqual(popupSize(1));
  });
});

describe('popup entries', () => {
  it('takes the best name: the caller card, then the contact, then the phone display name', () => {
    expect(entryFromRinging(ringing('c1', { card: card({ name: 'Card Name', company: 'Acme', notes: 'VIP', crmUrl: 'https://crm/1' }) }))).toMatchObject({ callId: 'c1', name: 'Card Name', company: 'Acme', notes: 'VIP', crmUrl: 'https://crm/1' });
    expect(entryFromRinging(ringing('c1', {}, { contact: contact('Contact Name', 'Co') }))).toMatchObject({ name: 'Contact Name', company: 'Co' });
    expect(entryFromRinging(ringing('c1'))).toMatchObject({ name: 'PHONE NAME', company: null, startedAt: 900 });
    expect(entryFromRinging(ringing('c1', {}, { remoteName: '  ' }))).toMatchObject({ name: null });
  });

  it('ignores outgoing calls and malformed messages', () => {
    expect(entryFromRinging(ringing('c1', {}, { direction: 'out' }))).toBeNull();
    // Malformed messages never reach the popup: the feed reads messages with the protocol's schemas.
    expect(readServerMessage({ type: 'call.ringing', at: 1, account: 'a', call: { remote: 'x' } })).toBeNull();
    expect(parseServerMessage('garbage')).toBeNull();
  });

  it('writes the notification: who, the number, the company, the helpline, a transfer', () => {
    const entry = entryFromRinging(ringing('c1', { card: card({ name: 'Ann', company: 'Acme' }), transferredFromName: 'Bob' }, { line: 'helpline', helpline: '5000' }))!;
    expect(notificationText(entry)).toEqual({ title: 'Incoming call: Ann', body: '+923001234567 · Acme · on helpline 5000 · transferred by Bob' });
    const bare = entryFromRinging(ringing('c2', {}, { remoteName: '' }))!;
    expect(notificationText(bare)).toEqual({ title: 'Incoming call: +923001234567', body: 'Ringing on your phone' });
  });
});

describe('popup controller', () => {
  it('shows the popup and one notification when a call rings', () => {
    const { popup, surface, electron } = controller();
    popup.handle(ringing('c1'));
    expect(surface.visible).toBe(true);
    expect(surface.shown.at(-1)!.map((e) => e.callId)).toEqual(['c1']);
    expect(electron.notifications).toHaveLength(1);
    expect(electron.notifications[0]!.shown).toBe(true);
    expect(electron.notifications[0]!.options).toMatchObject({ title: 'Incoming call: PHONE NAME', urgency: 'critical', timeoutType: 'never' });
  });

  it('follows the agent\'s switches: no popup, no notification, or neither, while still keeping the ringing calls', () => {
    const alerts: PopupAlerts = { popupWindow: false, notifications: true };
    const { popup, surface, electron } = controller(alerts);
    popup.handle(ringing('c1'));
    expect(surface.shown).toEqual([]);
    expect(electron.notifications).toHaveLength(1);
    expect(popup.entries().map((e) => e.callId)).toEqual(['c1']);

    // Turned on mid-ring: the popup shows the call now, without a second notification.
    alerts.popupWindow = true;
    popup.alertsChanged();
    expect(surface.visible).toBe(true);
    expect(electron.notifications).toHaveLength(1);

    // Notifications off mid-ring: the call's notification closes; the next call gets none.
    alerts.notifications = false;
    popup.alertsChanged();
    expect(electron.notifications[0]!.closed).toBe(true);
    popup.handle(ringing('c2'));
    expect(electron.notifications).toHaveLength(1);
    expect(surface.shown.at(-1)!.map((e) => e.callId)).toEqual(['c2', 'c1']);

    // Popup off mid-ring: it hides, and stays hidden as calls come and go.
    alerts.popupWindow = false;
    popup.alertsChanged();
    expect(surface.visible).toBe(false);
    const shows = surface.shown.length;
    popup.handle(ringing('c3'));
    popup.handle(over('call.missed', 'c1'));
    expect(surface.shown).toHaveLength(shows);
    expect(surface.visible).toBe(false);
    expect(popup.entries().map((e) => e.callId)).toEqual(['c3', 'c2']);
  });

  it('closes both when the call is answered elsewhere (call.dismissed)', () => {
    const { popup, surface, electron } = controller();
    popup.handle(ringing('c1'));
    popup.handle(over('call.dismissed', 'c1', { answeredBy: 'Bob' }));
    expect(surface.visible).toBe(false);
    expect(popup.entries()).toEqual([]);
    expect(electron.notifications[0]!.closed).toBe(true);
  });

  it.each(['call.answered', 'call.ended', 'call.missed', 'call.transferred'] as const)('closes both on %s', (type) => {
    const { popup, surface, electron } = controller();
    popup.handle(ringing('c1'));
    popup.handle(over(type, 'c1'));
    expect(surface.visible).toBe(false);
    expect(electron.notifications[0]!.closed).toBe(true);
  });

  it('keeps other calls ringing: only the finished call goes, newest first', () => {
    const { popup, surface, electron } = controller();
    popup.handle(ringing('c1'));
    popup.handle(ringing('c2'));
    expect(surface.shown.at(-1)!.map((e) => e.callId)).toEqual(['c2', 'c1']);
    popup.handle(over('call.dismissed', 'c1'));
    expect(surface.visible).toBe(true);
    expect(surface.shown.at(-1)!.map((e) => e.callId)).toEqual(['c2']);
    expect(electron.notifications.map((n) => n.closed)).toEqual([true, false]);
  });

  it('updates an entry in place when the same call rings again (a late CRM card), without a second notification', () => {
    const { popup, surface, electron } = controller();
    popup.handle(ringing('c1'));
    popup.handle(ringing('c1', { card: card({ name: 'From CRM', source: 'crm' }) }));
    expect(popup.entries().map((e) => e.name)).toEqual(['From CRM']);
    expect(surface.shown.at(-1)!.map((e) => e.name)).toEqual(['From CRM']);
    expect(electron.notifications).toHaveLength(1);
  });

  it('ignores messages about calls it does not show, and other message types', () => {
    const { popup, surface } = controller();
    popup.handle(over('call.ended', 'unknown'));
    popup.handle({ type: 'presence.changed', at: 1, account: 'a', agent: 'me', status: 'away' });
    popup.handle({ type: 'health', at: 1, account: 'a', listener: 'up', redis: 'embedded', rabbitmq: 'embedded', spoolDepth: 0 });
    expect(surface.shown).toEqual([]);
    expect(surface.hidden).toBe(0);
  });

  it('lets the agent dismiss an entry (and its notification)', () => {
    const { popup, surface, electron } = controller();
    popup.handle(ringing('c1'));
    expect(popup.dismiss('c1')).toBe(true);
    expect(popup.dismiss('c1')).toBe(false);
    expect(surface.visible).toBe(false);
    expect(electron.notifications[0]!.closed).toBe(true);
  });

  it('after a lost connection, closes entries whose call no longer rings', async () => {
    const { popup } = controller();
    popup.handle(ringing('gone'));
    popup.handle(ringing('still'));
    popup.handle(ringing('unknown'));
    await popup.reconcile(async (id) => {
      if (id === 'unknown') throw new Error('core away');
      return id === 'still';
    });
    expect(popup.entries().map((e) => e.callId).sort()).toEqual(['still', 'unknown']);
  });

  it('a click on the notification opens the main window; unsupported notifications are skipped', () => {
    const { popup, electron, clicks } = controller();
    popup.handle(ringing('c1'));
    electron.notifications[0]!.click();
    expect(clicks).toHaveLength(1);

    const quiet = controller();
    quiet.electron.notificationsSupported = false;
    quiet.popup.handle(ringing('c2'));
    expect(quiet.electron.notifications).toEqual([]);
    expect(quiet.surface.visible).toBe(true);
  });
});

describe('popup window', () => {
  const input = { preload: '/app/out/preload/index.cjs', version: '1.2.3' };

  it('is small, frameless, always on top, unfocusable, off the taskbar, with the secure web preferences', () => {
    const options = popupWindowOptions(input);
    expect(options).toMatchObject({ frame: false, alwaysOnTop: true, focusable: false, skipTaskbar: true, show: false, resizable: false, fullscreenable: false });
    expect(options.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs', contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false,
    });
  });

  it('loads the popup view with the token in the fragment', () => {
    expect(popupUrl('http://127.0.0.1:7790', 'a/b+c')).toBe('http://127.0.0.1:7790/#popup&token=a%2Fb%2Bc');
  });

  function popupWindow(platform: NodeJS.Platform = 'linux', screen = new FakeScreen()) {
    const created: FakeBrowserWindow[] = [];
    let quitting = false;
    const window = new PopupWindow({
      create: (options) => {
        const w = new FakeBrowserWindow(options);
        created.push(w);
        return w;
      },
      options: popupWindowOptions(input),
      url: () => Promise.resolve(popupUrl('http://127.0.0.1:7790', 'tok')),
      screen,
      platform,
      quitting: () => quitting,
    });
    return { window, created, quit: () => (quitting = true) };
  }

  it('shows without taking focus, in the corner of the display with the pointer, and sends the calls', async () => {
    const screen = new FakeScreen();
    screen.displays.push({ bounds: { x: 1920, y: 0, width: 2560, height: 1440 }, workArea: { x: 1920, y: 0, width: 2560, height: 1400 } });
    screen.cursor = { x: 2500, y: 700 };
    const { window, created } = popupWindow('win32', screen);
    const entry = entryFromRinging(ringing('c1'))!;
    window.show([entry]);
    const w = created[0]!;
    await w.until(() => w.loadedUrls.length === 1);
    expect(w.loadedUrls).toEqual(['http://127.0.0.1:7790/#popup&token=tok']);
    expect(w.showInactiveCalls).toBe(1);
    expect(w.showCalls).toBe(0);
    expect(w.focused).toBe(false);
    expect(w.alwaysOnTop).toEqual([true, 'screen-saver']);
    expect(w.bounds).toEqual(popupBounds({ x: 1920, y: 0, width: 2560, height: 1400 }, popupSize(1), 'bottom-right'));
    expect(w.webContents.last(IPC.popupCalls)).toEqual([[entry]]);

    window.show([entry, entry]);
    expect(w.showInactiveCalls).toBe(1);
    expect(w.bounds.height).toBe(popupSize(2).height);
  });

  it('hides (sending an empty list), survives Alt+F4, and closes for real when the app quits', () => {
    const { window, created, quit } = popupWindow();
    window.show([entryFromRinging(ringing('c1'))!]);
    const w = created[0]!;
    window.hide();
    expect(w.visible).toBe(false);
    expect(w.webContents.last(IPC.popupCalls)).toEqual([[]]);

    w.show();
    expect(w.close()).toBe(false);
    expect(w.visible).toBe(false);
    expect(w.destroyed).toBe(false);

    quit();
    expect(w.close()).toBe(true);
    expect(window.webContentsId).toBeNull();
  });

  it('recreates a destroyed window on the next call', () => {
    const { window, created } = popupWindow();
    window.prepare();
    created[0]!.destroy();
    window.show([entryFromRinging(ringing('c1'))!]);
    expect(created).toHaveLength(2);
    expect(created[1]!.visible).toBe(true);
    expect(window.webContentsId).toBe(created[1]!.webContents.id);
  });

  it('prepare() makes one hidden window only', () => {
    const { window, created } = popupWindow();
    window.prepare();
    window.prepare();
    expect(created).toHaveLength(1);
    expect(created[0]!.visible).toBe(false);
  });
});
