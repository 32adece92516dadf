/**
 * How a shared service looks from this process (SPEC 9 "reported in health and the UI"):
 * - embedded: not configured, the embedded adapter is in use;
 * - up: connected and keeping up;
 * - degraded: connected but behind (RabbitMQ: the outbox holds a backlog it is still forwarding);
 * - down: not reachable now; Ringside keeps accepting calls and catches up when it returns.
 */
export type ServiceHealth = 'embedded' | 'up' | 'degraded' | 'down';

export const SERVICE_HEALTH_GAUGE: Record<Exclude<ServiceHealth, 'embedded'>, number> = { up: 1, degraded: 0.5, down: 0 };

/** ioredis's connection status as a health value. */
export function redisHealth(status: string): ServiceHealth {
  return status === 'ready' ? 'up' : 'down';
}

/** Outbox backlog beyond which RabbitMQ counts as degraded while connected. */
export const OUTBOX_DEGRADED_DEPTH = 1_000;

export function rabbitHealth(connected: boolean, outboxDepth: number): ServiceHealth {
  if (!connected) return 'down';
  return outboxDepth >= OUTBOX_DEGRADED_DEPTH ? 'degraded' : 'up';
}
