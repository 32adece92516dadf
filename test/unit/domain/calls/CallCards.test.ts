import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CallerCard, CallerCards, CardLookup } from '../../../../src/domain/cards/CallerCards';
import { ACCOUNT, MAC_A, MAC_B, createRig, type Rig } from './lifecycleRig';

const REMOTE = '+923006666666';
const MAC_C = '000B8200000C';

/** Caller cards that count the lookups; the nth lookup's card is named `Caller <n>`. */
class CountingCards implements CallerCards {
  asked = 0;
  /** When set, each lookup's card comes from the CRM, once the test settles this. */
  crm: Promise<void> | null = null;

  async cardFor(_account: string, caller: { remote: string }): Promise<CardLookup> {
    this.asked += 1;
    const card: CallerCard = { number: caller.remote, name: `Caller ${this.asked}`, company: null, notes: null, crmUrl: null, source: 'contact' };
    if (!this.crm) return { card, crm: null };
    return { card: { ...card, name: null, source: 'none' }, crm: this.crm.then(() => ({ ...card, source: 'crm' })) };
  }
}

type RingingPush = { agent: string; call: { id: string }; card: CallerCard };

describe('CallLifecycle: the caller card is looked up once per call, not once per ringing phone', () => {
  let rig: Rig;
  let cards: CountingCards;
  const ringing = () => rig.sent('call.ringing') as unknown as RingingPush[];

  beforeEach(async () => {
    cards = new CountingCards();
    rig = await createRig({ idPrefix: '01CARDS', remote: REMOTE, cards: () => cards });
    await rig.directory.upsertAgent(ACCOUNT, { id: 'carol', name: 'Carol', extension: '203', devices: [MAC_C] });
  });

  afterEach(() => rig.close());

  it('a call ringing on three phones asks once, and every popup shows that card; the next call asks again', async () => {
    await rig.phone(['incoming', MAC_A], ['incoming', MAC_B], ['incoming', MAC_C]);
    expect(cards.asked).toBe(1);
    expect(ringing().map((p) => [p.agent, p.card.name])).toEqual([['alice', 'Caller 1'], ['bob', 'Caller 1']]);

    await rig.phone(['answered', MAC_A], ['hangup', MAC_B], ['hangup', MAC_C], ['hangup', MAC_A]);
    await rig.phone(['incoming', MAC_B]);
    expect(cards.asked).toBe(2);
    expect(ringing().at(-1)).toMatchObject({ agent: 'bob', card: { name: 'Caller 2' } });
    expect(ringing().at(-1)!.call.id).not.toBe(ringing()[0]!.call.id);
  });

  it('with a CRM lookup under way, the later phones wait for the same answer instead of asking again', async () => {
    let answer!: () => void;
    cards.crm = new Promise<void>((resolve) => (answer = resolve));
    await rig.phone(['incoming', MAC_A], ['incoming', MAC_B]);
    expect(ringing()).toEqual([]);

    answer();
    await vi.waitFor(() => expect(ringing()).toHaveLength(2));
    expect(cards.asked).toBe(1);
    expect(ringing().map((p) => [p.agent, p.card.name, p.card.source])).toEqual([['alice', 'Caller 1', 'crm'], ['bob', 'Caller 1', 'crm']]);
  });
});
