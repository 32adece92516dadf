import type { RingsideConfig } from '../app/config/schema';
import { currentToken } from '../app/config/tokenFiles';
import { browsableOrigin } from '../protocol/urls';
import { UsageError } from './args';

/** Nothing answers at the agent API's address: Ringside is not running there. */
export class NotRunningError extends Error {}

/** The API refused or failed the request: its status and the reason it gave. */
export class ApiAnswerError extends Error {
  constructor(readonly status: number, readonly code: string | null, message: string) {
    super(message);
  }
}

/**
 * The agent API of the Ringside this configuration describes (`--api URL` for another one): the
 * commands that change a running server (token rotation, sign-in links) go through it with the
 * admin token, so the server switches at once and nothing is changed behind its back.
 */
export class RunningRingside {
  private constructor(readonly origin: string, private readonly config: RingsideConfig, private readonly timeoutMs: number) {}

  static of(command: string, config: RingsideConfig, apiFlag: unknown, timeoutMs = 30_000): RunningRingside {
    if (typeof apiFlag === 'string') {
      let url: URL;
      try {
        url = new URL(apiFlag);
      } catch {
        throw new UsageError(`${command}: --api takes the agent API's URL, like http://127.0.0.1:7790, not '${apiFlag}'`);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${command}: --api takes an http(s) URL, not ${url.protocol}`);
      return new RunningRingside(url.origin, config, timeoutMs);
    }
    if (config.api.port === 0) throw new UsageError(`${command}: the API port is 0 (picked at start-up): pass --api with the address \`ringside serve\` printed`);
    const host = config.api.host.includes(':') && !config.api.host.startsWith('[') ? `[${config.api.host}]` : config.api.host;
    return new RunningRingside(browsableOrigin(`http://${host}:${config.api.port}`), config, timeoutMs);
  }

  /** Whether anything answers /healthz there. */
  async answers(): Promise<boolean> {
    try {
      await fetch(`${this.origin}/healthz`, { signal: AbortSignal.timeout(3_000) });
      return true;
    } catch {
      return false;
    }
  }

  /** An admin request (the admin token as the data directory holds it now); the JSON answer, or ApiAnswerError. */
  async admin<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.origin}${path}`, {
        method,
        headers: { authorization: `Bearer ${currentToken(this.config, 'admin')}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: NodeJS.ErrnoException }).cause;
      if (cause?.code === 'ECONNREFUSED') throw new NotRunningError(`no Ringside answers at ${this.origin} (start it, or pass --api with its address)`);
      throw new NotRunningError(`Ringside at ${this.origin} did not answer: ${cause?.message ?? (error as Error).message}`);
    }
    const text = await res.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      parsed = { error: text.slice(0, 200) };
    }
    if (res.status === 401) {
      throw new ApiAnswerError(401, null, `the Ringside at ${this.origin} refused this admin token: it is another Ringside than the one of ${this.config.dataDir}, or its admin token is configured elsewhere (RINGSIDE_ADMIN_TOKEN)`);
    }
    if (!res.ok) {
      const reason = typeof parsed.reason === 'string' ? parsed.reason : typeof parsed.error === 'string' ? parsed.error : `HTTP ${res.status}`;
      throw new ApiAnswerError(res.status, typeof parsed.error === 'string' ? parsed.error : null, reason);
    }
    return parsed as T;
  }
}
