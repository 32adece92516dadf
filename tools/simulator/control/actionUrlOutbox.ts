import type { CallParty } from '../SimulatedPhone';
import type { PhoneEventLabel } from '../firmwareTemplate';
import type { LineEffect } from './phoneLines';

/** Whatever delivers the phone's Action URLs: a SimulatedPhone aimed at Ringside. */
export interface ActionUrlSender {
  send(label: PhoneEventLabel, call: CallParty): Promise<unknown>;
}

/**
 * The phone's Action URL events, sent one after the other in the order the lines changed, after
 * the control answer has gone out (the firmware answers the API first, then acts). A failed
 * delivery is recorded, not thrown: the phone does not retry or care (reference/grandstream.md).
 * Tests await `flush()` instead of sleeping.
 */
export class ActionUrlOutbox {
  readonly sent: LineEffect[] = [];
  readonly failures: string[] = [];
  private chain: Promise<void> = Promise.resolve();
  private readonly timers = new Map<NodeJS.Timeout, { done: Promise<void>; fired: () => void }>();

  constructor(private readonly sender: ActionUrlSender | null) {}

  enqueue(effects: readonly LineEffect[]): void {
    for (const effect of effects) this.chain = this.chain.then(() => this.deliver(effect));
  }

  /** Runs `change` after `ms` (the far end answering later) and sends what it produced. */
  schedule(ms: number, change: () => LineEffect[]): void {
    let fired: () => void = () => {};
    const done = new Promise<void>((resolve) => (fired = resolve));
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.enqueue(change());
      fired();
    }, ms);
    this.timers.set(timer, { done, fired });
  }

  /** Resolves once every scheduled change has happened and every event has been delivered. */
  async flush(): Promise<void> {
    while (this.timers.size > 0) await Promise.all([...this.timers.values()].map((t) => t.done));
    let current: Promise<void>;
    do {
      current = this.chain;
      await current;
    } while (current !== this.chain || this.timers.size > 0);
  }

  /** Drops what has not happened yet (the phone is switched off). */
  cancelScheduled(): void {
    for (const [timer, { fired }] of this.timers) {
      clearTimeout(timer);
      fired();
    }
    this.timers.clear();
  }

  private async deliver(effect: LineEffect): Promise<void> {
    this.sent.push(effect);
    if (!this.sender) return;
    try {
      await this.sender.send(effect.label, effect.call);
    } catch (error) {
      this.failures.push((error as Error).message);
    }
  }
}
