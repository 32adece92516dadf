import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_DISPOSITIONS } from '../../../src/domain/directory/Lookups';
import { startOffice, type Office } from '../../support/office';
import { startTestRingside, type TestRingside } from '../../support/ringside';
import { useRingside } from './fixtures';

type Lookup = { name: string; items: Array<{ value: string; label: string }> };

describe('master lookups through the agent API (embedded)', () => {
  const ringside = useRingside();

  it('answers the drop-down lists of the token\'s own account, and lets only the admin set the dispositions', async () => {
    const r = ringside();
    const alice = await r.agent('alice', { name: 'Alice', extension: '201' });
    await r.api('POST', '/api/helplines', { body: { number: '5000', name: 'Sales' } });

    const agents = await r.api<Lookup>('GET', '/api/lookups/agents', { token: alice.token });
    expect(agents.status).toBe(200);
    expect(agents.body.items).toContainEqual({ value: 'alice', label: 'Alice (201)' });
    expect((await r.api<Lookup>('GET', '/api/lookups/helplines', { token: alice.token })).body).toEqual({ name: 'helplines', items: [{ value: '5000', label: 'Sales (5000)' }] });
    expect((await r.api<Lookup>('GET', '/api/lookups/dispositions', { token: alice.token })).body.items).toEqual(DEFAULT_DISPOSITIONS.map((d) => ({ value: d.code, label: d.label })));

    expect((await r.api('PUT', '/api/dispositions', { token: alice.token, body: { items: [{ code: 'sold', label: 'Sold' }] } })).status).toBe(403);
    expect((await r.api('PUT', '/api/dispositions', { body: { items: [{ code: 'sold', label: 'Sold' }, { code: 'sold', label: 'Again' }] } })).status).toBe(400);
    expect((await r.api('PUT', '/api/dispositions', { body: { items: [] } })).status).toBe(400);
    const set = await r.api('PUT', '/api/dispositions', { body: { items: [{ code: 'sold', label: 'Sold' }, { code: 'lost', label: 'Lost' }] } });
    expect(set).toEqual({ status: 200, body: { items: [{ code: 'sold', label: 'Sold' }, { code: 'lost', label: 'Lost' }] } });
    expect((await r.api<Lookup>('GET', '/api/lookups/dispositions', { token: alice.token })).body.items).toEqual([{ value: 'sold', label: 'Sold' }, { value: 'lost', label: 'Lost' }]);

    // A rename shows at once, though the list was just read (cached).
    await r.api('POST', '/api/agents', { body: { id: 'alice', name: 'Alice Smith', extension: '201' } });
    expect((await r.api<Lookup>('GET', '/api/lookups/agents', { token: alice.token })).body.items).toContainEqual({ value: 'alice', label: 'Alice Smith (201)' });

    expect((await r.api('GET', '/api/lookups/queues')).status).toBe(404);
    expect((await r.api('GET', '/api/lookups/agents?account=other')).status).toBe(400);
    expect((await r.api('GET', '/api/lookups/agents', { token: 'not-a-token-at-all-0000' })).status).toBe(401);
  });
});

describe('the directory cache in an office (two seats on one Redis, one database file)', () => {
  let office: Office;
  let other: TestRingside | null = null;
  beforeEach(async () => {
    office = await startOffice(2);
  });
  afterEach(async () => {
    await other?.stop();
    other = null;
    await office.stop();
  });

  it("shows an edit made through one seat on the other seat's next read; another account sees none of it", async () => {
    const [x, y] = office.seats as [TestRingside, TestRingside];
    await x.api('POST', '/api/agents', { body: { id: 'alice', name: 'Alice', extension: '201' } });
    const names = async (seat: TestRingside) => (await seat.api<Lookup>('GET', '/api/lookups/agents')).body.items.map((i) => i.label);
    expect(await names(y)).toContain('Alice (201)');
    expect((await y.api<{ items: Array<{ id: string; name: string }> }>('GET', '/api/agents')).body.items.find((a) => a.id === 'alice')?.name).toBe('Alice');

    await x.api('POST', '/api/agents', { body: { id: 'alice', name: 'Alice Smith', extension: '201' } });
    expect(await names(y)).toContain('Alice Smith (201)');
    expect((await y.api<{ items: Array<{ id: string; name: string }> }>('GET', '/api/agents')).body.items.find((a) => a.id === 'alice')?.name).toBe('Alice Smith');

    expect((await y.api('DELETE', '/api/agents/alice')).status).toBe(200);
    expect(await names(x)).not.toContain('Alice Smith (201)');

    await x.api('POST', '/api/agents', { body: { id: 'bob', name: 'Bob' } });
    other = await startTestRingside({ ...office.shared, account: 'globex' });
    const theirs = await other.api<Lookup>('GET', '/api/lookups/agents');
    expect(theirs.body.items.map((i) => i.value)).not.toContain('bob');
    await other.api('POST', '/api/agents', { body: { id: 'bob', name: 'Bob of Globex' } });
    expect(await names(x)).toContain('Bob');
    expect(await names(x)).not.toContain('Bob of Globex');
  });
});
