import { httpGet, sleep } from './net';
import { planCall, type CallPlan, type Phone, type Random } from './scenarios';

/** Where a phone's Action URLs go: the process's current webhook URL (it keeps its port across restarts). */
export interface PhoneTarget {
  webhookUrl(): string;
  token: string;
}

export interface StepRecord {
  event: string;
  node: number;
  mac: string;
  /** HTTP status; 0 when the process did not answer (down, reset, timed out). */
  status: number;
  eventId: string | null;
  sentAt: number;
  answeredAt: number;
}

export interface CallRecord {
  plan: CallPlan;
  steps: StepRecord[];
  startedAt: number;
  endedAt: number;
  /** Every event of the call was acknowledged with a 200: its effect is owed. */
  acknowledged: boolean;
  /** Still sending. */
  open: boolean;
}

export interface LoadOptions {
  concurrency: number;
  phones: Phone[][];
  random: Random;
  /** Digits that make this run's caller numbers unique. */
  runTag: string;
  /** Pause between two events of one call (ring time, talk time), ms. */
  thinkMs: [min: number, max: number];
}

/**
 * Steady phone traffic: `concurrency` workers each play calls back to back. The events of one
 * call go in order, each only after the previous one was acknowledged with a 200. A phone does
 * not retry an event Ringside did not acknowledge, and neither does this generator: the call
 * stops there and owes nothing (the checker calls it indeterminate).
 */
export class LoadGenerator {
  readonly calls: CallRecord[] = [];
  private running = false;
  private workers: Array<Promise<void>> = [];
  private readonly inFlight = new Set<Promise<CallRecord>>();
  private sequence = 0;

  constructor(private readonly targets: PhoneTarget[], private readonly options: LoadOptions) {}

  start(): void {
    this.running = true;
    this.workers = Array.from({ length: this.options.concurrency }, () => this.work());
  }

  /** Stops starting calls and waits for the calls under way to play out. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
    await Promise.all([...this.inFlight]);
  }

  /**
   * `count` extra calls at once, all on `node`'s phones; resolves when the first event of each
   * was answered (the calls then play on).
   */
  async burst(node: number, count: number): Promise<void> {
    const phones = this.options.phones.filter((_, index) => index === node);
    const firsts: Array<Promise<void>> = [];
    for (let i = 0; i < count; i++) {
      let firstDone!: () => void;
      firsts.push(new Promise((resolve) => { firstDone = resolve; }));
      const plan = planCall(this.options.random, this.nextRemote(), phones.length > 0 ? phones : this.options.phones);
      void this.track(this.play(plan, firstDone));
    }
    await Promise.all(firsts);
  }

  /** Events acknowledged so far (all calls). */
  acknowledgedEvents(): number {
    return this.calls.reduce((sum, call) => sum + call.steps.filter((step) => step.status === 200).length, 0);
  }

  /** When the newest acknowledged event was answered (0 if none). */
  lastAcknowledgedAt(): number {
    let last = 0;
    for (const call of this.calls) for (const step of call.steps) if (step.status === 200) last = Math.max(last, step.answeredAt);
    return last;
  }

  private async work(): Promise<void> {
    while (this.running) {
      const plan = planCall(this.options.random, this.nextRemote(), this.options.phones);
      const call = await this.track(this.play(plan));
      // A process that is down refuses at once: without a pause the worker would spin.
      if (!call.acknowledged) await sleep(100 + this.options.random() * 200);
    }
  }

  private async track(playing: Promise<CallRecord>): Promise<CallRecord> {
    this.inFlight.add(playing);
    try {
      return await playing;
    } finally {
      this.inFlight.delete(playing);
    }
  }

  private async play(plan: CallPlan, afterFirstStep?: () => void): Promise<CallRecord> {
    const call: CallRecord = { plan, steps: [], startedAt: Date.now(), endedAt: 0, acknowledged: false, open: true };
    this.calls.push(call);
    for (const [index, step] of plan.steps.entries()) {
      if (index > 0) await sleep(this.think());
      const record = await this.send(plan.remote, step.phone, step.event);
      call.steps.push(record);
      if (index === 0) afterFirstStep?.();
      if (record.status !== 200) break;
    }
    afterFirstStep?.();
    call.acknowledged = call.steps.length === plan.steps.length && call.steps.every((step) => step.status === 200);
    call.endedAt = Date.now();
    call.open = false;
    return call;
  }

  private async send(remote: string, phone: Phone, event: string): Promise<StepRecord> {
    const target = this.targets[phone.node]!;
    const query = new URLSearchParams({ mac: phone.mac, remote, local: '200', display_remote: 'Chaos Caller' });
    const sentAt = Date.now();
    const answer = await httpGet(`${target.webhookUrl()}/gs/${target.token}/cti/${event}?${query}`);
    const eventId = answer.status === 200 && typeof answer.body.id === 'string' ? answer.body.id : null;
    return { event, node: phone.node, mac: phone.mac, status: answer.status, eventId, sentAt, answeredAt: Date.now() };
  }

  private think(): number {
    const [min, max] = this.options.thinkMs;
    return min + this.options.random() * (max - min);
  }

  /** A caller number no other call of this run (or any other run) uses: one logical call per number. */
  private nextRemote(): string {
    this.sequence += 1;
    return `+4479${this.options.runTag}${String(this.sequence).padStart(6, '0')}`;
  }
}
