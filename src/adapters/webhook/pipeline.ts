import type { CallEvent } from '../../domain/events/CallEvent';
import { parseActionUrl } from './actionUrl';
import { buildEnvelope } from './envelope';
import { checkNoBody, HeadScanner, httpError, parseHead, type HeadLimits, type HttpError, type ParsedRequest } from './requestParser';

/**
 * Everything between "a complete request head arrived" and "here is the event, or here is the
 * error to send", with no I/O: the listener wraps it in sockets, the property tests call it
 * directly with arbitrary bytes.
 */
export interface PipelineContext {
  account: string;
  /** Whether the phone's token delivers events; `previous`: a replaced webhook token still in its grace period. */
  checkToken: (candidate: string) => boolean | 'previous';
  /** An event accepted with the replaced webhook token (the phone still has the old Action URLs). */
  onPreviousToken?: (event: CallEvent) => void;
  /** The socket's peer address. */
  sourceIp: string;
  receivedAt: number;
  nextId: () => string;
  /** Rate limiting hook: 0 to proceed, else seconds until the source may retry. */
  takeRateToken?: () => number;
}

export type Outcome =
  | { kind: 'event'; event: CallEvent; keepAlive: boolean; head: boolean }
  | { kind: 'error'; error: HttpError; keepAlive: boolean; head: boolean };

const ALLOWED_METHODS = 'GET, HEAD';

export function evaluateHead(headBytes: Buffer, ctx: PipelineContext): Outcome {
  const parsed = parseHead(headBytes);
  if (!parsed.ok) return errorOutcome(parsed.error, false);
  const request = parsed.request;
  const isHead = request.method === 'HEAD';
  const failure = checkRequest(request, ctx);
  if (failure !== null) return errorOutcome(failure, isHead);
  const url = parseActionUrl(request.target);
  if (!url.ok) return errorOutcome(url.error, isHead);
  if (url.value.token === null) return errorOutcome(httpError(401, 'missing token', false), isHead);
  const token = ctx.checkToken(url.value.token);
  if (!token) return errorOutcome(httpError(401, 'invalid token', false), isHead);
  const envelope = buildEnvelope(url.value, ctx);
  if (!envelope.ok) return errorOutcome(envelope.error, isHead);
  if (token === 'previous') ctx.onPreviousToken?.(envelope.event);
  return { kind: 'event', event: envelope.event, keepAlive: request.keepAlive, head: isHead };
}

/** Rate, method and body checks, in that order: the cheapest refusal first. */
function checkRequest(request: ParsedRequest, ctx: PipelineContext): HttpError | null {
  const retryAfter = ctx.takeRateToken === undefined ? 0 : ctx.takeRateToken();
  const bodyError = checkNoBody(request.headers);
  if (retryAfter > 0) {
    return httpError(429, 'rate limit exceeded', bodyError !== null, { 'Retry-After': String(retryAfter) });
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    // A body we refuse to read would be parsed as the next request: close instead.
    return httpError(405, 'method not allowed', bodyError !== null, { Allow: ALLOWED_METHODS });
  }
  return bodyError;
}

/**
 * Every refusal closes the connection once it is answered (docs/webhook.md, Answers): a phone
 * that was refused is misconfigured and reconnects anyway, while a client that keeps a
 * connection open with requests it knows will be refused (a wrong token every 20 s) would
 * otherwise hold it, and its file descriptor, for ever.
 */
function errorOutcome(error: HttpError, head: boolean): Outcome {
  return { kind: 'error', error, keepAlive: false, head };
}

/**
 * The whole byte-level path for one request as the listener sees it, for tests: a head that
 * never completes is what the header timeout answers (408).
 */
export function evaluateBytes(bytes: Buffer, limits: HeadLimits, ctx: PipelineContext): Outcome {
  const scanner = new HeadScanner(limits);
  const scan = scanner.scan(bytes);
  if (scan.kind === 'error') return errorOutcome(scan.error, false);
  if (scan.kind === 'incomplete') return errorOutcome(httpError(408, 'request head not received in time'), false);
  return evaluateHead(bytes.subarray(scan.start, scan.headEnd), ctx);
}
