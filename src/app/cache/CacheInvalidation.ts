import type { RedisClient } from '../../adapters/redis/scripts';
import { ulid } from 'ulid';
import type { CacheKeys } from '../../adapters/redis/keys';
import type { Logger } from '../../shared/logger';
import { settlesWithin } from '../../shared/settlesWithin';
import { ACK_WAIT_MS, CACHE_SCOPES, type CacheChange, type CacheEvent } from './cacheTypes';
import type { RedisCacheLayer } from './RedisCacheLayer';

export interface CacheInvalidationOptions {
  remote: RedisCacheLayer;
  /** A connection of its own: once subscribed, a Redis connection can do nothing else. */
  subscriber: RedisClient;
  keys: CacheKeys;
  node: string;
  logger: Logger;
  ackWaitMs?: number;
  /** Applies an event (this process's own too): drops the local entries it names. */
  onEvent(event: CacheEvent): void;
  /** The subscriber went away: events may be missed from now on. */
  onDown(): void;
  /** Subscribed again (or for the first time): events are received from now on. */
  onUp(): void;
}

interface Waiter {
  acks: number;
  expected: number | null;
  done: () => void;
}

/**
 * Invalidation across processes over Redis pub/sub (docs/redis.md, Invalidation): a write publishes its change on the
 * account's `events` channel (or `<root>:events`) and waits until every process that received it
 * confirms, on the writer's acknowledgement channel, that it dropped its entries. PUBLISH answers
 * how many subscribers received the event; the writer waits for that many acknowledgements (its
 * own subscriber's included), at most ackWaitMs. A subscriber of these channels that is not a
 * Ringside cache (never acknowledges) makes every write wait that long.
 */
export class CacheInvalidation {
  private subscribed = false;
  /** Bumped on every connection change, so a subscribe confirmed for an older connection is ignored. */
  private connectionEpoch = 0;
  private readonly waiting = new Map<string, Waiter>();
  private readonly firstUp: Promise<void>;
  private resolveFirstUp!: () => void;
  private closed = false;

  constructor(private readonly options: CacheInvalidationOptions) {
    this.firstUp = new Promise((resolve) => {
      this.resolveFirstUp = resolve;
    });
    const { subscriber } = options;
    subscriber.on('pmessage', this.onPatternMessage);
    subscriber.on('message', this.onMessage);
    subscriber.on('ready', this.onReady);
    subscriber.on('close', this.onClose);
    if (subscriber.status === 'ready') this.onReady();
  }

  get up(): boolean {
    return this.subscribed;
  }

  /** Resolves once subscribed for the first time. */
  ready(): Promise<void> {
    return this.firstUp;
  }

