import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { MAC_A, useRingside } from './fixtures';

describe('the directory through the agent API', () => {
  const ringside = useRingside();

  it('removes agents, phones, helplines and contacts; a removed agent\'s UI token stops working', async () => {
    const r = ringside();
    const alice = await r.agent('alice', { devices: [MAC_A], helplines: ['5000'], extension: '201' });
    await r.api('POST', '/api/contacts', { body: { number: '+923001234567', name: 'Zara Khan' } });

    const asAgent = await r.api('DELETE', '/api/contacts/%2B923001234567', { token: alice.token });
    expect(asAgent.status).toBe(403);
    const results = [
      await r.api('DELETE', '/api/contacts/%2B923001234567'),
      await r.api('DELETE', '/api/helplines/5000'),
      await r.api('DELETE', '/api/agents/alice'),
      await r.api('DELETE', `/api/devices/${MAC_A}`),
      await r.api('DELETE', '/api/agents/alice'),
    ];

    expect(results.map((res) => res.status)).toEqual([200, 200, 200, 200, 404]);
    const lists = await Promise.all(['/api/contacts?q=Zara', '/api/helplines', '/api/devices'].map((path) => r.api<{ items: unknown[] }>('GET', path)));
    expect(lists.map((l) => l.body.items)).toEqual([[], [], []]);
    const agents = await r.api<{ items: Array<{ id: string }> }>('GET', '/api/agents');
    expect(agents.body.items.map((a) => a.id)).toEqual(['me']);
    const withOldToken = await r.api('GET', '/api/calls', { token: alice.token });
    expect(withOldToken.status).toBe(401);
  });

  it('answers a method a path does not take with 405 and the methods it does take', async () => {
    const r = ringside();
    const res = await new Promise<{ status: number; allow: string | undefined }>((resolve, reject) => {
      const url = new URL('/api/devices/000B82000001/control', r.instance.apiUrl);
      const req = request(url, { method: 'PATCH', headers: { authorization: 'Bearer ' + r.config.adminToken } }, (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0, allow: response.headers.allow }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(res).toEqual({ status: 405, allow: 'PUT' });
  });
});
