import pg from 'pg';
import type { PostgresPool } from '../database';
import { DIRECTORY_CHANNEL } from './writes';

/** What onChange is told after a reconnect: notifications sent meanwhile are lost, so every account may have changed. */
export const ALL_ACCOUNTS = '*';

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;

export interface DirectoryListener {
  close(): Promise<void>;
}

/**
 * Directory changes between servers without Redis (docs/architecture.md, Several servers): calls
 * `onChange(account)` for every directory write any server commits (writes.ts notifies them), so
 * this server's cache drops what it holds of the account. Holds one connection of its own
 * (LISTEN needs a session): from the pool given, or a client of its own for a URL. A lost
 * connection is made again (backing off from 100 ms to 5 s), then `onChange(ALL_ACCOUNTS)` is
 * called: notifications sent while it was gone were not kept for it. Resolves once the first
 * LISTEN is in place.
 */
export async function listenForDirectoryChanges(source: PostgresPool | string, onChange: (account: string) => void): Promise<DirectoryListener> {
  const listener = new Listener(source, onChange);
  await listener.start();
  return listener;
}

type Session = { client: pg.ClientBase; release(broken: boolean): Promise<void> };

class Listener implements DirectoryListener {
  private session: Session | null = null;
  private closed = false;
  private retryMs = FIRST_RETRY_MS;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly source: PostgresPool | string, private readonly onChange: (account: string) => void) {}

  async start(): Promise<void> {
    this.session = await this.connect();
  }

  private async connect(): Promise<Session> {
    const opened = await this.openSession();
    const { client } = opened;
    const notified = (message: pg.Notification) => {
      if (message.channel === DIRECTORY_CHANNEL && message.payload) this.onChange(message.payload);
    };
    const lost = () => this.lost(session);
    // A pooled client goes back to the pool on close: it must not keep these handlers.
    const session: Session = {
      client,
      release: async (broken) => {
        client.off('notification', notified).off('error', lost).off('end', lost);
        await opened.release(broken);
      },
    };
    client.on('notification', notified).on('error', lost).on('end', lost);
    try {
      await client.query(`LISTEN ${DIRECTORY_CHANNEL}`);
    } catch (error) {
      await session.release(true);
      throw error;
    }
    return session;
  }

  private async openSession(): Promise<Session> {
    if (typeof this.source !== 'string') {
      const client = await this.source.connect();
      return { client, release: async (broken) => client.release(broken) };
    }
    const client = new pg.Client({ connectionString: this.source });
    // An error before 'connect' resolves would otherwise be unhandled.
    client.on('error', () => undefined);
    await client.connect();
    return { client, release: () => client.end().catch(() => undefined) };
  }

  private lost(session: Session): void {
    if (this.session !== session) return;
    this.session = null;
    void session.release(true).catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => void this.reconnect(), this.retryMs);
    this.timer.unref();
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
  }

  private async reconnect(): Promise<void> {
    this.timer = null;
    try {
      const session = await this.connect();
      if (this.closed) {
        await session.release(false);
        return;
      }
      this.session = session;
      this.retryMs = FIRST_RETRY_MS;
      this.onChange(ALL_ACCOUNTS);
    } catch {
      this.scheduleReconnect();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const session = this.session;
    this.session = null;
    if (!session) return;
    await session.client.query(`UNLISTEN ${DIRECTORY_CHANNEL}`).catch(() => undefined);
    await session.release(false);
  }
}
