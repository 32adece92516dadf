import { DEFAULT_WEBHOOK_GRACE_MS } from '../app/Credentials';
import { loadConfig } from '../app/config/loadConfig';
import type { RingsideConfig } from '../app/config/schema';
import {
  currentToken, generateToken, readPreviousWebhookToken, removePreviousWebhookToken, tokenFile, writePreviousWebhookToken, writeSecretFile,
  type TokenKind,
} from '../app/config/tokenFiles';
import { MAX_WEBHOOK_GRACE_MS } from '../protocol/rest';
import type { AdminRotation, InviteLink, PhoneRotation, SigninLink, TokensView, WebhookRotation } from '../protocol/responses';
import { HELP_OPTION, parseCommandArgs, UsageError } from './args';
import type { CliIo } from './main';
import { ApiAnswerError, NotRunningError, RunningRingside } from './runningRingside';

/** Indented lines for the `ringside help` text. */
export const TOKEN_USAGE = `                 ringside token show webhook|admin    print that token (nothing else), for IT
                 ringside token rotate webhook [--grace 24h]  a new webhook token, at once, on the
                   running Ringside; phones with control settings are re-provisioned, the others are
                   listed; the old token keeps working for the grace period (0: not at all)
                 ringside token rotate admin          a new admin token, at once; the old one is refused
                 ringside token retire webhook        the replaced webhook token is refused from now on
                 ringside token status                where each token is kept, and the phones still
                                                      using the replaced webhook token
                   --api URL    the running Ringside's agent API (default: the configured one)
                   --offline    rotate the token files of a Ringside that is not running
`;

export const SIGNIN_USAGE = `                 ringside signin [--agent ID] [--api URL]  a link that signs the agent (default: the
                   seat's agent) in to the agent UI, once, within 5 minutes; needs the admin token
                 ringside signin --invite --agent ID  an invite link to send the agent: with it they
                   choose their password and are signed in (once, within 7 days)
`;

const OPTIONS = { ...HELP_OPTION, api: { type: 'string' }, grace: { type: 'string' }, offline: { type: 'boolean' } } as const;

function kindOf(raw: string | undefined, command: string): TokenKind {
  if (raw === 'webhook' || raw === 'admin') return raw;
  throw new UsageError(`token ${command}: say which token: webhook or admin${raw === undefined ? '' : `, not '${raw}'`}`);
}

/** `24h`, `30m`, `7d`, `90s`, `0`: the grace period of a webhook token rotation. */
export function parseGrace(raw: unknown): number {
  if (raw === undefined) return DEFAULT_WEBHOOK_GRACE_MS;
  const match = typeof raw === 'string' ? /^(\d+)\s*(ms|s|m|h|d)?$/.exec(raw.trim()) : null;
  if (match === null) throw new UsageError(`token rotate: --grace takes a duration like 24h, 30m, 7d or 0, not '${String(raw)}'`);
  const units: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  if (match[2] === undefined && Number(match[1]) !== 0) throw new UsageError(`token rotate: --grace needs a unit (24h, 30m, 7d), not '${String(raw)}'`);
  const ms = Number(match[1]) * (match[2] === undefined ? 0 : units[match[2]]!);
  if (ms > MAX_WEBHOOK_GRACE_MS) throw new UsageError('token rotate: --grace is at most 30d');
  return ms;
}

function when(ms: number): string {
  return new Date(ms).toISOString();
}

