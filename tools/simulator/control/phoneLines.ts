import type { PhoneEventLabel } from '../firmwareTemplate';
import type { CallParty } from '../SimulatedPhone';

/** The states `api-get_line_status` reports (reference/grandstream.md); `failed` is never entered here. */
export type LineState = 'idle' | 'ringing' | 'connected' | 'onhold' | 'calling';

/** One line as `api-get_line_status` lists it (the firmware's field names). */
export interface LineStatusEntry {
  line: number;
  state: LineState;
  /** 0-based SIP account, '' when the line is idle (as the firmware answers). */
  acct: number | '';
  remotename: string;
  remotenumber: string;
  /** 1 for the line the handset/speaker is on, else 0. */
  active: 0 | 1;
}

interface Line {
  state: LineState;
  account: number;
  party: CallParty | null;
}

/** What a line change makes the phone tell Ringside: one Action URL event. */
export interface LineEffect {
  label: PhoneEventLabel;
  call: CallParty;
}

/** Why an operation was refused: the firmware answers these with `{"response":"error","body":"failed"}`. */
export class LineOperationRefused extends Error {}

/**
 * The phone's lines and which one is active, kept consistent the way the firmware does: one
 * active line at most; dialling while talking puts the talking line on hold first. Every change
 * returns the Action URL events the phone would send for it, in order.
 */
export class PhoneLines {
  private readonly lines: Line[];
  private activeIndex: number | null = null;

  constructor(lineCount: number, private readonly ownNumber: string) {
    this.lines = Array.from({ length: lineCount }, () => ({ state: 'idle' as LineState, account: 0, party: null }));
  }

  status(): LineStatusEntry[] {
    return this.lines.map((l, i) => ({
      line: i + 1,
      state: l.state,
      acct: l.state === 'idle' ? '' : l.account,
      remotename: l.party?.displayRemote ?? '',
      remotenumber: l.party?.remote ?? '',
      active: i === this.activeIndex ? 1 : 0,
    }));
  }

  /** `api-get_phone_status`: ringing wins over busy so a desk app can offer to answer. */
  phoneStatus(): 'available' | 'ringing' | 'busy' {
    if (this.lines.some((l) => l.state === 'ringing')) return 'ringing';
    return this.lines.some((l) => l.state !== 'idle') ? 'busy' : 'available';
  }

  /** A call comes in (driven by a test or a scenario, not by the API). */
  ring(remote: string, displayRemote: string, local = this.ownNumber): LineEffect[] {
    const index = this.idleLine();
    this.lines[index] = { state: 'ringing', account: 0, party: { remote, displayRemote, local } };
    return [{ label: 'Incoming Call', call: this.lines[index].party! }];
  }

  dial(number: string, account: number): { line: number; effects: LineEffect[] } {
    const index = this.idleLine();
    const effects = this.holdActiveCall();
    this.lines[index] = { state: 'calling', account, party: { remote: number, displayRemote: '', local: this.ownNumber } };
    this.activeIndex = index;
    effects.push({ label: 'Outgoing Call', call: this.lines[index].party! });
    return { line: index + 1, effects };
  }

  /** The far end picked up a call this phone placed; nothing when the call is gone meanwhile. */
  remoteAnswered(line: number): LineEffect[] {
    const l = this.lines[line - 1];
    if (!l || l.state !== 'calling') return [];
    l.state = 'connected';
    return [{ label: 'Established Call', call: l.party! }];
  }

  accept(): LineEffect[] {
    const index = this.findLine('ringing');
    const effects = this.holdActiveCall();
    const line = this.lines[index]!;
    line.state = 'connected';
    this.activeIndex = index;
    effects.push({ label: 'Established Call', call: line.party! });
    return effects;
  }

  reject(): LineEffect[] {
    const index = this.findLine('ringing');
    return [{ label: 'Rejected Call', call: this.free(index) }];
  }

  /** Ends the active call (talking, held or still being placed). */
  end(): LineEffect[] {
    if (this.activeIndex === null) throw new LineOperationRefused('no active call to end');
    return [{ label: 'Terminated Call', call: this.free(this.activeIndex) }];
  }

  /** `holdcall` toggles: on some models a second `holdcall` resumes (there is no documented unhold). */
  toggleHold(): LineEffect[] {
    const line = this.activeIndex === null ? undefined : this.lines[this.activeIndex];
    if (line?.state === 'connected') return this.setHeld(line, true);
    if (line?.state === 'onhold') return this.setHeld(line, false);
    throw new LineOperationRefused('no connected or held call on the active line');
  }

  /**
   * The caller gives up while the phone rings: the phone stops ringing and, as a Grandstream does,
   * reports it as a missed call (P8312; reference/grandstream.md). Not `cancel`, which is the user's.
   */
  callerGivesUp(): LineEffect[] {
    const index = this.findLine('ringing');
    return [{ label: 'Missed Call', call: this.free(index) }];
  }

  /** `cancel`: rejects a ringing call, else abandons the call being placed. */
  cancel(): LineEffect[] {
    if (this.lines.some((l) => l.state === 'ringing')) return this.reject();
    const active = this.activeIndex === null ? undefined : this.lines[this.activeIndex];
    if (active?.state === 'calling') return this.end();
    throw new LineOperationRefused('nothing ringing and no call being placed');
  }

  private setHeld(line: Line, held: boolean): LineEffect[] {
    line.state = held ? 'onhold' : 'connected';
    return [{ label: held ? 'Hold' : 'UnHold', call: line.party! }];
  }

  private holdActiveCall(): LineEffect[] {
    const active = this.activeIndex === null ? undefined : this.lines[this.activeIndex];
    return active?.state === 'connected' ? this.setHeld(active, true) : [];
  }

  private free(index: number): CallParty {
    const party = this.lines[index]!.party!;
    this.lines[index] = { state: 'idle', account: 0, party: null };
    if (this.activeIndex === index) this.activeIndex = null;
    return party;
  }

  private idleLine(): number {
    const index = this.lines.findIndex((l) => l.state === 'idle');
    if (index === -1) throw new LineOperationRefused('all lines are busy');
    return index;
  }

  private findLine(state: LineState): number {
    const index = this.lines.findIndex((l) => l.state === state);
    if (index === -1) throw new LineOperationRefused(`no ${state} line`);
    return index;
  }
}
