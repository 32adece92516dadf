import { connect as amqpConnect, type ChannelModel } from 'amqplib';
import { Redis } from 'ioredis';
import { performance } from 'node:perf_hooks';
import type { ServiceProbe } from '../protocol/responses';
import type { RedisClient } from '../adapters/redis/scripts';

/**
 * An active check of a shared service, for the settings screen's Test buttons (serviceHealth.ts
 * says how the service looks; this asks it now): a Redis PING, or a RabbitMQ channel opened and
 * the exchange checked. The answer's shape is the agent API's (src/protocol).
 */
export type { ServiceProbe };

/** The probes of this process's own connections (adapters.ts). */
export interface ServiceProbes {
  redis(): Promise<ServiceProbe>;
  rabbitmq(): Promise<ServiceProbe>;
  /** The call history's database (stores.ts probe): PostgreSQL, or `embedded` for a SQLite file. */
  database(): Promise<ServiceProbe>;
}

/** How long a Test button waits for an answer. */
export const PROBE_TIMEOUT_MS = 3_000;

export const EMBEDDED_PROBE: ServiceProbe = { ok: false, state: 'embedded' };

class ProbeTimeout extends Error {}

async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeTimeout(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The message of a failed check with the URL and its credentials taken out. */
export function scrubbed(error: unknown, url?: string): string {
  let message = error instanceof Error ? error.message : String(error);
  if (url) {
    const secrets = [url];
    try {
      const parsed = new URL(url);
      if (parsed.password) secrets.push(parsed.password, decodeURIComponent(parsed.password));
    } catch {
      // Not a URL: only the whole text is taken out.
    }
    for (const secret of secrets.filter((s) => s.length > 0).sort((a, b) => b.length - a.length)) message = message.split(secret).join('***');
  }
  return message.slice(0, 300);
}

/** Runs `check` with a timeout and times it: ok with the latency, or the reason it failed. */
export async function timedProbe(check: () => Promise<unknown>, options: { what: string; timeoutMs?: number; url?: string }): Promise<ServiceProbe> {
  const started = performance.now();
  try {
    await withTimeout(check(), options.timeoutMs ?? PROBE_TIMEOUT_MS, options.what);
    return { ok: true, state: 'up', latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch (error) {
    return { ok: false, state: 'down', error: scrubbed(error, options.url) };
  }
}

/**
 * PING on a connection the process already holds. One that is not connected fails at once: the
 * call-state connection queues commands through an outage, so a PING would wait for its end.
 */
export async function probeRedisClient(client: RedisClient, timeoutMs = PROBE_TIMEOUT_MS): Promise<ServiceProbe> {
  if (client.status !== 'ready') return { ok: false, state: 'down', error: `Redis is not connected (${client.status})` };
  return timedProbe(() => client.ping(), { what: 'Redis', timeoutMs });
}

/** Connects to `url`, PINGs and disconnects: for a URL that is not the one in use. */
export async function probeRedisUrl(url: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<ServiceProbe> {
  const client = new Redis(url, {
    lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, enableOfflineQueue: false,
    retryStrategy: () => null, connectionName: 'ringside-settings-test',
  });
  // Without a listener ioredis prints connection errors as unhandled.
  client.on('error', () => undefined);
  try {
    return await timedProbe(async () => {
      await client.connect();
      await client.ping();
    }, { what: 'Redis', timeoutMs, url });
  } finally {
    client.disconnect();
  }
}

/** Connects to `url`, opens a channel and closes the connection: for a URL that is not the one in use. */
export async function probeAmqpUrl(url: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<ServiceProbe> {
  let model: ChannelModel | null = null;
  let abandoned = false;
  const opening = (async () => {
    const opened = await amqpConnect(url, { timeout: timeoutMs });
    opened.on('error', () => undefined);
    // A connection that arrives after the timeout is closed at once.
    if (abandoned) {
      await opened.close().catch(() => undefined);
      throw new ProbeTimeout('RabbitMQ answered too late');
    }
    model = opened;
    const channel = await opened.createChannel();
    await channel.close();
  })();
  opening.catch(() => undefined);
  try {
    return await timedProbe(() => opening, { what: 'RabbitMQ', timeoutMs, url });
  } finally {
    abandoned = true;
    const open = model as ChannelModel | null;
    if (open) await open.close().catch(() => undefined);
  }
}
