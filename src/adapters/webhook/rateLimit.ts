/**
 * A token bucket per source address. A phone sends a handful of requests per call; a source
 * sending hundreds per second is a loop or an attack, and must not starve the spool.
 */
export interface RateLimiter {
  /** Takes one token for `key`; returns 0 when allowed, else the seconds to wait (>= 1). */
  take(key: string, nowMs: number): number;
  /** Drops buckets that have refilled completely (they hold no information). */
  prune(nowMs: number): void;
  readonly size: number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/** Beyond this many tracked sources the table is reset rather than allowed to grow. */
const MAX_BUCKETS = 100_000;

export function createRateLimiter(ratePerSecond: number, burst: number): RateLimiter {
  const capacity = Math.max(1, burst);
  const perMs = ratePerSecond / 1000;
  const buckets = new Map<string, Bucket>();

  function refill(bucket: Bucket, nowMs: number): void {
    const elapsed = nowMs - bucket.updatedMs;
    if (elapsed > 0) {
      bucket.tokens = Math.min(capacity, bucket.tokens + elapsed * perMs);
      bucket.updatedMs = nowMs;
    }
  }

  return {
    take(key, nowMs) {
      let bucket = buckets.get(key);
      if (bucket === undefined) {
        if (buckets.size >= MAX_BUCKETS) buckets.clear();
        bucket = { tokens: capacity, updatedMs: nowMs };
        buckets.set(key, bucket);
      } else {
        refill(bucket, nowMs);
      }
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerSecond));
    },
    prune(nowMs) {
      for (const [key, bucket] of buckets) {
        refill(bucket, nowMs);
        if (bucket.tokens >= capacity) buckets.delete(key);
      }
    },
    get size() {
      return buckets.size;
    },
  };
}
