/**
 * Issue 5's figure: webhook request sent → the caller card visible in the agent UI, in Chromium.
 *
 * Ringside runs as in the embedded bench (`ringside serve`, built bundle, free ports); the agent
 * UI it serves is opened in headless Chromium the way the end-to-end tests open it
 * (test/support/browser.ts: `<api>/#token=<session>`, reduced motion, until its WebSocket is
 * connected). Then one call at a time: `incoming` from this process, the card's arrival timed
 * inside the page, `hangup`, and the card's leaving ringing awaited before the next call.
 *
 * How it is timed:
 *  - In the page, a MutationObserver sees the ringing card (`section.card[data-phase=ringing]`,
 *    named by the caller's display name, unique per call) enter the DOM, and timestamps that
 *    with the page's performance.now() ("in the DOM"). It then waits for the next animation
 *    frame, checks there that the card is visible (checkVisibility, in the viewport), and takes
 *    "visible" from a task posted from that frame callback: it runs once the main thread has
 *    styled, laid out and painted that frame and handed it to the compositor. (When the GPU
 *    process puts it on screen is not observable from a page; headless, that is a few ms at
 *    most.) The UI is opened with reduced motion, so the card has no fade-in.
 *  - t0 is this process's performance.now() just before the webhook request is written. The
 *    two clocks (Node's and the page's performance.now(), both monotonic) differ by a constant
 *    offset, found once before the run by round trips: Node reads its clock, asks the page for
 *    its clock, reads its clock again; the page read happened inside that interval, so
 *    offset = page − midpoint, within ± half the round trip. The shortest of a few round trips
 *    is kept, and the offset is taken again after the run to check it has not moved.
 *  - Node waits for the page's figures with a promise evaluated in the page (no polling), asked
 *    for once the webhook is answered, so nothing runs on Node's side while the card travels.
 *
 * A closed card stays up for CLOSED_CARD_MS (8 s, src/desktop/renderer/state/cards.ts) so "Caller hung
 * up" can be read; a call is over for this bench when its card leaves the ringing phase, and the
 * UI drops closed cards itself when new ones come (at most MAX_CARDS at once).
 */
import { Agent } from 'node:http';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { browsableOrigin } from '../../src/protocol/urls';
import { launchBrowser, openAgentUi } from '../../test/support/browser';
import type { ChildServer } from './children';
import { BENCH_MAC, adminRequest, eventPath, send, summarise, type Latency } from './measure';
import type { CardTimes, ProbeGlobal } from './browser/cardProbeTypes';
import { startEmbeddedRingside } from './ringsideCommand';

export const UI_SAMPLES = Number(process.env.BENCH_UI_SAMPLES ?? 200);
const AGENT = { id: 'bench-ui', name: 'Bench Agent', extension: '100' };
/** The card must show (or close) within this after its webhook, else the run fails. */
const PER_STEP_LIMIT_MS = 10_000;
/** The whole part, start-up included: 30 s plus a generous 250 ms per call. */
const RUN_LIMIT_MS = 30_000 + UI_SAMPLES * 250;
/** An offset that moves by more than this over the run makes the figures doubtful. */
const DRIFT_WARNING_MS = 1;


export async function benchUi(): Promise<void> {
  const embedded = await startEmbeddedRingside();
  let deadline: NodeJS.Timeout | undefined;
  const browser = await launchBrowser().catch(async (error: unknown) => {
    await embedded.stop();
    throw error;
  });
  try {
    const run = measure(embedded.server, browser);
    const timedOut = new Promise<never>((_, reject) => {
      deadline = setTimeout(() => reject(new Error(`UI bench: not done within ${RUN_LIMIT_MS / 1000} s`)), RUN_LIMIT_MS);
    });
    const result = await Promise.race([run, timedOut]);
    console.log(`UI: webhook -> card visible in Chromium: p50 ${result.visible.p50.toFixed(2)} ms, p99 ${result.visible.p99.toFixed(2)} ms over ${result.visible.samples} calls (target p99 <= 50 ms); in the DOM: p50 ${result.inDom.p50.toFixed(2)} ms, p99 ${result.inDom.p99.toFixed(2)} ms`);
    for (const warning of result.warnings) console.log(`UI: warning: ${warning}`);
  } finally {
    clearTimeout(deadline);
    // Closing the browser also ends a run cut short by the deadline: its page calls reject.
    await browser.close();
    await embedded.stop();
  }
}

