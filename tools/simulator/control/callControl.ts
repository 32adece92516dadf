import type { ActionUrlOutbox } from './actionUrlOutbox';
import { LineOperationRefused, type LineEffect, type PhoneLines } from './phoneLines';

/** The firmware's answer shape: `{"response":"success"|"error","body":...}`. */
export interface ControlAnswer {
  response: 'success' | 'error';
  body: unknown;
}

/** What the far end does with a call the phone places: answers after a while, or never. */
export type RemoteAnswer = { afterMs: number } | 'never';

export interface SimAccount {
  /** 0-based, as `api-make_call`'s `account` counts. */
  id: number;
  name: string;
  registered: boolean;
}

/** Functions that change something; the pop-up mode holds these for the user's confirmation. */
export const COMMAND_FUNCTIONS: ReadonlySet<string> = new Set(['api-phone_operation', 'api-make_call', 'api-send_key']);

// The firmware's generic answers (GRP26xx/GXP CTI guide).
const COMPLETE: ControlAnswer = { response: 'success', body: 'complete' };
const FAILED: ControlAnswer = { response: 'error', body: 'failed' };

/** Keys `api-send_key` takes besides digits; others are refused like the firmware refuses them. */
const NAMED_KEYS = new Set(['STAR', 'SHARP', 'OFFHOOK', 'ONHOOK', 'SEND', 'HOLD', 'OK', 'UP', 'DOWN', 'LEFT', 'RIGHT', 'LOCK', 'UNLOCK', 'VUP', 'VDOWN', 'MUTE', 'SPEAKER', 'HEADSET']);

/**
 * The `api-*` functions of one phone over its lines. Changes answer at once and queue their
 * Action URL events to Ringside on the outbox, the way the phone acts after answering.
 */
export class CallControl {
  private dialBuffer = '';

  constructor(
    private readonly lines: PhoneLines,
    private readonly outbox: ActionUrlOutbox,
    private readonly accounts: readonly SimAccount[],
    private readonly remoteAnswer: () => RemoteAnswer,
  ) {}

  /** Runs one function; null when the phone has no such function (answered 404). */
  run(name: string, params: URLSearchParams): ControlAnswer | null {
    switch (name) {
      case 'api-get_line_status':
        return { response: 'success', body: this.lines.status() };
      case 'api-get_phone_status':
        return { response: 'success', body: this.lines.phoneStatus() };
      case 'api-get_accounts':
        return { response: 'success', body: this.accounts.map((a) => ({ id: a.id, name: a.name, reg: a.registered ? 1 : 0 })) };
      case 'api-phone_operation':
        return this.operation(params.get('cmd') ?? '');
      case 'api-make_call':
        return this.makeCall(params.get('phonenumber') ?? '', params.get('account'));
      case 'api-send_key':
        return this.sendKeys((params.get('keys') ?? '').split(':').filter((k) => k !== ''));
      default:
        return null;
    }
  }

  private operation(cmd: string): ControlAnswer {
    switch (cmd) {
      case 'acceptcall':
        return this.apply(() => this.lines.accept());
      case 'rejectcall':
        return this.apply(() => this.lines.reject());
      case 'endcall':
        return this.apply(() => this.lines.end());
      case 'holdcall':
        return this.apply(() => this.lines.toggleHold());
      case 'cancel':
        return this.apply(() => this.lines.cancel());
      default:
        return FAILED;
    }
  }

  private makeCall(number: string, accountParam: string | null): ControlAnswer {
    const account = accountParam === null || accountParam === '' ? 0 : Number(accountParam);
    if (!/^[0-9*#+]+$/.test(number) || !this.accounts.some((a) => a.id === account && a.registered)) return FAILED;
    return this.apply(() => {
      const { line, effects } = this.lines.dial(number, account);
      this.scheduleRemoteAnswer(line);
      return effects;
    });
  }

  private scheduleRemoteAnswer(line: number): void {
    const answer = this.remoteAnswer();
    if (answer !== 'never') this.outbox.schedule(answer.afterMs, () => this.lines.remoteAnswered(line));
  }

  /** Digits collect in the dial buffer; SEND dials it, OFFHOOK answers, ONHOOK hangs up or rejects. */
  private sendKeys(keys: string[]): ControlAnswer {
    if (keys.length === 0 || keys.some((k) => !/^[0-9#*]$/.test(k) && !NAMED_KEYS.has(k) && !/^MPK\d+$/.test(k))) return FAILED;
    for (const key of keys) {
      const answer = this.pressKey(key);
      if (answer.response === 'error') return answer;
    }
    return COMPLETE;
  }

  private pressKey(key: string): ControlAnswer {
    if (/^[0-9#*]$/.test(key) || key === 'STAR' || key === 'SHARP') {
      this.dialBuffer += key === 'STAR' ? '*' : key === 'SHARP' ? '#' : key;
      return COMPLETE;
    }
    if (key === 'SEND') {
      const number = this.dialBuffer;
      this.dialBuffer = '';
      return this.makeCall(number, null);
    }
    if (key === 'OFFHOOK') return this.lines.phoneStatus() === 'ringing' ? this.operation('acceptcall') : COMPLETE;
    if (key === 'ONHOOK') return this.lines.phoneStatus() === 'ringing' ? this.operation('rejectcall') : this.operation('endcall');
    if (key === 'HOLD') return this.operation('holdcall');
    return COMPLETE;
  }

  private apply(change: () => LineEffect[]): ControlAnswer {
    try {
      this.outbox.enqueue(change());
      return COMPLETE;
    } catch (error) {
      if (error instanceof LineOperationRefused) return FAILED;
      throw error;
    }
  }
}
