/**
 * Shared mode's yardstick (issue 15): RabbitMQ alone, doing per message what Ringside's bus asks of
 * it per call event: a persistent message of a real envelope's size published with confirms →
 * durable shard queue → consumed → acked. IN_FLIGHT publishers keep one message in flight each: as
 * many unconfirmed messages as Ringside's relay may have (OutboxBus relayConcurrency), so the
 * broker runs near its own limit rather than at the 32 phone connections' pace (which would
 * flatter the ratio). brokerAlone.js runs in a process of its own, so the load it generates does
 * not share the bench's process; its CPU is read from /proc over the run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { connect } from 'amqplib';
import { ulid } from 'ulid';
import { parseActionUrl } from '../../src/adapters/webhook/actionUrl';
import { buildEnvelope } from '../../src/adapters/webhook/envelope';
import { createIdGenerator } from '../../src/shared/ids';
import { CLOCK_TICKS_PER_SECOND, cpuTicks } from './children';
import { SECONDS, WARMUP_SECONDS, eventPath } from './measure';

/** Messages in flight (BENCH_BROKER_IN_FLIGHT): the relay's own ceiling by default. */
const IN_FLIGHT = Number(process.env.BENCH_BROKER_IN_FLIGHT ?? 1_024);

export interface BrokerAloneResult {
  published: number;
  consumed: number;
  /** First publish to last message consumed. */
  elapsedMs: number;
  messageBytes: number;
  /** Messages consumed per second over elapsedMs. */
  rate: number;
  /** The child's user + system clock ticks from `go` to its result. */
  cpuTicks: number;
}

/** Runs brokerAlone.js once on `amqpUrl` with `shards` queues consumed at `prefetch` each. */
export async function brokerAlone(amqpUrl: string, shards: number, prefetch: number): Promise<BrokerAloneResult> {
  const name = `bench-broker-${ulid().toLowerCase()}`;
  const child = spawn(process.execPath, [fileURLToPath(new URL('./brokerAlone.js', import.meta.url))], {
    env: {
      ...process.env, BENCH_AMQP_URL: amqpUrl, BENCH_BROKER_NAME: name, BENCH_SHARDS: String(shards), BENCH_IN_FLIGHT: String(IN_FLIGHT),
      BENCH_SECONDS: String(SECONDS), BENCH_PREFETCH: String(prefetch), BENCH_ENVELOPE: sampleEnvelope(),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit');
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, number>> => {
    const line = await lines.next();
    if (line.done) throw new Error(`broker-alone run ended early: ${stderr}`);
    return JSON.parse(line.value as string) as Record<string, number>;
  };
  try {
    await next(); // declared and consuming
    // Not counted: as Ringside's warm-up (measure.ts, WARMUP_SECONDS), this client's hot code gets compiled.
    if (WARMUP_SECONDS > 0) {
      child.stdin!.write(`warm ${WARMUP_SECONDS}\n`);
      await next();
    }
    const before = cpuTicks(child.pid!);
    child.stdin!.write('go\n');
    const result = await next();
    const ticks = cpuTicks(child.pid!) - before;
    child.stdin!.end('stop\n');
    await exited;
    const { published = 0, consumed = 0, elapsedMs = 0, messageBytes = 0 } = result;
    return { published, consumed, elapsedMs, messageBytes, rate: consumed / (elapsedMs / 1000), cpuTicks: ticks };
  } catch (error) {
    await stopAndDelete(child, amqpUrl, name, shards);
    throw error;
  }
}

/** What an incoming call event weighs on the bus: the listener's envelope for one of the load's requests. */
export function sampleEnvelope(): string {
  const url = parseActionUrl(eventPath(1_000_000));
  if (!url.ok) throw new Error('the load\'s event path does not parse');
  const envelope = buildEnvelope(url.value, { account: 'default', sourceIp: '127.0.0.1', receivedAt: Date.now(), nextId: createIdGenerator() });
  if (!envelope.ok) throw new Error('the load\'s event path builds no envelope');
  return JSON.stringify(envelope.event);
}

/** A failed run may leave its exchange and queues behind: they go, as the bench's other names do. */
export async function stopAndDelete(child: ChildProcess, amqpUrl: string, name: string, shards: number): Promise<void> {
  if (child.exitCode === null) child.kill('SIGTERM');
  await deleteNames(amqpUrl, name, shards);
}

/** A yardstick's exchange and shard queues (`<name>.<shard>`), if they are still there. */
export async function deleteNames(amqpUrl: string, name: string, shards: number): Promise<void> {
  const model = await connect(amqpUrl).catch(() => null);
  if (!model) return;
  try {
    const channel = await model.createChannel();
    for (let shard = 0; shard < shards; shard++) await channel.deleteQueue(`${name}.${shard}`);
    await channel.deleteExchange(name);
  } finally {
    await model.close().catch(() => undefined);
  }
}

export function formatBrokerAlone(result: BrokerAloneResult): string {
  const lost = result.consumed >= result.published ? 'nothing lost' : `LOST: ${result.published} confirmed, ${result.consumed} consumed`;
  const cpuMs = (result.cpuTicks * 1000) / CLOCK_TICKS_PER_SECOND;
  return `broker alone (RabbitMQ, own process, ${result.messageBytes}-byte persistent messages, confirms, ${IN_FLIGHT} in flight): `
    + `${result.consumed} messages in ${(result.elapsedMs / 1000).toFixed(1)} s from the first publish to the last consumed: ${result.rate.toFixed(0)} messages/s; `
    + `its CPU ${(cpuMs / Math.max(1, result.consumed)).toFixed(3)} ms per message (${result.cpuTicks} ticks); ${lost}`;
}
