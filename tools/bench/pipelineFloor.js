// The shared mode's floor (pipelineFloor.ts runs it in its own process): a plain webhook through
// RabbitMQ on the same libraries as Ringside, and nothing else. A node:http server takes the load's requests; each becomes a JSON event of the listener's
// envelope shape, published persistent and mandatory on a confirm channel, and is answered 200 once
// RabbitMQ confirmed it. A channel consumes the BENCH_SHARDS durable queues (prefetch BENCH_PREFETCH
// each), parses each message and acks it. No spool, no call state, no call log, no popups.
// It answers GET /metrics with the two counters the bench reads from Ringside (accepted, handled)
// and GET /healthz with an empty outbox, so the bench waits for it as for Ringside.
// stdout: one JSON line with its URL once consuming. SIGTERM deletes what it declared and exits.
import { createServer } from 'node:http';
import { ulid } from 'ulid';
import { openShardedBroker } from './yardstickBroker.js';

const env = (name) => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const name = env('BENCH_BROKER_NAME');
/** The listener's envelope for one of the load's requests: each event is it with the request's own values. */
const envelope = JSON.parse(env('BENCH_ENVELOPE'));
const { queues, publisher, consumer, close: closeBroker } = await openShardedBroker({
  url: env('BENCH_AMQP_URL'), name, shards: Number(env('BENCH_SHARDS')), prefetch: Number(env('BENCH_PREFETCH')),
});

const counts = { accepted: 0, handled: 0 };
for (const queue of queues) {
  await consumer.consume(queue, (message) => {
    if (message === null) return;
    JSON.parse(message.content.toString('utf8'));
    consumer.ack(message);
    counts.handled++;
  });
}

/** A caller's events share a shard queue, as Ringside's ordering key keeps a call's events in order. */
function shardOf(remote) {
  let hash = 0;
  for (let i = 0; i < remote.length; i++) hash = (hash * 31 + remote.charCodeAt(i)) | 0;
  return Math.abs(hash) % queues.length;
}

function answer(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://floor');
  if (url.pathname === '/metrics') {
    res.end(`ringside_events_accepted_total{} ${counts.accepted}\nringside_events_handled_total{outcome="ok"} ${counts.handled}\n`);
    return;
  }
  if (url.pathname === '/healthz') return answer(res, 200, { status: 'ok', spoolDepth: 0 });
  const type = url.pathname.slice(url.pathname.lastIndexOf('/') + 1);
  const remote = url.searchParams.get('remote') ?? '';
  const event = {
    ...envelope, id: ulid(), type, remote, local: url.searchParams.get('local') ?? '', receivedAt: Date.now(),
    device: { ...envelope.device, mac: url.searchParams.get('mac'), ip: req.socket.remoteAddress ?? null },
  };
  const content = Buffer.from(JSON.stringify(event), 'utf8');
  const properties = { contentType: 'application/json', type, appId: 'ringside', messageId: event.id, persistent: true, mandatory: true };
  publisher.publish(name, `call.${type}.${shardOf(remote)}`, content, properties, (err) => {
    if (err) return answer(res, 503, { status: 'error' });
    counts.accepted++;
    answer(res, 200, { status: 'ok', id: event.id });
  });
});
server.listen(0, '127.0.0.1', () => {
  const url = `http://127.0.0.1:${server.address().port}`;
  process.stdout.write(`${JSON.stringify({ webhookUrl: url, apiUrl: url })}\n`);
});

process.once('SIGTERM', async () => {
  server.close();
  await closeBroker();
  process.exit(0);
});
