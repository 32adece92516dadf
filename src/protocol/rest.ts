import { z } from 'zod';
import { parseMac } from './mac';

export const macSchema = z.string().transform((raw, ctx) => {
  const mac = parseMac(raw);
  if (mac === null) {
    ctx.addIssue({ code: 'custom', message: 'is not a MAC address (12 hex digits)' });
    return z.NEVER;
  }
  return mac;
});

const id = z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/, 'letters, digits, _ . @ - only (1–64)');
const number = z.string().trim().min(1).max(64).refine((n) => /\d/.test(n), 'must contain digits');

export const agentBody = z.strictObject({
  id,
  name: z.string().trim().min(1).max(120),
  extension: z.string().trim().min(1).max(32).nullish(),
  devices: z.array(macSchema).max(20).optional(),
  helplines: z.array(number).max(50).optional(),
  /** Sees everyone's figures (GET /api/stats); absent keeps what is stored (new agents: false). */
  supervisor: z.boolean().optional(),
});

export const deviceBody = z.strictObject({ mac: macSchema, agent: id });
export const helplineBody = z.strictObject({ number, name: z.string().trim().min(1).max(120), agents: z.array(id).max(500).optional() });
export const contactBody = z.strictObject({
  number,
  name: z.string().trim().min(1).max(200),
  company: z.string().trim().max(200).nullish(),
  notes: z.string().max(2000).nullish(),
  crmUrl: z.string().url().refine((u) => /^https?:/i.test(u), 'must be http(s)').nullish(),
});
export const sessionBody = z.strictObject({ agent: id });
/** POST /api/signin-links: a one-time sign-in link for an agent (default: the seat's agent). */
export const signinLinkBody = z.strictObject({ agent: id.optional() });
/** POST /api/signin: the agent UI trades a sign-in link's code for a session, once. */
export const signinBody = z.strictObject({ code: z.string().min(16).max(128) });
/** The longest grace a webhook token rotation may give the replaced token (30 days). */
export const MAX_WEBHOOK_GRACE_MS = 30 * 24 * 60 * 60_000;
/** POST /api/tokens/webhook/rotate: how long phones may keep using the replaced token (default 24 h; 0: refused at once). */
export const webhookRotateBody = z.strictObject({ graceMs: z.number().int().min(0).max(MAX_WEBHOOK_GRACE_MS).optional() });
export const callbackBody = z.strictObject({ agent: id.optional(), mac: macSchema.optional() });
export const provisionBody = z.strictObject({ dryRun: z.boolean().optional() });

/** A phone's control address: a host name or an IP address, no scheme, no port (that is `port`). */
const controlHost = z.string().trim().min(1).max(253).regex(/^[A-Za-z0-9.-]+$|^\[?[0-9A-Fa-f:.]+\]?$/, 'must be a host name or an IP address (no scheme, no port)')
  .transform((h) => h.replace(/^\[(.*)\]$/, '$1'));
/** PUT /api/devices/:mac/control: missing fields keep their value, null restores the default. */
export const deviceControlBody = z.strictObject({
  host: controlHost.nullish(),
  port: z.number().int().min(1).max(65535).nullish(),
  username: z.string().trim().min(1).max(64).regex(/^[^\s]+$/, 'no spaces').nullish(),
  password: z.string().min(1).max(128).nullish(),
});
/** What a phone dials: digits with an optional leading +, and * or # (the firmware's own rule). */
export const dialNumber = z.string().trim().regex(/^\+?[0-9*#]{1,40}$/, 'must be digits (optionally a leading +, * and #), at most 40');
export const phoneDialBody = z.strictObject({ number: dialNumber, mac: macSchema.optional(), account: z.number().int().min(0).max(15).optional() });
export const phoneActionBody = z.strictObject({ mac: macSchema.optional() });

/** A time as epoch milliseconds or an ISO 8601 date/time (`2026-11-22`, `2026-11-22T09:00:00+05:00`). */
const millis = z.string().transform((raw, ctx) => {
  const value = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(value)) {
    ctx.addIssue({ code: 'custom', message: 'is neither epoch milliseconds nor an ISO 8601 date' });
    return z.NEVER;
  }
  return value;
});
export const callsQuery = z.strictObject({
  remote: z.string().max(64).optional(),
  agent: id.optional(),
  status: z.enum(['ringing', 'in_progress', 'answered', 'missed', 'no_answer']).optional(),
  direction: z.enum(['in', 'out']).optional(),
  from: millis.optional(),
  to: millis.optional(),
  q: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
  cursor: z.string().max(200).optional(),
});
export const missedQuery = z.strictObject({ status: z.enum(['open', 'claimed', 'closed']).optional(), limit: z.coerce.number().int().min(1).max(500).optional() });
export const statsQuery = z.strictObject({ from: millis.optional(), to: millis.optional(), agent: id.optional() });
export const contactsQuery = z.strictObject({ q: z.string().max(100).default(''), limit: z.coerce.number().int().min(1).max(200).optional() });

/** The most wrap-up codes an account may have. */
export const MAX_DISPOSITIONS = 100;

/** PUT /api/dispositions: replaces the account's wrap-up codes. */
export const dispositionsBody = z.strictObject({
  items: z.array(z.strictObject({
    code: z.string().trim().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - only (1–64)'),
    label: z.string().trim().min(1).max(120),
  })).min(1).max(MAX_DISPOSITIONS),
});

/** A path that takes no query parameters. */
export const noQuery = z.strictObject({});

const SERVICE_SCHEMES = { redis: ['redis:', 'rediss:'], rabbitmq: ['amqp:', 'amqps:'] } as const;
export type TestableService = keyof typeof SERVICE_SCHEMES;

/** POST /api/services/:service/test `{url?}`: a URL other than the one in use; its messages never repeat the URL (it may carry a password). */
export const serviceTestBody = (service: TestableService) => z.strictObject({
  url: z.string().max(2000).refine((raw) => {
    try {
      return (SERVICE_SCHEMES[service] as readonly string[]).includes(new URL(raw).protocol);
    } catch {
      return false;
    }
  }, `must be a ${SERVICE_SCHEMES[service].join(' or ')}// URL`).optional(),
});
