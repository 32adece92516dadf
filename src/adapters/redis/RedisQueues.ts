import type { RedisClient, ScriptRunner } from './scripts';
import type { CallStateKeys } from './keys';
import { checkItem, checkQueueName, itemBody, itemFrom, takerNamesOf, type QueueItem, type QueueMeta, type Queues, type TakeOptions } from '../../domain/queues/Queues';

/** Items read per step while queueTake looks for one the member may take. */
const TAKE_BATCH = 64;

/**
 * Queues in Redis (shared mode), under the account's hash tag: `queue:<name>` (zset id -> score),
 * `queue:<name>:items` (hash id -> {data, audience}) and `queues:meta` (hash name -> meta JSON).
 * pop is one Lua script (lua/queueTake-2.lua: find the first item the taker may take, remove it), so
 * two takers on any connections never get the same item; add and remove are one MULTI each.
 */
export class RedisQueues implements Queues {
  constructor(
    private readonly client: RedisClient,
    private readonly keys: CallStateKeys,
    private readonly scripts: ScriptRunner,
  ) {}

  async define(account: string, meta: QueueMeta): Promise<QueueMeta> {
    const name = checkQueueName(meta.name);
    const key = this.keys.tenant(account).queuesMeta();
    const stored = { name, description: meta.description, createdAt: meta.createdAt };
    const [, [, json]] = (await this.client.multi().hsetnx(key, name, JSON.stringify(stored)).hget(key, name).exec()) as [unknown, [unknown, string]];
    return JSON.parse(json) as QueueMeta;
  }

  async queues(account: string): Promise<QueueMeta[]> {
    const all = await this.client.hgetall(this.keys.tenant(account).queuesMeta());
    return Object.values(all).map((json) => JSON.parse(json) as QueueMeta).sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  async add(account: string, queue: string, item: QueueItem): Promise<boolean> {
    checkQueueName(queue);
    checkItem(item);
    const k = this.keys.tenant(account);
    const replies = await this.client.multi()
      .zadd(k.queue(queue), 'NX', item.score, item.id)
      .hsetnx(k.queueItems(queue), item.id, itemBody(item))
      .exec();
    return replies?.[0]?.[1] === 1;
  }

  pop(account: string, queue: string, options: TakeOptions = {}): Promise<QueueItem | null> {
    return this.take(account, queue, options, true);
  }

  peek(account: string, queue: string, options: TakeOptions = {}): Promise<QueueItem | null> {
    return this.take(account, queue, options, false);
  }

  private async take(account: string, queue: string, options: TakeOptions, pop: boolean): Promise<QueueItem | null> {
    checkQueueName(queue);
    const k = this.keys.tenant(account);
    const names = takerNamesOf(options);
    const reply = (await this.scripts.run('queueTake', [k.queue(queue), k.queueItems(queue)], [names === null ? '' : JSON.stringify(names), pop ? 1 : 0, TAKE_BATCH])) as
      | [string, string, string]
      | null;
    return reply ? itemFrom(reply[0], Number(reply[1]), reply[2]) : null;
  }

  async remove(account: string, queue: string, id: string): Promise<boolean> {
    checkQueueName(queue);
    const k = this.keys.tenant(account);
    const replies = await this.client.multi().zrem(k.queue(queue), id).hdel(k.queueItems(queue), id).exec();
    return replies?.[0]?.[1] === 1;
  }

  async length(account: string, queue: string): Promise<number> {
    checkQueueName(queue);
    return this.client.zcard(this.keys.tenant(account).queue(queue));
  }

  async items(account: string, queue: string): Promise<QueueItem[]> {
    checkQueueName(queue);
    const k = this.keys.tenant(account);
    // One MULTI: a pop between the two reads would leave an id without its body.
    const replies = await this.client.multi().zrange(k.queue(queue), 0, -1, 'WITHSCORES').hgetall(k.queueItems(queue)).exec();
    const flat = (replies?.[0]?.[1] ?? []) as string[];
    const bodies = (replies?.[1]?.[1] ?? {}) as Record<string, string>;
    const items: QueueItem[] = [];
    for (let i = 0; i < flat.length; i += 2) items.push(itemFrom(flat[i]!, Number(flat[i + 1]), bodies[flat[i]!] ?? null));
    return items;
  }

  /** The connection belongs to the caller. */
  async close(): Promise<void> {}
}