function duration(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Math.round(ms / 1000)} s`;
}

/** `ringside token show|rotate|retire|status`. */
export async function tokenCommand(args: string[], io: CliIo, usage: () => number): Promise<number> {
  const { values, positionals } = parseCommandArgs('token', args, OPTIONS, 2);
  if (values.help) return usage();
  const [action, kindArg] = positionals;
  const config = loadConfig({ env: io.env, argv: args });
  try {
    switch (action) {
      case 'show':
        // Only on this explicit request, and only the token: `TOKEN=$(ringside token show admin)`.
        io.stdout(`${currentToken(config, kindOf(kindArg, 'show'))}\n`);
        return 0;
      case 'rotate': {
        const kind = kindOf(kindArg, 'rotate');
        if (kind === 'admin' && values.grace !== undefined) throw new UsageError('token rotate admin: the old admin token is refused at once; --grace is for the webhook token');
        const grace = parseGrace(values.grace);
        if (values.offline) return await rotateOffline(config, kind, grace, values.api, io);
        const server = RunningRingside.of('token rotate', config, values.api, 10 * 60_000);
        return kind === 'webhook' ? rotateWebhook(await server.admin<WebhookRotation>('POST', '/api/tokens/webhook/rotate', { graceMs: grace }), config, io)
          : rotateAdmin(await server.admin<AdminRotation>('POST', '/api/tokens/admin/rotate'), io);
      }
      case 'retire': {
        if (kindOf(kindArg, 'retire') !== 'webhook') throw new UsageError('token retire: only the webhook token has a replaced token with a grace period');
        const server = RunningRingside.of('token retire', config, values.api);
        const { retired } = await server.admin<{ retired: boolean }>('POST', '/api/tokens/webhook/retire');
        io.stdout(retired ? 'the replaced webhook token is refused from now on\n' : 'no replaced webhook token was still in its grace period\n');
        return 0;
      }
      case 'status':
        if (kindArg !== undefined) throw new UsageError(`token status: unexpected argument '${kindArg}'`);
        return status(await RunningRingside.of('token status', config, values.api).admin<TokensView>('GET', '/api/tokens'), io);
      default:
        throw new UsageError(`token: say what to do: show, rotate, retire or status${action === undefined ? '' : `, not '${action}'`}`);
    }
  } catch (error) {
    if (error instanceof NotRunningError || error instanceof ApiAnswerError) {
      const offline = action === 'rotate' && error instanceof NotRunningError ? '; with --offline, the token files are rotated for its next start' : '';
      io.stderr(`ringside: token ${action}: ${error.message}${offline}\n`);
      return 1;
    }
    throw error;
  }
}

function phoneLine(phone: PhoneRotation): string {
  const who = [phone.agent, phone.ip].filter((v) => v !== null).join(', ');
  return `  ${phone.mac}${who ? ` (${who})` : ''}${phone.reason ? `: ${phone.reason}` : ''}`;
}

function rotateWebhook(answer: WebhookRotation, config: RingsideConfig, io: CliIo): number {
  const out = (line: string) => io.stdout(`${line}\n`);
  out(`webhook token rotated: the new one is in ${tokenFile(config.dataDir, 'webhook')} (ringside token show webhook) and works now`);
  out(answer.previousValidUntil === null
    ? 'the old webhook token is refused from now on'
    : `the old webhook token keeps working until ${when(answer.previousValidUntil)} (${duration(answer.previousValidUntil - answer.rotatedAt)}) for phones not re-provisioned yet; ringside token retire webhook ends it now`);
  out(`re-provisioned with the new token: ${answer.reprovisioned.length}`);
  for (const phone of answer.reprovisioned) out(phoneLine(phone));
  if (answer.manual.length > 0) {
    out(`paste the new Action URLs (ringside action-urls) into these phones: ${answer.manual.length}`);
    for (const phone of answer.manual) out(phoneLine(phone));
  }
  if (answer.elsewhere.length > 0) {
    out(`left alone (their Action URLs point elsewhere): ${answer.elsewhere.length}`);
    for (const phone of answer.elsewhere) out(phoneLine(phone));
  }
  return 0;
}

function rotateAdmin(answer: AdminRotation, io: CliIo): number {
  io.stdout(`admin token rotated: the old one is refused from now on; the new one is in ${answer.file ?? 'the admin token file'} (ringside token show admin)\n`);
  return 0;
}

function status(view: TokensView, io: CliIo): number {
  const out = (line: string) => io.stdout(`${line}\n`);
  const where = (info: TokensView['admin']) => (info.source === 'file' ? info.file : `configured${info.deprecatedSetting ? ` (${info.deprecatedSetting}, deprecated)` : ''}; not rotatable here`);
  out(`webhook token: ${where(view.webhook)}${view.webhook.rotatedAt === null ? '' : `, rotated ${when(view.webhook.rotatedAt)}`}`);
  if (view.webhook.previous !== null) {
    out(`  the replaced webhook token works until ${when(view.webhook.previous.validUntil)}; phones that used it since: ${view.webhook.previous.phones.length}`);
    for (const phone of view.webhook.previous.phones) out(`    ${phone.mac ?? '(no MAC)'}${phone.ip ? ` (${phone.ip})` : ''}, last ${when(phone.lastSeenAt)}`);
  }
  out(`admin token: ${where(view.admin)}`);
  return 0;
}

/** Rotation of a stopped Ringside's files; refused when one answers (it would keep the old token in memory). */
async function rotateOffline(config: RingsideConfig, kind: TokenKind, graceMs: number, apiFlag: unknown, io: CliIo): Promise<number> {
  const origin = config.tokenOrigins[kind];
  if (origin.source !== 'file') {
    io.stderr(`ringside: token rotate: the ${kind} token is configured (${kind === 'webhook' ? 'RINGSIDE_WEBHOOK_TOKEN, RINGSIDE_TOKEN' : 'RINGSIDE_ADMIN_TOKEN'}, a flag or a config file): change it there\n`);
    return 1;
  }
  const server = RunningRingside.of('token rotate', config, apiFlag);
  if (await server.answers()) {
    io.stderr(`ringside: token rotate: a Ringside answers at ${server.origin}: rotate without --offline, so it switches at once and re-provisions its phones\n`);
    return 1;
  }
  const now = Date.now();
  if (kind === 'webhook') {
    const replaced = currentToken(config, 'webhook');
    if (graceMs > 0) writePreviousWebhookToken(config.dataDir, { token: replaced, validUntil: now + graceMs, rotatedAt: now });
    else removePreviousWebhookToken(config.dataDir);
  }
  writeSecretFile(tokenFile(config.dataDir, kind), `${generateToken()}\n`);
  io.stdout(`${kind} token rotated in ${tokenFile(config.dataDir, kind)}; Ringside uses it from its next start\n`);
  if (kind === 'webhook') {
    const previous = readPreviousWebhookToken(config.dataDir, now);
    io.stdout(previous ? `the old webhook token keeps working until ${when(previous.validUntil)}\n` : 'the old webhook token is refused from the next start\n');
    io.stdout('no phone was re-provisioned: once Ringside runs, POST /api/devices/<mac>/provision (or ringside provision) each phone, or paste ringside action-urls\n');
  }
  return 0;
}

/** `ringside signin [--agent ID]`: a one-time sign-in link from the running Ringside. */
export async function signinCommand(args: string[], io: CliIo, usage: () => number): Promise<number> {
  const { values } = parseCommandArgs('signin', args, { ...HELP_OPTION, api: { type: 'string' }, agent: { type: 'string' }, invite: { type: 'boolean' } });
  if (values.help) return usage();
  if (values.invite && typeof values.agent !== 'string') throw new UsageError('signin --invite: say whom to invite: --agent ID');
  const config = loadConfig({ env: io.env, argv: args });
  const server = RunningRingside.of('signin', config, values.api);
  try {
    if (values.invite) {
      const invite = await server.admin<InviteLink>('POST', `/api/agents/${encodeURIComponent(String(values.agent))}/invite`, {});
      io.stdout(`send this to ${invite.agent}: with it they choose their password and are signed in (once, until ${when(invite.expiresAt)}): ${invite.url}\n`);
      return 0;
    }
    const link = await server.admin<SigninLink>('POST', '/api/signin-links', typeof values.agent === 'string' ? { agent: values.agent } : {});
    io.stdout(`open the agent UI as ${link.agent} (this link signs in once, until ${when(link.expiresAt)}): ${link.url}\n`);
    return 0;
  } catch (error) {
    if (error instanceof NotRunningError || error instanceof ApiAnswerError) {
      io.stderr(`ringside: signin: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
