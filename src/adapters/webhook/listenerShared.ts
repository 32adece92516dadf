import type { CallEvent } from '../../domain/events/CallEvent';
import type { Logger } from '../../shared/logger';
import type { Metrics } from '../../shared/metrics';
import type { RateLimiter } from './rateLimit';
import { httpError, type HttpError } from './requestParser';

/** What every connection of one listener shares. */
export interface ListenerShared {
  account: string;
  checkToken: (candidate: string) => boolean;
  accept: (event: CallEvent) => Promise<void>;
  logger: Logger;
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
