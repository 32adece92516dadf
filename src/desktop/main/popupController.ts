import type { PopupEntry } from '../../protocol/ipc';
import type { ServerMessage, ServerMessageOf } from '../../protocol/messages';
import { ringingEndedFor } from '../../protocol/rules';

/**
 * The incoming-call popup's state: which calls ring for this agent now. A `call.ringing` opens an
 * entry (and one native notification); every message after which the call no longer rings here
 * (ringingEndedFor in src/protocol/rules.ts: `call.answered`, `call.dismissed` (answered elsewhere),
 * `call.ended`, `call.missed` and `call.transferred`) closes it (and its notification). The popup
 * window and the notifications are passed in, so this runs without Electron; each can be turned
 * off by the agent (the desktop settings, desktopSettings.ts), read at every change.
 */

/** One ringing call as the popup view shows it (sent to the popup window over IPC). */
export type { PopupEntry };

export interface PopupSurface {
  /** Shows the popup (without taking focus) with these calls, newest first. */
  show(entries: readonly PopupEntry[]): void;
  hide(): void;
}

export interface NotificationHandle {
  close(): void;
}

export interface CallNotifier {
  notify(entry: PopupEntry): NotificationHandle | null;
}

function firstText(...values: Array<string | null | undefined>): string | null {
  for (const value of values) {
    const trimmed = value?.trim();
    if (trimmed) return trimmed;
  }
  return null;
}

/** The popup entry of a ringing incoming call; null for an outgoing one. */
export function entryFromRinging(message: ServerMessageOf<'call.ringing'>): PopupEntry | null {
  const { call, card } = message;
  if (call.direction !== 'in') return null;
  return {
    callId: call.id,
    remote: call.remote,
    name: firstText(card?.name, call.contact?.name, call.remoteName),
    company: firstText(card?.company, call.contact?.company),
    notes: firstText(card?.notes),
    crmUrl: firstText(card?.crmUrl),
    line: call.line,
    helpline: call.helpline,
    transferredFromName: message.transferredFromName,
    startedAt: call.startedAt,
  };
}

/** The notification's text: who calls, and on which line. */
export function notificationText(entry: PopupEntry): { title: string; body: string } {
  const who = entry.name ?? entry.remote;
  const details = [
    entry.name ? entry.remote : null,
    entry.company,
    entry.line === 'helpline' ? `on helpline ${entry.helpline ?? ''}`.trim() : null,
    entry.transferredFromName ? `transferred by ${entry.transferredFromName}` : null,
  ].filter((d): d is string => d !== null);
  return { title: `Incoming call: ${who}`, body: details.join(' · ') || 'Ringing on your phone' };
}

/** Which alerts the agent wants (the desktop settings); both on unless told otherwise. */
export interface PopupAlerts {
  popupWindow: boolean;
  notifications: boolean;
}

const ALL_ALERTS: PopupAlerts = { popupWindow: true, notifications: true };

export class PopupController {
  /** Newest first. */
  private ringing: PopupEntry[] = [];
  private readonly notifications = new Map<string, NotificationHandle>();

  /**
   * `alerts` is read at every change: with the popup window off the surface is never shown (the
   * entries are still kept, for the popup view's state and for turning it on mid-ring); with
   * notifications off none is made.
   */
  constructor(private readonly surface: PopupSurface, private readonly notifier: CallNotifier, private readonly alerts: () => PopupAlerts = () => ALL_ALERTS) {}

  /**
   * The agent changed the alerts: the popup window hides (or shows the calls ringing now), and
   * the notifications of ringing calls close when notifications were turned off. A call already
   * ringing gets no late notification.
   */
  alertsChanged(): void {
    const { popupWindow, notifications } = this.alerts();
    if (!notifications) {
      for (const handle of this.notifications.values()) handle.close();
      this.notifications.clear();
    }
    if (popupWindow && this.ringing.length > 0) this.surface.show(this.ringing);
    else this.surface.hide();
  }

  entries(): readonly PopupEntry[] {
    return this.ringing;
  }

  /** Feeds one server message; anything that is not about a ringing call is ignored. */
  handle(message: ServerMessage): void {
    if (message.type === 'call.ringing') {
      const entry = entryFromRinging(message);
      if (entry) this.open(entry);
      return;
    }
    const ended = ringingEndedFor(message);
    if (ended !== null) this.close(ended);
  }

  /** The agent closed the popup's entry: it goes, and its notification with it. */
  dismiss(callId: string): boolean {
    return this.close(callId);
  }

  /**
   * After the feed was disconnected, messages may have been lost: an entry whose call no longer
   * rings (asked of the core) is closed.
   */
  async reconcile(stillRinging: (callId: string) => Promise<boolean>): Promise<void> {
    const checks = await Promise.all(this.ringing.map(async (e) => [e.callId, await stillRinging(e.callId).catch(() => true)] as const));
    for (const [callId, ringing] of checks) if (!ringing) this.close(callId);
  }

  /** Closes everything (the shell stops). */
  clear(): void {
    for (const entry of [...this.ringing]) this.close(entry.callId);
  }

  private open(entry: PopupEntry): void {
    const known = this.ringing.some((e) => e.callId === entry.callId);
    // A second call.ringing for the same call (a CRM card arriving late, another leg) updates it in place.
    this.ringing = known ? this.ringing.map((e) => (e.callId === entry.callId ? entry : e)) : [entry, ...this.ringing];
    const alerts = this.alerts();
    if (alerts.popupWindow) this.surface.show(this.ringing);
    if (!known && alerts.notifications) {
      const handle = this.notifier.notify(entry);
      if (handle) this.notifications.set(entry.callId, handle);
    }
  }

  private close(callId: string): boolean {
    const before = this.ringing.length;
    this.ringing = this.ringing.filter((e) => e.callId !== callId);
    this.notifications.get(callId)?.close();
    this.notifications.delete(callId);
    if (this.ringing.length === before) return false;
    if (this.ringing.length === 0 || !this.alerts().popupWindow) this.surface.hide();
    else this.surface.show(this.ringing);
    return true;
  }
}
