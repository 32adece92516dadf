import { describe, expect, it } from 'vitest';
import { PerCallOrder } from '../../../../src/domain/calls/PerCallOrder';

function gate<T>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

describe('PerCallOrder', () => {
  it('sends at once while nothing of the call waits; a waiting push holds back its call only', async () => {
    const sent: string[] = [];
    const errors: unknown[] = [];
    const order = new PerCallOrder((error) => errors.push(error));

    order.run('c1', () => sent.push('c1 ringing (no wait)'));
    expect(sent).toEqual(['c1 ringing (no wait)']);

    const card = gate<string>();
    order.after('c2', card.promise, (value) => sent.push(`c2 ringing ${value}`));
    order.run('c2', () => sent.push('c2 answered'));
    order.run('c1', () => sent.push('c1 answered'));
    // Another call is not held back by c2's wait.
    expect(sent).toEqual(['c1 ringing (no wait)', 'c1 answered']);
    expect(order.waiting).toBe(1);

    const done = gate<void>();
    order.run('c2', () => {
      sent.push('c2 ended');
      done.open();
    });
    card.open('with card');
    await done.promise;
    expect(sent).toEqual(['c1 ringing (no wait)', 'c1 answered', 'c2 ringing with card', 'c2 answered', 'c2 ended']);
    expect(errors).toEqual([]);
  });

  it('a push that throws is reported and does not stop the ones after it', async () => {
    const sent: string[] = [];
    const errors: unknown[] = [];
    const order = new PerCallOrder((error) => errors.push(error));
    const card = gate<void>();
    order.after('c1', card.promise, () => {
      throw new Error('socket gone');
    });
    const done = gate<void>();
    order.run('c1', () => {
      sent.push('answered');
      done.open();
    });
    card.open();
    await done.promise;
    expect(sent).toEqual(['answered']);
    expect(errors).toEqual([expect.objectContaining({ message: 'socket gone' })]);
  });
});
