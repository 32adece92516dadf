import { describe, expect, it } from 'vitest';
import { HELPLINE, MAC_A, MAC_B, MAC_C, newCaller, onlyCallFrom, params, phoneSays, useRingside } from './fixtures';

describe('rule 1: incoming, deduplicated across devices', () => {
  const ringside = useRingside();

  it('a helpline ringing on two phones is one logical call with two legs and one popup per agent', async () => {
    const r = ringside();
    await r.api('POST', '/api/helplines', { body: { number: HELPLINE, name: 'Support' } });
    const alice = await r.agent('alice', { devices: [MAC_A] });
    const bob = await r.agent('bob', { devices: [MAC_B] });
    const caller = newCaller();

    await phoneSays(r, [['incoming', params(MAC_A, caller)], ['incoming', params(MAC_B, caller)]]);

    const call = await onlyCallFrom(r, caller);
    expect(call.status).toBe('ringing');
    expect(call.line).toBe('helpline');
    expect(call.legs.map((l) => l.mac).sort()).toEqual(['000B8200000A', '000B8200000B']);
    expect(alice.received('call.ringing')).toHaveLength(1);
    expect(bob.received('call.ringing')).toHaveLength(1);
    expect((alice.received('call.ringing')[0]!.call as { id: string }).id).toBe(call.id);
  });

  it('the same device reporting the same ring twice is ignored', async () => {
    const r = ringside();
    const alice = await r.agent('alice', { devices: [MAC_A], extension: '201' });
    const caller = newCaller();

    await phoneSays(r, [['incoming', params(MAC_A, caller, '201')], ['incoming', params(MAC_A, caller, '201')]]);

    const call = await onlyCallFrom(r, caller);
    expect(call.legs).toHaveLength(1);
    expect(alice.received('call.ringing')).toHaveLength(1);
  });

  it('the same caller calling again after the call ended is a new call', async () => {
    const r = ringside();
    await r.agent('alice', { devices: [MAC_A], extension: '201' });
    const caller = newCaller();
    const ring = params(MAC_A, caller, '201');

    await phoneSays(r, [['incoming', ring], ['answered', ring], ['hangup', ring], ['incoming', ring]]);

    const res = await r.api<{ items: Array<{ status: string }> }>('GET', `/api/calls?remote=${encodeURIComponent(caller)}`);
    expect(res.body.items.map((c) => c.status)).toEqual(['ringing', 'answered']);
  });
});

describe('rule 2: routing', () => {
  const ringside = useRingside();

  it("a call to an agent's extension pops up for that agent only", async () => {
    const r = ringside();
    const alice = await r.agent('alice', { devices: [MAC_A], extension: '201' });
    const bob = await r.agent('bob', { devices: [MAC_B], extension: '202' });
    const caller = newCaller();

    await phoneSays(r, [['incoming', params(MAC_A, caller, '201')]]);

    const popup = await alice.callMessage('call.ringing', caller);
    expect((popup.call as { line: string }).line).toBe('direct');
    expect(bob.received('call.ringing')).toHaveLength(0);
  });

  it('a helpline call goes to its available agents who are not on a call', async () => {
    const r = ringside();
    const alice = await r.agent('alice', { devices: [MAC_A], extension: '201' });
    const bob = await r.agent('bob', { devices: [MAC_B], extension: '202' });
    const carol = await r.agent('carol', { devices: [MAC_C], extension: '203' });
    await r.agent('dave', { extension: '204' }); // not on the helpline
    const helpline = await r.api('POST', '/api/helplines', { body: { number: HELPLINE, name: 'Support', agents: ['alice', 'bob', 'carol'] } });
    expect(helpline.status).toBe(200);
    const busyCaller = newCaller();
    await phoneSays(r, [['incoming', params(MAC_B, busyCaller, '202')], ['answered', params(MAC_B, busyCaller, '202')]]);
    carol.send({ type: 'presence.set', status: 'away' });
    await alice.next((m) => m.type === 'presence.changed' && m.agent === 'carol' && m.status === 'away', 'carol away');

    const caller = newCaller();
    await phoneSays(r, [['incoming', params(MAC_A, caller)]]);

    const popup = await alice.callMessage('call.ringing', caller);
    expect((popup.call as { helpline: string }).helpline).toBe(HELPLINE);
    expect(bob.received('call.ringing').filter((m) => (m.call as { remote: string }).remote === caller)).toHaveLength(0);
    expect(carol.received('call.ringing')).toHaveLength(0);
  });

  it("a number that is neither an extension nor a helpline pops up for the phone's owner", async () => {
    const r = ringside();
    const bob = await r.agent('bob', { devices: [MAC_B] });
    const alice = await r.agent('alice', { devices: [MAC_A] });
    const caller = newCaller();

    await phoneSays(r, [['incoming', params(MAC_B, caller, '7777')]]);

    await bob.callMessage('call.ringing', caller);
    expect(alice.received('call.ringing')).toHaveLength(0);
  });

  it("in single-seat mode an unbound phone belongs to the seat's agent", async () => {
    const r = ringside();
    const session = await r.api<{ token: string }>('POST', '/api/session', { body: { agent: 'me' } });
    const { AgentClient } = await import('../../support/ringside');
    const me = await AgentClient.connect(r.instance.apiUrl, session.body.token);
    const caller = newCaller();

    await phoneSays(r, [['incoming', params('00:0B:82:99:99:99', caller, '100')]]);

    await me.callMessage('call.ringing', caller);
    me.close();
  });
});
