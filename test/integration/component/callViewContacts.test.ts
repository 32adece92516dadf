import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOffice, type Office } from '../../support/office';
import type { TestRingside } from '../../support/ringside';
import { MAC_A, params } from './fixtures';

const CALLER = '+923001112233';

/** The contact name on the call's view, as a seat's call list gives it. */
async function contactOnView(seat: TestRingside): Promise<string | null> {
  const res = await seat.api<{ items: Array<{ contact: { name: string } | null }> }>('GET', `/api/calls?remote=${encodeURIComponent(CALLER)}`);
  expect(res.status).toBe(200);
  expect(res.body.items).toHaveLength(1);
  return res.body.items[0]!.contact?.name ?? null;
}

async function saveContact(seat: TestRingside, name: string): Promise<void> {
  const res = await seat.api('POST', '/api/contacts', { body: { number: CALLER, name } });
  expect(res.status).toBe(200);
}

/**
 * The contact on a call view is read through each seat's directory cache (its local layer): a
 * contact written on either seat afterwards shows on the next view on both, not what the cache
 * kept from the view before.
 */
describe('the contact on call views, through the directory cache of an office', () => {
  let office: Office;
  beforeEach(async () => {
    office = await startOffice(2);
  });
  afterEach(async () => {
    await office.stop();
  });

  it('a contact added or changed after a view was built shows on the next view, on the seat that wrote it and the other', async () => {
    const [x, y] = office.seats as [TestRingside, TestRingside];
    await x.agent('alice', { devices: [MAC_A], name: 'Alice' });
    expect((await x.phone('incoming', params(MAC_A, CALLER))).status).toBe(200);
    await office.settle();
    // Each seat builds the view once with the number unknown (and keeps that it is unknown).
    expect(await contactOnView(x)).toBeNull();
    expect(await contactOnView(y)).toBeNull();
    expect(await contactOnView(x)).toBeNull();

    await saveContact(y, 'Zara');
    expect(await contactOnView(x)).toBe('Zara');
    expect(await contactOnView(y)).toBe('Zara');

    await saveContact(x, 'Zara Khan');
    expect(await contactOnView(y)).toBe('Zara Khan');
    expect(await contactOnView(x)).toBe('Zara Khan');
  });
});
