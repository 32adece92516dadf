/**
 * `npm run bench`: the figures of both topologies, from one run.
 *  embedded (single seat): webhook ingest rate (every 200 durable in the spool) against a bare
 *    node:http server as a ratio, webhook → `call.ringing` latency on a WebSocket, memory;
 *  shared (Redis + RabbitMQ): the same latency, the call-event rate the whole pipeline sustains
 *    with nothing lost, and Redis round trips per call event.
 * Servers run in child processes (`ringside serve`); the load generator (autocannon) runs here.
 * BENCH_ONLY=embedded|shared|latency picks a part.
 */
import { benchEmbedded } from './embedded';
import { benchShared } from './shared';

const only = process.env.BENCH_ONLY ?? 'all';
const latencyOnly = only === 'latency';
if (only === 'all' || only === 'embedded' || latencyOnly) await benchEmbedded(latencyOnly);
if (only === 'all' || only === 'shared' || latencyOnly) await benchShared(latencyOnly);
