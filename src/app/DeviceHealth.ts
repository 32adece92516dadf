import type { PhoneHealthEntry, PhoneHealthState, PhoneHealthSummary } from '../protocol/views';
import type { Device, Directory } from '../domain/directory/Directory';
import { PhoneError, type PhoneErrorCode } from '../domain/phone/errors';
import type { PhoneRegistry } from '../adapters/phone/PhoneRegistry';
import type { Logger } from '../shared/logger';

/** A phone's health and the summary of several, as the agent API shows them (defined, with each state's meaning, in src/protocol). */
export type { PhoneHealthEntry, PhoneHealthState, PhoneHealthSummary };

/** Worst first, when several phones are summarised. */
const SEVERITY: readonly PhoneHealthState[] = ['unreachable', 'signed_off', 'booted', 'registered', 'reachable', 'unknown'];

/** The last status poll of a phone (in memory: this process's polls only). */
export interface PhonePoll {
  at: number;
  /** False when nothing answered in time (phone_unreachable, phone_timeout). */
  reachable: boolean;
  /** available, ringing or busy, as the phone said; null when the poll failed. */
  phoneStatus: string | null;
  /** Non-idle line states, e.g. ['connected']; null when the poll failed. */
  lines: string[] | null;
  /** The PhoneError code of a failed poll, e.g. phone_unreachable or phone_bad_credentials. */
  error: PhoneErrorCode | null;
}

export interface DeviceHealthDeps {
  directory: Directory;
  phones: PhoneRegistry;
  logger: Logger;
  clock: () => number;
  /** Status poll period while a call is up (default 5 s). */
  pollIntervalMs?: number;
  /** A phone's state changed (event or poll); the agent owning it is told. */
  onChange?: (account: string, mac: string) => void;
}

/** A phone's state in a log line. */
const PHONE_STATE_WORDS: Record<PhoneHealthState, string> = {
  unreachable: 'unreachable: its web API does not answer',
  signed_off: 'signed off (unregistered)',
  booted: 'booted',
  registered: 'registered',
  reachable: 'reachable',
  unknown: 'in an unknown state',
};

const DEFAULT_POLL_MS = 5_000;
const NOT_ANSWERING: ReadonlySet<PhoneErrorCode> = new Set(['phone_unreachable', 'phone_timeout']);

interface Watched {
  account: string;
  mac: string;
  /** The remotes of the calls up on this phone. */
  calls: Set<string>;
  timer: NodeJS.Timeout;
  inFlight: Promise<void> | null;
}

const keyOf = (account: string, mac: string) => `${account}\u0000${mac}`;

/** A phone's state from the directory's device facts and its last poll. */
export function phoneState(device: Pick<Device, 'registered' | 'lastEvent' | 'lastSeenAt'>, poll: PhonePoll | null): PhoneHealthState {
  // A failed poll newer than the last event wins: the phone said it was registered, then went quiet.
  if (poll && !poll.reachable && poll.at >= (device.lastSeenAt ?? 0)) return 'unreachable';
  if (device.lastEvent === 'boot') return 'booted';
  if (device.registered === false) return 'signed_off';
  if (device.registered === true) return 'registered';
  if (poll) return poll.reachable ? 'reachable' : 'unreachable';
  return 'unknown';
}

export function summarise(entries: Array<{ state: PhoneHealthState }>): PhoneHealthSummary {
  const count = (state: PhoneHealthState) => entries.filter((e) => e.state === state).length;
  const worst = SEVERITY.find((s) => entries.some((e) => e.state === s)) ?? 'none';
  return { state: worst, phones: entries.length, registered: count('registered'), signedOff: count('signed_off'), unreachable: count('unreachable') };
}

/**
 * Device health (issue 6): registration, sign-off and boot events recorded in the directory,
 * plus a status poll (phoneStatus + lineStatus over the phone's web API) every few seconds while
 * a call is up (placed or answered, not merely ringing) on a phone that has control settings.
 * One poll in flight per phone; polling stops when the phone's last call ends, or when a poll
 * finds every line idle (a lost hang-up event). Polls are kept in memory, per process.
 */
export class DeviceHealth {
  private readonly polls = new Map<string, PhonePoll>();
  private readonly watched = new Map<string, Watched>();
  private readonly lastState = new Map<string, PhoneHealthState>();
  private readonly pollIntervalMs: number;
  private stopped = false;

  constructor(private readonly deps: DeviceHealthDeps) {
    this.pollIntervalMs = deps.pollIntervalMs ?? DEFAULT_POLL_MS;
  }

  /** A call (by remote) is up on the phone: start polling it if it has control settings. */
  callUp(account: string, mac: string, remote: string): void {
    if (this.stopped || mac.startsWith('ip:')) return;
    const key = keyOf(account, mac);
    const existing = this.watched.get(key);
    if (existing) {
      existing.calls.add(remote);
      return;
    }
    const timer = setInterval(() => void this.pollOne(key), this.pollIntervalMs);
    timer.unref();
    this.watched.set(key, { account, mac, calls: new Set([remote]), timer, inFlight: null });
    void this.pollOne(key);
  }

