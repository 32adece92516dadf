import { setTimeout as sleep } from 'node:timers/promises';
import type { AdminApi, LoggedCall } from './AdminApi';
import { newCallerNumber } from './cast';
import { callBackMissedCall, type CallBackResult } from './callBack';
import { allEnded, describeCalls } from './callReport';
import { prepareDirectory, type SetupMode } from './directorySetup';
import { scenarioFor, type Caller, type Scenario } from './scenarios';
import type { SimAgent } from './cast';
import { SimulatedPhone, type SentEvent, type WebhookTarget } from './SimulatedPhone';

export interface SimulatorOptions {
  webhook: WebhookTarget;
  api: AdminApi;
  setup: SetupMode;
  /** Pause between two events, so a person watching the agent UI sees each state. */
  delayMs: number;
  out: (line: string) => void;
  /**
   * Waits until Ringside has settled the call. The CLI polls the call log (a missed call settles
   * only after Ringside's grace delay); tests move Ringside's clock instead of waiting.
   */
  awaitOutcome?: (remote: string) => Promise<void>;
  /** How long the default awaitOutcome polls: Ringside's missed-call grace plus handling time. */
  outcomeTimeoutMs?: number;
  caller?: Caller;
  /** In the call-back scenario: how long the caller takes to pick up, and then talks (default 1.5 s, 3 s). */
  remoteAnswerMs?: number;
  talkMs?: number;
  /** The agent one agent's scenarios ring (seat.ts seatTarget: the seat's own, or `--agent`); Alice when absent. */
  seat?: SimAgent | null;
}

export interface ScenarioResult {
  caller: Caller;
  sent: SentEvent[];
  calls: LoggedCall[];
  callBack?: CallBackResult;
}

/** Plays one scenario: set-up, each phone's events in order (each acknowledged), then the call log. */
export async function runScenario(written: Scenario, options: SimulatorOptions): Promise<ScenarioResult> {
  const { out, api } = options;
  const scenario = scenarioFor(written, options.seat ?? null);
  const caller = options.caller ?? { number: newCallerNumber(), name: scenario.callerName };
  out(`== ${scenario.name}: ${scenario.summary}`);
  await prepareDirectory(api, scenario, options.setup, out);
  const phones = new Map(scenario.agents.map((a) => [a.id, new SimulatedPhone(a.phone, options.webhook)]));
  const sent: SentEvent[] = [];
  for (const [i, step] of scenario.steps.entries()) {
    if (i > 0 && options.delayMs > 0) await sleep(options.delayMs);
    const phone = phones.get(step.agent.id)!;
    const event = await phone.send(step.label, { remote: caller.number, displayRemote: caller.name, local: step.local });
    sent.push(event);
    const who = caller.name ? `${caller.number} "${caller.name}"` : `${caller.number} (no name)`;
    out(`  ${phone.identity.name} (${phone.identity.mac}): ${step.label.padEnd(17)} ${who} on ${step.local} -> ${event.response.status}`);
  }
  const awaitOutcome = options.awaitOutcome ?? ((remote) => pollUntilEnded(api, remote, options.outcomeTimeoutMs ?? 15_000, out));
  await awaitOutcome(caller.number);
  const callBack = scenario.callBack
    ? await callBackMissedCall({
      api, webhook: options.webhook, agent: scenario.callBack, remote: caller.number, out, awaitOutcome,
      remoteAnswerMs: options.remoteAnswerMs ?? 1500, talkMs: options.talkMs ?? 3000,
    })
    : undefined;
  const calls = await api.callsFrom(caller.number);
  for (const line of describeCalls(caller.number, calls)) out(line);
  return { caller, sent, calls, ...(callBack ? { callBack } : {}) };
}

async function pollUntilEnded(api: AdminApi, remote: string, timeoutMs: number, out: (line: string) => void): Promise<void> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  let told = false;
  while (!allEnded(await api.callsFrom(remote))) {
    if (Date.now() >= deadline) {
      out(`  (the call has not ended after ${Math.round(timeoutMs / 1000)} s; showing it as it is now)`);
      return;
    }
    // Handling takes milliseconds; only the missed-call grace is worth a word.
    if (!told && Date.now() - started >= 1000) {
      out('  (waiting for Ringside to settle the call; a missed call counts only after its grace delay)');
      told = true;
    }
    await sleep(250);
  }
}
