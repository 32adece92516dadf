import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { maskedConfig } from '../app/config/loadConfig';
import type { RingsideConfig } from '../app/config/schema';
import { describeRedisTarget, redisTargetOf, usesRedis } from '../app/config/redisTopology';
import { logFileOf } from '../app/logging';
import { parseMac } from '../protocol/mac';
import { serviceTestBody } from '../protocol/rest';
import type { PhoneControlTest, SettingsView } from '../protocol/responses';
import { probeAmqpUrl, probeRedisUrl, type ServiceProbes } from '../app/serviceProbe';
import { codedHttpError, parseWith, readJson } from './http';
import { drive, phoneFor } from './phoneRoutes';
import type { ProvisioningRouteDeps } from './provisioningRoutes';
import { devicesFor } from './roles';
import type { Router } from './router';

/** What the settings screen reads besides the directory: the configuration and the live ports. */
export interface SettingsSources {
  config: RingsideConfig;
  /** The ports bound (a configured 0 picks a free one). */
  webhookPort: () => number;
  apiPort: () => number;
  probes: ServiceProbes;
}

/** GET /api/settings and POST /api/devices/:mac/control/test answer these (defined in src/protocol). */
export type { PhoneControlTest, SettingsView };

export interface SettingsRouteDeps extends ProvisioningRouteDeps {
  settings: SettingsSources;
}

async function optionalBody<T extends z.ZodType>(req: IncomingMessage, schema: T): Promise<z.infer<T>> {
  return req.headers['content-type'] === undefined ? parseWith(schema, {}) : readJson(req, schema);
}

/**
 * The settings screen (issue 5): what this Ringside runs with, never a secret; an active check of
 * Redis and RabbitMQ (admin); a login to a phone with its saved control settings.
 */
export function addSettingsRoutes(router: Router, deps: SettingsRouteDeps): void {
  const { directory, auth, phones, settings } = deps;

  router.on('GET', '/api/settings', async ({ req }): Promise<SettingsView> => {
    const principal = await auth.require(req, 'any');
    const { config } = settings;
    // `ringside config`'s masking: user:password@ in a URL becomes user:***@.
    const masked = maskedConfig(config) as { redis: { url: string }; amqp: { url: string } };
    const devices = await directory.listDevices(principal.account);
    return {
      webhook: { host: config.webhook.host, port: settings.webhookPort(), publicHost: deps.actionUrls().publicHost.host },
      api: { host: config.api.host, port: settings.apiPort() },
      // Sentinel and Cluster are shown as sentinel://<master>@host:port,… and cluster://host:port,… (no password in either).
      redis: usesRedis(config)
        ? { url: config.redis.url !== undefined ? masked.redis.url : describeRedisTarget(redisTargetOf(config)!), callsDb: config.redis.callsDb, cacheDb: config.redis.cacheDb, keyPrefix: config.redis.keyPrefix }
        : null,
      amqp: config.amqp.url
        ? { url: masked.amqp.url, exchange: config.amqp.exchange, queue: config.amqp.queue, shards: config.amqp.shards }
        : null,
      // The caller's own phones as GET /api/devices shows them (roles.ts devicesFor: an agent never sees the control address or user name); the admin: all.
      phones: devicesFor(principal, devices),
      seatAgent: usesRedis(config) ? null : config.agent,
      // Where IT finds the log (docs/architecture.md, Logs): a path on this machine, the admin's business only.
      ...(principal.kind === 'admin' ? { logFile: logFileOf(config) } : {}),
    };
  });

  for (const service of ['redis', 'rabbitmq'] as const) {
    const schema = serviceTestBody(service);
    router.on('POST', `/api/services/${service}/test`, async ({ req }) => {
      await auth.require(req, 'admin');
      const body = await optionalBody(req, schema);
      if (body.url !== undefined) return service === 'redis' ? probeRedisUrl(body.url) : probeAmqpUrl(body.url);
      return settings.probes[service]();
    });
  }

  // Logs in to the phone with its saved control settings and reads its status: the agent's own phone, or any for the admin.
  router.on('POST', '/api/devices/:mac/control/test', async ({ req, params }) => {
    const principal = await auth.require(req, 'any');
    const mac = parseMac(params.mac!);
    if (mac === null) throw codedHttpError(400, 'invalid_mac', 'a MAC address has 12 hex digits');
    const phone = await phoneFor(directory, principal, mac);
    return drive(phones, phone, async (client): Promise<PhoneControlTest> => {
      const phoneStatus = await client.phoneStatus();
      return { ok: true, mac: phone.mac, phoneStatus, loginForm: client.loginForm };
    });
  });
}
