/**
 * The calls the load generator plays, each with the effect it owes once every one of its events
 * was acknowledged (docs/call-lifecycle.md): one call-log row with this status and direction, and exactly one
 * missed-call record for an unanswered incoming call, none otherwise.
 */
export type ScenarioName = 'answered' | 'ring_group_answered' | 'unanswered' | 'ring_group_unanswered' | 'outgoing_no_answer';

export interface Phone {
  mac: string;
  /** Index of the Ringside process this phone's Action URLs point at. */
  node: number;
}

export interface Step {
  phone: Phone;
  event: 'incoming' | 'outgoing' | 'answered' | 'hangup' | 'missed';
}

export interface OwedEffect {
  status: 'answered' | 'missed' | 'no_answer';
  direction: 'in' | 'out';
  /** A missed-call record (call.missed) is owed. */
  missed: boolean;
}

export interface CallPlan {
  scenario: ScenarioName;
  remote: string;
  steps: Step[];
  owed: OwedEffect;
}

const ANSWERED: OwedEffect = { status: 'answered', direction: 'in', missed: false };
const MISSED: OwedEffect = { status: 'missed', direction: 'in', missed: true };
const NO_ANSWER: OwedEffect = { status: 'no_answer', direction: 'out', missed: false };

/** Share of each scenario in the load (sums to 1). */
const WEIGHTS: Array<[ScenarioName, number]> = [
  ['answered', 0.3],
  ['ring_group_answered', 0.2],
  ['unanswered', 0.2],
  ['ring_group_unanswered', 0.1],
  ['outgoing_no_answer', 0.2],
];

export type Random = () => number;

/** mulberry32: a small seeded generator; CHAOS_SEED seeds the run's mix of calls and phones. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `perNode` phones on each of `nodes` processes, with MACs no real phone has (00:0B:82 is Grandstream's prefix, CA:05 marks chaos). */
export function makePhones(nodes: number, perNode: number): Phone[][] {
  return Array.from({ length: nodes }, (_, node) => Array.from({ length: perNode }, (_, i) => ({
    mac: `00:0B:82:CA:${hex(node)}:${hex(i)}`,
    node,
  })));
}

function hex(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function pickScenario(random: Random): ScenarioName {
  let r = random();
  for (const [name, weight] of WEIGHTS) {
    r -= weight;
    if (r < 0) return name;
  }
  return WEIGHTS[0]![0];
}

/** Two phones of a ring group, each on a different process: their events reach Ringside by different outboxes. */
function ringGroup(random: Random, phones: Phone[][]): [Phone, Phone] {
  const first = Math.floor(random() * phones.length);
  const second = (first + 1 + Math.floor(random() * (phones.length - 1))) % phones.length;
  return [pick(random, phones[first]!), pick(random, phones[second]!)];
}

export function planCall(random: Random, remote: string, phones: Phone[][]): CallPlan {
  const scenario = pickScenario(random);
  const anyPhone = () => pick(random, pick(random, phones));
  switch (scenario) {
    case 'answered': {
      const phone = anyPhone();
      return { scenario, remote, owed: ANSWERED, steps: [{ phone, event: 'incoming' }, { phone, event: 'answered' }, { phone, event: 'hangup' }] };
    }
    case 'ring_group_answered': {
      const [a, b] = ringGroup(random, phones);
      // The other phone's "missed" comes late: after the answer, before or after the hang-up.
      const ends: Step[] = random() < 0.5
        ? [{ phone: b, event: 'missed' }, { phone: a, event: 'hangup' }]
        : [{ phone: a, event: 'hangup' }, { phone: b, event: 'missed' }];
      return { scenario, remote, owed: ANSWERED, steps: [{ phone: a, event: 'incoming' }, { phone: b, event: 'incoming' }, { phone: a, event: 'answered' }, ...ends] };
    }
    case 'unanswered': {
      const phone = anyPhone();
      // docs/call-lifecycle.md, Missed calls: an unanswered call that ends with a hang-up and no "missed" is missed too.
      const end = random() < 0.7 ? 'missed' : 'hangup';
      return { scenario, remote, owed: MISSED, steps: [{ phone, event: 'incoming' }, { phone, event: end }] };
    }
    case 'ring_group_unanswered': {
      const [a, b] = ringGroup(random, phones);
      return { scenario, remote, owed: MISSED, steps: [{ phone: a, event: 'incoming' }, { phone: b, event: 'incoming' }, { phone: a, event: 'missed' }, { phone: b, event: 'missed' }] };
    }
    case 'outgoing_no_answer': {
      const phone = anyPhone();
      return { scenario, remote, owed: NO_ANSWER, steps: [{ phone, event: 'outgoing' }, { phone, event: 'hangup' }] };
    }
  }
}
