import type { Channel, Message } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { AckBatcher } from '../../../../src/adapters/rabbitmq/AckBatcher';

/** A channel that records its acks as [tag, allUpTo]; `closed` makes ack throw as amqplib's does. */
function fakeChannel() {
  const acks: Array<[number, boolean]> = [];
  const state = { closed: false };
  const channel = {
    ack: (message: Message, allUpTo = false) => {
      if (state.closed) throw new Error('Channel closed');
      acks.push([message.fields.deliveryTag, allUpTo]);
    },
  } as unknown as Channel;
  return { channel, acks, state };
}

const message = (deliveryTag: number) => ({ fields: { deliveryTag } }) as unknown as Message;

/** Tracks deliveries 1..n on the channel; returns them by tag. */
function deliver(batcher: AckBatcher, channel: Channel, n: number): Message[] {
  const messages = [message(0)];
  for (let tag = 1; tag <= n; tag++) {
    messages.push(message(tag));
    batcher.track(channel, messages[tag]!);
  }
  return messages;
}

describe('AckBatcher', () => {
  it('acks what finished in one turn with one multiple ack, at the end of the turn', async () => {
    const batcher = new AckBatcher();
    const { channel, acks } = fakeChannel();
    const messages = deliver(batcher, channel, 20);
    for (const tag of [3, 1, 2, 5, 4]) batcher.finish(channel, messages[tag]!);
    expect(acks).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(acks).toEqual([[5, true]]);
  });

  it('never covers a delivery still held: single acks beyond the first one held, then one multiple ack once it finished', () => {
    const batcher = new AckBatcher();
    const { channel, acks } = fakeChannel();
    const messages = deliver(batcher, channel, 6);
    for (const tag of [1, 2, 4, 6]) batcher.finish(channel, messages[tag]!);
    batcher.flush();
    expect(acks).toEqual([[2, true], [4, false], [6, false]]);
    // 3 finishes: the multiple ack covers 3 and 5 but names 5, never a tag acked before.
    batcher.finish(channel, messages[3]!);
    batcher.finish(channel, messages[5]!);
    batcher.flush();
    expect(acks.slice(3)).toEqual([[5, true]]);
  });

  it('acks a lone finished delivery singly, and a delivery finished twice once', () => {
    const batcher = new AckBatcher();
    const { channel, acks } = fakeChannel();
    const messages = deliver(batcher, channel, 2);
    batcher.finish(channel, messages[1]!);
    batcher.finish(channel, messages[1]!);
    batcher.flush();
    batcher.flush();
    expect(acks).toEqual([[1, false]]);
  });

  it('drops the pending acks of a channel dropped or closed, and acks on the others', () => {
    const batcher = new AckBatcher();
    const old = fakeChannel();
    const current = fakeChannel();
    const oldMessages = deliver(batcher, old.channel, 2);
    const messages = deliver(batcher, current.channel, 2);
    batcher.finish(old.channel, oldMessages[1]!);
    batcher.keepOnly(current.channel);
    batcher.finish(old.channel, oldMessages[2]!);
    batcher.finish(current.channel, messages[1]!);
    batcher.flush();
    expect(old.acks).toEqual([]);
    expect(current.acks).toEqual([[1, false]]);

    current.state.closed = true;
    batcher.finish(current.channel, messages[2]!);
    expect(() => batcher.flush()).not.toThrow();
    batcher.drop(current.channel);
    current.state.closed = false;
    batcher.flush();
    expect(current.acks).toEqual([[1, false]]);
  });
});
