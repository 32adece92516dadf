import { request } from 'node:http';
import { ACTION_URL_EVENTS, actionUrl, type PhoneVariable } from '../domain/provisioning/actionUrls';
import type { Logger } from '../shared/logger';

/**
 * "Ring me": a short incoming call to the seat's own agent, sent as a phone sends it (its Action
 * URLs, the webhook token) to this process's own phone listener, so it goes through the real
 * pipeline (listener, spool, call lifecycle, push) and the agent sees the real card. The call rings
 * for `ringMs`, is answered, and ends a moment later; the call log keeps it as an answered call
 * from TEST_CALL_NUMBER, named "Ringside test call".
 */
export const TEST_CALL_NUMBER = '*0';
export const TEST_CALL_NAME = 'Ringside test call';
/** The phone's own number on the test call: the agent's extension, else this (no agent's, no helpline's). */
const NO_EXTENSION_LINE = 'test';

export interface TestCallPhone {
  /** The agent's phone the call comes from: their bound phone, or null (then the call has no MAC and binds nothing). */
  mac: string | null;
  /** `$local`: the agent's extension (a direct call), else a line nobody has. */
  extension: string | null;
}

export interface TestCallOptions {
  /** The listener on loopback: its port, and the token phones carry. */
  listener: () => { port: number; token: string };
  logger: Logger;
  /** How long the test call rings before it is answered, and then talks. */
  ringMs?: number;
  talkMs?: number;
}

export class TestCallBusy extends Error {}

/** One test call at a time; stop() cancels a running one's remaining events (at shutdown). */
export class TestCalls {
  private running: AbortController | null = null;

  constructor(private readonly options: TestCallOptions) {}

  /** Sends the ring and resolves once the listener has accepted it (the card is on its way); the rest plays on. */
  async start(phone: TestCallPhone): Promise<{ number: string; name: string; ringMs: number }> {
    if (this.running) throw new TestCallBusy('a test call is already ringing');
    const abort = new AbortController();
    this.running = abort;
    const ringMs = this.options.ringMs ?? 4000;
    const talkMs = this.options.talkMs ?? 1500;
    try {
      await this.send('incoming', phone);
    } catch (error) {
      this.running = null;
      throw error;
    }
    void (async () => {
      try {
        await pause(ringMs, abort.signal);
        await this.send('answered', phone);
        await pause(talkMs, abort.signal);
      } catch (error) {
        if (!abort.signal.aborted) this.options.logger.warn({ err: error }, 'the test call could not be played to its end');
      } finally {
        // Always ends it, so no card is left ringing (also when stopped at shutdown).
        await this.send('hangup', phone).catch(() => undefined);
        if (this.running === abort) this.running = null;
      }
    })();
    return { number: TEST_CALL_NUMBER, name: TEST_CALL_NAME, ringMs };
  }

  stop(): void {
    this.running?.abort();
  }

  private send(event: 'incoming' | 'answered' | 'hangup', phone: TestCallPhone): Promise<void> {
    const def = ACTION_URL_EVENTS.find((e) => e.event === event);
    if (!def) throw new Error(`no Action URL for ${event}`);
    const { port, token } = this.options.listener();
    const values: Partial<Record<PhoneVariable, string>> = {
      mac: phone.mac ?? '', phone_ip: '127.0.0.1', remote: TEST_CALL_NUMBER, display_remote: TEST_CALL_NAME,
      local: phone.extension ?? NO_EXTENSION_LINE, active_user: phone.extension ?? '',
    };
    // The phone's template with its variables filled in (percent-encoded: this is node:http, not the phone's raw line).
    const url = actionUrl({ host: '127.0.0.1', port, token }, def).replace(/\$([a-z_]+)/g, (_, name: string) => encodeURIComponent(values[name as PhoneVariable] ?? ''));
    return new Promise((resolve, reject) => {
      const req = request(url, { method: 'GET', timeout: 5000 }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`the phone listener answered ${res.statusCode ?? 0}`))));
      });
      req.on('timeout', () => req.destroy(new Error('the phone listener did not answer within 5 s')));
      req.on('error', reject);
      req.end();
    });
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('stopped'));
    const timer = setTimeout(resolve, ms);
    timer.unref();
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new Error('stopped'));
    }, { once: true });
  });
}
