import type { PhoneVariable } from '../../src/domain/provisioning/actionUrls';
import { actionUrlEvent, fillActionUrl, fillTemplate, requestTarget, type PhoneEventLabel } from './firmwareTemplate';
import { rawHttpGet, type RawResponse } from './rawHttpGet';
import { hostAndPort, withHttpScheme } from '../../src/shared/httpAddress';

/** Who a simulated phone is: what the firmware reports about itself in `$variables`. */
export interface PhoneIdentity {
  /** Display label in the simulator's output, e.g. "Alice's phone". */
  name: string;
  /** MAC as printed on the label (`00:0B:82:51:00:01`); sent the firmware's way, 12 lower-case hex digits. */
  mac: string;
  /** `$phone_ip`: the address Ringside would drive the phone at. */
  ip: string;
  /** The SIP account in use (`$active_user`), the agent's extension. */
  extension: string;
  /** `$product`, e.g. GXP2170. */
  model: string;
  /** `$program_version`. */
  firmware: string;
}

/** The other party and the number this phone was called on, for one event. */
export interface CallParty {
  /** `$remote`: the caller's number, `+` and all; '' when the phone has none (sent as `$remote`). */
  remote: string;
  /** `$display_remote`: the caller's name, spaces and accents unencoded; '' when none. */
  displayRemote: string;
  /** `$local`: the number dialled to reach this phone (an extension or a helpline). */
  local: string;
}

/** Where the phone sends its Action URLs: the host, port and token `ringside action-urls` prints. */
export interface WebhookTarget {
  host: string;
  port: number;
  token: string;
}

export interface SentEvent {
  phone: PhoneIdentity;
  label: PhoneEventLabel;
  /** The request target exactly as written on the socket. */
  target: string;
  response: RawResponse;
}

export class PhoneRequestError extends Error {}

/** The phone's own Action URL setting for a P-value ('' when the slot is empty). */
export type ConfiguredActionUrl = (pValue: string) => string;

export class SimulatedPhone {
  /**
   * `webhook`: where the phone sends events whose Action URL slot is empty (the lines `ringside
   * action-urls` prints for it), or null. `configured`: the phone's own slots, which win, as on a
   * real phone after `ringside provision` or someone typed them in.
   */
  constructor(readonly identity: PhoneIdentity, private readonly webhook: WebhookTarget | null, private readonly configured?: ConfiguredActionUrl) {}

  /** True when the phone has somewhere to send this event. */
  sendsEvent(label: PhoneEventLabel): boolean {
    return this.webhook !== null || this.configuredTemplate(label) !== '';
  }

  /** Sends one event's Action URL and waits for the answer; anything but 200 is an error that says why. */
  async send(label: PhoneEventLabel, call: CallParty): Promise<SentEvent> {
    const { url, to } = this.destination(label, call);
    const target = requestTarget(url);
    const hostHeader = `${to.host.includes(':') ? `[${to.host}]` : to.host}:${to.port}`;
    let response: RawResponse;
    try {
      response = await rawHttpGet(to, target, {
        Host: hostHeader,
        'User-Agent': `Grandstream ${this.identity.model} ${this.identity.firmware}`,
        Connection: 'close',
      });
    } catch (error) {
      throw new PhoneRequestError(`${this.identity.name}: ${label}: ${describeNetworkError(error, to)}`);
    }
    if (response.status !== 200) {
      throw new PhoneRequestError(`${this.identity.name}: ${label}: Ringside answered ${response.status} ${response.body.trim()}`);
    }
    return { phone: this.identity, label, target, response };
  }

  private destination(label: PhoneEventLabel, call: CallParty): { url: string; to: { host: string; port: number } } {
    const template = this.configuredTemplate(label);
    if (template !== '') {
      // The host and port are read from the template, before the raw values make it unparseable.
      const full = withHttpScheme(template);
      return { url: fillTemplate(full, this.variables(call)), to: hostAndPort(new URL(full)) };
    }
    if (this.webhook === null) throw new PhoneRequestError(`${this.identity.name}: ${label}: no Action URL configured for this event`);
    return { url: fillActionUrl(this.webhook, label, this.variables(call)), to: this.webhook };
  }

  private configuredTemplate(label: PhoneEventLabel): string {
    const { pValue } = actionUrlEvent(label);
    return pValue && this.configured ? this.configured(pValue).trim() : '';
  }

  private variables(call: CallParty): Partial<Record<PhoneVariable, string>> {
    return {
      mac: this.identity.mac.replace(/[^0-9a-f]/gi, '').toLowerCase(),
      phone_ip: this.identity.ip,
      product: this.identity.model,
      program_version: this.identity.firmware,
      active_user: this.identity.extension,
      local: call.local,
      remote: call.remote,
      display_remote: call.displayRemote,
    };
  }
}

export function describeNetworkError(error: unknown, to: { host: string; port: number }): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'ECONNREFUSED') return `nothing listens on ${to.host}:${to.port}; is Ringside running? (start it with npx ringside serve)`;
  return (error as Error)?.message ?? String(error);
}
