// The shared-mode yardstick (brokerAlone.ts runs it in its own process): RabbitMQ alone, with
// what Ringside asks of it per call event and nothing else. One connection, as Ringside's bus:
// a confirm channel where BENCH_IN_FLIGHT publishers each keep one persistent message in
// flight (publish, wait for the confirm, next), routed over BENCH_SHARDS durable queues, and a channel consuming every queue
// (prefetch BENCH_PREFETCH per consumer, one ack per message).
// stdout, one JSON line each: {"ready":true} once declared; after `go` on stdin, the result;
// `stop` (or stdin closing) deletes what it declared and exits.
import { connect } from 'amqplib';
import { createInterface } from 'node:readline';
import { ulid } from 'ulid';

const env = (name) => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const url = env('BENCH_AMQP_URL');
const name = env('BENCH_BROKER_NAME');
const shards = Number(env('BENCH_SHARDS'));
const publishers = Number(env('BENCH_IN_FLIGHT'));
const seconds = Number(env('BENCH_SECONDS'));
const prefetch = Number(env('BENCH_PREFETCH'));
/** A call event as Ringside's listener builds it: each message is it with a fresh id and caller, so of its size. */
const envelope = JSON.parse(env('BENCH_ENVELOPE'));
const DRAIN_LIMIT_MS = 120_000;

const queues = Array.from({ length: shards }, (_, shard) => `${name}.${shard}`);
// noDelay as Ringside's connection (AmqpConnection): with Nagle, each confirm and ack waits tens of ms.
const model = await connect(url, { noDelay: true });
const admin = await model.createChannel();
await admin.assertExchange(name, 'topic', { durable: true });
for (const [shard, queue] of queues.entries()) {
  // Single active consumer, as Ringside's shard queues (topology.ts).
  await admin.assertQueue(queue, { durable: true, arguments: { 'x-single-active-consumer': true } });
  await admin.bindQueue(queue, name, `call.*.${shard}`);
}
const publisher = await model.createConfirmChannel();
const consumer = await model.createChannel();
await consumer.prefetch(prefetch);

const counts = { published: 0, consumed: 0, bytes: 0 };
let sequence = 0;
let lastConsumedAt = 0;
let publishing = true;
let drained = () => {};
const allConsumed = new Promise((resolve) => (drained = resolve));
const checkDrained = () => {
  if (!publishing && counts.consumed >= counts.published) drained();
};
for (const queue of queues) {
  await consumer.consume(queue, (message) => {
    if (message === null) return;
    consumer.ack(message);
    counts.consumed++;
    lastConsumedAt = performance.now();
    checkDrained();
  });
}

const commands = createInterface({ input: process.stdin });
const lines = commands[Symbol.asyncIterator]();
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
if ((await lines.next()).value === 'go') {
  process.stdout.write(`${JSON.stringify(await run())}\n`);
  await lines.next(); // `stop`, or stdin closed
}
commands.close();
for (const queue of queues) await admin.deleteQueue(queue);
await admin.deleteExchange(name);
await model.close();

async function run() {
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(Array.from({ length: publishers }, () => publishUntil(deadline)));
  publishing = false;
  checkDrained();
  const timeout = new Promise((resolve) => setTimeout(resolve, DRAIN_LIMIT_MS).unref());
  await Promise.race([allConsumed, timeout]);
  const elapsedMs = (counts.consumed >= counts.published ? lastConsumedAt : performance.now()) - started;
  return { ...counts, elapsedMs, messageBytes: Math.round(counts.bytes / Math.max(1, counts.published)) };
}

async function publishUntil(deadline) {
  while (performance.now() < deadline) {
    const n = sequence++;
    const event = { ...envelope, id: ulid(), remote: `+92399${String(n % 1e7).padStart(7, '0')}` };
    const content = Buffer.from(JSON.stringify(event), 'utf8');
    const shard = n % shards;
    await new Promise((resolve, reject) => {
      publisher.publish(name, `call.${event.type}.${shard}`, content, {
        contentType: 'application/json', type: event.type, appId: 'ringside', messageId: event.id, persistent: true, mandatory: true,
      }, (err) => (err ? reject(err) : resolve()));
    });
    counts.published++;
    counts.bytes += content.length;
  }
}
