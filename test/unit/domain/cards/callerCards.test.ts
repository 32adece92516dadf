import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DirectoryCallerCards, type CallerCard } from '../../../../src/domain/cards/CallerCards';
import { HttpCrmLookup, isCrmUrlTemplate } from '../../../../src/adapters/crm/HttpCrmLookup';
import { SqliteDirectory } from '../../../../src/adapters/sqlite/directory/SqliteDirectory';
import type { SqliteDatabase } from '../../../../src/adapters/sqlite/database';
import { TestCrmServer } from '../../../support/crmServer';
import { openTempDatabase } from '../../../support/tmp';
import { waitFor } from '../../../support/wait';
import { createRig, MAC_A, type Pushed } from '../calls/lifecycleRig';

const ZARA = '+923001234567';
/** Long enough that a CRM on this machine always answers in time, however loaded it is. */
const PATIENT_MS = 10_000;
/** For the CRM that never answers: the card goes out when this has passed. */
const IMPATIENT_MS = 100;

let tmp: ReturnType<typeof openTempDatabase>;
let db: SqliteDatabase;
let directory: SqliteDirectory;
let crm: TestCrmServer;
let now: number;

beforeEach(async () => {
  tmp = openTempDatabase();
  db = tmp.db;
  directory = new SqliteDirectory(db, { defaultCountry: 'PK' });
  crm = await TestCrmServer.start();
  now = 1_000_000;
});
afterEach(async () => {
  await crm.close();
  tmp.cleanup();
});

function cards(timeoutMs = PATIENT_MS): DirectoryCallerCards {
  const lookup = new HttpCrmLookup({ urlTemplate: crm.urlTemplate, timeoutMs, clock: () => now });
  return new DirectoryCallerCards({ directory, numbers: directory.numbers, crm: lookup });
}

/** The card as the popup finally gets it, and whether it had to wait for the CRM. */
async function cardOf(source: DirectoryCallerCards, remote: string, displayName = '', account = 'acme'): Promise<{ card: CallerCard; waited: boolean }> {
  const lookup = await source.cardFor(account, { remote, displayName });
  return lookup.crm ? { card: await lookup.crm, waited: true } : { card: lookup.card, waited: false };
}

