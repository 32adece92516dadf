import { ScriptRunner, type RedisClient } from './scripts';
import type { Logger } from '../../shared/logger';
import { settlesWithin } from '../../shared/settlesWithin';
import type { PushConnection, PushHub, ServerMessage } from '../../domain/push/PushHub';
import type { PushRedisKeys } from './keys';

const CLOSE_WAIT_MS = 1_000;

interface Envelope {
  /** null: every connection of the account; otherwise these agents (and supervisors). */
  agents: string[] | null;
  message: ServerMessage;
}

export interface RedisPushHubOptions {
  /** Commands (publish, the connections hash). */
  redis: RedisClient;
  /** A connection of its own: once subscribed, a Redis connection can do nothing else. */
  subscriber: RedisClient;
  keys: PushRedisKeys;
  /** This process's id; a node ignores its own messages coming back from Redis (it delivered them already). */
  node: string;
  logger: Logger;
  /** Delivers to this process's own connections (src/adapters/memory/InProcessPushHub.ts), counting what it sends. */
  local: PushHub;
}

/**
 * Push across processes (docs/redis.md, Push across processes; the second seed's WebSocket routing): a message is delivered at
 * once to this node's own connections, and published on the account's channel for the agents
 * whose WebSocket is on another node. Pub/sub is fire-and-forget by design: a UI that was not
 * reachable re-reads the calls over REST when it reconnects, and nothing in the call log depends
 * on a push having arrived.
 */
export class RedisPushHub implements PushHub {
  private readonly local: PushHub;
  private readonly scripts: ScriptRunner;
  /** Resolves once the node is subscribed: from then on nothing another node publishes is missed. */
  readonly subscribed: Promise<void>;
  private readonly onMessage = (_pattern: string, _channel: string, payload: string) => this.receive(payload);
  /** Envelopes of this turn not yet published, by channel (each account's in the order sent). */
  private unpublished = new Map<string, string[]>();
  private publishing: NodeJS.Immediate | null = null;
  /**
   * What this node's payloads start with. An account's channel carries the publishing node's id
   * and a newline, then the JSON array of the envelopes it published in one turn of its event
   * loop: a node skips its own payloads by the prefix, without parsing them. (Before: one JSON
   * envelope per message, its node inside; still read.)
   */
  private readonly ownPrefix: string;

  private constructor(private readonly options: RedisPushHubOptions) {
    this.local = options.local;
    this.ownPrefix = `${options.node}\n`;
    this.scripts = new ScriptRunner(options.redis);
    options.subscriber.on('pmessage', this.onMessage);
    // Not awaited by start(): with Redis down at start-up this process must still take calls;
    // ioredis subscribes again on every reconnect.
    this.subscribed = options.subscriber.psubscribe(options.keys.pushChannelPattern).then(() => undefined);
    this.subscribed.catch((err: unknown) => options.logger.warn({ err }, 'push: subscribing to the push channels failed'));
  }

  /** Starts at once; await `subscribed` where missing another node's pushes would matter. */
  static start(options: RedisPushHubOptions): RedisPushHub {
    return new RedisPushHub(options);
  }

  register(connection: PushConnection): () => void {
    const unregister = this.local.register(connection);
    const field = `${this.options.node}:${connection.id}`;
    const entry = JSON.stringify({ account: connection.account, agent: connection.agent, node: this.options.node, since: Date.now() });
    this.track(this.options.redis.hset(this.options.keys.connections, field, entry));
    return () => {
      unregister();
      this.track(this.options.redis.hdel(this.options.keys.connections, field));
    };
  }

  toAgents(account: string, agents: Iterable<string>, message: ServerMessage): void {
    const list = [...agents];
    this.local.toAgents(account, list, message);
    this.broadcast(account, { agents: list, message });
  }

  toAccount(account: string, message: ServerMessage): void {
    this.local.toAccount(account, message);
    this.broadcast(account, { agents: null, message });
  }

  toLocalConnections(account: string, message: ServerMessage): void {
    this.local.toAccount(account, message);
  }

  connectionCount(): number {
    return this.local.connectionCount();
  }

  /** Stops listening and forgets this node's connections in the shared hash. */
  async close(): Promise<void> {
    // This turn's pushes still go out (their commands are queued before the connection closes).
    if (this.publishing !== null) {
      clearImmediate(this.publishing);
      this.publishTurn();
    }
    this.options.subscriber.off('pmessage', this.onMessage);
    // With Redis away these would wait for it: closing is best effort and bounded, and skipped
    // while a connection is not up (the caller disconnects it next; Redis drops its subscriptions).
    if (this.options.subscriber.status === 'ready') {
      await settlesWithin(this.options.subscriber.punsubscribe(this.options.keys.pushChannelPattern), CLOSE_WAIT_MS);
    }
    if (this.options.redis.status === 'ready') await settlesWithin(this.forgetConnections(), CLOSE_WAIT_MS);
  }

  private async forgetConnections(): Promise<void> {
    const mine = (await this.options.redis.hkeys(this.options.keys.connections)).filter((field) => field.startsWith(`${this.options.node}:`));
    if (mine.length > 0) await this.options.redis.hdel(this.options.keys.connections, ...mine);
  }

  /**
   * The envelopes of one turn go out together, one publish per account: a publish was a Redis
   * round trip per push, about one per call event (issue 15). Local connections have theirs already.
   */
  private broadcast(account: string, envelope: Envelope): void {
    const channel = this.options.keys.pushChannel(account);
    const json = JSON.stringify(envelope);
    const waiting = this.unpublished.get(channel);
    if (waiting) waiting.push(json);
    else this.unpublished.set(channel, [json]);
    this.publishing ??= setImmediate(() => this.publishTurn());
  }

  private publishTurn(): void {
    this.publishing = null;
    const turn = this.unpublished;
    this.unpublished = new Map();
    for (const [channel, envelopes] of turn) {
      // A script keyed by the channel: on a Cluster, an account's pushes all go through its slot's node, in order (lua/pushPublish-1.lua).
      this.track(this.scripts.run('pushPublish', [channel], [`${this.ownPrefix}[${envelopes.join(',')}]`]));
    }
  }

  private receive(payload: string): void {
    if (payload.startsWith(this.ownPrefix)) return;
    const newline = payload.indexOf('\n');
    let envelopes: Envelope[];
    try {
      envelopes = newline >= 0 ? (JSON.parse(payload.slice(newline + 1)) as Envelope[]) : this.legacyEnvelopes(payload);
    } catch {
      this.options.logger.warn('push: unreadable message on the push channel ignored');
      return;
    }
    for (const { agents, message } of envelopes) {
      if (agents === null) this.local.toAccount(message.account, message);
      else this.local.toAgents(message.account, agents, message);
    }
  }

  /** A message of a node still on the earlier format (one envelope, its node inside; none for this node's own). */
  private legacyEnvelopes(payload: string): Envelope[] {
    const envelope = JSON.parse(payload) as Envelope & { node: string };
    return envelope.node === this.options.node ? [] : [envelope];
  }

  /** Pushes never wait for Redis; a failure is logged (the UI recovers over REST). */
  private track(command: Promise<unknown>): void {
    command.catch((err: unknown) => this.options.logger.warn({ err }, 'push: Redis command failed'));
  }
}
