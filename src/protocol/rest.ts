import { z } from 'zod';
import { parseMac } from './mac';
import { isDay } from './days';

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
  /** Administers the account with their own sign-in (not the token rotation); absent keeps what is stored (new agents: false). */
  admin: z.boolean().optional(),
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
/** The shortest and longest password an agent may have (docs/agent-api.md, Passwords and invite links). */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 200;
/** A password being set: long enough, not only spaces. */
export const newPassword = z.string()
  .min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `must be at most ${PASSWORD_MAX_LENGTH} characters`)
  .refine((p) => p.trim() !== '', 'must not be only spaces');
const linkCode = z.string().min(16).max(128);
/**
 * POST /api/signin: the agent UI trades a sign-in link's code for a session, once (`{code}`), or
 * signs an agent in with their password (`{agent, password}`).
 */
export const signinBody = z.strictObject({
  code: linkCode.optional(),
  agent: z.string().trim().min(1, 'is required').max(64).optional(),
  password: z.string().min(1, 'is required').max(PASSWORD_MAX_LENGTH).optional(),
}).superRefine((body, ctx) => {
  if (body.code !== undefined && (body.agent !== undefined || body.password !== undefined)) {
    ctx.addIssue({ code: 'custom', message: 'give either code, or agent and password' });
  } else if (body.code === undefined && (body.agent === undefined || body.password === undefined)) {
    for (const field of ['agent', 'password'] as const) {
      if (body[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: 'is required (or give a sign-in link\'s code)' });
    }
  }
});
/** POST /api/session/password (the agent): their current password (none when they have none yet) and the new one. */
export const ownPasswordBody = z.strictObject({ current: z.string().max(PASSWORD_MAX_LENGTH).optional(), password: newPassword });
/** POST /api/agents/:id/password (admin): the agent's new password. */
export const passwordBody = z.strictObject({ password: newPassword });
/** The longest an invite link may stay open (30 days); by default 7. */
export const MAX_INVITE_TTL_MS = 30 * 24 * 60 * 60_000;
export const DEFAULT_INVITE_TTL_MS = 7 * 24 * 60 * 60_000;
/** POST /api/agents/:id/invite (admin): how long the link works (default 7 days). */
export const inviteBody = z.strictObject({ ttlMs: z.number().int().min(60_000).max(MAX_INVITE_TTL_MS).optional() });
/** POST /api/invites/check: who an invite link is for, without using it. */
export const inviteCheckBody = z.strictObject({ code: linkCode });
/** POST /api/invites/accept: the invited agent's chosen password; uses the link up and signs them in. */
export const inviteAcceptBody = z.strictObject({ code: linkCode, password: newPassword });
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
/**
 * A day of the statistics: `YYYY-MM-DD` (that local day of the seat's zone), `today`, or an
 * instant (epoch milliseconds or ISO 8601 with a time) standing for the local day it falls in.
 */
const statsDay = z.string().transform((raw, ctx): { day: string } | { at: number } | 'today' => {
  if (raw === 'today') return 'today';
  if (/^\d{4}-\d{2}-\d{2}$/.test(raw)) {
    if (isDay(raw)) return { day: raw };
    ctx.addIssue({ code: 'custom', message: 'is not a calendar day' });
    return z.NEVER;
  }
  const value = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(value)) {
    ctx.addIssue({ code: 'custom', message: 'is neither a day (YYYY-MM-DD), today, epoch milliseconds nor an ISO 8601 time' });
    return z.NEVER;
  }
  return { at: value };
});
export type StatsDay = z.output<typeof statsDay>;
/** GET /api/stats: `from` and `to` are days, both included. */
export const statsQuery = z.strictObject({ from: statsDay.optional(), to: statsDay.optional(), agent: id.optional() });
/** GET /api/stats/hourly: one day (default today). */
export const hourlyStatsQuery = z.strictObject({ day: statsDay.optional(), agent: id.optional() });
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

/** POST /api/services/database/test: the database in use only (no other URL is tried: it would be a way to reach any host's PostgreSQL). */
export const databaseTestBody = z.strictObject({});

/** PUT /api/me: the seat's own agent changes its own name and extension (a missing field keeps it, a null extension removes it). */
export const meBody = z.strictObject({
  name: z.string().trim().min(1).max(120).optional(),
  extension: z.string().trim().min(1).max(32).regex(/^[0-9*#+]+$/, 'digits (and * # +) only').nullish(),
});

/**
 * POST /api/me/phone/provision: the seat's own agent writes the Action URLs into its phone by the
 * phone's address (an IP address on the local network: private, link-local or loopback) and web password.
 */
export const meProvisionBody = z.strictObject({
  host: z.string().trim().min(1).max(64).refine(isLocalAddress, 'must be the phone\'s IP address on the local network (for example 192.168.1.50)'),
  port: z.number().int().min(1).max(65535).optional(),
  username: z.string().trim().min(1).max(64).optional(),
  password: z.string().min(1).max(200),
  dryRun: z.boolean().optional(),
});

/** A private (RFC 1918, RFC 4193), link-local or loopback IP address: where a desk phone is, and nothing on the internet. */
export function isLocalAddress(host: string): boolean {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    if (v4.slice(1).some((part) => Number(part) > 255)) return false;
    return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
  }
  const v6 = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (!/^[0-9a-f:]+$/.test(v6) || !v6.includes(':')) return false;
  return v6 === '::1' || /^f[cd][0-9a-f]{2}:/.test(v6) || /^fe[89ab][0-9a-f]:/.test(v6);
}