  /**
   * Runs the write's invalidation (versions bumped, entries deleted, event published, one
   * script) and waits for the acknowledgements. Rejects when Redis could not be reached.
   */
  async publish(account: string | null, change: CacheChange): Promise<void> {
    const event: CacheEvent = { ...change, id: ulid(), node: this.options.node, account, at: Date.now() };
    const payload = JSON.stringify(event);
    let done!: () => void;
    const confirmed = new Promise<void>((resolve) => {
      done = resolve;
    });
    const waiter: Waiter = { acks: 0, expected: null, done };
    // Registered before publishing: another process's acknowledgement may arrive before the script's reply.
    this.waiting.set(event.id, waiter);
    try {
      const { remote, keys } = this.options;
      // Every cache process subscribes to the global channel: on a Cluster, their number is how many will receive this.
      const listening = await remote.subscribersAcrossCluster(keys.globalEvents());
      const published = account === null
        ? await remote.publish(keys.globalEvents(), payload)
        : await remote.invalidate(keys.tenant(account), change.scopes, keys.tenant(account).events(), payload);
      const receivers = listening ?? published;
      waiter.expected = receivers;
      this.settle(waiter);
      if (!(await settlesWithin(confirmed, this.options.ackWaitMs ?? ACK_WAIT_MS))) {
        this.options.logger.warn({ expected: receivers, confirmed: waiter.acks, entity: change.entity },
          'cache: not every process confirmed an invalidation in time; one may serve a stale entry until it does');
      }
    } finally {
      this.waiting.delete(event.id);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const { subscriber, keys, node } = this.options;
    subscriber.off('pmessage', this.onPatternMessage);
    subscriber.off('message', this.onMessage);
    subscriber.off('ready', this.onReady);
    subscriber.off('close', this.onClose);
    if (subscriber.status === 'ready') {
      await settlesWithin(Promise.all([subscriber.punsubscribe(keys.accountEventsPattern()), subscriber.unsubscribe(keys.globalEvents(), keys.acks(node))]), 1_000);
    }
  }

  private readonly onReady = (): void => {
    const epoch = ++this.connectionEpoch;
    const { subscriber, keys, node } = this.options;
    Promise.all([subscriber.psubscribe(keys.accountEventsPattern()), subscriber.subscribe(keys.globalEvents(), keys.acks(node))]).then(
      () => {
        if (this.closed || epoch !== this.connectionEpoch || subscriber.status !== 'ready') return;
        this.subscribed = true;
        this.options.onUp();
        this.resolveFirstUp();
      },
      (err: unknown) => this.options.logger.warn({ err }, 'cache: subscribing to the invalidation channels failed; the local layer stays off'),
    );
  };

  private readonly onClose = (): void => {
    this.connectionEpoch++;
    if (!this.subscribed) return;
    this.subscribed = false;
    this.options.onDown();
  };

  private readonly onPatternMessage = (_pattern: string, _channel: string, payload: string): void => {
    this.receive(payload);
  };

  private readonly onMessage = (channel: string, payload: string): void => {
    if (channel === this.options.keys.acks(this.options.node)) this.acknowledged(payload);
    else this.receive(payload);
  };

  private receive(payload: string): void {
    const event = parseEvent(payload);
    if (!event) {
      this.options.logger.warn('cache: unreadable invalidation event; the local layer is cleared instead');
      this.options.onEvent({ kind: 'Sync', entity: 'all', ids: [], scopes: [...CACHE_SCOPES], id: '', node: '', account: null, at: Date.now() });
      return;
    }
    this.options.onEvent(event);
    if (event.node === '' || event.id === '') return;
    if (event.node === this.options.node) {
      this.acknowledged(event.id);
      return;
    }
    this.options.remote.publish(this.options.keys.acks(event.node), event.id)
      .catch((err: unknown) => this.options.logger.debug({ err }, 'cache: acknowledging an invalidation failed'));
  }

  private acknowledged(id: string): void {
    const waiter = this.waiting.get(id);
    if (!waiter) return;
    waiter.acks += 1;
    this.settle(waiter);
  }

  private settle(waiter: Waiter): void {
    if (waiter.expected !== null && waiter.acks >= waiter.expected) waiter.done();
  }
}

/** An event as published; an operator's `{"kind":"Sync"}` on `<root>:events` is a global Sync. */
function parseEvent(payload: string): CacheEvent | null {
  let parsed: Partial<CacheEvent>;
  try {
    parsed = JSON.parse(payload) as Partial<CacheEvent>;
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || !['Create', 'Update', 'Delete', 'Sync'].includes(String(parsed.kind))) return null;
  const scopes = Array.isArray(parsed.scopes) ? parsed.scopes.filter((s) => CACHE_SCOPES.includes(s)) : [...CACHE_SCOPES];
  return {
    kind: parsed.kind!,
    entity: parsed.entity ?? 'all',
    ids: Array.isArray(parsed.ids) ? parsed.ids.map(String) : [],
    scopes: scopes.length > 0 ? scopes : [...CACHE_SCOPES],
    id: typeof parsed.id === 'string' ? parsed.id : '',
    node: typeof parsed.node === 'string' ? parsed.node : '',
    account: typeof parsed.account === 'string' ? parsed.account : null,
    at: typeof parsed.at === 'number' ? parsed.at : Date.now(),
  };
}
