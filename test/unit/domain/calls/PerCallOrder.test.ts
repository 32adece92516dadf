import { describe, expect, it } from 'vitest';
import { PerCallOrder } from '../../../../src/domain/calls/PerCallOrder';
import { deferred } from '../../../support/wait';

describe('PerCallOrder', () => {
  it('sends at once while nothing of the call waits; a waiting push holds back its call only', async () => {
    const sent: string[] = [];
    const errors: unknown[] = [];
    const order = new PerCallOrder((error) => errors.push(error));

    order.run('c1', () => sent.push('c1 ringing (no wait)'));
    expect(sent).toEqual(['c1 ringing (no wait)']);

    const card = deferred<string>('the card');
    order.after('c2', card.promise, (value) => sent.push(`c2 ringing ${value}`));
    order.run('c2', () => sent.push('c2 answered'));
    order.run('c1', () => sent.push('c1 answered'));
    // Another call is not held back by c2's wait.
    expect(sent).toEqual(['c1 ringing (no wait)', 'c1 answered']);
    expect(order.waiting).toBe(1);

    const done = deferred('the last push of the call to be sent');
    order.run('c2', () => {
      sent.push('c2 ended');
      done.resolve();
    });
    card.resolve('with card');
    await done.wait();
    expect(sent).toEqual(['c1 ringing (no wait)', 'c1 answered', 'c2 ringing with card', 'c2 answered', 'c2 ended']);
    expect(errors).toEqual([]);
  });

  it('a push that throws is reported and does not stop the ones after it', async () => {
    const sent: string[] = [];
    const errors: unknown[] = [];
    const order = new PerCallOrder((error) => errors.push(error));
    const card = deferred('the card');
    order.after('c1', card.promise, () => {
      throw new Error('socket gone');
    });
    const done = deferred('the last push of the call to be sent');
    order.run('c1', () => {
      sent.push('answered');
      done.resolve();
    });
    card.resolve();
    await done.wait();
    expect(sent).toEqual(['answered']);
    expect(errors).toEqual([expect.objectContaining({ message: 'socket gone' })]);
  });
});