  /** The phone's call with this remote ended; polling stops with the last one. */
  callDown(account: string, mac: string, remote: string): void {
    const key = keyOf(account, mac);
    const watched = this.watched.get(key);
    if (!watched) return;
    watched.calls.delete(remote);
    if (watched.calls.size === 0) this.unwatch(key);
  }

  /** A registered/unregistered/boot event was recorded for the phone. */
  async deviceEvent(account: string, mac: string): Promise<void> {
    await this.checkChange(account, mac);
  }

  /** Polls every phone with a call up now; resolves when those polls are done. Returns how many were polled. */
  async pollNow(): Promise<number> {
    const keys = [...this.watched.keys()];
    // A poll already running may have started before what the caller wants seen: poll again after it.
    await Promise.all(keys.map(async (key) => {
      await this.watched.get(key)?.inFlight;
      await this.pollOne(key);
    }));
    return keys.length;
  }

  /**
   * Per-phone entries: the agent's phones (with `unbound`, also the phones bound to nobody, which a
   * single seat treats as its agent's), or every phone of the account (agent null).
   */
  async phonesOf(account: string, agent: string | null, unbound = false): Promise<PhoneHealthEntry[]> {
    const devices = (await this.deps.directory.listDevices(account))
      .filter((d) => agent === null || d.agent === agent || (unbound && d.agent === null));
    return devices.map((d) => this.entryOf(d));
  }

  async summary(account: string, agent: string | null, unbound = false): Promise<PhoneHealthSummary> {
    return summarise(await this.phonesOf(account, agent, unbound));
  }

  /** The last poll of a phone by this process, if any. */
  lastPoll(account: string, mac: string): PhonePoll | null {
    return this.polls.get(keyOf(account, mac)) ?? null;
  }

  stop(): void {
    this.stopped = true;
    for (const key of [...this.watched.keys()]) this.unwatch(key);
  }

  private entryOf(device: Device): PhoneHealthEntry {
    const key = keyOf(device.account, device.mac);
    const lastPoll = this.polls.get(key) ?? null;
    return {
      mac: device.mac, state: phoneState(device, lastPoll), lastEvent: device.lastEvent, lastSeenAt: device.lastSeenAt,
      polling: this.watched.has(key), reachable: lastPoll?.reachable ?? null, phoneStatus: lastPoll?.phoneStatus ?? null, error: lastPoll?.error ?? null,
    };
  }

  private unwatch(key: string): void {
    const watched = this.watched.get(key);
    if (!watched) return;
    clearInterval(watched.timer);
    this.watched.delete(key);
  }

  /** At most one poll in flight per phone: a poll asked for while one runs shares it. */
  private pollOne(key: string): Promise<void> {
    const watched = this.watched.get(key);
    if (!watched) return Promise.resolve();
    watched.inFlight ??= this.poll(watched)
      .catch((error: unknown) => this.deps.logger.warn({ err: error, mac: watched.mac }, 'phone status poll failed'))
      .finally(() => {
        watched.inFlight = null;
      });
    return watched.inFlight;
  }

  private async poll(watched: Watched): Promise<void> {
    const { account, mac } = watched;
    const settings = await this.deps.directory.deviceControl(account, mac);
    if (!settings || settings.host === null || settings.password === null) {
      // No control settings: nothing to poll.
      this.unwatch(keyOf(account, mac));
      return;
    }
    const client = this.deps.phones.clientFor({ ...settings, host: settings.host, password: settings.password });
    let result: PhonePoll;
    try {
      const phoneStatus = await client.phoneStatus();
      const lines = (await client.lineStatus()).map((l) => l.state).filter((s) => s !== 'idle');
      result = { at: this.deps.clock(), reachable: true, phoneStatus, lines, error: null };
    } catch (error) {
      if (!(error instanceof PhoneError)) throw error;
      result = { at: this.deps.clock(), reachable: !NOT_ANSWERING.has(error.code), phoneStatus: null, lines: null, error: error.code };
    }
    if (this.stopped) return;
    this.polls.set(keyOf(account, mac), result);
    // Every line idle: the call is over even if its hang-up never reached us.
    if (result.lines !== null && result.lines.length === 0) this.unwatch(keyOf(account, mac));
    await this.checkChange(account, mac);
  }

  private async checkChange(account: string, mac: string): Promise<void> {
    // One phone's row: a call centre polls every phone with a call up every few seconds, and listing
    // them all (each with its sealed password opened) per poll grew with the size of the account.
    const device = await this.deps.directory.getDevice(account, mac);
    if (!device) return;
    const key = keyOf(account, mac);
    const state = this.entryOf(device).state;
    const previous = this.lastState.get(key);
    if (previous === state) return;
    this.lastState.set(key, state);
    // One line per change of a phone's state (docs/architecture.md, Logs); a phone that stops answering is a warning.
    const fields = { account, mac, state, previous: previous ?? null, ip: device.ip ?? null };
    if (state === 'unreachable' || state === 'signed_off') this.deps.logger.warn(fields, `phone ${mac} is ${PHONE_STATE_WORDS[state]}`);
    else this.deps.logger.info(fields, `phone ${mac} is ${PHONE_STATE_WORDS[state]}`);
    this.deps.onChange?.(account, mac);
  }
}
