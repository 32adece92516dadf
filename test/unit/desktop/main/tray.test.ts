// The tray: the menu and tooltip as functions of presence and the unread count, the icon's pixels,
// and the controller on a fake Tray (the Electron runtime cannot start on this machine).
import { describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { MissedTracker } from '../../../../src/desktop/main/missedCount';
import { TrayController } from '../../../../src/desktop/main/tray';
import { pixelAt, PRESENCE_COLOURS, trayIconBitmap, UNREAD_COLOUR, type IconBitmap } from '../../../../src/desktop/main/trayIcon';
import { missedLabel, trayMenuTemplate, trayTitle, trayTooltip, type TrayActions, type TrayState } from '../../../../src/desktop/main/trayMenu';
import { readServerMessage, type ServerMessage } from '../../../../src/protocol/messages';
import type { MissedCallView } from '../../../../src/protocol/views';
import { missedCall } from '../../protocol/fixtures';
import { FakeMenu, FakeTray } from './fakes';

const STATE: TrayState = { presence: 'available', unread: 0, connected: true, openAtLogin: false, dialShortcut: 'CommandOrControl+Alt+D' };

function recordingActions() {
  const calls: string[] = [];
  const actions: TrayActions = {
    showWindow: () => calls.push('show'),
    setPresence: (status) => calls.push(`presence:${status}`),
    dialClipboard: () => calls.push('dial'),
    setOpenAtLogin: (enabled) => calls.push(`login:${enabled}`),
    quit: () => calls.push('quit'),
  };
  return { calls, actions };
}

const byId = (template: MenuItemConstructorOptions[], id: string) => template.find((i) => i.id === id)!;

describe('tray menu', () => {
  it('shows the presence, checks the chosen one, and counts unread missed calls', () => {
    const { actions } = recordingActions();
    const template = trayMenuTemplate({ ...STATE, presence: 'away', unread: 3 }, actions);
    expect(byId(template, 'status')).toMatchObject({ label: 'Away', enabled: false });
    expect(byId(template, 'missed').label).toBe('3 new missed calls');
    expect(['available', 'away', 'dnd'].map((p) => byId(template, `presence-${p}`).checked)).toEqual([false, true, false]);
  });

  it('checks none of the choices while on a call, and disables them while not connected', () => {
    const { actions } = recordingActions();
    const onCall = trayMenuTemplate({ ...STATE, presence: 'on_call' }, actions);
    expect(byId(onCall, 'status').label).toBe('On a call');
    expect(['available', 'away', 'dnd'].map((p) => byId(onCall, `presence-${p}`).checked)).toEqual([false, false, false]);

    const offline = trayMenuTemplate({ ...STATE, connected: false }, actions);
    expect(byId(offline, 'status').label).toBe('Not connected to Ringside');
    expect(byId(offline, 'presence-away').enabled).toBe(false);
    expect(byId(offline, 'dial').enabled).toBe(false);
  });

  it('runs the actions behind the items', () => {
    const { calls, actions } = recordingActions();
    const menu = new FakeMenu(trayMenuTemplate({ ...STATE, openAtLogin: true }, actions));
    for (const id of ['missed', 'presence-dnd', 'dial', 'show', 'login', 'quit']) menu.click(id);
    expect(calls).toEqual(['show', 'presence:dnd', 'dial', 'show', 'login:false', 'quit']);
  });

  it('shows the dial shortcut, or says it is unavailable; hides start-at-login where it cannot be managed', () => {
    const { actions } = recordingActions();
    expect(byId(trayMenuTemplate(STATE, actions), 'dial')).toMatchObject({ label: 'Dial copied number', accelerator: 'CommandOrControl+Alt+D', registerAccelerator: false });
    expect(byId(trayMenuTemplate({ ...STATE, dialShortcut: null }, actions), 'dial').label).toBe('Dial copied number (shortcut unavailable)');
    expect(trayMenuTemplate({ ...STATE, openAtLogin: null }, actions).some((i) => i.id === 'login')).toBe(false);
    expect(byId(trayMenuTemplate({ ...STATE, openAtLogin: true }, actions), 'login')).toMatchObject({ type: 'checkbox', checked: true });
  });

  it('words the tooltip and the macOS title', () => {
    expect(trayTooltip({ ...STATE, presence: 'dnd', unread: 1 })).toBe('Ringside: Do not disturb · 1 new missed call');
    expect(trayTooltip({ ...STATE, connected: false, unread: 2 })).toBe('Ringside: not connected · 2 new missed calls');
    expect(trayTooltip({ ...STATE, presence: null })).toBe('Ringside: connecting… · No new missed calls');
    expect(trayTitle({ ...STATE, unread: 4 })).toBe('4');
    expect(trayTitle(STATE)).toBe('');
    expect(missedLabel(0)).toBe('No new missed calls');
  });
});

describe('tray icon', () => {
  it('is a disc in the presence colour, transparent in the corners', () => {
    for (const presence of ['available', 'away', 'dnd', 'on_call', 'offline'] as const) {
      const icon = trayIconBitmap(presence, false);
      expect(icon.buffer).toHaveLength(16 * 16 * 4);
      expect(pixelAt(icon, 8, 8)).toEqual([...PRESENCE_COLOURS[presence], 255]);
      expect(pixelAt(icon, 0, 0)[3]).toBe(0);
    }
  });

  it('is grey while the presence is unknown, and has a red dot at the top right while calls are unread', () => {
    expect(pixelAt(trayIconBitmap(null, false), 8, 8)).toEqual([...PRESENCE_COLOURS.unknown, 255]);
    const badge = trayIconBitmap('available', true, 2);
    expect(badge.width).toBe(32);
    expect(badge.scaleFactor).toBe(2);
    const dotCentre = pixelAt(badge, Math.floor(32 * 0.78), Math.floor(32 * 0.22));
    expect(dotCentre).toEqual([...UNREAD_COLOUR, 255]);
    expect(pixelAt(badge, 16, 24)).toEqual([...PRESENCE_COLOURS.available, 255]);
    expect(pixelAt(trayIconBitmap('available', false, 2), Math.floor(32 * 0.78), Math.floor(32 * 0.22))).not.toEqual([...UNREAD_COLOUR, 255]);
  });
});

describe('tray controller', () => {
  function controller(platform: NodeJS.Platform = 'linux') {
    const { calls, actions } = recordingActions();
    const trays: FakeTray[] = [];
    let badge = -1;
    const tray = new TrayController({
      create: (image) => {
        const t = new FakeTray(image);
        trays.push(t);
        return t;
      },
      image: (bitmap) => bitmap,
      menu: (template) => new FakeMenu(template),
      setBadgeCount: (count) => void (badge = count),
      platform,
      actions,
    });
    return { tray, fake: trays[0]!, calls, badge: () => badge };
  }

  it('starts grey and not connected, with a menu', () => {
    const { fake } = controller();
    expect(fake.toolTip).toBe('Ringside: not connected · No new missed calls');
    expect(pixelAt(fake.images[0] as IconBitmap, 16, 16)).toEqual([...PRESENCE_COLOURS.unknown, 255]);
    expect(fake.menu!.item('status').label).toBe('Not connected to Ringside');
  });

  it('redraws the icon, tooltip, menu and badge when presence or the count change', () => {
    const { tray, fake, badge } = controller();
    tray.update({ connected: true, presence: 'away', unread: 2 });
    const icon = fake.images.at(-1) as IconBitmap;
    expect(pixelAt(icon, 16, 24)).toEqual([...PRESENCE_COLOURS.away, 255]);
    expect(pixelAt(icon, Math.floor(32 * 0.78), Math.floor(32 * 0.22))).toEqual([...UNREAD_COLOUR, 255]);
    expect(fake.toolTip).toBe('Ringside: Away · 2 new missed calls');
    expect(fake.menu!.item('missed').label).toBe('2 new missed calls');
    expect(badge()).toBe(2);
    expect(fake.title).toBe('');

    const images = fake.images.length;
    tray.update({ unread: 3 });
    expect(fake.images).toHaveLength(images);
  });

  it('opens the window on a left click (not on macOS, where the click opens the menu) and shows the count in the menu bar there', () => {
    const linux = controller('linux');
    linux.fake.click();
    expect(linux.calls).toEqual(['show']);
    const mac = controller('darwin');
    mac.fake.click();
    expect(mac.calls).toEqual([]);
    mac.tray.update({ unread: 5 });
    expect(mac.fake.title).toBe('5');
  });
});

describe('unread missed count', () => {
  const missed = (callId: string, extra: Partial<MissedCallView> = {}) => missedCall({ callId, remote: '+1555', remoteName: '', line: 'direct', at: 1, status: 'open', targets: ['me'], ...extra });
  const message = (type: 'call.missed' | 'missed.claimed', item: MissedCallView): ServerMessage =>
    (type === 'call.missed' ? { type, at: 1, account: 'default', call: null, missed: item } : { type, at: 1, account: 'default', missed: item });

  it('counts open missed calls for this agent and helpline calls, not other agents\' direct calls', () => {
    const tracker = new MissedTracker('me');
    tracker.reset([
      missed('a'), missed('b', { targets: ['bob'] }), missed('c', { line: 'helpline', targets: ['bob'] }),
      missed('d', { targets: [] }), missed('e', { status: 'claimed' }),
    ]);
    expect(tracker.unread()).toBe(3);
  });

  it('follows call.missed and missed.claimed, and what the agent UI reports as seen', () => {
    const tracker = new MissedTracker('me');
    expect(tracker.handle(message('call.missed', missed('a')))).toBe(true);
    expect(tracker.handle(message('call.missed', missed('b')))).toBe(true);
    expect(tracker.unread()).toBe(2);
    tracker.handle(message('missed.claimed', missed('a', { status: 'claimed' })));
    expect(tracker.unread()).toBe(1);
    tracker.setSeen(['b']);
    expect(tracker.unread()).toBe(0);
    tracker.setSeen([]);
    expect(tracker.unread()).toBe(1);
    expect(tracker.handle({ type: 'presence.changed', at: 1, account: 'default', agent: 'me', status: 'away' })).toBe(false);
    // A call.missed without a usable missed call never reaches the tracker: the feed drops it.
    expect(readServerMessage({ type: 'call.missed', at: 1, account: 'default', missed: { callId: 'x' } })).toBeNull();
  });

  it('keeps a call.missed that arrives while the list is being read', async () => {
    const tracker = new MissedTracker('me');
    let release!: (items: MissedCallView[]) => void;
    const reading = tracker.snapshot(() => new Promise((resolve) => (release = resolve)));
    tracker.handle(message('call.missed', missed('late')));
    release([missed('listed')]);
    await reading;
    expect(tracker.unread()).toBe(2);
  });
});
