import { callOverMessage, ringingMessage, type ServerMessage } from './feedMessages';

/**
 * The incoming-call popup's state: which calls ring for this agent now. A `call.ringing` opens an
 * entry (and one native notification); `call.answered`, `call.dismissed` (answered elsewhere),
 * `call.ended`, `call.missed` and `call.transferred` close it (and its notification). The popup
 * window and the notifications are passed in, so this runs without Electron.
 */

/** One ringing call as the popup view shows it (sent to the popup window over IPC). */
export interface PopupEntry {
  callId: string;
  /** The caller's number as the phone reported it. */
  remote: string;
  /** Best name known: the caller card's, the contact's, or the phone's display name; null when none. */
  name: string | null;
  company: string | null;
  notes: string | null;
  crmUrl: string | null;
  line: 'direct' | 'helpline';
  /** The helpline number the call came in on, for helpline calls. */
  helpline: string | null;
  transferredFromName: string | null;
  /** When the call started ringing (epoch ms). */
  startedAt: number;
}

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

export function entryFromRinging(message: unknown): PopupEntry | null {
  const parsed = ringingMessage.safeParse(message);
  if (!parsed.success || parsed.data.call.direction !== 'in') return null;
  const { call, card, at } = parsed.data;
  return {
    callId: call.id,
    remote: call.remote,
    name: firstText(card?.name, call.contact?.name, call.remoteName),
    company: firstText(card?.company, call.contact?.company),
    notes: firstText(card?.notes),
    crmUrl: firstText(card?.crmUrl),
    line: call.line ?? 'direct',
    helpline: call.helpline ?? null,
    transferredFromName: parsed.data.transferredFromName ?? null,
    startedAt: call.startedAt ?? at,
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

export class PopupController {
  /** Newest first. */
  private ringing: PopupEntry[] = [];
  private readonly notifications = new Map<string, NotificationHandle>();

  constructor(private readonly surface: PopupSurface, private readonly notifier: CallNotifier) {}

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
    const over = callOverMessage.safeParse(message);
    if (over.success) this.close(over.data.call.id);
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
    this.surface.show(this.ringing);
    if (!known) {
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
    if (this.ringing.length === 0) this.surface.hide();
    else this.surface.show(this.ringing);
    return true;
  }
}
