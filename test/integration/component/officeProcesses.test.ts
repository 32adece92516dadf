import { connect } from 'amqplib';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveTopology, shardQueues } from '../../../src/adapters/rabbitmq/topology';
import { killHard, startChildUntil } from '../../support/childProcess';
import { OFFICE_SHARDS, deleteOfficeState } from '../../support/office';
import { AgentClient, TEST_TOKEN, TEST_WEBHOOK_TOKEN, apiRequest, phoneRequest } from '../../support/ringside';
import { AMQP_URL, REDIS_URL, TEST_CACHE_DB, TEST_CALLS_DB, uniqueName } from '../../support/services';
import { startTcpProxy, targetOf, type TcpProxy } from '../../support/tcpProxy';
import { makeTempDir } from '../../support/tmp';
import { eventually } from '../../support/wait';
import { HELPLINE, MAC_A, MAC_B, params, unhandledIn, type CallBody } from './fixtures';

/**
 * The office of office.test.ts with real processes: two Ringside servers (fixtures/serve.ts)
 * on the real Redis and RabbitMQ under names of their own, sharing the call-log database, each
 * with its own data dir (spool, token). Nothing crosses the process boundary back to the test
 * but HTTP and WebSocket messages, so cross-process waits poll REST in bounded loops.
 */

const SERVE = new URL('./fixtures/serve.ts', import.meta.url).pathname;
const MISSED_DELAY_MS = 1_000;
/** How long a poll across the process boundary may take (no event reaches the test from a child). */
const POLL = { timeoutMs: 30_000 };
const A = MAC_A.replaceAll(':', '');
const B = MAC_B.replaceAll(':', '');

interface Child {
  process: ChildProcess;
  webhookUrl: string;
  apiUrl: string;
}

interface Health {
  status: string;
  spoolDepth: number;
}

let callerSeq = 0;
/** Callers of this file: another number space than fixtures' newCaller, unique per run. */
function caller(): string {
  callerSeq += 1;
  return `+92301${String(Date.now() % 1_000_000).padStart(6, '0')}${String(callerSeq).padStart(3, '0')}`;
}

