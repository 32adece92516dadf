import type { Channel, Message } from 'amqplib';

/** One channel's deliveries: delivery tags are per channel, so is the bookkeeping. */
interface ChannelAcks {
  /** Tags delivered and not finished (waiting, running, backing off): never covered by an ack. */
  open: Set<number>;
  /** Finished (handled or dead-lettered) and not acked yet. */
  finished: Message[];
}

/**
 * Coalesces the consumer's acks per event-loop turn: finished deliveries are noted, and at the
 * end of the turn (setImmediate) each channel gets one `ack(allUpTo)` for the highest finished
 * tag below its lowest open delivery, and single acks for finished ones beyond that gap. So a
 * delivery still running or backing off is never acked by a multiple ack, and one that takes
 * long does not hold up the acks of the others. An ack only ever names a tag not acked before:
 * RabbitMQ closes the channel on an unknown tag, and a multiple ack skips the tags acked singly.
 *
 * A channel closed or given up is dropped with its pending acks: the broker redelivers those
 * events, and the ledger (or the handler's idempotency) meets them.
 */
export class AckBatcher {
  private readonly channels = new Map<Channel, ChannelAcks>();
  private scheduled: NodeJS.Immediate | null = null;

  /** A delivery arrived on `channel`: no ack may cover it until it is finished. */
  track(channel: Channel, message: Message): void {
    let acks = this.channels.get(channel);
    if (!acks) this.channels.set(channel, (acks = { open: new Set(), finished: [] }));
    acks.open.add(message.fields.deliveryTag);
  }

  /** The delivery is finished: it is acked at the end of this turn (unless its channel is dropped first). */
  finish(channel: Channel, message: Message): void {
    const acks = this.channels.get(channel);
    if (!acks?.open.delete(message.fields.deliveryTag)) return; // dropped channel, or finished already
    acks.finished.push(message);
    this.scheduled ??= setImmediate(() => {
      this.scheduled = null;
      this.flush();
    });
  }

  /** Forgets a channel (closed or replaced) and its pending acks. */
  drop(channel: Channel): void {
    this.channels.delete(channel);
  }

  /** Forgets every channel but `channel`. */
  keepOnly(channel: Channel): void {
    for (const other of [...this.channels.keys()]) if (other !== channel) this.channels.delete(other);
  }

  /** Sends every pending ack now (before a channel is closed on purpose). */
  flush(): void {
    for (const [channel, acks] of this.channels) {
      if (acks.finished.length === 0) continue;
      try {
        sendAcks(channel, acks);
      } catch {
        // The channel closed meanwhile: the broker redelivers these events and the ledger drops them.
        this.channels.delete(channel);
      }
    }
  }
}

function sendAcks(channel: Channel, acks: ChannelAcks): void {
  const finished = acks.finished.sort((a, b) => a.fields.deliveryTag - b.fields.deliveryTag);
  acks.finished = [];
  let lowestOpen = Infinity;
  for (const tag of acks.open) lowestOpen = Math.min(lowestOpen, tag);
  const belowGap = finished.filter((message) => message.fields.deliveryTag < lowestOpen);
  const last = belowGap.at(-1);
  if (last) channel.ack(last, belowGap.length > 1);
  for (const message of finished.slice(belowGap.length)) channel.ack(message);
}
