// The History screen's query, paging and legs (src/desktop/renderer/history.ts).
import { describe, expect, it } from 'vitest';
import { callsQuery, currentCursor, EMPTY_FILTERS, FIRST_PAGE, legLines, localDayStart, pageBack, pageForward, transferLines, type Paging } from '../../../../src/desktop/renderer/history';
import { callView, leg } from './fixtures';

describe('history', () => {
  it('turns the filters into the GET /api/calls query; the "to" day is included', () => {
    expect(callsQuery(EMPTY_FILTERS, null)).toBe('limit=25');
    const query = new URLSearchParams(callsQuery({ q: ' +4420 ', direction: 'in', status: 'missed', agent: 'alice', from: '2026-11-20', to: '2026-11-22' }, 'abc', 10));
    expect(Object.fromEntries(query)).toEqual({
      q: '+4420', direction: 'in', status: 'missed', agent: 'alice',
      from: String(new Date(2026, 10, 20).getTime()), to: String(new Date(2026, 10, 23).getTime()), limit: '10', cursor: 'abc',
    });
    expect(callsQuery({ ...EMPTY_FILTERS, from: 'not a date' }, null)).toBe('limit=25');
  });

  it('reads a date input as the local midnight', () => {
    expect(localDayStart('2026-11-22')).toBe(new Date(2026, 10, 22).getTime());
    expect(localDayStart('2026-11-30', 1)).toBe(new Date(2026, 11, 1).getTime());
    expect(localDayStart('')).toBeNull();
  });

  it('pages forward by the server cursor and back by the ones it kept', () => {
    let paging: Paging = { ...FIRST_PAGE, next: 'p2' };
    paging = pageForward(paging);
    expect(currentCursor(paging)).toBe('p2');
    expect(pageForward(paging)).toBe(paging);
    paging = pageForward({ ...paging, next: 'p3' });
    expect(paging.stack).toEqual([null, 'p2', 'p3']);
    paging = pageBack(pageBack(paging));
    expect(currentCursor(paging)).toBeNull();
    expect(pageBack(paging)).toBe(paging);
  });

  it('describes each leg: who, what happened, how long it rang and talked', () => {
    const call = callView({
      legs: [
        leg({ id: 1, agent: 'alice', state: 'ended', ringAt: 1_000, endedAt: 6_000 }),
        leg({ id: 2, agent: 'bob', state: 'ended', ringAt: 1_000, answeredAt: 4_000, endedAt: 64_000, holdMs: 5_000 }),
        leg({ id: 3, agent: null, mac: '000B82000003', state: 'ringing', transfer: true, transferredFrom: 'bob', ringAt: 70_000 }),
      ],
    });
    const nameOf = (id: string) => id.toUpperCase();
    expect(legLines(call, nameOf)).toEqual([
      { key: '1', who: 'ALICE', what: 'stopped ringing', ringAt: 1_000, ringMs: 5_000, talkMs: null },
      { key: '2', who: 'BOB', what: 'answered, ended · on hold 5 s', ringAt: 1_000, ringMs: 3_000, talkMs: 60_000 },
      { key: '3', who: 'phone 000B82000003', what: 'ringing · transferred here by BOB', ringAt: 70_000, ringMs: null, talkMs: null },
    ]);
    expect(transferLines({ ...call, transferredFrom: 'carol' }, nameOf)).toEqual(['Transferred from CAROL', 'BOB transferred to phone 000B82000003']);
  });
});
