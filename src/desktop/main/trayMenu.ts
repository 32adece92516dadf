import type { MenuItemConstructorOptions } from 'electron';
import type { ManualPresence, PresenceStatus } from '../../protocol/views';

/**
 * The tray: presence and the unread missed count at a glance, and the few things an agent does
 * without opening the window. The menu is a pure function of the state; the tray controller
 * rebuilds it when the state changes.
 */

export interface TrayState {
  /** null until the core has told the shell (or while the feed is down). */
  presence: PresenceStatus | null;
  unread: number;
  /** Whether the feed to the core is up: without it presence and counts are stale. */
  connected: boolean;
  /** Start at login: on/off, or null where the shell cannot manage it (a development run). */
  openAtLogin: boolean | null;
  /** The dial shortcut as registered ("CommandOrControl+Alt+D"), or null when another app holds it. */
  dialShortcut: string | null;
}

export interface TrayActions {
  showWindow(): void;
  setPresence(status: ManualPresence): void;
  dialClipboard(): void;
  setOpenAtLogin(enabled: boolean): void;
  quit(): void;
}

export const PRESENCE_LABELS: Readonly<Record<PresenceStatus, string>> = {
  available: 'Available',
  away: 'Away',
  dnd: 'Do not disturb',
  on_call: 'On a call',
  offline: 'Offline',
};

const CHOICES: readonly ManualPresence[] = ['available', 'away', 'dnd'];

export function missedLabel(unread: number): string {
  if (unread === 0) return 'No new missed calls';
  return unread === 1 ? '1 new missed call' : `${unread} new missed calls`;
}

/** The tooltip (and the macOS menu-bar title's long form): who, what state, how many missed. */
export function trayTooltip(state: TrayState): string {
  const presence = !state.connected ? 'not connected' : state.presence ? PRESENCE_LABELS[state.presence] : 'connecting…';
  return `Ringside: ${presence} · ${missedLabel(state.unread)}`;
}

/** The macOS menu-bar title next to the icon: the unread count, or nothing. */
export function trayTitle(state: TrayState): string {
  return state.unread > 0 ? String(state.unread) : '';
}

export function trayMenuTemplate(state: TrayState, actions: TrayActions): MenuItemConstructorOptions[] {
  const presenceKnown = state.connected && state.presence !== null;
  const status = presenceKnown ? PRESENCE_LABELS[state.presence!] : state.connected ? 'Connecting…' : 'Not connected to Ringside';
  const template: MenuItemConstructorOptions[] = [
    { id: 'status', label: status, enabled: false },
    { id: 'missed', label: missedLabel(state.unread), click: () => actions.showWindow() },
    { type: 'separator' },
    ...CHOICES.map((choice): MenuItemConstructorOptions => ({
      id: `presence-${choice}`,
      label: PRESENCE_LABELS[choice],
      // Checkboxes, not a radio group: while on a call or offline none of the three is checked.
      type: 'checkbox',
      checked: presenceKnown && state.presence === choice,
      // on_call and offline are derived by the core: the agent's choice shows again afterwards.
      enabled: state.connected,
      click: () => actions.setPresence(choice),
    })),
    { type: 'separator' },
    {
      id: 'dial',
      label: state.dialShortcut ? 'Dial copied number' : 'Dial copied number (shortcut unavailable)',
      accelerator: state.dialShortcut ?? undefined,
      registerAccelerator: false,
      enabled: state.connected,
      click: () => actions.dialClipboard(),
    },
    { id: 'show', label: 'Open Ringside', click: () => actions.showWindow() },
    { type: 'separator' },
  ];
  if (state.openAtLogin !== null) {
    template.push({ id: 'login', label: 'Start at login', type: 'checkbox', checked: state.openAtLogin, click: () => actions.setOpenAtLogin(!state.openAtLogin) });
  }
  template.push({ id: 'quit', label: 'Quit Ringside', click: () => actions.quit() });
  return template;
}
