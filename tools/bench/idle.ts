/**
 * An idle desktop seat (docs/architecture.md, Idle): `ringside serve` embedded in its own process,
 * no phone events and no UI connected, its CPU (user + system, all threads, from /proc/<pid>/stat)
 * over BENCH_IDLE_SECONDS (default 30) as % of a core, beside a bare Node process whose only
 * timer never fires, measured the same way in the same run. Target: at most 0.1 % of a core.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { CLOCK_TICKS_PER_SECOND, cpuTicks, startChild, type ChildServer } from './children';
import { startEmbeddedRingside } from './ringsideCommand';

const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 30);
/**
 * Start-up is not idling: migrations, the first passes, and V8's memory reducer, whose full
 * collections after start-up come several seconds apart for about half a minute. The measurement
 * begins once SETTLE_QUIET_WINDOWS windows of SETTLE_WINDOW_SECONDS in a row cost at most one tick
 * each, or after SETTLE_MAX_SECONDS whatever they cost.
 */
const SETTLE_WINDOW_SECONDS = 5;
const SETTLE_QUIET_WINDOWS = 3;
const SETTLE_MAX_SECONDS = 60;
const TARGET_PERCENT = 0.1;
/** Prints its line once running, as startChild waits for. */
const BARE_NODE = `setInterval(() => {}, 1 << 30); process.stdout.write(JSON.stringify({ webhookUrl: 'none' }) + '\\n');`;

export async function benchIdle(): Promise<void> {
  console.log(`\nRingside bench, idle desktop seat: CPU over ${IDLE_SECONDS}s with no phone events and no UI connected`);
  const bare = await startChild(['-e', BARE_NODE]);
  try {
    const seat = await startEmbeddedRingside();
    try {
      const settledAfter = await settle(seat.server.process.pid!);
      const [ringside = NaN, baseline = NaN] = await measureTogether([seat.server, bare]);
      const verdict = ringside <= TARGET_PERCENT ? 'target met' : 'target missed';
      console.log(`  ringside serve (embedded): ${ringside.toFixed(3)} % of a core; bare node: ${baseline.toFixed(3)} % (target ≤ ${TARGET_PERCENT} %: ${verdict}; start-up settled after ${settledAfter} s)`);
    } finally {
      await seat.stop();
    }
  } finally {
    await bare.stop();
  }
}

/** Waits out start-up (SETTLE_*); returns the seconds it took. */
async function settle(pid: number): Promise<number> {
  let waited = 0;
  let quiet = 0;
  while (waited < SETTLE_MAX_SECONDS && quiet < SETTLE_QUIET_WINDOWS) {
    const before = cpuTicks(pid);
    await delay(SETTLE_WINDOW_SECONDS * 1000);
    waited += SETTLE_WINDOW_SECONDS;
    quiet = cpuTicks(pid) - before <= 1 ? quiet + 1 : 0;
  }
  return waited;
}

/** Each process's CPU over the same IDLE_SECONDS, as % of one core. */
async function measureTogether(servers: ChildServer[]): Promise<number[]> {
  const before = servers.map((server) => cpuTicks(server.process.pid!));
  const started = performance.now();
  await delay(IDLE_SECONDS * 1000);
  const seconds = (performance.now() - started) / 1000;
  return servers.map((server, i) => ((cpuTicks(server.process.pid!) - before[i]!) / CLOCK_TICKS_PER_SECOND / seconds) * 100);
}
