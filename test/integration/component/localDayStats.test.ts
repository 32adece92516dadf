// Figures agents can trust (issue 13): GET /api/stats counts the seat's local days
// (RINGSIDE_TIMEZONE) with `from` and `to` both included, says which zone it used, counts an
// agent's own call-back as outgoing (never as offered); GET /api/stats/hourly gives the local
// hours; the missed list names a caller the directory knows. Real in-process Ringside, phones
// sending Action URLs; the phones stamp events with the wall clock, so the zone is chosen to put
// "now" on another calendar day than UTC's (UTC−12 before noon UTC, UTC+14 after).
import { afterEach, describe, expect, it } from 'vitest';
import { startTestRingside, type TestRingside } from '../../support/ringside';
import { MAC_A, MAC_B, phoneSays, params } from './fixtures';

const HOUR = 3_600_000;
const CONTACT_NUMBER = '+34912223344';

interface Stats { agent: string; offered: number; answered: number; missed: number; outgoing: number; outgoingAnswered: number; outgoingTalkMsTotal: number }
interface StatsBody { items: Stats[]; timeZone: string; from: string | null; to: string | null; error?: string }
interface HourlyBody { day: string; timeZone: string; agent: string | null; hours: Array<{ hour: number; answered: number; missed: number }>; error?: string }

/** A zone whose local day is not the UTC day right now, and its fixed offset (these zones have no daylight saving). */
function zoneAwayFromUtcDay(now: number): { zone: string; offsetMs: number } {
  return new Date(now).getUTCHours() < 12 ? { zone: 'Etc/GMT+12', offsetMs: -12 * HOUR } : { zone: 'Pacific/Kiritimati', offsetMs: 14 * HOUR };
}
const dayAt = (ms: number, offsetMs: number) => new Date(ms + offsetMs).toISOString().slice(0, 10);

let r: TestRingside | null = null;
afterEach(async () => {
  await r?.stop();
  r = null;
});

describe('statistics per agent and local day', () => {
  it("counts the seat's local day, `to` included; a call-back is outgoing, not offered; the hours are local; the answer names the zone", async () => {
    const { zone, offsetMs } = zoneAwayFromUtcDay(Date.now());
    r = await startTestRingside({ timezone: zone });
    const alice = await r.agent('alice', { extension: '201', devices: [MAC_A], name: 'Alice' });
    const bob = await r.agent('bob', { extension: '202', devices: [MAC_B], name: 'Bob' });
    expect((await r.api('POST', '/api/contacts', { body: { number: CONTACT_NUMBER, name: 'Lucía Fernández' } })).status).toBe(200);

    // Alice answers a caller, misses Lucía, then calls Lucía back (answered), all from her phone.
    const answered = params(MAC_A, '+34910000001', '201');
    const missed = params(MAC_A, CONTACT_NUMBER, '201');
    const callBack = params(MAC_A, CONTACT_NUMBER, '201', { display_remote: '' });
    await phoneSays(r, [['incoming', answered], ['answered', answered], ['hangup', answered]]);
    await phoneSays(r, [['incoming', missed], ['missed', missed]]);
    r.advance(r.config.missedDelayMs + 1);
    await r.settle();
    await r.settle();
    await phoneSays(r, [['outgoing', callBack], ['answered', callBack], ['hangup', callBack]]);

    const calls = (await r.api<{ items: Array<{ startedAt: number; direction: string }> }>('GET', '/api/calls')).body.items;
    expect(calls.map((c) => c.direction).sort()).toEqual(['in', 'in', 'out']);
    const days = [...new Set(calls.map((c) => dayAt(c.startedAt, offsetMs)))];
    expect(days).toHaveLength(1);
    const day = days[0]!;
    const utcDay = new Date(calls[0]!.startedAt).toISOString().slice(0, 10);
    expect(utcDay).not.toBe(day);

    const stats = (query: string, token?: string) => r!.api<StatsBody>('GET', `/api/stats?${query}`, token ? { token } : {});
    const aliceFigures = { agent: 'alice', offered: 2, answered: 1, missed: 1, outgoing: 1, outgoingAnswered: 1 };

    // from=D&to=D is the one local day D (it used to be empty: `to` was exclusive).
    const oneDay = await stats(`from=${day}&to=${day}`);
    expect(oneDay.status).toBe(200);
    expect(oneDay.body).toMatchObject({ timeZone: zone, from: day, to: day });
    expect(oneDay.body.items).toEqual([expect.objectContaining(aliceFigures)]);
    expect(oneDay.body.items[0]!.outgoingTalkMsTotal).toBeGreaterThanOrEqual(0);
    // `today` is the seat's day; the UTC day of the same moment has nothing.
    expect((await stats('from=today&to=today')).body).toMatchObject({ from: day, to: day, items: [expect.objectContaining(aliceFigures)] });
    expect((await stats(`from=${utcDay}&to=${utcDay}`)).body.items).toEqual([]);
    // An agent's own figures, with their session.
    expect((await stats(`from=${day}&to=${day}`, alice.token)).body.items).toEqual([expect.objectContaining(aliceFigures)]);
    // Bad input: a clear 400, nothing else.
    const bad = await stats('from=2026-02-30');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('calendar day');

    // The hours: the local hour of now holds alice's answered and missed calls (not the call-back).
    const hour = new Date(calls[0]!.startedAt + offsetMs).getUTCHours();
    const hourly = await r.api<HourlyBody>('GET', `/api/stats/hourly?day=${day}`);
    expect(hourly.status).toBe(200);
    expect(hourly.body).toMatchObject({ day, timeZone: zone, agent: null });
    expect(hourly.body.hours).toHaveLength(24);
    expect(hourly.body.hours.filter((h) => h.answered + h.missed > 0)).toEqual([{ hour, answered: 1, missed: 1 }]);
    const mine = await r.api<HourlyBody>('GET', '/api/stats/hourly', { token: alice.token });
    expect(mine.body).toMatchObject({ day, agent: 'alice' });
    expect(mine.body.hours.filter((h) => h.answered + h.missed > 0)).toEqual([{ hour, answered: 1, missed: 1 }]);
    const bobs = await r.api<HourlyBody>('GET', '/api/stats/hourly', { token: bob.token });
    expect(bobs.body.hours.every((h) => h.answered + h.missed === 0)).toBe(true);
    // Another agent's hours are a supervisor's business only.
    const refused = await r.api<HourlyBody>('GET', '/api/stats/hourly?agent=bob', { token: alice.token });
    expect(refused.status).toBe(403);
  });

  it('the missed list names the caller the directory knows, as the call does', async () => {
    r = await startTestRingside();
    await r.agent('alice', { extension: '201', devices: [MAC_A] });
    expect((await r.api('POST', '/api/contacts', { body: { number: CONTACT_NUMBER, name: 'Lucía Fernández', company: 'Fernández SL' } })).status).toBe(200);
    const missed = params(MAC_A, CONTACT_NUMBER, '201', { display_remote: '' });
    await phoneSays(r, [['incoming', missed], ['missed', missed]]);
    r.advance(r.config.missedDelayMs + 1);
    await r.settle();
    await r.settle();
    const list = await r.api<{ items: Array<{ remote: string; contact: { name: string; company: string | null } | null }> }>('GET', '/api/missed');
    expect(list.body.items).toEqual([expect.objectContaining({ remote: CONTACT_NUMBER, contact: expect.objectContaining({ name: 'Lucía Fernández', company: 'Fernández SL' }) })]);
  });
});
