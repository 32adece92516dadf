import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TestCrmServer } from '../../support/crmServer';
import { startTestRingside, TEST_TOKEN, type TestRingside } from '../../support/ringside';
import { MAC_A, params } from './fixtures';

/**
 * Caller cards end to end: a real Ringside (default country PK, a CRM lookup pointing at a real
 * local HTTP server), the phone's webhook in, the agent's WebSocket out.
 */
describe('caller cards through the real server', () => {
  let crm: TestCrmServer;
  let r: TestRingside;

  beforeEach(async () => {
    crm = await TestCrmServer.start();
    r = await startTestRingside({ defaultCountry: 'PK', crmLookupUrl: crm.urlTemplate, crmLookupTimeoutMs: 10_000 });
  });
  afterEach(async () => {
    await r.stop();
    await crm.close();
  });

  it('a webhook incoming for a known contact makes the agent\'s call.ringing carry the contact\'s card', async () => {
    const alice = await r.agent('alice', { devices: [MAC_A], extension: '201' });
    const saved = await r.api('POST', '/api/contacts', {
      body: { number: '0300 1234567', name: 'Zara Khan', company: 'Acme Traders', notes: 'prefers Urdu', crmUrl: 'https://crm.example/zara' },
    });
    expect(saved).toMatchObject({ status: 200, body: { number: '+923001234567' } });

    // The phone writes the number its own way: still the same contact.
    expect((await r.phone('incoming', params(MAC_A, '00923001234567', '201'))).status).toBe(200);

    const popup = await alice.callMessage('call.ringing', '00923001234567');
    expect(popup.card).toEqual({
      number: '+923001234567', name: 'Zara Khan', company: 'Acme Traders', notes: 'prefers Urdu', crmUrl: 'https://crm.example/zara', source: 'contact',
    });
    expect(crm.requests).toEqual([]);
  });

  it('an unknown caller gets the CRM\'s card; a caller the CRM does not know gets what the phone said', async () => {
    const alice = await r.agent('alice', { devices: [MAC_A], extension: '201' });
    crm.answer('+923331112223', { status: 200, body: { name: 'Ali Raza', company: 'Raza & Sons', url: 'https://crm.example/ali' } });

    await r.phone('incoming', params(MAC_A, '03331112223', '201'));
    const known = await alice.callMessage('call.ringing', '03331112223');
    expect(known.card).toEqual({ number: '+923331112223', name: 'Ali Raza', company: 'Raza & Sons', notes: null, crmUrl: 'https://crm.example/ali', source: 'crm' });

    await r.phone('incoming', params(MAC_A, '+923214445556', '201', { display_remote: 'Customer' }));
    const unknown = await alice.callMessage('call.ringing', '+923214445556');
    expect(unknown.card).toEqual({ number: '+923214445556', name: 'Customer', company: null, notes: null, crmUrl: null, source: 'phone' });
    expect(crm.requests).toEqual(['+923331112223', '+923214445556']);
  });

  it('imports a CSV body streamed through the API, reporting malformed rows by line', async () => {
    const csv = [
      'number,name,company',
      '03001234567,Zara Khan,Acme',
      ',No Number,',
      'not a number,Bad,',
      '+92 333 1112223,Ali,Raza,extra',
      '0092 321 4445556,Sana,',
      '"0300 7654321,Unterminated,',
    ].join('\n');
    const res = await r.api('POST', '/api/contacts/import', { raw: csv });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      imported: 2,
      rejected: [
        { line: 3, reason: 'number is required' },
        { line: 4, reason: expect.stringMatching(/^number must be digits/) },
        { line: 5, reason: 'expected at most 3 fields, got 4' },
        { line: 7, reason: 'unterminated quoted field' },
      ],
    });
    const listed = await r.api<{ items: Array<{ number: string; name: string }> }>('GET', '/api/contacts?q=');
    expect(listed.body.items.map((c) => [c.number, c.name])).toEqual([['+923214445556', 'Sana'], ['+923001234567', 'Zara Khan']]);

    const noHeader = await r.api('POST', '/api/contacts/import', { raw: 'phone,name\n03001234567,X\n' });
    expect(noHeader).toMatchObject({ status: 400, body: { error: expect.stringMatching(/no number column/) } });
  });

  it('answers a CSV body declared larger than the limit with 413 before reading it', async () => {
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${r.instance.apiUrl}/api/contacts/import`, {
        method: 'POST', headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'text/csv', 'content-length': String(64 << 20) },
      }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => {
          resolve({ status: response.statusCode ?? 0, body });
          req.destroy();
        });
      });
      req.on('error', reject);
      req.write('number,name\n03001234567,Zara\n');
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ error: expect.stringMatching(/larger than/) });
    const listed = await r.api<{ items: unknown[] }>('GET', '/api/contacts?q=');
    expect(listed.body.items).toEqual([]);
  });
});
