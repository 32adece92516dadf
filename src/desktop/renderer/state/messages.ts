// Server messages from their JSON text to typed values. The server is ours, but a UI that throws on
// one odd message stops showing calls: anything that lacks what the screens rely on is dropped.
import type { CallerCard, ServerMessage } from '../api/types';

type Json = Record<string, unknown>;

const CALL_TYPES = new Set(['call.ringing', 'call.answered', 'call.dismissed', 'call.ended', 'call.transferred']);

function object(value: unknown): Json | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : null;
}

function isCall(value: unknown): boolean {
  const call = object(value);
  return call !== null && typeof call.id === 'string' && typeof call.remote === 'string';
}

function isMissed(value: unknown): boolean {
  const missed = object(value);
  return missed !== null && typeof missed.callId === 'string' && typeof missed.status === 'string';
}

function textOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** The caller card, or null when the server sent none (or an unusable one). */
function card(value: unknown): CallerCard | null {
  const raw = object(value);
  if (!raw || typeof raw.number !== 'string') return null;
  const source = raw.source === 'contact' || raw.source === 'crm' || raw.source === 'phone' ? raw.source : 'none';
  return {
    number: raw.number, name: textOrNull(raw.name), company: textOrNull(raw.company), notes: textOrNull(raw.notes),
    crmUrl: textOrNull(raw.crmUrl), source,
  };
}

/** One WebSocket message, or null when it is not JSON or not something the UI understands. */
export function parseServerMessage(text: string): ServerMessage | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  const message = object(raw);
  if (!message || typeof message.type !== 'string') return null;
  const at = typeof message.at === 'number' ? message.at : Date.now();
  const base = { ...message, at, account: typeof message.account === 'string' ? message.account : '' };
  const type = message.type;
  if (CALL_TYPES.has(type)) {
    if (!isCall(message.call)) return null;
    if (type === 'call.ringing') {
      return { ...base, type, card: card(message.card), transferredFrom: textOrNull(message.transferredFrom), transferredFromName: textOrNull(message.transferredFromName) } as ServerMessage;
    }
    if (type === 'call.dismissed') {
      return { ...base, type, answeredBy: textOrNull(message.answeredBy), answeredByAgent: textOrNull(message.answeredByAgent) } as ServerMessage;
    }
    return base as ServerMessage;
  }
  switch (type) {
    case 'call.missed':
      return isMissed(message.missed) ? ({ ...base, call: isCall(message.call) ? message.call : null } as ServerMessage) : null;
    case 'missed.claimed':
      return isMissed(message.missed) ? (base as ServerMessage) : null;
    case 'presence.changed':
      return typeof message.agent === 'string' && typeof message.status === 'string' ? (base as ServerMessage) : null;
    case 'health':
      return typeof message.listener === 'string' ? (base as ServerMessage) : null;
    case 'error':
      return { ...base, type, reason: textOrNull(message.reason) ?? 'unknown error' } as ServerMessage;
    default:
      return null;
  }
}
