/**
 * Shared mode's second yardstick (issue 15): the floor. pipelineFloor.js, in a process of its own,
 * is a plain webhook through RabbitMQ on the same libraries (node:http in, one confirmed persistent
 * publish per request, consumed, parsed and acked) with none of Ringside's own work. It takes the
 * same load as Ringside, from the same generator, so the two compare directly: what Ringside spends
 * above it goes to its spool, call state, call log and popups, less what its batching saves (the
 * floor publishes and acks one message at a time). Its rate is bound by the confirm each request
 * waits for; Ringside answers once its spool committed, so that rate is not a ceiling for Ringside.
 */
import { fileURLToPath } from 'node:url';
import { ulid } from 'ulid';
import { deleteNames, sampleEnvelope } from './brokerAlone';
import { CLOCK_TICKS_PER_SECOND, cpuTicks, startChild } from './children';
import { CONNECTIONS, callLoad, counter, waitUntilHandled, warmUp } from './measure';

/** Callers of the floor's load: apart from Ringside's (from 1,000,000) and the probes'. */
const FLOOR_CALLERS = 5_000_000;

export interface FloorResult {
  /** Events handled (consumed and acked) over the load. */
  handled: number;
  /** Handled per second, from the first request to the last handled. */
  rate: number;
  /** The process's user + system clock ticks over the load. */
  cpuTicks: number;
  verdict: string;
}

export async function pipelineFloor(amqpUrl: string, shards: number, prefetch: number): Promise<FloorResult> {
  const name = `bench-floor-${ulid().toLowerCase()}`;
  const floor = await startChild([fileURLToPath(new URL('./pipelineFloor.js', import.meta.url))], {
    BENCH_AMQP_URL: amqpUrl, BENCH_BROKER_NAME: name, BENCH_SHARDS: String(shards), BENCH_PREFETCH: String(prefetch), BENCH_ENVELOPE: sampleEnvelope(),
  });
  try {
    // Warmed up as Ringside is (measure.ts, WARMUP_SECONDS): its hot code compiled before it counts.
    await warmUp(floor);
    await waitUntilHandled(floor);
    const handledBefore = await counter(floor, 'ringside_events_handled_total');
    const ticksBefore = cpuTicks(floor.process.pid!);
    const start = performance.now();
    const load = await callLoad(floor.urls.webhookUrl!, FLOOR_CALLERS);
    await waitUntilHandled(floor);
    const elapsedMs = performance.now() - start;
    const ticks = cpuTicks(floor.process.pid!) - ticksBefore;
    const handled = (await counter(floor, 'ringside_events_handled_total')) - handledBefore;
    const verdict = handled >= load.ok ? `nothing lost (${load.ok} answered 200, ${handled} handled)` : `LOST: ${load.ok} answered 200, ${handled} handled`;
    return { handled, rate: handled / (elapsedMs / 1000), cpuTicks: ticks, verdict };
  } finally {
    // It deletes its exchange and queues on SIGTERM and then exits 0; otherwise (it crashed, or its
    // clean-up failed) they are deleted here.
    await floor.stop();
    if (floor.process.exitCode !== 0) await deleteNames(amqpUrl, name, shards);
  }
}

export function formatFloor(floor: FloorResult, brokerRate: number): string {
  const cpuMs = (floor.cpuTicks * 1000) / CLOCK_TICKS_PER_SECOND / Math.max(1, floor.handled);
  return `pipeline floor (own process: node:http -> persistent publish, confirmed -> 200; consumed, parsed, acked; nothing else; the same ${CONNECTIONS} connections): `
    + `${floor.rate.toFixed(0)} events/s, ratio ${(floor.rate / brokerRate).toFixed(2)} to the broker alone; its CPU ${cpuMs.toFixed(3)} ms per event; ${floor.verdict}`;
}

/** Ringside beside the floor: how much of the floor's rate it reaches, and how many times its CPU per event it spends. */
export function formatAgainstFloor(floor: FloorResult, rate: number, cpuTicks: number, handled: number): string {
  const perEvent = (ticks: number, events: number) => ticks / Math.max(1, events);
  return `Ringside against the floor: ${(rate / floor.rate).toFixed(2)} of its rate, ${(perEvent(cpuTicks, handled) / perEvent(floor.cpuTicks, floor.handled)).toFixed(1)}x its CPU per event`;
}
