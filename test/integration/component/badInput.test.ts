import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { AgentClient, TEST_WEBHOOK_TOKEN, apiRequest } from '../../support/ringside';
import { waitFor } from '../../support/wait';
import { MAC_A, newCaller, params, useRingside } from './fixtures';

function rawRequest(url: string, head: string | Buffer): Promise<string> {
  const { hostname, port } = new URL(url.replace('0.0.0.0', '127.0.0.1'));
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(head));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', reject);
  });
}

function statusOf(response: string): number {
  return Number(/^HTTP\/1\.[01] (\d{3})/.exec(response)?.[1] ?? 0);
}

describe('bad input gets its 4xx and changes no state', () => {
  const ringside = useRingside();

  it('on the phone listener', async () => {
    const r = ringside();
    const url = r.instance.webhookUrl;
    const caller = newCaller();
    const query = new URLSearchParams(params(MAC_A, caller)).toString();
    const cases: Array<[string | Buffer, number]> = [
      [`GET /gs/${TEST_WEBHOOK_TOKEN}/cti/teleport?${query} HTTP/1.1\r\nHost: x\r\n\r\n`, 404],
      [`POST /gs/${TEST_WEBHOOK_TOKEN}/cti/incoming?${query} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`, 405],
      [`GET /gs/${TEST_WEBHOOK_TOKEN}/cti/incoming?${query}&pad=${'x'.repeat(9000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 414],
      [`GET /gs/${TEST_WEBHOOK_TOKEN}/cti/incoming?${query} HTTP/1.1\r\nHost: x\r\nX-Big: ${'y'.repeat(20000)}\r\n\r\n`, 431],
      [Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x00, 0x0d, 0x0a, 0x0d, 0x0a]), 400],
      [`GET /gs/cti/incoming?${query} HTTP/1.1\r\nHost: x\r\n\r\n`, 401],
      [`GET /gs/wrong-token-000000000000/cti/incoming?${query} HTTP/1.1\r\nHost: x\r\n\r\n`, 401],
      [`GET /gs/cti/incoming?${query}&token=nope HTTP/1.1\r\nHost: x\r\n\r\n`, 401],
    ];
    for (const [head, expected] of cases) {
      const response = await rawRequest(url, head);
      expect(statusOf(response), String(head).slice(0, 60)).toBe(expected);
      expect(response).toMatch(/"error"|"reason"/);
    }
    await r.settle();
    const calls = await r.api<{ items: unknown[] }>('GET', '/api/calls');
    expect(calls.body.items).toEqual([]);
    const health = await r.api<{ spoolDepth: number }>('GET', '/healthz', { token: undefined });
    expect(health.body.spoolDepth).toBe(0);
  });

  it('on the agent API: an agent token on an admin endpoint, no token, malformed bodies', async () => {
    const r = ringside();
    const alice = await r.agent('alice');
    const asAgent = await r.api('POST', '/api/agents', { token: alice.token, body: { id: 'mallory', name: 'Mallory' } });
    const noToken = await apiRequest(r.instance.apiUrl, 'GET', '/api/calls', {});
    const badJson = await r.api('POST', '/api/agents', { raw: '{"id": ', contentType: 'application/json' });
    const badMac = await r.api('POST', '/api/devices', { body: { mac: 'not-a-mac', agent: 'alice' } });
    const unknownAgent = await r.api('POST', '/api/devices', { body: { mac: MAC_A, agent: 'ghost' } });
    const badQuery = await r.api('GET', '/api/calls?limit=100000');
    const typoQuery = await r.api('GET', '/api/calls?agnet=alice');
    const unknownKey = await r.api('POST', '/api/agents', { body: { id: 'eve', name: 'Eve', extention: '209' } });
    const badEscape = await r.api('GET', '/api/calls/%E0%A4%A');
    const badEscapePage = await r.api('GET', '/%E0%A4%A');
    await r.api('POST', '/api/helplines', { body: { number: '5000', name: 'Support' } });
    const extensionIsHelpline = await r.api('POST', '/api/agents', { body: { id: 'zed', name: 'Zed', extension: '5000' } });
    await r.api('POST', '/api/agents', { body: { id: 'yan', name: 'Yan', extension: '209' } });
    const helplineIsExtension = await r.api('POST', '/api/helplines', { body: { number: '209', name: 'Sales' } });

    expect([asAgent.status, noToken.status, badJson.status, badMac.status, unknownAgent.status, badQuery.status]).toEqual([403, 401, 400, 400, 404, 400]);
    expect([typoQuery.status, unknownKey.status, badEscape.status, badEscapePage.status]).toEqual([400, 400, 400, 404]);
    expect([extensionIsHelpline.status, helplineIsExtension.status]).toEqual([409, 409]);
    const agents = await r.api<{ items: Array<{ id: string }> }>('GET', '/api/agents');
    expect(agents.body.items.map((a) => a.id).sort()).toEqual(['alice', 'me', 'yan']);
    const helplines = await r.api<{ items: Array<{ number: string }> }>('GET', '/api/helplines');
    expect(helplines.body.items.map((h) => h.number)).toEqual(['5000']);
    const devices = await r.api<{ items: unknown[] }>('GET', '/api/devices');
    expect(devices.body.items).toEqual([]);
  });

  it('on the WebSocket: a foreign Origin or a bad token is refused before the upgrade', async () => {
    const r = ringside();
    const alice = await r.agent('alice');
    const wsUrl = `${r.instance.apiUrl.replace('http', 'ws')}/ws`;
    const refusal = (url: string, options: WebSocket.ClientOptions) =>
      waitFor<number>('the upgrade to be refused', (resolve, reject) => {
        const ws = new WebSocket(url, options);
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => reject(new Error('the upgrade was accepted')));
        ws.on('error', reject);
      });

    expect(await refusal(`${wsUrl}?token=${alice.token}`, { origin: 'http://evil.example' })).toBe(403);
    expect(await refusal(`${wsUrl}?token=wrong`, {})).toBe(401);
    const sameOrigin = await AgentClient.connect(r.instance.apiUrl, alice.token, { origin: r.instance.apiUrl, name: 'alice (same origin)' });
    sameOrigin.send({ type: 'teleport' });
    const error = await sameOrigin.next((m) => m.type === 'error', 'the error answering an unknown message type');
    expect(error.reason).toMatch(/unknown or malformed/);
    sameOrigin.close();
  });

  it('accepts the token in Sec-WebSocket-Protocol', async () => {
    const r = ringside();
    const alice = await r.agent('alice');
    const ws = new WebSocket(`${r.instance.apiUrl.replace('http', 'ws')}/ws`, [alice.token]);
    const first = await waitFor<{ type: string }>('the first message on the socket', (resolve, reject) => {
      ws.once('message', (data) => resolve(JSON.parse(String(data)) as { type: string }));
      ws.once('error', reject);
    });
    expect(first.type).toBe('health');
    ws.close();
  });
});
