import { connect } from 'amqplib';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ChildProcess } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveTopology, shardOf, shardQueues } from '../../../src/adapters/rabbitmq/topology';
import { exited, killHard, nextLine, startChildUntil } from '../../support/childProcess';
import { deleteOfficeState } from '../../support/office';
import { AgentClient, TEST_TOKEN, TEST_WEBHOOK_TOKEN, apiRequest, phoneRequest } from '../../support/ringside';
import { AMQP_URL, REDIS_URL, TEST_CACHE_DB, TEST_CALLS_DB, uniqueName } from '../../support/services';
import { makeTempDir } from '../../support/tmp';
import { Inbox, eventually } from '../../support/wait';
import { MAC_A, params, unhandledIn, type CallBody } from './fixtures';

/**
 * `ringside serve` with RINGSIDE_WORKERS=2, through the command the README gives (src/cli/main.ts
 * serve): the serve process and one worker process it starts share the shard queues, on the real
 * Redis and RabbitMQ under names of their own and one SQLite call log. The worker's log lines come
 * through the serve process's stderr (JSON), which is how the test sees which process did what.
 */

const MAIN = 'src/cli/main.ts';
const SHARDS = 4;
const POLL = { timeoutMs: 30_000 };

interface LogLine {
  msg?: string;
  worker?: number;
  workerPid?: number;
  shards?: number[];
  callId?: string;
  [field: string]: unknown;
}

let callerSeq = 0;
/** A caller of this file whose calls go to shard queue `shard` (so both processes get some). */
function callerOnShard(shard: number): string {
  for (;;) {
    callerSeq += 1;
    const remote = `+92302${String(Date.now() % 1_000_000).padStart(6, '0')}${String(callerSeq).padStart(3, '0')}`;
    if (shardOf(`default|remote:${remote}`, SHARDS) === shard) return remote;
  }
}

function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