describe('caller cards', () => {
  it('a directory contact wins: the CRM is not asked', async () => {
    await directory.upsertContact('acme', { number: '0300 1234567', name: 'Zara Khan', company: 'Acme', notes: 'VIP', crmUrl: 'https://crm.example/zara' });
    crm.answerOthers({ status: 200, body: { name: 'From CRM' } });
    expect(await cardOf(cards(), '0092 300 1234567', 'ZARA K')).toEqual({
      card: { number: ZARA, name: 'Zara Khan', company: 'Acme', notes: 'VIP', crmUrl: 'https://crm.example/zara', source: 'contact' },
      waited: false,
    });
    expect(crm.requests).toEqual([]);
  });

  it('a CRM hit fills the card and is cached: the next ring needs no request', async () => {
    crm.answer(ZARA, { status: 200, body: { name: 'Zara (CRM)', company: 'Acme', notes: 'open ticket', url: 'https://crm.example/c/1', extra: 'ignored' } });
    const source = cards();
    const expected: CallerCard = { number: ZARA, name: 'Zara (CRM)', company: 'Acme', notes: 'open ticket', crmUrl: 'https://crm.example/c/1', source: 'crm' };
    expect(await cardOf(source, '03001234567', 'Customer')).toEqual({ card: expected, waited: true });
    expect(await cardOf(source, '+92 300 1234567')).toEqual({ card: expected, waited: false });
    expect(crm.count(ZARA)).toBe(1);
    now += 59 * 60_000;
    expect((await cardOf(source, ZARA)).waited).toBe(false);
    now += 2 * 60_000;
    expect(await cardOf(source, ZARA)).toEqual({ card: expected, waited: true });
    expect(crm.count(ZARA)).toBe(2);
  });

  it('a CRM miss (404) is a card with what the phone said, cached for five minutes', async () => {
    const source = cards();
    const phoneCard: CallerCard = { number: ZARA, name: 'Customer', company: null, notes: null, crmUrl: null, source: 'phone' };
    expect(await cardOf(source, ZARA, 'Customer')).toEqual({ card: phoneCard, waited: true });
    expect(await cardOf(source, ZARA, 'Customer')).toEqual({ card: phoneCard, waited: false });
    // A display name that is only the number says nothing.
    expect(await cardOf(source, ZARA, '03001234567')).toEqual({ card: { ...phoneCard, name: null, source: 'none' }, waited: false });
    expect(crm.count(ZARA)).toBe(1);
    now += 5 * 60_000 + 1;
    expect((await cardOf(source, ZARA, 'Customer')).waited).toBe(true);
    expect(crm.count(ZARA)).toBe(2);
  });

  it('a CRM error (500, not JSON, no name) is a card without CRM data, and is not cached', async () => {
    const source = cards();
    const answers = [{ status: 500, body: { error: 'down' } }, { status: 200, raw: '<html>' }, { status: 200, body: { company: 'no name' } }, { status: 302, raw: '' }];
    for (const [i, answer] of answers.entries()) {
      crm.answer(ZARA, answer);
      expect(await cardOf(source, ZARA, 'Customer')).toEqual({
        card: { number: ZARA, name: 'Customer', company: null, notes: null, crmUrl: null, source: 'phone' },
        waited: true,
      });
      expect(crm.count(ZARA)).toBe(i + 1);
    }
  });

  it('a CRM that does not answer in time: the card goes without CRM data at the timeout', async () => {
    // One CRM says nothing at all, the other sends its headers but never the body.
    for (const [number, slow] of [[ZARA, 'hold'], ['+923331112223', 'holdBody']] as const) {
      crm.answer(number, slow);
      expect(await cardOf(cards(IMPATIENT_MS), number, 'Customer')).toEqual({
        card: { number, name: 'Customer', company: null, notes: null, crmUrl: null, source: 'phone' },
        waited: true,
      });
      await crm.requested(number);
      expect(crm.count(number)).toBe(1);
    }
  });

  it('rings of one number at once share one request; accounts do not share answers', async () => {
    crm.answer(ZARA, { status: 200, body: { name: 'Zara (CRM)' } });
    const source = cards();
    const cardsAtOnce = await Promise.all([1, 2, 3].map(() => cardOf(source, ZARA)));
    expect(cardsAtOnce.map((c) => c.card.source)).toEqual(['crm', 'crm', 'crm']);
    expect(crm.count(ZARA)).toBe(1);
    expect((await cardOf(source, ZARA, '', 'other')).card.name).toBe('Zara (CRM)');
    expect(crm.count(ZARA)).toBe(2);
  });

  it('numbers that are not E.164 (extensions, service codes, national without a default country) are not sent to the CRM', async () => {
    crm.answerOthers({ status: 200, body: { name: 'Someone' } });
    const noCountry = new DirectoryCallerCards({
      directory: new SqliteDirectory(db),
      crm: new HttpCrmLookup({ urlTemplate: crm.urlTemplate, timeoutMs: PATIENT_MS }),
    });
    expect(await cardOf(cards(), '201', 'Reception')).toEqual({
      card: { number: '201', name: 'Reception', company: null, notes: null, crmUrl: null, source: 'phone' }, waited: false,
    });
    expect((await cardOf(cards(), '*97')).card).toMatchObject({ number: '*97', source: 'none' });
    expect((await cardOf(noCountry, '03001234567')).waited).toBe(false);
    expect((await cardOf(cards(), '')).card).toEqual({ number: '', name: null, company: null, notes: null, crmUrl: null, source: 'none' });
    expect(crm.requests).toEqual([]);
    expect((await cardOf(noCountry, '+44 20 7946 0958')).card).toMatchObject({ name: 'Someone', source: 'crm' });
    expect(crm.requests).toEqual(['+442079460958']);
  });

  it('sends the credentials of a template as Basic authorization, not in the URL', async () => {
    crm.answer(ZARA, { status: 200, body: { name: 'Zara (CRM)' } });
    const source = new DirectoryCallerCards({
      directory, numbers: directory.numbers, crm: new HttpCrmLookup({ urlTemplate: crm.urlTemplateWith('ringside:s%3Acret'), timeoutMs: PATIENT_MS }),
    });
    expect((await cardOf(source, ZARA)).card.source).toBe('crm');
    expect(crm.authorizations).toEqual([`Basic ${Buffer.from('ringside:s:cret').toString('base64')}`]);
  });

  it('takes only an http(s) URL template with {number} in it', () => {
    expect(isCrmUrlTemplate('https://crm.example/api/callers?phone={number}')).toBe(true);
    expect(isCrmUrlTemplate('https://crm.example/api/callers')).toBe(false);
    expect(isCrmUrlTemplate('ftp://crm.example/{number}')).toBe(false);
    expect(() => new HttpCrmLookup({ urlTemplate: 'not a url {number}', timeoutMs: 100 })).toThrow(/\{number\}/);
  });
});