async function measure(server: ChildServer, browser: Browser): Promise<{ visible: Latency; inDom: Latency; warnings: string[] }> {
  await adminRequest(server, 'POST', '/api/agents', { ...AGENT, devices: [BENCH_MAC] });
  const { token } = (await adminRequest(server, 'POST', '/api/session', { agent: AGENT.id })) as { token: string };
  const { page, problems } = await openAgentUi(browser, browsableOrigin(server.urls.apiUrl!), token);
  // The agent is known once the health message (the phones) and the directory are in.
  await page.locator('.whoami', { hasText: AGENT.name }).waitFor();
  await page.evaluate(await cardProbeScript());

  const before = await clockOffset(page);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const base = browsableOrigin(server.urls.webhookUrl!);
  const visible: number[] = [];
  const inDom: number[] = [];
  try {
    for (let i = 0; i < UI_SAMPLES; i++) {
      const n = 8_000_000 + i;
      const name = `Bench-${n}`;
      const t0 = performance.now();
      await send(agent, `${base}${eventPath(n, 'incoming', name)}`);
      const times = await probe(page, name, 'visible');
      const start = t0 + before.offset;
      visible.push(times.visible! - start);
      inDom.push(times.inserted - start);
      await send(agent, `${base}${eventPath(n, 'hangup', name)}`);
      await probe(page, name, 'closed');
    }
  } finally {
    agent.destroy();
  }
  const after = await clockOffset(page);

  const warnings = problems.map((problem) => `in the page: ${problem}`);
  const drift = Math.abs(after.offset - before.offset);
  if (drift > DRIFT_WARNING_MS) warnings.push(`the page clock's offset moved by ${drift.toFixed(2)} ms during the run`);
  // The card cannot be in the DOM before its webhook was sent: an earlier time is clock error.
  const earliest = Math.min(...inDom);
  if (earliest < -before.uncertainty) warnings.push(`a card was timed ${(-earliest).toFixed(2)} ms before its webhook (clock offset ± ${before.uncertainty.toFixed(2)} ms)`);
  return { visible: summarise(visible), inDom: summarise(inDom), warnings };
}

function probe(page: Page, name: string, what: 'visible' | 'closed'): Promise<CardTimes> {
  return page.evaluate((args) => (globalThis as unknown as ProbeGlobal).ringsideBench.when(args.name, args.what, args.timeoutMs), { name, what, timeoutMs: PER_STEP_LIMIT_MS });
}

/**
 * page clock = Node clock + offset, from the shortest of a few round trips; the page read its
 * clock somewhere inside the round trip, so the offset is right to ± half of it.
 */
async function clockOffset(page: Page, rounds = 25): Promise<{ offset: number; uncertainty: number }> {
  let best = { offset: 0, uncertainty: Infinity };
  for (let i = 0; i < rounds; i++) {
    const sent = performance.now();
    const pageNow = await page.evaluate(() => performance.now());
    const received = performance.now();
    const uncertainty = (received - sent) / 2;
    if (uncertainty < best.uncertainty) best = { offset: pageNow - (sent + received) / 2, uncertainty };
  }
  return best;
}

/**
 * The page's side (browser/cardProbe.ts: DOM code, type-checked with the UI by tsconfig.web-tests.json)
 * bundled into one script to evaluate in the page.
 */
async function cardProbeScript(): Promise<string> {
  const entry = fileURLToPath(new URL('./browser/cardProbe.ts', import.meta.url));
  const result = await build({ entryPoints: [entry], bundle: true, write: false, format: 'iife', target: 'chrome120', logLevel: 'warning' });
  return result.outputFiles[0]!.text;
}
