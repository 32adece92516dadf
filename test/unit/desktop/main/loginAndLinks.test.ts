// Start at login (Windows/macOS login items, a Linux XDG autostart entry written to a temporary
// XDG_CONFIG_HOME), the single-instance lock, and how links reach the running app. Fake app object;
// real files for the autostart entry.
import { existsSync, readFileSync } from 'node:fs';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { autostartEntry, autostartPath, desktopExecArgument, HIDDEN_ARGUMENT, LoginItem, startsHidden } from '../../../../src/desktop/main/loginItem';
import { claimSingleInstance, LinkInbox, registerDialSchemes } from '../../../../src/desktop/main/singleInstance';
import { makeTempDir } from '../../../support/tmp';
import { FakeApp, FakeEvent } from './fakes';

const temps: Array<{ cleanup: () => void }> = [];
afterEach(() => {
  for (const t of temps.splice(0)) t.cleanup();
});
function tempDir(): string {
  const t = makeTempDir('ringside-shell-');
  temps.push(t);
  return t.dir;
}

describe('start at login', () => {
  it('Windows: a login item that starts the installed executable hidden', () => {
    const app = new FakeApp();
    const item = new LoginItem({ platform: 'win32', app, fs, env: {}, home: 'C:\\Users\\ann', executable: 'C:\\Program Files\\Ringside\\Ringside.exe' });
    expect(item.isEnabled()).toBe(false);
    item.setEnabled(true);
    expect(app.loginItemCalls).toEqual([{ openAtLogin: true, path: 'C:\\Program Files\\Ringside\\Ringside.exe', args: [HIDDEN_ARGUMENT] }]);
    expect(item.isEnabled()).toBe(true);
    item.setEnabled(false);
    expect(app.loginItemCalls.at(-1)).toMatchObject({ openAtLogin: false });
    expect(item.isEnabled()).toBe(false);
  });

  it('macOS: a login item opened hidden', () => {
    const app = new FakeApp();
    const item = new LoginItem({ platform: 'darwin', app, fs, env: {}, home: '/Users/ann', executable: '/Applications/Ringside.app/Contents/MacOS/Ringside' });
    item.setEnabled(true);
    expect(app.loginItemCalls).toEqual([{ openAtLogin: true, openAsHidden: true }]);
    expect(item.isEnabled()).toBe(true);
  });

  it('Linux: writes and removes ~/.config/autostart/ringside.desktop (XDG_CONFIG_HOME honoured)', () => {
    const configHome = tempDir();
    const app = new FakeApp();
    const item = new LoginItem({ platform: 'linux', app, fs, env: { XDG_CONFIG_HOME: configHome }, home: '/home/ann', executable: '/home/ann/Apps/Ringside 1.0.AppImage' });
    const file = join(configHome, 'autostart', 'ringside.desktop');
    expect(item.isEnabled()).toBe(false);
    item.setEnabled(true);
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(autostartEntry('/home/ann/Apps/Ringside 1.0.AppImage'));
    expect(readFileSync(file, 'utf8')).toContain('Exec="/home/ann/Apps/Ringside 1.0.AppImage" --hidden\n');
    expect(item.isEnabled()).toBe(true);
    expect(app.loginItemCalls).toEqual([]);
    item.setEnabled(false);
    expect(existsSync(file)).toBe(false);
    expect(item.isEnabled()).toBe(false);
    item.setEnabled(false);
  });

  it('Linux: an entry the desktop hid (Hidden=true) counts as off', () => {
    const configHome = tempDir();
    const item = new LoginItem({ platform: 'linux', app: new FakeApp(), fs, env: { XDG_CONFIG_HOME: configHome }, home: '/home/ann', executable: '/opt/Ringside/ringside' });
    item.setEnabled(true);
    fs.appendFileSync(join(configHome, 'autostart', 'ringside.desktop'), 'Hidden=true\n');
    expect(item.isEnabled()).toBe(false);
  });

  it('places the autostart entry under ~/.config unless XDG_CONFIG_HOME is an absolute path', () => {
    expect(autostartPath({}, '/home/ann')).toBe('/home/ann/.config/autostart/ringside.desktop');
    expect(autostartPath({ XDG_CONFIG_HOME: 'relative' }, '/home/ann')).toBe('/home/ann/.config/autostart/ringside.desktop');
    expect(autostartPath({ XDG_CONFIG_HOME: '/cfg' }, '/home/ann')).toBe('/cfg/autostart/ringside.desktop');
  });

  it('quotes Exec arguments the way the Desktop Entry Specification says', () => {
    expect(desktopExecArgument('/opt/Ringside/ringside')).toBe('/opt/Ringside/ringside');
    expect(desktopExecArgument('/home/a b/R.AppImage')).toBe('"/home/a b/R.AppImage"');
    // A literal $ inside quotes: \$ by the quoting rule, then the string escape doubles the backslash.
    expect(desktopExecArgument('/home/$USER/R')).toBe('"/home/\\\\$USER/R"');
    expect(desktopExecArgument('/x/100%/R')).toBe('/x/100%%/R');
  });

  it('stays in the tray when started at login', () => {
    expect(startsHidden(['--hidden'], undefined)).toBe(true);
    expect(startsHidden([], true)).toBe(true);
    expect(startsHidden(['tel:123'], false)).toBe(false);
  });
});

