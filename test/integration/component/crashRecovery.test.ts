import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { killHard, startChildUntil } from '../../support/childProcess';
import { TEST_TOKEN, TEST_WEBHOOK_TOKEN, apiRequest, phoneRequest } from '../../support/ringside';
import { makeTempDir } from '../../support/tmp';
import { eventually } from '../../support/wait';
import { MAC_A, params } from './fixtures';

const SERVE = new URL('./fixtures/serve.ts', import.meta.url).pathname;

interface Child {
  process: ChildProcess;
  webhookUrl: string;
  apiUrl: string;
}

async function startChild(dataDir: string, env: Record<string, string>): Promise<Child> {
  const { child, line } = await startChildUntil(SERVE, [], '{', { RINGSIDE_DATA_DIR: dataDir, RINGSIDE_ADMIN_TOKEN: TEST_TOKEN, RINGSIDE_WEBHOOK_TOKEN: TEST_WEBHOOK_TOKEN, ...env });
  return { process: child, ...(JSON.parse(line) as { webhookUrl: string; apiUrl: string }) };
}

describe('kill -9 right after the 200s', () => {
  const temp = makeTempDir();
  let child: Child | null = null;
  afterEach(async () => {
    if (child) await killHard(child.process);
    temp.cleanup();
  });

  it('processes every acknowledged event exactly once after a restart, and a pending missed call still becomes one missed call', async () => {
    const env = { RINGSIDE_MISSED_DELAY_MS: '1500', RINGSIDE_AGENT: 'me' };
    child = await startChild(temp.dir, env);
    const answeredCallers = Array.from({ length: 25 }, (_, i) => `+9230010${String(i).padStart(5, '0')}`);
    const missedCaller = '+923009999999';

    const acknowledged: string[] = [];
    const send = async (event: string, p: Record<string, string>) => {
      const res = await phoneRequest(child!.webhookUrl, event, p);
      expect(res.status).toBe(200);
      acknowledged.push(String(res.body.id));
    };
    await Promise.all(answeredCallers.map(async (caller) => {
      for (const event of ['incoming', 'answered', 'hangup']) await send(event, params(MAC_A, caller, '100'));
    }));
    await send('incoming', params(MAC_A, missedCaller, '100'));
    await send('hangup', params(MAC_A, missedCaller, '100'));
    await killHard(child.process);
    expect(new Set(acknowledged).size).toBe(answeredCallers.length * 3 + 2);

    child = await startChild(temp.dir, env);
    const api = <T>(path: string) => apiRequest<T>(child!.apiUrl, 'GET', path, { token: TEST_TOKEN });
    // Polled across the process boundary: no event reaches the test from the child.
    const missed = await eventually('the missed call in /api/missed', () => api<{ items: Array<{ remote: string }> }>('/api/missed'), (r) => r.body.items.length > 0);
    const health = await eventually('an empty spool in /healthz', () => api<{ spoolDepth: number }>('/healthz'), (r) => r.body.spoolDepth === 0);
    expect(health.body.spoolDepth).toBe(0);

    expect(missed.body.items.map((m) => m.remote)).toEqual([missedCaller]);
    const calls = await api<{ items: Array<{ remote: string; status: string; legs: unknown[] }> }>('/api/calls?limit=200');
    const answered = calls.body.items.filter((c) => c.remote !== missedCaller);
    expect(answered).toHaveLength(answeredCallers.length);
    expect(answered.every((c) => c.status === 'answered' && c.legs.length === 1)).toBe(true);
    const stats = await api<{ items: Array<{ agent: string; offered: number; answered: number; missed: number }> }>('/api/stats?agent=me');
    expect(stats.body.items[0]).toMatchObject({ offered: answeredCallers.length + 1, answered: answeredCallers.length, missed: 1 });
  });
});
