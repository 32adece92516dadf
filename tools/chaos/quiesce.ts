import { CallStateKeys } from '../../src/adapters/redis/keys';
import type { ChaosBroker } from './broker';
import { httpGet, sleep } from './net';
import type { PrivateRedis } from './redis';
import type { RingsideProcess } from './ringside';

export interface QuiesceOptions {
  nodes: RingsideProcess[];
  broker: ChaosBroker;
  shardQueues: string[];
  redis: PrivateRedis;
  keyPrefix: string;
  account: string;
  /** Nothing counts as settled before this time (the last acknowledged event plus the missed-call delay). */
  notBefore: number;
  deadline: number;
}

export interface QuiesceResult {
  quiet: boolean;
  waitedMs: number;
  /** What was still busy at the last look (empty when quiet). */
  busy: string[];
}

const POLL_MS = 500;
/** Consecutive quiet looks required: a consumer handing an event on can look idle for a moment. */
const QUIET_LOOKS = 2;

/**
 * Waits (bounded by `deadline`) until nothing is left anywhere: every outbox forwarded
 * (/healthz spoolDepth 0, both services up), the shard queues empty with nothing unacknowledged,
 * no handler ran since the previous look, and no missed call waiting for its grace delay in the
 * call state. Polling is fine here: this is a tool watching other processes, not a test.
 */
export async function quiesce(options: QuiesceOptions): Promise<QuiesceResult> {
  const started = Date.now();
  let previousHandled = '';
  let quietLooks = 0;
  let busy: string[] = ['not looked yet'];
  while (Date.now() < options.deadline) {
    const look = await lookAround(options);
    const handled = JSON.stringify(look.handled);
    busy = look.busy;
    if (handled !== previousHandled) busy.push('handlers still running');
    if (Date.now() < options.notBefore) busy.push('missed-call delay not over');
    previousHandled = handled;
    quietLooks = busy.length === 0 ? quietLooks + 1 : 0;
    if (quietLooks >= QUIET_LOOKS) return { quiet: true, waitedMs: Date.now() - started, busy: [] };
    await sleep(POLL_MS);
  }
  return { quiet: false, waitedMs: Date.now() - started, busy };
}

async function lookAround(options: QuiesceOptions): Promise<{ busy: string[]; handled: Array<number | null> }> {
  const busy: string[] = [];
  const [healths, handled, queues, missed, unfinished] = await Promise.all([
    Promise.all(options.nodes.map((node) => node.health())),
    Promise.all(options.nodes.map((node) => node.handledEvents())),
    options.broker.queueStats(options.shardQueues).catch(() => null),
    pendingMissedCalls(options).catch(() => null),
    endedButUnfinished(options.nodes[0]!).catch(() => null),
  ]);
  healths.forEach((health, i) => {
    const name = options.nodes[i]!.name;
    if (!health) busy.push(`${name} not answering`);
    else if (health.spoolDepth > 0 || health.redis !== 'up' || health.rabbitmq !== 'up') {
      busy.push(`${name}: outbox ${health.spoolDepth}, redis ${health.redis}, rabbitmq ${health.rabbitmq}`);
    }
  });
  if (!queues) busy.push('shard queues not readable');
  else if (queues.ready > 0 || (queues.unacked ?? 0) > 0) busy.push(`shard queues: ${queues.ready} ready, ${queues.unacked ?? '?'} unacked`);
  if (missed === null) busy.push('missed-call schedule not readable');
  else if (missed > 0) busy.push(`${missed} missed calls waiting for their grace delay`);
  if (unfinished === null) busy.push('call log not readable');
  else if (unfinished > 0) busy.push(`${unfinished} unanswered calls over by their legs and not finished yet (missed-call sweeper, stale-call reaper)`);
  return { busy, handled };
}

/** Missed calls queued in the call state and not yet raised (the sweeper raises them after the delay). */
async function pendingMissedCalls(options: QuiesceOptions): Promise<number> {
  const keys = new CallStateKeys(options.keyPrefix).tenant(options.account);
  const client = options.redis.client(0);
  try {
    await client.connect();
    return await client.zcard(keys.missedSchedule());
  } finally {
    client.disconnect();
  }
}

interface LoggedCall {
  direction: string;
  answeredAt: number | null;
  legs: Array<{ id: number; mac: string; state: string }>;
}

/**
 * Unanswered incoming calls whose every device's leg has ended but which the call log still
 * shows ringing: the product still owes them a decision (their missed call), which the sweeper
 * or, when the call state lost the queue entry, the stale-call reaper makes. Waited for like any
 * other work in progress, within the deadline; what is still undecided then counts as lost.
 */
async function endedButUnfinished(node: RingsideProcess): Promise<number> {
  let count = 0;
  let cursor = '';
  for (;;) {
    const query = new URLSearchParams({ status: 'ringing', limit: '200', ...(cursor ? { cursor } : {}) });
    const answer = await httpGet(`${node.apiUrl}/api/calls?${query}`, { token: node.token });
    if (answer.status !== 200) throw new Error(`GET /api/calls answered ${answer.status}`);
    const page = answer.body as { items: LoggedCall[]; next: string | null };
    count += page.items.filter((call) => call.direction === 'in' && call.answeredAt === null && overByLegs(call)).length;
    if (!page.next) return count;
    cursor = page.next;
  }
}

function overByLegs(call: LoggedCall): boolean {
  const latest = new Map<string, { id: number; state: string }>();
  for (const leg of call.legs) if ((latest.get(leg.mac)?.id ?? -1) < leg.id) latest.set(leg.mac, leg);
  return [...latest.values()].every((leg) => leg.state !== 'ringing' && leg.state !== 'answered');
}