describe('an office of two Ringside processes on one Redis and one RabbitMQ', { timeout: 60_000 }, () => {
  let root: string;
  let temp: ReturnType<typeof makeTempDir>;
  let database: string;
  let children: Child[];
  let clients: AgentClient[];
  let proxy: TcpProxy | null;
  let acknowledged: string[];

  beforeEach(() => {
    root = uniqueName('procs');
    temp = makeTempDir('ringside-procs-');
    database = join(temp.dir, 'shared', 'ringside.db');
    children = [];
    clients = [];
    proxy = null;
    acknowledged = [];
  });
  afterEach(async () => {
    for (const client of clients) client.close();
    try {
      for (const child of children) await killHard(child.process);
      await proxy?.close();
    } finally {
      await deleteOfficeState(root);
      temp.cleanup();
    }
  });

  /** The environment that puts a server into this office (the variables of docs/architecture.md, Configuration; names of this test). */
  function officeEnv(name: string, redisUrl = REDIS_URL): Record<string, string> {
    return {
      RINGSIDE_DATA_DIR: join(temp.dir, name),
      RINGSIDE_ADMIN_TOKEN: TEST_TOKEN,
      RINGSIDE_WEBHOOK_TOKEN: TEST_WEBHOOK_TOKEN,
      RINGSIDE_DATABASE: database,
      RINGSIDE_MISSED_DELAY_MS: String(MISSED_DELAY_MS),
      RINGSIDE_REDIS_URL: redisUrl,
      RINGSIDE_REDIS_CALLS_DB: String(TEST_CALLS_DB),
      RINGSIDE_REDIS_CACHE_DB: String(TEST_CACHE_DB),
      RINGSIDE_REDIS_KEY_PREFIX: root,
      RINGSIDE_AMQP_URL: AMQP_URL,
      RINGSIDE_AMQP_EXCHANGE: root,
      RINGSIDE_AMQP_QUEUE: `${root}-queue`,
      RINGSIDE_AMQP_SHARDS: String(OFFICE_SHARDS),
    };
  }

  async function startServer(env: Record<string, string>): Promise<Child> {
    const { child, line } = await startChildUntil(SERVE, [], '{', env);
    const server = { process: child, ...(JSON.parse(line) as { webhookUrl: string; apiUrl: string }) };
    children.push(server);
    return server;
  }

  async function kill(server: Child): Promise<void> {
    await killHard(server.process);
    children.splice(children.indexOf(server), 1);
  }

  const api = <T>(server: Child, method: string, path: string, body?: unknown) => apiRequest<T>(server.apiUrl, method, path, { token: TEST_TOKEN, body });

  async function ok(server: Child, event: string, p: Record<string, string>): Promise<void> {
    const res = await phoneRequest(server.webhookUrl, event, p);
    expect(res.status, `${event}: ${JSON.stringify(res.body)}`).toBe(200);
    acknowledged.push(String(res.body.id));
  }

  async function setUpDirectory(server: Child): Promise<void> {
    expect((await api(server, 'POST', '/api/helplines', { number: HELPLINE, name: 'Support' })).status).toBe(200);
    for (const [id, name, mac] of [['alice', 'Alice', MAC_A], ['bob', 'Bob', MAC_B]] as const) {
      const res = await api(server, 'POST', '/api/agents', { id, name, devices: [mac], helplines: [HELPLINE] });
      expect(res.status).toBe(200);
    }
  }

  /** The agent's UI, connected to `server`'s WebSocket. */
  async function ui(server: Child, agent: string): Promise<AgentClient> {
    const session = await api<{ token: string }>(server, 'POST', '/api/session', { agent });
    const client = await AgentClient.connect(server.apiUrl, session.body.token);
    clients.push(client);
    return client;
  }

  async function callsOf(server: Child, remote: string): Promise<CallBody[]> {
    return (await api<{ items: CallBody[] }>(server, 'GET', `/api/calls?remote=${encodeURIComponent(remote)}`)).body.items;
  }

  async function missedOf(server: Child, remote: string): Promise<Array<{ remote: string; targets: string[] }>> {
    const res = await api<{ items: Array<{ remote: string; targets: string[] }> }>(server, 'GET', '/api/missed');
    return res.body.items.filter((m) => m.remote === remote);
  }

  /** Events a server's consumer handled, from its /metrics. */
  async function handledBy(server: Child): Promise<number> {
    const text = (await api<{ text: string }>(server, 'GET', '/metrics')).body.text;
    return [...text.matchAll(/^ringside_events_handled_total\{[^}]*outcome="ok"[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
  }

  /** Acknowledged events without the call log's handled marker. */
  function unapplied(): string[] {
    return unhandledIn(database, acknowledged);
  }

  it('a helpline call reported to both processes is one call; the answer on one dismisses the popup on the other; a late missed via the other raises no missed call', async () => {
    const first = await startServer(officeEnv('first'));
    const second = await startServer(officeEnv('second'));
    await setUpDirectory(first);
    // Alice's UI is on the first process, Bob's on the second.
    const alice = await ui(first, 'alice');
    const bob = await ui(second, 'bob');
    const customer = caller();

    await ok(first, 'incoming', params(MAC_A, customer));
    await ok(second, 'incoming', params(MAC_B, customer));
    const [aliceRing, bobRing] = await Promise.all([alice.callMessage('call.ringing', customer), bob.callMessage('call.ringing', customer)]);
    expect((aliceRing.call as CallBody).id).toBe((bobRing.call as CallBody).id);

    await ok(first, 'answered', params(MAC_A, customer));
    const dismissed = await bob.callMessage('call.dismissed', customer);
    expect(dismissed.answeredBy).toBe('Alice');
    await alice.callMessage('call.answered', customer);

    await ok(second, 'missed', params(MAC_B, customer));
    await ok(first, 'hangup', params(MAC_A, customer));
    expect((await alice.callMessage('call.ended', customer)).outcome).toBe('answered');
    const finished = await eventually(`the answered call from ${customer} finished on both legs`, () => callsOf(second, customer),
      (calls) => calls.length === 1 && calls[0]!.status === 'answered' && calls[0]!.legs.every((l) => l.state !== 'ringing' && l.state !== 'answered'), POLL);
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({ status: 'answered', agent: 'alice' });
    expect(finished[0]!.legs.map((l) => l.mac).sort()).toEqual([A, B]);

    // A call nobody answers, started after: once its missed call is raised, a missed call of the
    // first one (its grace delay started earlier) would have been raised as well.
    const sentinel = caller();
    await ok(first, 'incoming', params(MAC_A, sentinel));
    await ok(first, 'missed', params(MAC_A, sentinel));
    const raised = await eventually(`the missed call from ${sentinel}`, () => missedOf(second, sentinel), (items) => items.length > 0, POLL);
    expect(raised).toHaveLength(1);

    for (const server of [first, second]) {
      expect(await callsOf(server, customer)).toHaveLength(1);
      expect(await missedOf(server, customer)).toEqual([]);
    }
    expect(alice.received('call.missed').map((m) => (m.call as CallBody).remote)).not.toContain(customer);
    expect(bob.received('call.missed').map((m) => (m.call as CallBody).remote)).not.toContain(customer);
    expect(unapplied()).toEqual([]);
  });

  it('kill -9 of a process right after its 200s, while it holds deliveries, and a restart on its data dir: every acknowledged event is applied exactly once', async () => {
    // The first process reaches Redis through a proxy: paused, its handlers stop at their first
    // Redis command, so what RabbitMQ delivers to it stays unacknowledged in its hands.
    proxy = await startTcpProxy(targetOf(REDIS_URL, 6379));
    const firstEnv = officeEnv('first', proxy.url(REDIS_URL));
    let first = await startServer(firstEnv);
    const second = await startServer(officeEnv('second'));
    await setUpDirectory(second);
    const alice = await ui(second, 'alice');
    const bob = await ui(second, 'bob');

    const cut = proxy.pause({ newConnections: 'hold' });
    expect(cut).toBeGreaterThan(0);
    await proxy.arrivals(cut);

    type Step = [event: string, mac: string];
    const answeredSteps: Step[] = [['incoming', MAC_A], ['answered', MAC_A], ['hangup', MAC_A]];
    const ringGroupSteps: Step[] = [['incoming', MAC_A], ['incoming', MAC_B], ['answered', MAC_B], ['missed', MAC_A], ['hangup', MAC_B]];
    const missedSteps: Step[] = [['incoming', MAC_A], ['incoming', MAC_B], ['missed', MAC_A], ['missed', MAC_B]];
    const expected = new Map<string, { status: string; agent: string | null }>();
    // Each call's events go through one process (its outbox keeps their order).
    const send = async (server: Child, steps: Step[], outcome: { status: string; agent: string | null }) => {
      const customer = caller();
      expected.set(customer, outcome);
      for (const [event, mac] of steps) await ok(server, event, params(mac, customer));
    };
    const answeredByAlice = { status: 'answered', agent: 'alice' };
    const answeredByBob = { status: 'answered', agent: 'bob' };
    const missed = { status: 'missed', agent: null };

    await Promise.all([
      send(first, answeredSteps, answeredByAlice), send(second, answeredSteps, answeredByAlice),
      send(first, ringGroupSteps, answeredByBob), send(second, ringGroupSteps, answeredByBob),
      send(first, missedSteps, missed), send(second, missedSteps, missed),
    ]);

    // Both outboxes forwarded everything and RabbitMQ handed it all out, to the first process
    // (the active consumer of every shard: it subscribed first), which handled none of it.
    const broker = await connect(AMQP_URL);
    try {
      const channel = await broker.createChannel();
      const queues = shardQueues(resolveTopology({ exchange: root, queue: `${root}-queue`, shards: OFFICE_SHARDS }));
      const ready = async () => (await Promise.all(queues.map((q) => channel.checkQueue(q)))).reduce((n, q) => n + q.messageCount, 0);
      const depth = async (server: Child) => (await api<Health>(server, 'GET', '/healthz')).body.spoolDepth;
      const state = await eventually('both spools empty and no message ready in the shard queues', async () => ({ first: await depth(first), second: await depth(second), ready: await ready() }),
        (s) => s.first === 0 && s.second === 0 && s.ready === 0, POLL);
      expect(state).toEqual({ first: 0, second: 0, ready: 0 });
    } finally {
      await broker.close();
    }
    expect(await handledBy(first)).toBe(0);
    expect(await handledBy(second)).toBe(0);

    // More calls reach the first process, Redis comes back to it, and right after the last 200 it
    // is killed: the newest events are still in its outbox, the others in its hands, unacknowledged
    // (or, if its handlers got going again in between, handled but perhaps not yet acknowledged).
    await Promise.all([send(first, answeredSteps, answeredByAlice), send(first, missedSteps, missed)]);
    proxy.resume();
    await kill(first);

    // The second process takes the shards over; the first comes back on its data dir and relays what its outbox kept.
    first = await startServer(firstEnv);
    const finished = async () => {
      const rows = await Promise.all([...expected.keys()].map((remote) => callsOf(second, remote)));
      return rows.every((calls, i) => {
        const want = expected.get([...expected.keys()][i]!)!;
        return calls.length === 1 && calls[0]!.status === want.status;
      });
    };
    expect(await eventually('every call finished with its expected status', finished, (done) => done, POLL)).toBe(true);
    expect(await handledBy(second)).toBeGreaterThan(0);
    expect(await eventually('every acknowledged event applied', async () => unapplied(), (ids) => ids.length === 0, POLL)).toEqual([]);

    for (const [remote, want] of expected) {
      for (const server of [first, second]) {
        const calls = await callsOf(server, remote);
        expect(calls, remote).toHaveLength(1);
        expect(calls[0]).toMatchObject(want);
      }
      const [call] = await callsOf(second, remote);
      const legs = call!.legs.map((l) => [l.mac, l.state]).sort();
      if (want.agent === 'alice') expect(legs).toEqual([[A, 'ended']]);
      else if (want.agent === 'bob') expect(legs).toEqual([[A, 'missed'], [B, 'ended']]);
      else expect(legs).toEqual([[A, 'missed'], [B, 'missed']]);
      const records = await missedOf(second, remote);
      expect(records).toHaveLength(want.status === 'missed' ? 1 : 0);
      // Every agent a missed call was offered to was told once (from whichever process raised it).
      for (const record of records) {
        for (const [agent, client] of [['alice', alice], ['bob', bob]] as const) {
          if (record.targets.includes(agent)) await client.callMessage('call.missed', remote);
          expect(client.received('call.missed').filter((m) => (m.call as CallBody).remote === remote)).toHaveLength(record.targets.includes(agent) ? 1 : 0);
        }
      }
    }
    const stats = await api<{ items: Array<{ agent: string; answered: number }> }>(second, 'GET', '/api/stats');
    const answered = Object.fromEntries(stats.body.items.map((s) => [s.agent, s.answered]));
    const count = (agent: string) => [...expected.values()].filter((w) => w.agent === agent).length;
    expect(answered).toMatchObject({ alice: count('alice'), bob: count('bob') });
  });
});
