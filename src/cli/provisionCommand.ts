import { loadConfig } from '../app/config/loadConfig';
import { PhoneError } from '../domain/phone/errors';
import { GrandstreamPhoneClient } from '../adapters/phone/GrandstreamPhoneClient';
import { formatActionUrlLine } from '../domain/provisioning/actionUrls';
import { provisionActionUrls, SLOT_DONE, type ProvisionReport, type SlotReport } from '../domain/provisioning/provisionActionUrls';
import { configuredActionUrls, warnTooLong } from './actionUrlsCommand';
import { HELP_OPTION, parseCommandArgs, UsageError } from './args';
import type { CliIo } from './main';
import { hostAndPort, withHttpScheme } from '../shared/httpAddress';

/** Indented lines for the `ringside help` text, under the `provision` command. */
export const PROVISION_USAGE = `                 ringside provision --phone ADDRESS[:PORT]
                   --username U    the phone's web account (default: user)
                   --password P    its password (or RINGSIDE_PHONE_PASSWORD in the environment)
                   --dry-run       read the phone and say what would be written, write nothing
`;

const OPTIONS = {
  ...HELP_OPTION,
  phone: { type: 'string' },
  username: { type: 'string' },
  password: { type: 'string' },
  'dry-run': { type: 'boolean' },
} as const;

const ACTION_URL_PAGE = "the phone's web UI, Settings > Outbound Notification > Action URL (Maintenance > Event Notify on GXV32xx)";

/**
 * `ringside provision --phone <address>`: writes this Ringside's Action URLs into the phone's
 * empty slots through its configuration API, reads them back, and says what is left to paste by
 * hand. 0 when every event now reaches Ringside, 1 when something is left to do.
 */
export async function provisionCommand(args: string[], io: CliIo, usage: () => number): Promise<number> {
  const { values } = parseCommandArgs('provision', args, OPTIONS);
  if (values.help) return usage();
  const phone = phoneAddress(values.phone);
  const password = typeof values.password === 'string' ? values.password : io.env.RINGSIDE_PHONE_PASSWORD;
  if (!password) throw new UsageError("provision: the phone's web password is needed: --password, or RINGSIDE_PHONE_PASSWORD in the environment");
  const config = loadConfig({ env: io.env, argv: args });
  const listener = configuredActionUrls('provision', config);
  warnTooLong(listener.urls, io);
  const client = new GrandstreamPhoneClient({ ...phone, password, ...(typeof values.username === 'string' ? { username: values.username } : {}) });
  let report: ProvisionReport;
  try {
    report = await provisionActionUrls(client, listener.urls, { host: listener.publicHost.host, port: listener.port }, { dryRun: values['dry-run'] === true });
  } catch (error) {
    if (!(error instanceof PhoneError)) throw error;
    io.stderr(`ringside: provision: ${error.message}\n`);
    return 1;
  }
  const out = (line: string) => io.stdout(`${line}\n`);
  out(`phone ${phone.host}:${phone.port}${client.loginForm ? ` (${client.loginForm} login)` : ''}: Action URLs for Ringside at ${listener.publicHost.host}:${listener.port}${report.dryRun ? ' (dry run: nothing written)' : ''}`);
  for (const slot of report.slots) out(`  ${describeSlot(slot, report.dryRun)}`);
  return summarise(report, out);
}

function summarise(report: ProvisionReport, out: (line: string) => void): number {
  const done = report.slots.filter((s) => SLOT_DONE.has(s.outcome));
  const left = report.slots.filter((s) => !SLOT_DONE.has(s.outcome));
  const total = report.slots.length;
  if (report.dryRun) {
    out(`${done.length} of ${total} events would reach Ringside; run again without --dry-run to write them.`);
    return left.length === 0 ? 0 : 1;
  }
  if (left.length === 0) {
    out(`All ${total} events now reach Ringside (read back from the phone).`);
    return 0;
  }
  out(`${done.length} of ${total} events reach Ringside.${report.manualReason ? ` The phone does not let programs write them: ${report.manualReason}.` : ''}`);
  out(`To finish, on ${ACTION_URL_PAGE}, paste:`);
  for (const slot of left) out(`  ${formatActionUrlLine(slot)}${slot.outcome === 'foreign' ? `  (replaces ${slot.found}: only if nobody needs it)` : ''}`);
  return 1;
}

function describeSlot(slot: SlotReport, dryRun: boolean): string {
  const name = `${slot.label} (${slot.pValue})`;
  switch (slot.outcome) {
    case 'written':
      return `${dryRun ? 'would write' : 'written'}  ${name}`;
    case 'updated':
      return `${dryRun ? 'would update' : 'updated'}  ${name}: it held ${slot.found}`;
    case 'unchanged':
      return `unchanged  ${name}: already set`;
    case 'foreign':
      return `left alone  ${name}: holds ${slot.found}, not Ringside's`;
    case 'too-long':
      return `not written  ${name}: the URL is ${slot.url.length} characters, phones drop values over 255 (shorter RINGSIDE_WEBHOOK_TOKEN or RINGSIDE_PUBLIC_HOST)`;
    case 'not-kept':
      return `not kept  ${name}: the phone took the value but reads back something else`;
    case 'manual':
      return `by hand  ${name}`;
  }
}

function phoneAddress(raw: unknown): { host: string; port: number } {
  if (typeof raw !== 'string' || raw.trim() === '') throw new UsageError("provision: --phone ADDRESS is needed: the phone's IP address or name (and :PORT if not 80)");
  let url: URL;
  try {
    url = new URL(withHttpScheme(raw.trim()));
  } catch {
    throw new UsageError(`provision: --phone takes an address like 192.168.1.50 or 192.168.1.50:8080, not '${raw}'`);
  }
  if (url.protocol !== 'http:') throw new UsageError('provision: the phone control API is plain http');
  return hostAndPort(url);
}
