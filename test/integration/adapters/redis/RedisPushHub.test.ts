import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PushConnection, ServerMessage } from '../../../../src/domain/push/PushHub';
import { CallStateKeys, type PushRedisKeys } from '../../../../src/adapters/redis/keys';
import { InProcessPushHub } from '../../../../src/adapters/memory/InProcessPushHub';
import { RedisPushHub } from '../../../../src/adapters/redis/RedisPushHub';
import { createLogger } from '../../../../src/shared/logger';
import { REDIS_URL, TEST_CALLS_DB, uniqueName } from '../../../support/services';
import { Inbox } from '../../../support/wait';

/** A message tagged with a number the test reads back (the hub relays messages as they are). */
type Tagged = ServerMessage & { n: number };

interface Connection {
  connection: PushConnection;
  received: readonly Tagged[];
  /** Resolves with the first message of `type` not yet taken (fails after WAIT_MS). */
  next(type: string): Promise<Tagged>;
}

function inbox(id: string, account: string, agent: string | null): Connection {
  const messages = new Inbox<Tagged>(`connection ${id}`);
  const connection: PushConnection = {
    id, account, agent,
    send: (data) => messages.push(JSON.parse(data) as Tagged),
  };
  return {
    connection,
    get received() {
      return messages.all;
    },
    next: (type) => messages.next((m) => m.type === type, `a ${type} message`),
  };
}

const message = (type: ServerMessage['type'], account: string, n: number): ServerMessage => ({ type, at: n, account, n }) as unknown as Tagged;

describe('RedisPushHub (push across processes over Redis pub/sub)', () => {
  let root: string;
  let keys: PushRedisKeys;
  const connections: Redis[] = [];
  const hubs: RedisPushHub[] = [];
  const connect = () => {
    const redis = new Redis(REDIS_URL, { db: TEST_CALLS_DB, lazyConnect: false });
    connections.push(redis);
    return redis;
  };
  const node = async (name: string) => {
    const hub = RedisPushHub.start({ redis: connect(), subscriber: connect(), keys, node: name, logger: createLogger({ level: 'silent' }), local: new InProcessPushHub() });
    hubs.push(hub);
    await hub.subscribed;
    return hub;
  };

  beforeEach(() => {
    root = uniqueName('push');
    keys = new CallStateKeys(root).push();
  });
  afterEach(async () => {
    for (const hub of hubs.splice(0)) await hub.close();
    const [cleaner] = connections;
    if (cleaner) await cleaner.del(keys.connections);
    for (const redis of connections.splice(0)) redis.disconnect();
  });

  it("delivers a message published on one node to the agent's connection on another, exactly once", async () => {
    const x = await node('x');
    const y = await node('y');
    const z = await node('z');
    const aliceOnY = inbox('s1', 'acme', 'alice');
    const bobOnX = inbox('s2', 'acme', 'bob');
    y.register(aliceOnY.connection);
    x.register(bobOnX.connection);

    x.toAgents('acme', ['alice'], message('call.ringing', 'acme', 1));
    x.toAgents('acme', ['bob'], message('call.answered', 'acme', 2));
    // Once x's PUBLISHes are through (same connection, so a PING answered after them), a marker
    // published by z reaches every subscriber after them: x has then seen its own echo of 2.
    await connections[0]!.ping();
    z.toAgents('acme', ['alice', 'bob'], message('call.ended', 'acme', 3));
    await Promise.all([aliceOnY.next('call.ended'), bobOnX.next('call.ended')]);

    expect(aliceOnY.received.map((m) => m.n)).toEqual([1, 3]);
    expect(bobOnX.received.map((m) => m.n)).toEqual([2, 3]);
  });

  it("keeps accounts apart and gives a supervisor connection every agent's messages of its own account only", async () => {
    const x = await node('x');
    const y = await node('y');
    const supervisor = inbox('sup', 'acme', null);
    const otherTenant = inbox('g1', 'globex', 'alice');
    const carol = inbox('c1', 'acme', 'carol');
    y.register(supervisor.connection);
    y.register(otherTenant.connection);
    y.register(carol.connection);

    x.toAgents('acme', ['alice'], message('call.ringing', 'acme', 1));
    x.toAccount('acme', message('presence.changed', 'acme', 2));
    await carol.next('presence.changed');

    expect(supervisor.received.map((m) => m.n)).toEqual([1, 2]);
    expect(carol.received.map((m) => m.n)).toEqual([2]);
    expect(otherTenant.received).toEqual([]);
  });

  it("sends the pushes of one turn to another node in one publish per account, in order, and a node's own publish is not delivered twice", async () => {
    const x = await node('x');
    const y = await node('y');
    const publishes: string[] = [];
    const listener = connect();
    listener.on('message', (_channel: string, payload: string) => publishes.push(payload));
    await listener.subscribe(keys.pushChannel('acme'));
    const aliceOnY = inbox('s1', 'acme', 'alice');
    const aliceOnX = inbox('s2', 'acme', 'alice');
    y.register(aliceOnY.connection);
    x.register(aliceOnX.connection);

    for (let n = 1; n <= 5; n++) x.toAgents('acme', ['alice'], message('call.answered', 'acme', n));
    x.toAccount('acme', message('presence.changed', 'acme', 6));
    await aliceOnY.next('presence.changed');

    expect(aliceOnY.received.map((m) => m.n)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(aliceOnX.received.map((m) => m.n)).toEqual([1, 2, 3, 4, 5, 6]);
    // The listener's connection has every publish before the answer to a command sent on it after them.
    await listener.ping();
    expect(publishes).toHaveLength(1);
    // x heard its own publish too (a node is subscribed to every account's channel): still delivered once on x.
    await connections[0]!.ping();
    await y.close();
    hubs.splice(hubs.indexOf(y), 1);
    expect(aliceOnX.received.map((m) => m.n)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('still delivers a push in the earlier format (one envelope, its node inside), as a node not yet upgraded publishes it', async () => {
    const y = await node('y');
    const aliceOnY = inbox('s1', 'acme', 'alice');
    y.register(aliceOnY.connection);
    await connections[0]!.publish(keys.pushChannel('acme'), JSON.stringify({ node: 'old', agents: ['alice'], message: message('call.ringing', 'acme', 7) }));
    expect((await aliceOnY.next('call.ringing')).n).toBe(7);
  });

  it('records every open connection in the shared connections hash and removes it on unregister and on close', async () => {
    const x = await node('x');
    const y = await node('y');
    const unregister = x.register(inbox('s1', 'acme', 'alice').connection);
    y.register(inbox('s2', 'acme', 'bob').connection);
    const redis = connections[0]!;
    // A round trip on the same connection after the fire-and-forget HSETs: they were applied before it.
    await connections[0]!.ping();
    await connections[2]!.ping();
    const before = await redis.hgetall(keys.connections);
    expect(Object.keys(before).sort()).toEqual(['x:s1', 'y:s2']);
    expect(JSON.parse(before['x:s1']!)).toMatchObject({ account: 'acme', agent: 'alice', node: 'x' });

    unregister();
    await connections[0]!.ping();
    expect(Object.keys(await redis.hgetall(keys.connections))).toEqual(['y:s2']);

    await y.close();
    hubs.splice(hubs.indexOf(y), 1);
    expect(await redis.hgetall(keys.connections)).toEqual({});
  });
});