describe('the ringing push with a CRM', () => {
  it('a slow CRM: call.ringing goes out without CRM data at the timeout, and the call\'s later pushes stay behind it', async () => {
    crm.answer(ZARA, 'hold');
    const rig = await createRig({
      idPrefix: 'CARDS', remote: ZARA, local: '201', agents: ['alice'],
      cards: (dir) => new DirectoryCallerCards({ directory: dir, numbers: dir.numbers, crm: new HttpCrmLookup({ urlTemplate: crm.urlTemplate, timeoutMs: IMPATIENT_MS }) }),
    });
    try {
      const ringing = nextPush(rig.push, 'call.ringing');
      const answered = nextPush(rig.push, 'call.answered');
      // The handlers do not wait for the CRM: both events are handled while it says nothing.
      await rig.phone(['incoming', MAC_A], ['answered', MAC_A]);
      await crm.requested(ZARA);
      const popup = await ringing;
      expect(popup.card).toEqual({ number: ZARA, name: null, company: null, notes: null, crmUrl: null, source: 'none' });
      await answered;
      expect(crm.count(ZARA)).toBe(1);
      expect(rig.pushed.filter((p) => p.type.startsWith('call.')).map((p) => p.type)).toEqual(['call.ringing', 'call.answered']);
    } finally {
      crm.release();
      await rig.close();
    }
  });

  it('a contact\'s popup goes out while the handler runs, a CRM hit\'s as soon as the CRM answers', async () => {
    crm.answer('+923331112223', { status: 200, body: { name: 'Ali (CRM)', url: 'https://crm.example/ali' } });
    const rig = await createRig({
      idPrefix: 'CARDH', remote: ZARA, local: '201', agents: ['alice'],
      cards: (dir) => new DirectoryCallerCards({ directory: dir, numbers: dir.numbers, crm: new HttpCrmLookup({ urlTemplate: crm.urlTemplate, timeoutMs: PATIENT_MS }) }),
    });
    try {
      await rig.directory.upsertContact('default', { number: ZARA, name: 'Zara Khan', company: null, notes: null, crmUrl: null });
      await rig.lifecycle.handle(rig.event('incoming', MAC_A));
      expect(rig.sent('call.ringing').map((p) => (p as Pushed & { card: CallerCard }).card)).toEqual([
        { number: ZARA, name: 'Zara Khan', company: null, notes: null, crmUrl: null, source: 'contact' },
      ]);
      const ali = nextPush(rig.push, 'call.ringing', '+923331112223');
      await rig.lifecycle.handle(rig.event('incoming', MAC_A, { remote: '+923331112223' }));
      expect((await ali).card).toEqual({ number: '+923331112223', name: 'Ali (CRM)', company: null, notes: null, crmUrl: 'https://crm.example/ali', source: 'crm' });
      expect(crm.requests).toEqual(['+923331112223']);
    } finally {
      await rig.close();
    }
  });
});

/**
 * Resolves with the next push of that type (for that caller) that an admin connection of the
 * account sees, from this call on; fails after WAIT_MS.
 */
function nextPush(push: import('../../../../src/domain/push/PushHub').PushHub, type: string, remote?: string): Promise<Record<string, unknown> & { card?: CallerCard }> {
  return waitFor(`a ${type} push${remote === undefined ? '' : ` for ${remote}`}`, (resolve) => push.register({
    id: `wait-${type}-${remote ?? ''}`, account: 'default', agent: null,
    send: (data) => {
      const message = JSON.parse(data) as Record<string, unknown> & { call?: { remote?: string } };
      if (message.type !== type || (remote !== undefined && message.call?.remote !== remote)) return;
      resolve(message);
    },
  }));
}
