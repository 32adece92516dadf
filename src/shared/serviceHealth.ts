/**
 * How a configured shared service looks from this process: the values of ServiceHealth
 * (src/protocol/views.ts, where each is explained) other than `embedded` (not configured).
 */
export type ConfiguredServiceHealth = 'up' | 'degraded' | 'down';

export const SERVICE_HEALTH_GAUGE: Record<ConfiguredServiceHealth, number> = { up: 1, degraded: 0.5, down: 0 };

/** ioredis's connection status as a health value. */
export function redisHealth(status: string): ConfiguredServiceHealth {
  return status === 'ready' ? 'up' : 'down';
}

/** Outbox backlog beyond which RabbitMQ counts as degraded while connected. */
export const OUTBOX_DEGRADED_DEPTH = 1_000;

export function rabbitHealth(connected: boolean, outboxDepth: number): ConfiguredServiceHealth {
  if (!connected) return 'down';
  return outboxDepth >= OUTBOX_DEGRADED_DEPTH ? 'degraded' : 'up';
}
