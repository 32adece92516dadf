import type { ActionUrl, PublicHostSource } from '../../protocol/responses';

/** An Action URL line and where its host came from, as the agent API answers them (defined in src/protocol). */
export type { ActionUrl, PublicHostSource };

/** Grandstream Action URL variables the phone fills in (reference/grandstream.md). */
export type PhoneVariable =
  | 'mac'
  | 'phone_ip'
  | 'product'
  | 'program_version'
  | 'local'
  | 'remote'
  | 'display_remote'
  | 'active_user';

export interface ActionUrlEvent {
  /** The phone's name for the event, as its web UI shows it. */
  label: string;
  /** The provisioning P-value of the Action URL field. */
  pValue: string;
  /** The Ringside webhook event (`/gs/<token>/cti/<event>`). */
  event: string;
  /** Fixed parameters placed before the phone's variables (e.g. `kind=blind`). */
  fixed?: Readonly<Record<string, string>>;
  /** Only the variables this event needs: one model drops a value longer than about 256 characters. */
  variables: readonly PhoneVariable[];
}

const DEVICE: readonly PhoneVariable[] = ['mac', 'phone_ip', 'active_user'];
/** The phone's IP comes with the call start so Ringside can drive the phone (answer, hang up) for this call. */
const CALL_START: readonly PhoneVariable[] = ['mac', 'remote', 'local', 'display_remote', 'active_user', 'phone_ip'];
const CALL_UPDATE: readonly PhoneVariable[] = ['mac', 'remote', 'local', 'active_user'];

/** Every phone event Ringside listens to, in the order of the phone's Action URL page. */
export const ACTION_URL_EVENTS: readonly ActionUrlEvent[] = [
  { label: 'Setup/Booting Completed', pValue: 'P8304', event: 'boot', variables: ['mac', 'phone_ip', 'product', 'program_version'] },
  { label: 'Registered', pValue: 'P8305', event: 'registered', variables: DEVICE },
  { label: 'Unregistered', pValue: 'P8306', event: 'unregistered', variables: DEVICE },
  { label: 'Incoming Call', pValue: 'P8310', event: 'incoming', variables: CALL_START },
  { label: 'Outgoing Call', pValue: 'P8311', event: 'outgoing', variables: CALL_START },
  { label: 'Missed Call', pValue: 'P8312', event: 'missed', variables: ['mac', 'remote', 'local', 'display_remote', 'active_user'] },
  { label: 'Established Call', pValue: 'P8313', event: 'answered', variables: ['mac', 'remote', 'local', 'display_remote', 'active_user'] },
  { label: 'Terminated Call', pValue: 'P8314', event: 'hangup', variables: CALL_UPDATE },
  { label: 'DND On', pValue: 'P8316', event: 'dnd_on', variables: ['mac', 'active_user'] },
  { label: 'DND Off', pValue: 'P8317', event: 'dnd_off', variables: ['mac', 'active_user'] },
  { label: 'Blind Transfer', pValue: 'P8320', event: 'transfer', fixed: { kind: 'blind' }, variables: CALL_UPDATE },
  { label: 'Attended Transfer', pValue: 'P8321', event: 'transfer', fixed: { kind: 'attended' }, variables: CALL_UPDATE },
  { label: 'Hold', pValue: 'P8324', event: 'hold', variables: CALL_UPDATE },
  { label: 'UnHold', pValue: 'P8325', event: 'unhold', variables: CALL_UPDATE },
];

/** Phones silently drop an Action URL value of about 256 characters or more. */
export const MAX_ACTION_URL_LENGTH = 255;

export interface ActionUrlTarget {
  host: string;
  port: number;
  token: string;
}

function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

export function actionUrl(target: ActionUrlTarget, def: ActionUrlEvent): string {
  const params = [
    ...Object.entries(def.fixed ?? {}).map(([k, v]) => `${k}=${encodeURIComponent(v)}`),
    ...def.variables.map((v) => `${v}=$${v}`),
  ];
  const base = `http://${hostForUrl(target.host)}:${target.port}/gs/${encodeURIComponent(target.token)}/cti/${def.event}`;
  return params.length > 0 ? `${base}?${params.join('&')}` : base;
}

export function buildActionUrls(target: ActionUrlTarget, events: readonly ActionUrlEvent[] = ACTION_URL_EVENTS): ActionUrl[] {
  return events.map((def) => {
    const url = actionUrl(target, def);
    return { label: def.label, pValue: def.pValue, event: def.event, url, tooLong: url.length > MAX_ACTION_URL_LENGTH };
  });
}

/** `Incoming Call (P8310): http://...`: the line IT pastes. */
export function formatActionUrlLine(entry: Pick<ActionUrl, 'label' | 'pValue' | 'url'>): string {
  return `${entry.label} (${entry.pValue}): ${entry.url}`;
}

export interface PublicHost {
  host: string;
  source: PublicHostSource;
  /** The network interface the address was taken from, when detected. */
  interfaceName?: string;
}

/** This machine's addresses by interface, as node:os networkInterfaces() lists them (the caller reads them). */
export type NetworkInterfaces = Record<string, ReadonlyArray<{ address: string; family: string | number; internal: boolean }> | undefined>;

/** Bridges and tunnels of containers and VMs: their addresses are not what phones on the LAN reach. */
const VIRTUAL_INTERFACE = /^(docker|br-|veth|virbr|vmnet|vboxnet|cni|flannel|cali|tun|tap|zt|utun|lxc|lxd)/i;

/**
 * The address phones reach this machine by: RINGSIDE_PUBLIC_HOST when configured, else the first
 * non-internal IPv4 address (physical interfaces before container bridges), else 127.0.0.1.
 */
export function pickPublicHost(
  configured: string | undefined,
  interfaces: NetworkInterfaces,
): PublicHost {
  if (configured) return { host: configured, source: 'config' };
  const candidates: Array<{ name: string; address: string }> = [];
  for (const [name, infos] of Object.entries(interfaces)) {
    for (const info of infos ?? []) {
      // Node 18.0-18.3 reported the family as a number.
      const family = info.family;
      if (!info.internal && (family === 'IPv4' || family === 4)) candidates.push({ name, address: info.address });
    }
  }
  const chosen = candidates.find((c) => !VIRTUAL_INTERFACE.test(c.name)) ?? candidates[0];
  if (chosen) return { host: chosen.address, source: 'detected', interfaceName: chosen.name };
  return { host: '127.0.0.1', source: 'fallback' };
}

/** The comment line that says where the host came from. */
export function describePublicHost(publicHost: PublicHost): string {
  switch (publicHost.source) {
    case 'config':
      return `host ${publicHost.host}: from the configuration (RINGSIDE_PUBLIC_HOST / publicHost)`;
    case 'detected':
      return `host ${publicHost.host}: the first non-internal IPv4 address of this machine (${publicHost.interfaceName}); set RINGSIDE_PUBLIC_HOST if the phones reach it by another address`;
    case 'fallback':
      return `host ${publicHost.host}: no non-internal IPv4 address found, and phones cannot reach 127.0.0.1; set RINGSIDE_PUBLIC_HOST`;
  }
}

/** The Action URLs of one listener, with the host phones reach it by and where that came from. */
export interface ListenerActionUrls {
  publicHost: PublicHost;
  port: number;
  urls: ActionUrl[];
}

export function listenerActionUrls(configuredHost: string | undefined, port: number, token: string, interfaces: NetworkInterfaces): ListenerActionUrls {
  const publicHost = pickPublicHost(configuredHost, interfaces);
  return { publicHost, port, urls: buildActionUrls({ host: publicHost.host, port, token }) };
}
