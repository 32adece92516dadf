// The shared-mode yardstick (brokerAlone.ts runs it in its own process): RabbitMQ alone, with
// what Ringside asks of it per call event and nothing else. One connection, as Ringside's bus:
// a confirm channel where BENCH_IN_FLIGHT publishers each keep one persistent message in
// flight (publish, wait for the confirm, next), routed over BENCH_SHARDS durable queues, and a channel consuming every queue
// (prefetch BENCH_PREFETCH per consumer, one ack per message).
// stdout, one JSON line each: {"ready":true} once declared; after `warm <seconds>` or `go` on
// stdin, that run's result; `stop` (or stdin closing) deletes what it declared and exits.
import { createInterface } from 'node:readline';
import { ulid } from 'ulid';
import { openShardedBroker } from './yardstickBroker.js';

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

const { queues, publisher, consumer, close: closeBroker } = await openShardedBroker({ url, name, shards, prefetch });

/** The run under way: its counts, and how it learns that every message it published was consumed. */
let current = newRun();
function newRun() {
  const run = { counts: { published: 0, consumed: 0, bytes: 0 }, sequence: 0, lastConsumedAt: 0, publishing: true, drained: () => {} };
  run.allConsumed = new Promise((resolve) => (run.drained = resolve));
  return run;
}
const checkDrained = (run) => {
  if (!run.publishing && run.counts.consumed >= run.counts.published) run.drained();
};
for (const queue of queues) {
  await consumer.consume(queue, (message) => {
    if (message === null) return;
    consumer.ack(message);
    current.counts.consumed++;
    current.lastConsumedAt = performance.now();
    checkDrained(current);
  });
}

const commands = createInterface({ input: process.stdin });
const lines = commands[Symbol.asyncIterator]();
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
// `warm <seconds>`: a run whose figures are not the result (V8 compiles this client's hot code
// meanwhile, as the bench's warm-up does Ringside's); `go`: the measured run.
for (let line = await lines.next(); !line.done; line = await lines.next()) {
  const [command, argument] = String(line.value).split(' ');
  if (command === 'warm') process.stdout.write(`${JSON.stringify(await run(Number(argument)))}\n`);
  else if (command === 'go') process.stdout.write(`${JSON.stringify(await run(seconds))}\n`);
  else break; // `stop`
}
commands.close();
await closeBroker();

async function run(forSeconds) {
  const run = (current = newRun());
  const started = performance.now();
  const deadline = started + forSeconds * 1000;
  await Promise.all(Array.from({ length: publishers }, () => publishUntil(run, deadline)));
  run.publishing = false;
  checkDrained(run);
  const timeout = new Promise((resolve) => setTimeout(resolve, DRAIN_LIMIT_MS).unref());
  await Promise.race([run.allConsumed, timeout]);
  const { counts } = run;
  const elapsedMs = (counts.consumed >= counts.published ? run.lastConsumedAt : performance.now()) - started;
  return { ...counts, elapsedMs, messageBytes: Math.round(counts.bytes / Math.max(1, counts.published)) };
}

async function publishUntil(run, deadline) {
  const { counts } = run;
  while (performance.now() < deadline) {
    const n = run.sequence++;
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
