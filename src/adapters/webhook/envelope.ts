import { isIP } from 'node:net';
import { resolveEventType, type CallEvent, type CallEventType, type TransferKind } from '../../domain/events/CallEvent';
import type { ActionUrl } from './actionUrl';
import { normaliseAddress } from './allowList';
import { parseMac } from '../../protocol/mac';
import { httpError, type HttpError } from './requestParser';

/**
 * Turns the decoded parameters of one Action URL into the bus envelope. The phone's own
 * variable names and the seed's names both map onto one set of fields; everything else
 * stays in `raw` for the handlers and for debugging.
 */
export interface EnvelopeContext {
  account: string;
  /** The socket's peer address: the device address when the phone sends no `phone_ip`. */
  sourceIp: string;
  receivedAt: number;
  nextId: () => string;
}

export type EnvelopeResult = { ok: true; event: CallEvent } | { ok: false; error: HttpError };

/** Parameter names (lower case) for each field, first match wins. */
const CALL_ID_KEYS = ['callid', 'call_id', 'call-id'];
/** Newer GRP "Outbound Notification" names, used when the classic variable is absent. */
const REMOTE_KEYS = ['remote', 'remotenumber'];
const LOCAL_KEYS = ['local', 'localnumber'];
const DISPLAY_REMOTE_KEYS = ['display_remote', 'remotename'];

const TRANSFER_ALIASES: Readonly<Record<string, TransferKind>> = {
  blind_transfer: 'blind',
  attended_transfer: 'attended',
};

export function buildEnvelope(url: ActionUrl, ctx: EnvelopeContext): EnvelopeResult {
  const type = resolveEventType(url.eventName);
  if (type === null) return fail(404, 'unknown event');
  const fields = indexByLowerName(url.params);
  const macText = fields.get('mac') ?? '';
  const mac = macText === '' ? null : parseMac(macText);
  if (macText !== '' && mac === null) return fail(400, 'mac is not a MAC address');
  const event: CallEvent = {
    id: ctx.nextId(),
    account: ctx.account,
    type,
    receivedAt: ctx.receivedAt,
    device: { mac, ip: deviceIp(fields.get('phone_ip'), ctx.sourceIp) },
    callId: pick(fields, CALL_ID_KEYS) || null,
    local: userPart(pick(fields, LOCAL_KEYS)),
    remote: userPart(pick(fields, REMOTE_KEYS)),
    displayRemote: pick(fields, DISPLAY_REMOTE_KEYS),
    activeUser: fields.get('active_user') ?? '',
    transferKind: transferKind(type, url.eventName, fields.get('kind')),
    // Not copied: parseActionUrl made it for this event alone, without a prototype (a `__proto__`
    // parameter is data). Copying it was the costliest step of building an envelope.
    raw: url.params,
  };
  return { ok: true, event };
}

function fail(status: number, reason: string): EnvelopeResult {
  return { ok: false, error: httpError(status, reason, false) };
}

/** Parameter names are matched case-insensitively (templates are typed by hand). */
function indexByLowerName(params: Record<string, string>): Map<string, string> {
  const map = new Map<string, string>();
  for (const key in params) {
    const value = params[key] as string;
    const lower = key.toLowerCase();
    // An empty duplicate must not hide a filled one (`remote=$remote&Remote=123`).
    if (value !== '' || !map.has(lower)) map.set(lower, value);
  }
  return map;
}

function pick(fields: Map<string, string>, keys: readonly string[]): string {
  for (const key of keys) {
    const value = fields.get(key);
    if (value !== undefined && value !== '') return value;
  }
  return '';
}

/** `sip:1001@pbx.local`, `<sip:+9230...@host;user=phone>` and `tel:+92...` keep the number. */
export function userPart(value: string): string {
  let s = value;
  if (s.length > 1 && s.charCodeAt(0) === 0x3c /* < */ && s.charCodeAt(s.length - 1) === 0x3e /* > */) s = s.slice(1, -1);
  const lower = s.slice(0, 5).toLowerCase();
  const scheme = lower.startsWith('sips:') ? 5 : lower.startsWith('sip:') || lower.startsWith('tel:') ? 4 : 0;
  if (scheme > 0) {
    s = s.slice(scheme);
    const semi = s.indexOf(';');
    if (semi !== -1) s = s.slice(0, semi);
  }
  const at = s.indexOf('@');
  if (at !== -1) s = s.slice(0, at);
  return s.trim();
}

/** `phone_ip` when it is an address, else the socket's peer (v4-mapped shown as v4). */
function deviceIp(phoneIp: string | undefined, sourceIp: string): string | null {
  if (phoneIp !== undefined && phoneIp !== '' && isIP(phoneIp) !== 0) return normaliseAddress(phoneIp);
  const source = normaliseAddress(sourceIp);
  return source === '' ? null : source;
}

/** The alias (blind_transfer, attended_transfer) wins over `kind=`; only transfers have one. */
function transferKind(type: CallEventType, eventName: string, kind: string | undefined): TransferKind | null {
  if (type !== 'transfer') return null;
  const fromAlias = TRANSFER_ALIASES[eventName.toLowerCase()];
  if (fromAlias !== undefined) return fromAlias;
  const k = kind?.toLowerCase();
  return k === 'blind' || k === 'attended' ? k : null;
}
