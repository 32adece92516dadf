import { AdminApi } from '../../../../tools/simulator/AdminApi';
import type { SimulatorOptions } from '../../../../tools/simulator/runScenario';
import { TEST_TOKEN, TEST_WEBHOOK_TOKEN, type TestRingside } from '../../../support/ringside';

/** Simulator options aimed at an in-process Ringside; the outcome is awaited by moving its clock, not by waiting. */
export function simulatorOptions(r: TestRingside, lines: string[] = []): SimulatorOptions {
  const webhook = new URL(r.instance.webhookUrl);
  return {
    webhook: { host: webhook.hostname, port: Number(webhook.port), token: TEST_WEBHOOK_TOKEN },
    api: new AdminApi(r.instance.apiUrl, TEST_TOKEN),
    setup: 'auto',
    delayMs: 0,
    out: (line) => lines.push(line),
    awaitOutcome: async () => {
      await r.settle();
      r.advance(r.config.missedDelayMs + 1);
      await r.settle();
      await r.settle();
    },
  };
}
