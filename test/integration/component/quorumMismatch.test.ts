import { describe, expect, it } from 'vitest';
import { shardQueue, shardQueues } from '../../../src/adapters/rabbitmq/topology';
import { createLogger } from '../../../src/shared/logger';
import { RabbitTestRig, TEST_SHARDS } from '../../support/rabbit';
import { startTestRingside } from '../../support/ringside';
import { AMQP_URL } from '../../support/services';
import { eventually, withTimeout } from '../../support/wait';
import { MAC_A, newCaller, params } from './fixtures';

/**
 * docs/architecture.md, Failures and outages: Quorum queues. A server set to quorum queues on a
 * broker whose queues are classic (RabbitMQ refuses to change a queue's type) is not a crash
 * loop: it starts, serves phones into its spool, says once which queue and setting, and forwards
 * the spool as soon as the queues can be declared, without a restart.
 */

interface Health {
  status: string;
  rabbitmq: string;
  spoolDepth: number;
}

describe('a server set to quorum queues on a broker whose queues are classic', () => {
  it('serves phones, names the queue and the setting once, and forwards its spool once the old queues are deleted', async () => {
    const rig = new RabbitTestRig();
    const lines: Array<{ level: number; msg: string }> = [];
    const logger = createLogger({ level: 'debug', destination: { write: (line: string) => lines.push(JSON.parse(line) as { level: number; msg: string }) } });
    const refusal = `RabbitMQ queue '${shardQueue(rig.topology, 0)}' exists as a classic queue, but amqp.queueType (RINGSIDE_AMQP_QUEUE_TYPE) is quorum`;
    // The broker as an earlier, classic installation left it.
    await (await rig.openBus()).close();
    const ringside = await startTestRingside({ amqp: { url: AMQP_URL, ...rig.names, shards: TEST_SHARDS, queueType: 'quorum' } }, undefined, { logger });
    try {
      const health = async () => (await ringside.api<Health>('GET', '/healthz')).body;
      expect(await health()).toMatchObject({ status: 'degraded', rabbitmq: 'down' });
      const caller = newCaller();
      expect((await ringside.phone('incoming', params(MAC_A, caller))).status).toBe(200);
      expect((await health()).spoolDepth).toBe(1);
      // Tried again and again, said once.
      await eventually('a later attempt refused too', () => lines.filter((line) => line.msg === 'rabbitmq: the topology is still refused').length, (count) => count >= 1);
      expect(lines.filter((line) => line.level >= 50).map((line) => line.msg)).toEqual([expect.stringContaining(refusal)]);

      const channel = await rig.channel();
      for (const queue of [...shardQueues(rig.topology), rig.topology.deadLetterQueue]) await channel.deleteQueue(queue);
      await eventually('RabbitMQ up and the spool forwarded', health, (h) => h.rabbitmq === 'up' && h.spoolDepth === 0);
      await withTimeout(ringside.instance.drained(), 'the forwarded event to be handled');
      const calls = await ringside.api<{ items: Array<{ remote: string }> }>('GET', '/api/calls');
      expect(calls.body.items.map((call) => call.remote)).toContain(caller);
      const declared = await rig.channel();
      // Now a quorum queue: a classic declaration of it is refused.
      await expect(declared.assertQueue(shardQueue(rig.topology, 0), { durable: true, arguments: { 'x-single-active-consumer': true, 'x-dead-letter-exchange': rig.topology.deadLetterExchange } })).rejects.toThrow(/inequivalent arg/);
    } finally {
      await ringside.stop();
      await rig.cleanup();
    }
  });
});
