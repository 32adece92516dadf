// The whole Electron shell (src/desktop/main/shell.ts) against a real in-process core: the electron module
// is replaced by the hand-written fake in fakes.ts, because the Electron runtime cannot start on
// this machine. Calls come from the phone side (webhook requests), dialling goes to a simulated
// phone's control API; what is asserted is what the agent would see: windows, popup, notifications,
// tray.
import * as fs from 'node:fs';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../../src/shared/logger';
import { ALICE } from '../../../../tools/simulator/cast';
import { IPC } from '../../../../src/protocol/ipc';
import type { PopupEntry } from '../../../../src/desktop/main/popupController';
import { DEFAULT_DIAL_SHORTCUT, Shell, type ShellOptions } from '../../../../src/desktop/main/shell';
import { claimSingleInstance } from '../../../../src/desktop/main/singleInstance';
import { closeAllPhones, PHONE_PASSWORD, startPhone } from '../../tools/simulator/controlHelpers';
import { startTestRingside, type TestRingside } from '../../../support/ringside';
import { makeTempDir } from '../../../support/tmp';
import { eventually } from '../../../support/wait';
import { FakeElectron, FakeWebContents, type FakeBrowserWindow, type FakeTray } from './fakes';

const MAC_A = '00:0B:82:00:00:0A';
const MAC_B = '00:0B:82:00:00:0B';
const HELPLINE = '5000';
const PRELOAD = '/app/out/preload/index.cjs';

let r: TestRingside;
let electron: FakeElectron;
let home: { dir: string; cleanup: () => void };
const shells: Shell[] = [];
let counter = 0;

function newCaller(): string {
  counter += 1;
  return `+92301${String(Date.now() % 1_000_000).padStart(6, '0')}${String(counter).padStart(2, '0')}`;
}

function ring(mac: string, remote: string, local: string) {
  return { mac, remote, local, display_remote: 'Customer' };
}

async function phoneSays(steps: Array<[string, Record<string, string>]>): Promise<void> {
  for (const [event, params] of steps) {
    const res = await r.phone(event, params);
    if (res.status !== 200) throw new Error(`${event}: ${res.status}`);
  }
  await r.settle();
}

async function startShell(options: Partial<ShellOptions> = {}, fake = electron): Promise<Shell> {
  const shell = await Shell.start({
    electron: fake.slice(),
    core: r.instance,
    preload: PRELOAD,
    platform: 'linux',
    env: { XDG_CONFIG_HOME: join(home.dir, 'config') },
    home: home.dir,
    argv: [],
    logger: createLogger({ level: 'silent' }),
    files: fs,
    ...options,
  });
  shells.push(shell);
  return shell;
}

const mainWindow = (fake = electron): FakeBrowserWindow => fake.windows[0]!;
const popupWindow = (fake = electron): FakeBrowserWindow => fake.windows[1]!;
const tray = (fake = electron): FakeTray => fake.trays[0]!;
const asMain = (fake = electron) => ({ contentsId: mainWindow(fake).webContents.id, url: `${new URL(r.instance.apiUrl).origin}/` });
const asPopup = (fake = electron) => ({ contentsId: popupWindow(fake).webContents.id, url: `${new URL(r.instance.apiUrl).origin}/#popup` });
const popupCalls = (): PopupEntry[] => (popupWindow().webContents.last(IPC.popupCalls)?.[0] as PopupEntry[] | undefined) ?? [];

async function connected(fake = electron): Promise<void> {
  await tray(fake).until(() => tray(fake).toolTip.startsWith('Ringside: Available'));
}

beforeEach(async () => {
  r = await startTestRingside();
  home = makeTempDir('ringside-shell-home-');
  electron = new FakeElectron();
  await r.api('POST', '/api/helplines', { body: { number: HELPLINE, name: 'Support' } });
  const me = await r.api('POST', '/api/agents', { body: { id: 'me', name: 'Me', devices: [MAC_A] } });
  expect(me.status).toBe(200);
});