describe('ringside serve with RINGSIDE_WORKERS=2', { timeout: 120_000 }, () => {
  let root: string;
  let temp: ReturnType<typeof makeTempDir>;
  let serve: ChildProcess | null;
  let client: AgentClient | null;

  beforeEach(() => {
    root = uniqueName('workers');
    temp = makeTempDir('ringside-workers-');
    serve = null;
    client = null;
  });
  afterEach(async () => {
    client?.close();
    try {
      // The worker follows its serve process out (its IPC channel closes).
      if (serve) await killHard(serve);
    } finally {
      await deleteOfficeState(root);
      temp.cleanup();
    }
  });

  it('handles calls in two processes, each call in order, and loses nothing when the worker is killed under load', async () => {
    const env = {
      RINGSIDE_PROVISIONING_FILE: '/nonexistent/ringside.json',
      RINGSIDE_DATA_DIR: join(temp.dir, 'data'),
      RINGSIDE_ADMIN_TOKEN: TEST_TOKEN,
      RINGSIDE_WEBHOOK_TOKEN: TEST_WEBHOOK_TOKEN,
      RINGSIDE_WEBHOOK_HOST: '127.0.0.1', RINGSIDE_WEBHOOK_PORT: '0', RINGSIDE_API_PORT: '0',
      RINGSIDE_PHONE_RATE_LIMIT: '0',
      RINGSIDE_LOG_FILE: 'off',
      RINGSIDE_REDIS_URL: REDIS_URL, RINGSIDE_REDIS_CALLS_DB: String(TEST_CALLS_DB), RINGSIDE_REDIS_CACHE_DB: String(TEST_CACHE_DB), RINGSIDE_REDIS_KEY_PREFIX: root,
      RINGSIDE_AMQP_URL: AMQP_URL, RINGSIDE_AMQP_EXCHANGE: root, RINGSIDE_AMQP_QUEUE: `${root}-queue`, RINGSIDE_AMQP_SHARDS: String(SHARDS),
      RINGSIDE_WORKERS: '2',
    };
    const started = await startChildUntil(MAIN, ['serve'], 'webhook listening on ', env, POLL);
    serve = started.child;
    // Its log from here on (the worker starts after the listeners): one JSON object per line.
    const logs = new Inbox<LogLine>('the serve process log');
    createInterface({ input: serve.stderr! }).on('line', (line) => {
      if (line.startsWith('{')) logs.push(JSON.parse(line) as LogLine);
    });
    const webhookUrl = started.line.slice('webhook listening on '.length);
    const apiUrl = (await nextLine(serve, 'agent API on ', POLL)).slice('agent API on '.length);
    const api = <T>(method: string, path: string, body?: unknown) => apiRequest<T>(apiUrl, method, path, { token: TEST_TOKEN, body });

    // The worker is another process, a child of the serve process, with the other half of the shards.
    const up = await logs.next((l) => l.msg === 'worker consuming its shard queues' && l.worker === 1, 'worker 1 up', POLL);
    const workerPid = up.workerPid!;
    expect(workerPid).not.toBe(serve.pid);
    expect(parentOf(workerPid)).toBe(serve.pid);
    expect(up.shards).toEqual([1, 3]);

    expect((await api('POST', '/api/agents', { id: 'alice', name: 'Alice', devices: [MAC_A] })).status).toBe(200);
    const session = await api<{ token: string }>('POST', '/api/session', { agent: 'alice' });
    client = await AgentClient.connect(apiUrl, session.body.token, { name: 'alice' });

    const acknowledged: string[] = [];
    const customers: string[] = [];
    const call = async (remote: string) => {
      customers.push(remote);
      for (const event of ['incoming', 'answered', 'hangup']) {
        const res = await phoneRequest(webhookUrl, event, params(MAC_A, remote));
        expect(res.status, `${event}: ${JSON.stringify(res.body)}`).toBe(200);
        acknowledged.push(String(res.body.id));
      }
    };
    // A call on each shard: two handled here, two in the worker.
    await Promise.all([0, 1, 2, 3].map((shard) => call(callerOnShard(shard))));
    // Its one line per call says which process handled it: the worker's carry `worker: 1`.
    const ended = await Promise.all(customers.map(async (c) => {
      const { id } = (await client!.callMessage('call.ended', c, POLL)).call as CallBody;
      return logs.next((l) => l.msg === 'call ended: incoming, answered' && l.callId === id, `the log line of the call from ${c}`, POLL);
    }));
    expect(ended.map((l) => l.worker ?? 0).sort()).toEqual([0, 0, 1, 1]);
    // Each call's pushes came in its events' order, whichever process handled it.
    for (const customer of customers) {
      const kinds = client.messages.filter((m) => (m.call as CallBody | undefined)?.remote === customer && ['call.ringing', 'call.answered', 'call.ended'].includes(m.type)).map((m) => m.type);
      expect(kinds, customer).toEqual(['call.ringing', 'call.answered', 'call.ended']);
    }

    // Load on every shard, and the worker killed with SIGKILL in the middle of it.
    const load = Array.from({ length: 24 }, (_, i) => call(callerOnShard(i % SHARDS)));
    await eventually('half the load acknowledged', () => acknowledged.length, (n) => n >= 12 + 36, POLL);
    process.kill(workerPid, 'SIGKILL');
    await Promise.all(load);
    const exitLine = await logs.next((l) => l.msg === 'worker 1 exited unexpectedly; restarting it', 'the restart of worker 1', POLL);
    expect(exitLine.signal).toBe('SIGKILL');
    const again = await logs.next((l) => l.msg === 'worker consuming its shard queues' && l.worker === 1, 'worker 1 up again', POLL);
    expect(again.workerPid).not.toBe(workerPid);

    // Every event that got its 200 is handled (its marker in the call log), and every call is one
    // answered call with its leg ended: its events were applied in order. (Pushes are not checked
    // across the kill: an event whose call-state step the killed worker had applied is not pushed
    // again when it comes back.)
    const database = join(temp.dir, 'data', 'ringside.db');
    const unapplied = () => unhandledIn(database, acknowledged);
    expect(await eventually('every acknowledged event handled', unapplied, (left) => left.length === 0, POLL)).toEqual([]);
    for (const customer of customers) {
      const calls = (await api<{ items: CallBody[] }>('GET', `/api/calls?remote=${encodeURIComponent(customer)}`)).body.items;
      expect(calls.map((c) => [c.status, c.agent, c.legs.map((l) => l.state)]), customer).toEqual([['answered', 'alice', ['ended']]]);
    }

    // The serve process's metrics count the worker's events too.
    const metrics = (await api<{ text: string }>('GET', '/metrics')).body.text;
    const handled = [...metrics.matchAll(/^ringside_events_handled_total\{[^}]*outcome="ok"[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
    expect(handled).toBeGreaterThanOrEqual(acknowledged.length);

    // Each shard queue has one consumer (the serve process or the worker), and a stop takes the worker with it.
    const broker = await connect(AMQP_URL);
    try {
      const channel = await broker.createChannel();
      const queues = shardQueues(resolveTopology({ exchange: root, queue: `${root}-queue`, shards: SHARDS }));
      expect((await Promise.all(queues.map((q) => channel.checkQueue(q)))).map((q) => q.consumerCount)).toEqual([1, 1, 1, 1]);
    } finally {
      await broker.close();
    }
    serve.kill('SIGTERM');
    await exited(serve, POLL);
    expect(serve.exitCode).toBe(0);
    expect(existsSync(`/proc/${again.workerPid}`)).toBe(false);
    serve = null;
  });
});
