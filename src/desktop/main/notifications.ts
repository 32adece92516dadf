import type { NotificationConstructorOptions } from 'electron';
import { notificationText, type CallNotifier, type NotificationHandle, type PopupEntry } from './popupController';

/**
 * Native notifications: one per ringing call (closed again when the call is answered elsewhere,
 * ends or is missed), and short notes about what the shell did (dialling, a link it refused).
 */

export interface NotificationLike {
  show(): void;
  close(): void;
  on(event: 'click' | 'close', listener: () => void): unknown;
}

export interface NotificationApi {
  isSupported(): boolean;
  create(options: NotificationConstructorOptions): NotificationLike;
}

export class Notifications implements CallNotifier {
  /** Kept referenced while shown: a garbage-collected Notification disappears on some platforms. */
  private readonly live = new Set<NotificationLike>();

  constructor(private readonly api: NotificationApi, private readonly onClick: () => void) {}

  notify(entry: PopupEntry): NotificationHandle | null {
    const { title, body } = notificationText(entry);
    // critical (Linux) and never (Linux, Windows): it stays until the call is over and the shell closes it.
    return this.show({ title, body, urgency: 'critical', timeoutType: 'never', silent: false });
  }

  /** A short note (dial result, refused link); it times out on its own. */
  inform(title: string, body: string): void {
    this.show({ title, body, urgency: 'normal', silent: true });
  }

  private show(options: NotificationConstructorOptions): NotificationHandle | null {
    if (!this.api.isSupported()) return null;
    const notification = this.api.create(options);
    this.live.add(notification);
    notification.on('click', () => this.onClick());
    notification.on('close', () => this.live.delete(notification));
    notification.show();
    return {
      close: () => {
        if (!this.live.delete(notification)) return;
        notification.close();
      },
    };
  }
}
