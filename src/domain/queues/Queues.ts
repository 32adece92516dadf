/**
 * The queue port (docs/redis.md, Sessions, agent statuses and queues; the seed's `queue:<name>` sorted sets and `queues:meta`): named queues
 * of an account, ordered by score (lowest first; equal scores by id). Taking an item (pop) is
 * one atomic step, so two takers never get the same item. The call-back queue of missed calls is
 * one (callback/CallbackQueue.ts).
 *
 * An item may be meant for some members only (`audience`, e.g. the agents a direct call was
 * for): pop and peek with a `member` (or `members`, every name a taker goes by) skip the items
 * the taker may not take. null: anyone.
 *
 * Adapters: SqliteQueues (the call-log database; embedded mode) and RedisQueues (shared mode).
 */
export interface QueueItem {
  /** Unique within the queue: adding an id already queued keeps the first item. */
  id: string;
  score: number;
  data: Record<string, unknown>;
  /** Who may take it; null: anyone. Never empty. */
  audience: string[] | null;
}

export interface QueueMeta {
  name: string;
  description: string;
  createdAt: number;
}

export interface TakeOptions {
  /** Only items this member may take; without it (and without `members`), the first item whatever its audience. */
  member?: string;
  /**
   * Only items one of these names may take: a taker known by several names (an agent, and the
   * helplines it belongs to). With `member`, both count.
   */
  members?: readonly string[];
}

/** Every name of a taker (TakeOptions), or null: anyone's items. */
export function takerNamesOf(options: TakeOptions): string[] | null {
  if (options.member === undefined && options.members === undefined) return null;
  return [...new Set([...(options.member === undefined ? [] : [options.member]), ...(options.members ?? [])])];
}

export interface Queues {
  /** Describes a queue (queues:meta) if it is not yet described; answers what is stored. */
  define(account: string, meta: QueueMeta): Promise<QueueMeta>;
  /** The account's described queues, by name. */
  queues(account: string): Promise<QueueMeta[]>;
  /** Adds the item unless its id is queued already (the first one stays). True when added. */
  add(account: string, queue: string, item: QueueItem): Promise<boolean>;
  /** Removes and answers the first item the member may take (atomic), or null. */
  pop(account: string, queue: string, options?: TakeOptions): Promise<QueueItem | null>;
  /** The item pop would answer, left in the queue. */
  peek(account: string, queue: string, options?: TakeOptions): Promise<QueueItem | null>;
  /** True when the item was there. */
  remove(account: string, queue: string, id: string): Promise<boolean>;
  length(account: string, queue: string): Promise<number>;
  /** Every item, first first. */
  items(account: string, queue: string): Promise<QueueItem[]>;
  close(): Promise<void>;
}

/** Queue names are part of Redis keys: letters, digits, `_`, `.`, `-`. */
const QUEUE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export function checkQueueName(name: string): string {
  if (!QUEUE_NAME.test(name)) throw new RangeError(`queue name must be 1-64 of [A-Za-z0-9_.-]: ${JSON.stringify(name)}`);
  return name;
}

export function checkItem(item: QueueItem): QueueItem {
  if (typeof item.id !== 'string' || item.id === '') throw new RangeError('a queue item needs an id');
  if (!Number.isFinite(item.score)) throw new RangeError(`queue item ${item.id}: the score must be a finite number`);
  if (item.audience !== null && (!Array.isArray(item.audience) || item.audience.length === 0)) {
    throw new RangeError(`queue item ${item.id}: the audience is null (anyone) or lists at least one member`);
  }
  return item;
}

/** The stored part of an item besides its id and score. */
export function itemBody(item: QueueItem): string {
  return JSON.stringify({ data: item.data ?? {}, audience: item.audience });
}

export function itemFrom(id: string, score: number, body: string | null): QueueItem {
  const parsed = body ? (JSON.parse(body) as { data?: Record<string, unknown>; audience?: string[] | null }) : {};
  return { id, score, data: parsed.data ?? {}, audience: parsed.audience ?? null };
}
