import type { ChannelModel } from 'amqplib';
import type { Logger } from '../../shared/logger';

/** The parts of amqplib's internals (lib/connection.js, lib/mux.js, 0.10 to 2.x) this relies on. */
interface MuxInternals {
  connection?: {
    stream?: { cork?: () => void; uncork?: () => void };
    muxer?: { _readIncoming?: () => void };
  };
}

let warned = false;

/**
 * amqplib's Mux moves the frames its channels queued (publishes, acks, ...) to the socket in one
 * `_readIncoming` pass per turn, but with one `socket.write` per frame: one syscall each. Corking
 * the socket around the pass makes it one writev. Relies on amqplib internals (the connection's
 * `stream` and `muxer`): when they are not there, it leaves the connection as it is and says so
 * once at debug level; test/integration/adapters/rabbitmq/batching.test.ts pins it.
 */
export function corkFrameWrites(model: ChannelModel, logger?: Logger): boolean {
  const connection = (model as unknown as MuxInternals).connection;
  const stream = connection?.stream;
  const muxer = connection?.muxer;
  const readIncoming = muxer?._readIncoming;
  if (!stream?.cork || !stream.uncork || !muxer || typeof readIncoming !== 'function') {
    if (!warned) logger?.debug('rabbitmq: amqplib internals not as expected; frames are written one by one');
    warned = true;
    return false;
  }
  muxer._readIncoming = function corkedReadIncoming(this: unknown) {
    stream.cork!();
    try {
      readIncoming.call(this);
    } finally {
      stream.uncork!();
    }
  };
  return true;
}
