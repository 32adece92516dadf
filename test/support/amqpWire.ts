import { connect, type ChannelModel, type SocketOptions } from 'amqplib';
import type { Socket } from 'node:net';

/** A frame the client wrote: its AMQP method (class, method ids) and the socket write that carried it. */
export interface WrittenFrame {
  write: number;
  channel: number;
  classId: number;
  methodId: number;
  /** basic.ack only. */
  deliveryTag?: number;
  multiple?: boolean;
}

export const BASIC_PUBLISH = [60, 40] as const;
export const BASIC_ACK = [60, 80] as const;

/** Everything one connection wrote to its socket from when it was tapped: socket writes (write or writev) and method frames. */
export class WireTap {
  writes = 0;
  readonly frames: WrittenFrame[] = [];
  /** Called after every socket write, once its frames are in `frames`. */
  onWrite: () => void = () => undefined;
  private pending = Buffer.alloc(0);

  constructor(readonly model: ChannelModel) {
    const socket = (model.connection as unknown as { stream: Socket }).stream;
    type Chunk = { chunk: Buffer; encoding: BufferEncoding };
    const write = socket._write.bind(socket);
    const writev = socket._writev!.bind(socket);
    socket._write = (chunk: Buffer, encoding, callback) => {
      this.record([chunk]);
      write(chunk, encoding, callback);
    };
    socket._writev = (chunks: Chunk[], callback) => {
      this.record(chunks.map((entry) => entry.chunk));
      writev(chunks, callback);
    };
  }

  /** The method frames of one kind, e.g. `tap.methods(BASIC_ACK)`. */
  methods([classId, methodId]: readonly [number, number]): WrittenFrame[] {
    return this.frames.filter((frame) => frame.classId === classId && frame.methodId === methodId);
  }

  /** How many socket writes carried at least one frame of this kind. */
  writesCarrying(method: readonly [number, number]): number {
    return new Set(this.methods(method).map((frame) => frame.write)).size;
  }

  private record(chunks: Buffer[]): void {
    this.writes++;
    this.pending = Buffer.concat([this.pending, ...chunks]);
    // A frame: type (1), channel (2), payload size (4), payload, frame end (0xCE).
    while (this.pending.length >= 7) {
      const size = this.pending.readUInt32BE(3);
      if (this.pending.length < size + 8) break;
      if (this.pending[0] === 1) this.frames.push(this.methodFrame(this.pending.readUInt16BE(1), this.pending.subarray(7, 7 + size)));
      this.pending = this.pending.subarray(size + 8);
    }
    this.onWrite();
  }

  private methodFrame(channel: number, payload: Buffer): WrittenFrame {
    const frame: WrittenFrame = { write: this.writes, channel, classId: payload.readUInt16BE(0), methodId: payload.readUInt16BE(2) };
    if (frame.classId === BASIC_ACK[0] && frame.methodId === BASIC_ACK[1]) {
      frame.deliveryTag = Number(payload.readBigUInt64BE(4));
      frame.multiple = (payload[12]! & 1) === 1;
    }
    return frame;
  }
}

/** A connector (RabbitMqBusOptions.connect) that taps every connection it opens, and can cut the last one. */
export function tappingConnector() {
  const taps: WireTap[] = [];
  return {
    taps,
    connect: async (url: string, socketOptions: SocketOptions) => {
      const model = await connect(url, socketOptions);
      taps.push(new WireTap(model));
      return model;
    },
    /** Destroys the socket under the last connection (amqplib sees a socket error). */
    drop: () => {
      const tap = taps.at(-1);
      if (!tap) throw new Error('no connection to drop');
      (tap.model.connection as unknown as { stream: Socket }).stream.destroy(new Error('connection cut by the test'));
    },
  };
}

/**
 * The delivery tags a channel's acks covered, from its basic.ack frames: a multiple ack covers
 * every tag up to its own (a consumer channel's tags run 1, 2, 3, ...).
 */
export function ackedTags(frames: WrittenFrame[]): Set<number> {
  const acked = new Set<number>();
  for (const frame of frames) {
    const tag = frame.deliveryTag!;
    if (!frame.multiple) acked.add(tag);
    else for (let covered = 1; covered <= tag; covered++) acked.add(covered);
  }
  return acked;
}
