import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One registry per Ringside instance, so several instances in one test process never share counters.
 * `eventLoopSampleMs`: how often the event-loop delay is sampled (prom-client's default 10 ms is a
 * wake-up 100 times a second, which an idle desktop seat must not pay: docs/architecture.md, Idle).
 */
export function createMetrics(options: { eventLoopSampleMs?: number } = {}) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'ringside_', ...(options.eventLoopSampleMs ? { eventLoopMonitoringPrecision: options.eventLoopSampleMs } : {}) });
  return {
    registry,
    webhookRequests: new Counter({
      name: 'ringside_webhook_requests_total',
      help: 'Phone webhook requests by response status',
      labelNames: ['status'] as const,
      registers: [registry],
    }),
    webhookConnections: new Gauge({
      name: 'ringside_webhook_connections',
      help: 'Open phone webhook connections (those being answered and closed included)',
      registers: [registry],
    }),
    webhookConnectionsRefused: new Counter({
      name: 'ringside_webhook_connections_refused_total',
      help: 'New phone webhook connections answered 503 and closed because a connection cap was reached, by cap (per_address, total)',
      labelNames: ['limit'] as const,
      registers: [registry],
    }),
    webhookConnectionsReclaimed: new Counter({
      name: 'ringside_webhook_connections_reclaimed_total',
      help: 'Waiting phone webhook connections (idle, or no request yet) closed to make room for a new one at a connection cap, by cap',
      labelNames: ['limit'] as const,
      registers: [registry],
    }),
    eventsAccepted: new Counter({
      name: 'ringside_events_accepted_total',
      help: 'Call events made durable, by type',
      labelNames: ['type'] as const,
      registers: [registry],
    }),
    eventsHandled: new Counter({
      name: 'ringside_events_handled_total',
      help: 'Call events handled, by type and outcome',
      labelNames: ['type', 'outcome'] as const,
      registers: [registry],
    }),
    handlerSeconds: new Histogram({
      name: 'ringside_handler_seconds',
      help: 'Time to handle one call event',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1],
      registers: [registry],
    }),
    spoolDepth: new Gauge({
      name: 'ringside_spool_depth',
      help: 'Events durable and not yet handled',
      registers: [registry],
    }),
    outboxDepth: new Gauge({
      name: 'ringside_outbox_depth',
      help: 'Shared mode: events spooled here and not yet confirmed by RabbitMQ',
      registers: [registry],
    }),
    serviceUp: new Gauge({
      name: 'ringside_service_up',
      help: 'Shared services as this process sees them: 1 up, 0.5 degraded, 0 down (absent in embedded mode)',
      labelNames: ['service'] as const,
      registers: [registry],
    }),
    storageUp: new Gauge({
      name: 'ringside_storage_up',
      help: 'Whether the last write to a store succeeded: 1 yes, 0 no (disk full, read-only, I/O error); store: spool (spool.db) or database (call log, directory, state.db)',
      labelNames: ['store'] as const,
      registers: [registry],
    }),
    storageFailures: new Counter({
      name: 'ringside_storage_failures_total',
      help: 'Writes that failed, by store and reason (disk full, read-only, or the error code); each is retried',
      labelNames: ['store', 'reason'] as const,
      registers: [registry],
    }),
    wsConnections: new Gauge({
      name: 'ringside_ws_connections',
      help: 'Open agent WebSocket connections',
      registers: [registry],
    }),
    pushMessages: new Counter({
      name: 'ringside_push_messages_total',
      help: 'Messages pushed to agents, by type',
      labelNames: ['type'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