afterEach(async () => {
  for (const shell of shells.splice(0)) await shell.stop();
  await closeAllPhones();
  await r.stop();
  home.cleanup();
});

describe('Electron shell: windows', () => {
  it('opens the agent UI with a working session token in a secure window, shown once ready, and prepares the popup hidden', async () => {
    await startShell();
    const main = mainWindow();
    expect(main.options.webPreferences).toMatchObject({ preload: PRELOAD, contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
    const url = new URL(main.loadedUrls[0]!);
    expect(url.origin).toBe(new URL(r.instance.apiUrl).origin);
    const token = decodeURIComponent(url.hash.replace('#token=', ''));
    expect((await r.api('GET', '/api/calls', { token })).status).toBe(200);
    expect(main.visible).toBe(false);
    main.emit('ready-to-show');
    expect(main.visible).toBe(true);

    const popup = popupWindow();
    expect(popup.options).toMatchObject({ frame: false, alwaysOnTop: true, focusable: false, skipTaskbar: true, show: false });
    await popup.until(() => popup.loadedUrls.length === 1);
    expect(popup.loadedUrls[0]).toMatch(/\/#popup&token=.+/);
    expect(popup.visible).toBe(false);
  });

  it('denies permissions, adds its CSP, and keeps every new web contents on the agent API origin', async () => {
    await startShell();
    expect(electron.session.request('media')).toBe(false);
    expect(electron.session.check('notifications')).toBe(false);
    expect(electron.session.respond({})['Content-Security-Policy']).toEqual([expect.stringContaining("default-src 'none'")]);
    const contents = new FakeWebContents();
    electron.app.emit('web-contents-created', {}, contents);
    expect(contents.emit('will-navigate', 'https://evil.example/').prevented).toBe(true);
    expect(contents.emit('will-navigate', `${new URL(r.instance.apiUrl).origin}/x`).prevented).toBe(false);
    expect(contents.open('https://example.com/')).toEqual({ action: 'deny' });
    expect(electron.shell.opened).toEqual(['https://evil.example/', 'https://example.com/']);
  });

  it('closing the window keeps Ringside in the tray; the tray brings it back; quitting closes it for real', async () => {
    await startShell();
    const main = mainWindow();
    main.emit('ready-to-show');
    expect(main.close()).toBe(false);
    expect(main.visible).toBe(false);
    tray().click();
    expect(main.visible).toBe(true);
    expect(main.focused).toBe(true);
    tray().menu!.click('show');
    expect(main.showCalls).toBe(3);
    electron.app.quit();
    expect(main.close()).toBe(true);
    expect(main.destroyed).toBe(true);
  });

  it('started at login (--hidden) it stays in the tray; an installed app turns start at login on once', async () => {
    electron.app.isPackaged = true;
    await startShell({ argv: ['--hidden'] });
    mainWindow().emit('ready-to-show');
    expect(mainWindow().visible).toBe(false);
    const entry = join(home.dir, 'config', 'autostart', 'ringside.desktop');
    expect(readFileSync(entry, 'utf8')).toContain('Exec=/opt/Ringside/ringside --hidden');
    await connected();
    expect(tray().menu!.item('login').checked).toBe(true);

    // The agent turns it off; the next start respects that.
    tray().menu!.click('login');
    expect(existsSync(entry)).toBe(false);
    expect(tray().menu!.item('login').checked).toBe(false);
    await shells.pop()!.stop();
    const again = new FakeElectron();
    again.app.isPackaged = true;
    await startShell({}, again);
    expect(existsSync(entry)).toBe(false);
    expect(again.trays[0]!.menu!.item('login').checked).toBe(false);
  });

  it('a development run leaves the login item and the tel: handler alone', async () => {
    await startShell();
    expect(tray().menu!.template.some((i) => i.id === 'login')).toBe(false);
    expect(existsSync(join(home.dir, 'config', 'autostart', 'ringside.desktop'))).toBe(false);
    expect(electron.app.protocolClients.size).toBe(0);
  });
});

describe('Electron shell: the incoming-call popup', () => {
  it('a helpline call shows the popup without focus and a notification; answered by Bob elsewhere, both close', async () => {
    await startShell();
    await connected();
    await r.agent('bob', { name: 'Bob', devices: [MAC_B] });
    const caller = newCaller();

    await phoneSays([['incoming', ring(MAC_A, caller, HELPLINE)], ['incoming', ring(MAC_B, caller, HELPLINE)]]);
    const popup = popupWindow();
    await popup.until(() => popup.visible);
    expect(popup.showInactiveCalls).toBe(1);
    expect(popup.focused).toBe(false);
    expect(popupCalls()).toEqual([expect.objectContaining({ remote: caller, line: 'helpline', helpline: HELPLINE, name: 'Customer' })]);
    expect(await electron.ipcMain.invoke(IPC.popupState, asPopup())).toEqual(popupCalls());
    expect(electron.notifications).toHaveLength(1);
    const notification = electron.notifications[0]!;
    expect(notification.options).toMatchObject({ title: 'Incoming call: Customer', body: `${caller} · on helpline ${HELPLINE}` });
    expect(notification.shown).toBe(true);

    await phoneSays([['answered', ring(MAC_B, caller, HELPLINE)]]);
    await popup.until(() => !popup.visible);
    expect(popupCalls()).toEqual([]);
    expect(notification.closed).toBe(true);
  });

  it('the agent can dismiss the popup from the popup view; a click on the notification opens the main window', async () => {
    await startShell();
    await connected();
    const caller = newCaller();
    await phoneSays([['incoming', ring(MAC_A, caller, '7000')]]);
    const popup = popupWindow();
    await popup.until(() => popup.visible);
    const [entry] = popupCalls();

    electron.notifications[0]!.click();
    expect(mainWindow().visible).toBe(true);

    await expect(electron.ipcMain.invoke(IPC.popupDismiss, asMain(), { callId: entry!.callId })).rejects.toThrow('not for the main window');
    await electron.ipcMain.invoke(IPC.popupDismiss, asPopup(), { callId: entry!.callId });
    expect(popup.visible).toBe(false);
    expect(electron.notifications[0]!.closed).toBe(true);
  });

  it('a call that rings out closes the popup; once missed it counts in the tray until the agent UI reports it seen', async () => {
    await startShell();
    await connected();
    const caller = newCaller();
    await phoneSays([['incoming', ring(MAC_A, caller, '7000')]]);
    const popup = popupWindow();
    await popup.until(() => popup.visible);

    await phoneSays([['missed', ring(MAC_A, caller, '7000')]]);
    await popup.until(() => !popup.visible);
    expect(electron.notifications[0]!.closed).toBe(true);

    r.advance(r.config.missedDelayMs + 1);
    await r.settle();
    await tray().until(() => tray().toolTip === 'Ringside: Available · 1 new missed call');
    expect(electron.app.badgeCount).toBe(1);
    expect(tray().menu!.item('missed').label).toBe('1 new missed call');

    const missed = await r.api<{ items: Array<{ callId: string }> }>('GET', '/api/missed?status=open');
    await electron.ipcMain.invoke(IPC.missedSeen, asMain(), { callIds: [missed.body.items[0]!.callId] });
    expect(tray().toolTip).toBe('Ringside: Available · No new missed calls');
    expect(electron.app.badgeCount).toBe(0);
  });

  it('missed calls from before the start are counted when it connects', async () => {
    // Nobody is online: a call to a number that is no one's extension rings the phone's owner, "me".
    const caller = newCaller();
    await phoneSays([['incoming', ring(MAC_A, caller, '7000')], ['missed', ring(MAC_A, caller, '7000')]]);
    r.advance(r.config.missedDelayMs + 1);
    await r.settle();

    await startShell();
    await tray().until(() => tray().toolTip === 'Ringside: Available · 1 new missed call');
  });
});

describe('Electron shell: the agent\'s desktop alerts (popup window, notifications)', () => {
  /** What the shell holds as ringing (the popup view's state): proof the feed delivered the call, shown or not. */
  const ringingHeld = (count: number, fake = electron) =>
    eventually(`the shell to hold ${count} ringing call(s)`, () => fake.ipcMain.invoke(IPC.popupState, asPopup(fake)) as Promise<PopupEntry[]>, (calls) => calls.length === count);
  const setAlerts = (change: Record<string, boolean>, fake = electron) => fake.ipcMain.invoke(IPC.setDesktopSettings, asMain(fake), change);

  it('with the popup turned off a ringing call opens no popup and no notification, and still counts as missed; turned on again it does', async () => {
    await startShell();
    await connected();
    expect(await electron.ipcMain.invoke(IPC.desktopSettings, asMain())).toEqual({ popupWindow: true, notifications: true });
    expect(await setAlerts({ popupWindow: false, notifications: false })).toEqual({ popupWindow: false, notifications: false });

    const first = newCaller();
    await phoneSays([['incoming', ring(MAC_A, first, '7000')]]);
    await ringingHeld(1);
    const popup = popupWindow();
    expect(popup.visible).toBe(false);
    expect(popup.showInactiveCalls).toBe(0);
    expect(electron.notifications).toEqual([]);

    await phoneSays([['missed', ring(MAC_A, first, '7000')]]);
    await ringingHeld(0);
    r.advance(r.config.missedDelayMs + 1);
    await r.settle();
    await tray().until(() => tray().toolTip === 'Ringside: Available · 1 new missed call');

    expect(await setAlerts({ popupWindow: true, notifications: true })).toEqual({ popupWindow: true, notifications: true });
    const second = newCaller();
    await phoneSays([['incoming', ring(MAC_A, second, '7000')]]);
    await popup.until(() => popup.visible);
    expect(popupCalls()).toEqual([expect.objectContaining({ remote: second })]);
    expect(electron.notifications).toHaveLength(1);
    expect(electron.notifications[0]!.shown).toBe(true);
  });

  it('each switch on its own: notifications off keeps the popup; popup off keeps the notification; turned off mid-ring they close', async () => {
    await startShell();
    await connected();
    await setAlerts({ notifications: false });
    const first = newCaller();
    await phoneSays([['incoming', ring(MAC_A, first, '7000')]]);
    const popup = popupWindow();
    await popup.until(() => popup.visible);
    expect(electron.notifications).toEqual([]);
    await phoneSays([['answered', ring(MAC_A, first, '7000')]]);
    await popup.until(() => !popup.visible);

    expect(await setAlerts({ popupWindow: false, notifications: true })).toEqual({ popupWindow: false, notifications: true });
    const second = newCaller();
    await phoneSays([['incoming', ring(MAC_A, second, '7000')]]);
    await electron.events.until(() => electron.notifications.length === 1);
    expect(popup.visible).toBe(false);

    // Both on while it rings: the popup shows the call now (no late second notification); both off: they close.
    await setAlerts({ popupWindow: true });
    expect(popup.visible).toBe(true);
    expect(popupCalls()).toEqual([expect.objectContaining({ remote: second })]);
    expect(electron.notifications).toHaveLength(1);
    await setAlerts({ popupWindow: false, notifications: false });
    expect(popup.visible).toBe(false);
    expect(electron.notifications[0]!.closed).toBe(true);
  });

  it('the choice survives a restart of the app, in a file only the user can read', async () => {
    await startShell();
    await connected();
    await setAlerts({ popupWindow: false });
    const file = join(r.instance.config.dataDir, 'desktop-settings.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ popupWindow: false, notifications: true });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    await shells.pop()!.stop();

    const again = new FakeElectron();
    await startShell({}, again);
    await connected(again);
    expect(await again.ipcMain.invoke(IPC.desktopSettings, asMain(again))).toEqual({ popupWindow: false, notifications: true });
    const caller = newCaller();
    await phoneSays([['incoming', ring(MAC_A, caller, '7000')]]);
    await again.events.until(() => again.notifications.length === 1);
    await ringingHeld(1, again);
    expect(popupWindow(again).visible).toBe(false);
    expect(popupWindow(again).showInactiveCalls).toBe(0);
  });

  it('refuses a malformed change and a change from the popup window, and keeps the settings as they were', async () => {
    await startShell();
    await connected();
    await expect(setAlerts({ popupWindow: 'no' } as never)).rejects.toThrow('invalid input');
    await expect(electron.ipcMain.invoke(IPC.setDesktopSettings, asPopup(), { popupWindow: false })).rejects.toThrow('not for the popup window');
    expect(await electron.ipcMain.invoke(IPC.desktopSettings, asMain())).toEqual({ popupWindow: true, notifications: true });
    expect(existsSync(join(r.instance.config.dataDir, 'desktop-settings.json'))).toBe(false);
  });
});

describe('Electron shell: presence in the tray', () => {
  it('shows the agent\'s presence and sets it from the menu', async () => {
    await startShell();
    await connected();
    expect(tray().menu!.item('presence-available').checked).toBe(true);
    tray().menu!.click('presence-away');
    await tray().until(() => tray().toolTip.startsWith('Ringside: Away'));
    const agents = await r.api<{ items: Array<{ id: string; presence: string }> }>('GET', '/api/agents');
    expect(agents.body.items.find((a) => a.id === 'me')!.presence).toBe('away');
    expect(tray().menu!.item('presence-away').checked).toBe(true);
  });

  it('goes grey and says so when the core goes away', async () => {
    await startShell();
    await connected();
    await r.instance.close();
    await tray().until(() => tray().toolTip.startsWith('Ringside: not connected'));
    expect(tray().menu!.item('presence-away').enabled).toBe(false);
  });
});

describe('Electron shell: dialling', () => {
  async function deskPhone() {
    // The seat's agent sits at Alice's simulated phone, whose control API Ringside may drive.
    await r.api('POST', '/api/agents', { body: { id: 'me', name: 'Me', devices: [ALICE.phone.mac] } });
    const phone = await startPhone({ identity: ALICE.phone, form: 'session' });
    const saved = await r.api('PUT', `/api/devices/${ALICE.phone.mac}/control`, { body: { host: phone.host, port: phone.port, password: PHONE_PASSWORD } });
    expect(saved.status).toBe(200);
    return phone;
  }

  it('a tel: link from a second start dials through the agent\'s phone', async () => {
    const phone = await deskPhone();
    const shell = await startShell();
    claimSingleInstance(electron.app, { focus: () => shell.showMain(), openLink: (url) => void shell.openLink(url) });
    electron.app.emit('second-instance', {}, ['/opt/Ringside/ringside', 'tel:+92-300-1234567'], '/');
    await electron.events.until(() => electron.notifications.length === 1);
    expect(phone.lines.status()[0]).toMatchObject({ remotenumber: '+923001234567' });
    expect(electron.notifications[0]!.options).toMatchObject({ title: 'Dialling', body: 'Dialling +923001234567 on your phone' });
  });

  it('a callto: link the app was started with is dialled once it is up', async () => {
    const phone = await deskPhone();
    await startShell({ argv: ['callto://0300 1234567'] });
    await electron.events.until(() => electron.notifications.length === 1);
    expect(phone.lines.status()[0]).toMatchObject({ remotenumber: '03001234567' });
  });

  it('the dial shortcut dials the selected number (Linux primary selection), else the copied one', async () => {
    const phone = await deskPhone();
    const shell = await startShell();
    electron.clipboard.selection = 'please call Ann on 0300 7654321';
    electron.clipboard.text = '+1 555 0100';
    electron.globalShortcut.press(DEFAULT_DIAL_SHORTCUT);
    await electron.events.until(() => electron.notifications.length === 1);
    expect(phone.lines.status()[0]).toMatchObject({ remotenumber: '03007654321' });

    electron.clipboard.selection = '';
    const outcome = await shell.dialSelection();
    expect(outcome).toMatchObject({ ok: true, number: '+15550100' });
  });

  it('on Windows and macOS the shortcut reads the clipboard only', async () => {
    const phone = await deskPhone();
    const shell = await startShell({ platform: 'win32' });
    electron.clipboard.selection = '0300 1111111';
    electron.clipboard.text = 'tel:0300-2222222';
    expect(await shell.dialSelection()).toMatchObject({ ok: true, number: '03002222222' });
    expect(phone.lines.status()[0]).toMatchObject({ remotenumber: '03002222222' });
  });

  it('refuses a link that is not a number, and says why a phone could not dial', async () => {
    const shell = await startShell();
    expect(await shell.openLink('callto:skype.user')).toBeNull();
    expect(electron.notifications[0]!.options).toMatchObject({ title: 'Ringside cannot dial this link', body: expect.stringMatching(/"callto:skype.user" is not a phone number|"skype.user" is not a phone number/) });

    // "me" has a phone, but no control settings: the core's reason reaches the agent.
    const outcome = await shell.openLink('tel:0300 1234567');
    expect(outcome).toMatchObject({ ok: false, number: '03001234567' });
    expect(electron.notifications[1]!.options).toMatchObject({ title: 'Dialling failed', body: expect.stringMatching(/^Could not dial 03001234567: phone 000B8200000A has/) });

    electron.clipboard.text = 'no number here';
    expect(await shell.dialSelection()).toBeNull();
    expect(electron.notifications[2]!.options).toMatchObject({ title: 'Nothing to dial', body: 'there is no phone number in "no number here"' });
  });

  it('a shortcut another application holds is reported in the tray menu', async () => {
    electron.globalShortcut.taken.add(DEFAULT_DIAL_SHORTCUT);
    await startShell();
    expect(tray().menu!.item('dial').label).toBe('Dial copied number (shortcut unavailable)');
  });
});

describe('Electron shell: IPC and stopping', () => {
  it('answers its own windows only', async () => {
    await startShell();
    const renewed = (await electron.ipcMain.invoke(IPC.renewSession, asMain())) as { token: string; expiresAt: number };
    expect((await r.api('GET', '/api/calls', { token: renewed.token })).status).toBe(200);
    await expect(electron.ipcMain.invoke(IPC.renewSession, { contentsId: mainWindow().webContents.id, url: 'https://evil.example/' })).rejects.toThrow('refused');
    await expect(electron.ipcMain.invoke(IPC.renewSession, { contentsId: 12345, url: asMain().url })).rejects.toThrow('refused');
  });

  it('stop() closes the feed, the popup and its notifications, the tray, the shortcut and the IPC handlers', async () => {
    const shell = await startShell();
    await connected();
    const caller = newCaller();
    await phoneSays([['incoming', ring(MAC_A, caller, '7000')]]);
    await popupWindow().until(() => popupWindow().visible);

    await shells.pop()!.stop();
    expect(shell.feed.current).toBe('closed');
    expect(electron.notifications[0]!.closed).toBe(true);
    expect(popupWindow().destroyed).toBe(true);
    expect(tray().destroyed).toBe(true);
    expect(electron.globalShortcut.registered.size).toBe(0);
    expect(electron.ipcMain.handlers.size).toBe(0);
  });
});
