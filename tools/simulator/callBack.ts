import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MissedCallView } from '../../src/domain/calllog/CallLog';
import type { DeviceControlView } from '../../src/protocol/responses';
import type { AdminApi } from './AdminApi';
import type { SimAgent } from './cast';
import { SimulatedPhoneControl } from './control/SimulatedPhoneControl';
import type { WebhookTarget } from './SimulatedPhone';

export interface CallBackOptions {
  api: AdminApi;
  webhook: WebhookTarget;
  agent: SimAgent;
  /** The caller whose missed call is called back. */
  remote: string;
  out: (line: string) => void;
  /** How long the caller takes to pick up, and how long they talk. */
  remoteAnswerMs: number;
  talkMs: number;
  /** Waits until Ringside has handled the phone's events for this remote (see SimulatorOptions.awaitOutcome). */
  awaitOutcome: (remote: string) => Promise<void>;
}

export interface CallBackResult {
  dial: { status: string; reason?: string };
  missed: MissedCallView | null;
}

/**
 * The call-back part of the `callback` scenario. The agent's simulated phone starts its web
 * server (the control API, session login) on 127.0.0.1 and Ringside is told to drive it there;
 * then the agent calls the missed call back through Ringside, the phone dials, the caller
 * answers, they talk and hang up. Ringside must run on this machine to reach the phone.
 */
export async function callBackMissedCall(options: CallBackOptions): Promise<CallBackResult> {
  const { api, agent, remote, out } = options;
  const missed = await openMissedCall(api, remote);
  const phone = await SimulatedPhoneControl.start({
    identity: agent.phone, form: 'session', password: randomBytes(12).toString('base64url'),
    webhook: options.webhook, remoteAnswer: { afterMs: options.remoteAnswerMs },
  });
  const controlPath = `/api/devices/${encodeURIComponent(agent.phone.mac)}/control`;
  const before = await controlSettings(api, agent.phone.mac);
  try {
    await api.request('PUT', controlPath, { host: phone.host, port: phone.port, username: null, password: phone.options.password });
    out(`  ${agent.phone.name}: control API on ${phone.host}:${phone.port} (session login), saved as its control settings`);
    const taken = await api.request<{ dial: { status: string; reason?: string } }>('POST', `/api/missed/${encodeURIComponent(missed.callId)}/callback`, { agent: agent.id });
    out(`  ${agent.name} calls back ${remote} (POST /api/missed/…/callback): dial ${taken.dial.status}${taken.dial.reason ? `: ${taken.dial.reason}` : ''}`);
    if (taken.dial.status !== 'dialling') return { dial: taken.dial, missed: await missedCall(api, missed.callId) };
    await phone.outbox.flush();
    if (options.talkMs > 0) await sleep(options.talkMs);
    phone.hangUp();
    await phone.outbox.flush();
    for (const event of phone.outbox.sent) out(`  ${agent.phone.name} (${agent.phone.mac}): ${event.label.padEnd(17)} ${event.call.remote} on ${event.call.local}`);
    for (const failure of phone.outbox.failures) out(`  ${agent.phone.name}: an event did not reach Ringside: ${failure}`);
    await options.awaitOutcome(remote);
    const after = await missedCall(api, missed.callId);
    out(after?.status === 'closed'
      ? `  the missed call from ${remote} is closed: called back by ${after.closedBy}`
      : `  the missed call from ${remote} is ${after?.status ?? 'gone'}${after?.owner ? `, taken by ${after.owner}` : ''}`);
    return { dial: taken.dial, missed: after };
  } finally {
    await phone.close();
    // The simulated phone's control API is gone: leave the phone's control settings as they were,
    // or Ringside would keep trying the closed port (and say the phone does not answer).
    await restoreControl(api, controlPath, before, agent, out);
  }
}

async function controlSettings(api: AdminApi, mac: string): Promise<DeviceControlView | null> {
  const { items } = await api.request<{ items: Array<{ mac: string; control?: DeviceControlView }> }>('GET', '/api/devices');
  const wanted = mac.replace(/[^0-9a-f]/gi, '').toUpperCase();
  return items.find((d) => d.mac.replace(/[^0-9a-f]/gi, '').toUpperCase() === wanted)?.control ?? null;
}

/** Puts back the address, port and user name that were set (null: the defaults); a password cannot be put back, as Ringside never shows it. */
async function restoreControl(api: AdminApi, path: string, before: DeviceControlView | null, agent: SimAgent, out: (line: string) => void): Promise<void> {
  const explicit = before !== null && !before.hostFromEvents;
  const body = {
    host: explicit ? before.host : null,
    port: explicit ? before.port : null,
    username: explicit ? before.username : null,
    password: null,
  };
  try {
    await api.request('PUT', path, body);
    out(before?.passwordSet
      ? `  ${agent.phone.name}: control settings put back, without the earlier password (Ringside never shows it); save it again if it was needed`
      : `  ${agent.phone.name}: control settings removed again (as before the scenario)`);
  } catch (error) {
    out(`  ${agent.phone.name}: its control settings could not be put back: ${(error as Error).message}`);
  }
}

async function openMissedCall(api: AdminApi, remote: string): Promise<MissedCallView> {
  const { items } = await api.request<{ items: MissedCallView[] }>('GET', '/api/missed?status=open&limit=500');
  const missed = items.find((m) => m.remote === remote);
  if (!missed) throw new Error(`Ringside lists no open missed call from ${remote}; nothing to call back`);
  return missed;
}

async function missedCall(api: AdminApi, callId: string): Promise<MissedCallView | null> {
  const { items } = await api.request<{ items: MissedCallView[] }>('GET', '/api/missed?limit=500');
  return items.find((m) => m.callId === callId) ?? null;
}
