import type { Cluster } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InProcessPushHub } from '../../../../src/adapters/memory/InProcessPushHub';
import { CallStateKeys, type PushRedisKeys } from '../../../../src/adapters/redis/keys';
import { RedisPushHub } from '../../../../src/adapters/redis/RedisPushHub';
import type { PushConnection, ServerMessage } from '../../../../src/domain/push/PushHub';
import { createLogger } from '../../../../src/shared/logger';
import { startOffice } from '../../../support/office';
import type { TestRingside } from '../../../support/ringside';
import { clusterKeysUnder, startRedisCluster, type ClusterTopology } from '../../../support/redisTopology';
import { uniqueName } from '../../../support/services';
import { Inbox } from '../../../support/wait';
import { MAC_A, MAC_B, helplineOnTwoSeats, newCaller, params, type CallBody } from '../../component/fixtures';

/**
 * docs/redis.md, Cluster: on a private three-master Redis Cluster, pushes cross processes over
 * pub/sub in order, and an office of two seats (with the real RabbitMQ) runs a call end to end.
 * The contract suites of the call state, cache, sessions, queues and statuses run on a cluster
 * too (test/support/contractsCluster.ts).
 */

type Tagged = ServerMessage & { n: number };
const message = (type: ServerMessage['type'], account: string, n: number): ServerMessage => ({ type, at: n, account, n }) as unknown as Tagged;

function inbox(id: string, account: string, agent: string | null) {
  const messages = new Inbox<Tagged>(`connection ${id}`);
  const connection: PushConnection = { id, account, agent, send: (data) => messages.push(JSON.parse(data) as Tagged) };
  return {
    connection,
    get received() {
      return messages.all;
    },
    next: (match: (m: Tagged) => boolean, what: string) => messages.next(match, what),
  };
}

let cluster: ClusterTopology;
beforeAll(async () => {
  cluster = await startRedisCluster();
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

describe('RedisPushHub on a Redis Cluster', () => {
  let keys: PushRedisKeys;
  const hubs: RedisPushHub[] = [];
  const clients: Cluster[] = [];
  const node = async (name: string) => {
    const [redis, subscriber] = [cluster.client(`push-${name}`), cluster.client(`push-${name}-sub`)];
    clients.push(redis, subscriber);
    const hub = RedisPushHub.start({ redis, subscriber, keys, node: name, logger: createLogger({ level: 'silent' }), local: new InProcessPushHub() });
    hubs.push(hub);
    await hub.subscribed;
    return hub;
  };
  afterEach(async () => {
    for (const hub of hubs.splice(0)) await hub.close();
    if (clients[0]) await clients[0].del(keys.connections);
    for (const client of clients.splice(0)) client.disconnect();
  });

  it("delivers one node's pushes to an agent on another node exactly once and in the order they were sent, accounts apart", async () => {
    keys = new CallStateKeys(uniqueName('push')).push();
    const x = await node('x');
    const y = await node('y');
    const aliceOnY = inbox('s1', 'acme', 'alice');
    const supervisorOnY = inbox('s2', 'acme', null);
    const otherTenantOnY = inbox('s3', 'globex', 'alice');
    for (const c of [aliceOnY, supervisorOnY, otherTenantOnY]) y.register(c.connection);

    // A call's pushes one after the other: on a Cluster a plain PUBLISH goes to a random node, and
    // messages through different nodes may overtake each other.
    const sent = Array.from({ length: 200 }, (_, i) => i + 1);
    for (const n of sent) x.toAgents('acme', ['alice'], message('call.ringing', 'acme', n));
    x.toAccount('globex', message('presence.changed', 'globex', 0));
    await aliceOnY.next((m) => m.n === sent.at(-1), 'the last push');
    await supervisorOnY.next((m) => m.n === sent.at(-1), 'the last push, to the supervisor');
    await otherTenantOnY.next((m) => m.type === 'presence.changed', "the other account's own push");

    expect(aliceOnY.received.map((m) => m.n)).toEqual(sent);
    expect(supervisorOnY.received.map((m) => m.n)).toEqual(sent);
    expect(otherTenantOnY.received.map((m) => m.n)).toEqual([0]);
  });
});

describe('an office on a Redis Cluster', () => {
  it('a helpline call ringing phones of both seats: one call, popups on both, the answer dismisses the other; no CROSSSLOT anywhere', { timeout: 60_000 }, async () => {
    const office = await startOffice(2, {
      redis: { cluster: cluster.nodes.map((n) => `${n.host}:${n.port}`), keyPrefix: uniqueName('office') },
      missedDelayMs: 60_000,
    });
    try {
      const { x, y, alice, bob } = await helplineOnTwoSeats(office);
      const caller = newCaller();
      const ok = async (seat: TestRingside, event: string, p: Record<string, string>) => {
        const res = await seat.phone(event, p);
        expect(res.status, `${event}: ${JSON.stringify(res.body)}`).toBe(200);
      };
      await ok(x, 'incoming', params(MAC_A, caller));
      await ok(y, 'incoming', params(MAC_B, caller));
      const [aliceRing, bobRing] = await Promise.all([alice.callMessage('call.ringing', caller), bob.callMessage('call.ringing', caller)]);
      expect((aliceRing.call as CallBody).id).toBe((bobRing.call as CallBody).id);
      await ok(x, 'answered', params(MAC_A, caller));
      expect((await bob.callMessage('call.dismissed', caller)).answeredBy).toBe('Alice');
      await ok(y, 'missed', params(MAC_B, caller));
      await ok(x, 'hangup', params(MAC_A, caller));
      await alice.callMessage('call.ended', caller);
      await office.settle();

      for (const seat of [x, y]) {
        const calls = (await seat.api<{ items: CallBody[] }>('GET', `/api/calls?remote=${encodeURIComponent(caller)}`)).body.items;
        expect(calls).toHaveLength(1);
        expect(calls[0]).toMatchObject({ status: 'answered', agent: 'alice' });
        expect((await seat.api<{ redis: string; status: string }>('GET', '/healthz')).body).toMatchObject({ status: 'ok', redis: 'up' });
      }
      // The call state, sessions and cache are spread over the masters by account tag: all in one slot here.
      const admin = cluster.client();
      const stored = await clusterKeysUnder(admin, String((office.shared.redis as { keyPrefix: string }).keyPrefix));
      const slots = new Set(await Promise.all(stored.filter((k) => k.includes(':account:{')).map((k) => admin.cluster('KEYSLOT', k))));
      expect(stored.length).toBeGreaterThan(0);
      expect(slots.size).toBe(1);
    } finally {
      await office.stop();
    }
  });
});
