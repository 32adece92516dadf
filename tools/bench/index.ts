/**
 * `npm run bench`: the figures of both topologies, from one run.
 *  embedded (single seat): webhook ingest rate (every 200 durable in the spool) against a bare
 *    node:http server as a ratio, webhook → `call.ringing` latency on a WebSocket against bare
 *    node:http + ws (bareHttp.js) as a p99 ratio, memory;
 *  shared (Redis + RabbitMQ): the same latency idle; the broker alone (brokerAlone.js: RabbitMQ
 *    with the same messages, shard queues and load shape, no Ringside); the call-event rate the
 *    whole pipeline sustains with nothing lost, as a ratio to the broker alone; Ringside's CPU per
 *    call event; the latency under that load; Redis round trips per call event;
 *  postgres: central servers on PostgreSQL, one and two on this machine: events/s and Ringside CPU per event;
 *  ui: webhook → the caller card visible in the agent UI, in headless Chromium;
 *  cache: the directory cache's local and Redis hits (beside a plain GET) and invalidation latency;
 *  idle: an idle `ringside serve` (embedded) as % of a core, beside a bare Node process.
 * Servers and baselines run in child processes (`ringside serve`, bareHttp.js, brokerAlone.js);
 * the load generator (autocannon) and the latency probes run here.
 * BENCH_ONLY=embedded|shared|postgres|latency|ui|cache|idle picks a part.
 */
import { benchCache } from './cache';
import { benchEmbedded } from './embedded';
import { benchIdle } from './idle';
import { benchShared } from './shared';
import { benchSharedPostgres } from './sharedPostgres';
import { benchUi } from './uiLatency';

const only = process.env.BENCH_ONLY ?? 'all';
const latencyOnly = only === 'latency';
if (only === 'all' || only === 'embedded' || latencyOnly) await benchEmbedded(latencyOnly);
if (only === 'all' || only === 'shared' || latencyOnly) await benchShared(latencyOnly);
if (only === 'all' || only === 'postgres') await benchSharedPostgres();
if (only === 'all' || only === 'ui') await benchUi();
if (only === 'all' || only === 'cache') await benchCache();
if (only === 'all' || only === 'idle') await benchIdle();
