import type { CallEvent } from '../../domain/events/CallEvent';
import type { Logger } from '../../shared/logger';
import type { Metrics } from '../../shared/metrics';
import type { RateLimiter } from './rateLimit';
import type { RefusalLog } from './refusalLog';
import { httpError, type HttpError } from './requestParser';

/** What every connection of one listener shares. */
export interface ListenerShared {
  account: string;
  checkToken: (candidate: string) => boolean | 'previous';
  onPreviousToken?: (event: CallEvent) => void;
  accept: (event: CallEvent) => Promise<void>;
  logger: Logger;
  /** Refused requests, logged with their source (rate-limited per source and reason). */
  refusals: RefusalLog;
  metrics: Metrics;
  limits: { maxRequestLineBytes: number; maxHeaderBytes: number; headersTimeoutMs: number; idleTimeoutMs: number };
  rate: RateLimiter | null;
  nextId: () => string;
  /** How long a closing socket may take to send its FIN before it is destroyed. */
  lingerMs: number;
}

/** Stray CR/LF after a request is sloppiness, not an incomplete request. */
export function onlyBlankLines(buf: Buffer): boolean {
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] !== 0x0d && buf[i] !== 0x0a) return false;
  }
  return true;
}

export function forbidden(): HttpError {
  return httpError(403, 'source address not allowed');
}

/** What a connection refused at a cap is told to wait: caps are about bursts, which pass quickly. */
export const CONNECTION_RETRY_AFTER_S = 1;

/** A connection cap is reached (docs/webhook.md, Connection limits). */
export function tooManyConnections(): HttpError {
  return httpError(503, 'too many connections, retry later', true, { 'Retry-After': String(CONNECTION_RETRY_AFTER_S) });
}
