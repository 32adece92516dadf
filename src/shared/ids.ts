import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';

const POOL_BYTES = 4096;

/**
 * ulid's default generator asks the OS for one random byte at a time (16 calls per id); on the
 * webhook hot path that costs more than the rest of the request. This draws the same
 * cryptographic randomness from a pooled buffer instead.
 */
function pooledRandom(): () => number {
  const pool = Buffer.allocUnsafe(POOL_BYTES);
  let next = POOL_BYTES;
  return () => {
    if (next === POOL_BYTES) {
      randomFillSync(pool);
      next = 0;
    }
    return pool[next++]! / 0x100;
  };
}

/** A generator of ULIDs, strictly increasing within this generator even in the same millisecond. */
export function createIdGenerator(): () => string {
  const next = monotonicFactory(pooledRandom());
  return () => next();
}
