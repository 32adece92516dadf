/**
 * The embedded single-seat topology: ingest and popup latency, each beside its baseline measured
 * the same way in the same run (bareHttp.js: node:http and ws in their own process), and memory.
 */
import { CLOCK_TICKS_PER_SECOND, mainThreadTicks, startChild, treeCpuTicks, type ChildServer } from './children';
import { CONNECTIONS, SECONDS, WARMUP_SECONDS, callLoad, counter, formatLatency, mb, ringingLatency, warmUp, type Latency, type LoadResult } from './measure';
import { dataDirSize, dataDirSizeOnceIdle, startEmbeddedRingside } from './ringsideCommand';

export async function benchEmbedded(onlyLatency: boolean): Promise<void> {
  const embedded = await startEmbeddedRingside();
  const { server: ringside, built } = embedded;
  let bare: ChildServer | null = null;
  try {
    bare = await startChild([new URL('./bareHttp.js', import.meta.url).pathname]);
    const rssIdle = ringside.rssBytes();
    const latency = await ringingLatency(ringside);
    const bareLatency = await ringingLatency(bare);
    if (onlyLatency) {
      console.log(`embedded: ${formatLatency(latency, '5 ms')}`);
      console.log(`embedded: ${formatBareLatency(bareLatency, latency)}`);
      return;
    }
    // Each server warmed up first, so both are measured running compiled code (measure.ts, WARMUP_SECONDS).
    await warmUp(bare);
    await warmUp(ringside);
    const bareRun = await loadWithCpu(bare);
    const bareResult = bareRun.result;
    const before = await counter(ringside, 'ringside_events_accepted_total');
    const ringsideRun = await loadWithCpu(ringside);
    const ringsideResult = ringsideRun.result;
    const durable = (await counter(ringside, 'ringside_events_accepted_total')) - before;
    const rssLoaded = ringside.rssBytes();

    console.log(`Ringside bench, embedded (${built ? 'built server bundle' : 'sources through tsx'}, ${SECONDS}s per load run after a ${WARMUP_SECONDS}s warm-up, ${CONNECTIONS} connections, keep-alive)`);
    console.log(`ingest: bare node:http ${bareResult.rate.toFixed(0)} req/s, Ringside ${ringsideResult.rate.toFixed(0)} req/s, ratio ${(ringsideResult.rate / bareResult.rate).toFixed(2)} (target >= 0.5)`);
    // autocannon stops counting at the deadline while the last requests are still answered, so
    // the spool may hold a few more events than the 200s it counted, never fewer.
    const verdict = durable >= ringsideResult.ok ? 'every 200 durable' : 'FEWER DURABLE EVENTS THAN 200s';
    console.log(`ingest CPU per request answered: bare node:http ${msPerRequest(bareRun.ticks, bareResult.ok)} ms, Ringside ${msPerRequest(ringsideRun.ticks, ringsideResult.ok)} ms, of which its main thread ${msPerRequest(ringsideRun.mainThreadTicks, ringsideResult.ok)} ms (the event loop that answers; the rest is other threads: garbage collection, WAL checkpoints)`);
    console.log(`ingest: ${ringsideResult.ok} answered 200, ${durable} durable in the spool (${verdict}), ${ringsideResult.non2xx} non-2xx, ${ringsideResult.errors} errors`);
    console.log(formatLatency(latency, '5 ms'));
    console.log(formatBareLatency(bareLatency, latency));
    console.log(`resident memory: ${mb(rssIdle)} at start, ${mb(rssLoaded)} after the load runs`);
    console.log(`${dataDirSize(embedded.dataDir)} after the load runs`);
    console.log(await dataDirSizeOnceIdle(embedded.dataDir));
  } finally {
    await embedded.stop();
    await bare?.stop();
  }
}

/**
 * A load run and the server's CPU over it (its process, all threads, and its main thread alone):
 * counts that move less than a rate on a machine whose other tenants come and go.
 */
async function loadWithCpu(server: ChildServer): Promise<{ result: LoadResult; ticks: number; mainThreadTicks: number }> {
  const pid = server.process.pid!;
  const ticksBefore = treeCpuTicks(pid);
  const mainBefore = mainThreadTicks(pid);
  const result = await callLoad(server.urls.webhookUrl!);
  return { result, ticks: treeCpuTicks(pid) - ticksBefore, mainThreadTicks: mainThreadTicks(pid) - mainBefore };
}

function msPerRequest(ticks: number, requests: number): string {
  return ((ticks * 1000) / CLOCK_TICKS_PER_SECOND / Math.max(1, requests)).toFixed(3);
}

/** The popup's baseline: bare node:http answering and ws pushing, timed as Ringside is. */
function formatBareLatency(bare: Latency, ringside: Latency): string {
  return `bare node:http -> ws: p50 ${bare.p50.toFixed(2)} ms, p99 ${bare.p99.toFixed(2)} ms over ${bare.samples} calls; `
    + `Ringside's p99 against it: ratio ${(ringside.p99 / bare.p99).toFixed(2)} (target <= 2)`;
}