describe('single instance and links', () => {
  it('a second Ringside quits: it does not get the lock and registers nothing', () => {
    const app = new FakeApp();
    app.lockAvailable = false;
    expect(claimSingleInstance(app, { focus: () => {}, openLink: () => {} })).toBe(false);
    expect(app.listenerCount('second-instance')).toBe(0);
  });

  it('the running one focuses on a second start, and dials the link a second start carries', () => {
    const app = new FakeApp();
    const seen: string[] = [];
    expect(claimSingleInstance(app, { focus: () => seen.push('focus'), openLink: (url) => seen.push(url) })).toBe(true);
    app.emit('second-instance', {}, ['/opt/Ringside/ringside'], '/home/ann');
    app.emit('second-instance', {}, ['/opt/Ringside/ringside', '--hidden', 'tel:+92-300-1234567'], '/home/ann');
    expect(seen).toEqual(['focus', 'tel:+92-300-1234567']);
  });

  it('macOS open-url: a dial link is taken (default prevented), anything else ignored', () => {
    const app = new FakeApp();
    const seen: string[] = [];
    claimSingleInstance(app, { focus: () => {}, openLink: (url) => seen.push(url) });
    const event = new FakeEvent();
    app.emit('open-url', event, 'callto://0300 1234567');
    app.emit('open-url', new FakeEvent(), 'https://example.com/');
    expect(event.prevented).toBe(true);
    expect(seen).toEqual(['callto://0300 1234567']);
  });

  it('links that arrive while the core starts are kept and delivered in order', () => {
    const inbox = new LinkInbox();
    inbox.push('tel:1');
    inbox.push('tel:2');
    const delivered: string[] = [];
    inbox.deliverTo((url) => delivered.push(url));
    inbox.push('tel:3');
    expect(delivered).toEqual(['tel:1', 'tel:2', 'tel:3']);
  });

  it('claims tel: and callto: in an installed app only, and not for an AppImage', () => {
    const app = new FakeApp();
    expect(registerDialSchemes(app, { platform: 'win32', packaged: false, env: {} })).toEqual([]);
    expect(app.protocolClients.size).toBe(0);
    expect(registerDialSchemes(app, { platform: 'linux', packaged: true, env: { APPIMAGE: '/x.AppImage' } })).toEqual([]);
    expect(app.protocolClients.size).toBe(0);
    app.refusedProtocols.add('callto');
    expect(registerDialSchemes(app, { platform: 'win32', packaged: true, env: {} })).toEqual(['tel']);
    expect([...app.protocolClients]).toEqual(['tel']);
    app.refusedProtocols.clear();
    expect(registerDialSchemes(app, { platform: 'darwin', packaged: true, env: {} })).toEqual(['tel', 'callto']);
  });
});
