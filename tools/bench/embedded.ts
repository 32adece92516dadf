/**
 * The embedded single-seat topology: ingest and popup latency, each beside its baseline measured
 * the same way in the same run (bareHttp.js: node:http and ws in their own process), and memory.
 */
import { startChild, type ChildServer } from './children';
import { CONNECTIONS, SECONDS, callLoad, counter, formatLatency, mb, ringingLatency, type Latency } from './measure';
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
    const bareResult = await callLoad(bare.urls.webhookUrl!);
    const before = await counter(ringside, 'ringside_events_accepted_total');
    const ringsideResult = await callLoad(ringside.urls.webhookUrl!);
    const durable = (await counter(ringside, 'ringside_events_accepted_total')) - before;
    const rssLoaded = ringside.rssBytes();

    console.log(`Ringside bench, embedded (${built ? 'built server bundle' : 'sources through tsx'}, ${SECONDS}s per load run, ${CONNECTIONS} connections, keep-alive)`);
    console.log(`ingest: bare node:http ${bareResult.rate.toFixed(0)} req/s, Ringside ${ringsideResult.rate.toFixed(0)} req/s, ratio ${(ringsideResult.rate / bareResult.rate).toFixed(2)} (target >= 0.5)`);
    // autocannon stops counting at the deadline while the last requests are still answered, so
    // the spool may hold a few more events than the 200s it counted, never fewer.
    const verdict = durable >= ringsideResult.ok ? 'every 200 durable' : 'FEWER DURABLE EVENTS THAN 200s';
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

/** The popup's baseline: bare node:http answering and ws pushing, timed as Ringside is. */
function formatBareLatency(bare: Latency, ringside: Latency): string {
  return `bare node:http -> ws: p50 ${bare.p50.toFixed(2)} ms, p99 ${bare.p99.toFixed(2)} ms over ${bare.samples} calls; `
    + `Ringside's p99 against it: ratio ${(ringside.p99 / bare.p99).toFixed(2)} (target <= 2)`;
}
