// What the two RabbitMQ yardsticks (brokerAlone.js, pipelineFloor.js) declare, as Ringside's bus
// does (src/adapters/rabbitmq/topology.ts): a durable topic exchange and `shards` durable queues
// with a single active consumer each, bound by the shard at the end of the routing key; a confirm
// channel to publish on and a channel consuming with `prefetch` unacknowledged per queue.
import { connect } from 'amqplib';

export async function openShardedBroker({ url, name, shards, prefetch }) {
  const queues = Array.from({ length: shards }, (_, shard) => `${name}.${shard}`);
  // noDelay as Ringside's connection (AmqpConnection): with Nagle, each confirm and ack waits tens of ms.
  const model = await connect(url, { noDelay: true });
  const admin = await model.createChannel();
  await admin.assertExchange(name, 'topic', { durable: true });
  for (const [shard, queue] of queues.entries()) {
    await admin.assertQueue(queue, { durable: true, arguments: { 'x-single-active-consumer': true } });
    await admin.bindQueue(queue, name, `call.*.${shard}`);
  }
  const publisher = await model.createConfirmChannel();
  const consumer = await model.createChannel();
  await consumer.prefetch(prefetch);
  /** Deletes what was declared and closes the connection. */
  const close = async () => {
    for (const queue of queues) await admin.deleteQueue(queue);
    await admin.deleteExchange(name);
    await model.close();
  };
  return { queues, publisher, consumer, close };
}
