import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import type { RingsideConfig } from '../app/config/schema';
import { usesRedis } from '../app/config/redisTopology';
import { logFileOf } from '../app/logging';
import { parseMac } from '../protocol/mac';
import { databaseTestBody, serviceTestBody } from '../protocol/rest';
import type { PhoneControlTest, SettingsView } from '../protocol/responses';
import { probeAmqpUrl, probeRedisUrl, type ServiceProbes } from '../app/serviceProbe';
import { codedHttpError, parseWith, readJson } from './http';
import { drive, phoneFor } from './phoneRoutes';
import type { ProvisioningRouteDeps } from './provisioningRoutes';
import { devicesFor } from './roles';
import type { Router } from './router';
import { amqpSetting, databaseSetting, redisSetting } from './settingsView';

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
 * Redis, RabbitMQ and the database (admin); a login to a phone with its saved control settings.
 */
export function addSettingsRoutes(router: Router, deps: SettingsRouteDeps): void {
  const { directory, auth, phones, settings } = deps;

  router.on('GET', '/api/settings', async ({ req }): Promise<SettingsView> => {
    const principal = await auth.require(req, 'any');
    const { config } = settings;
    // Whoever administers Ringside (the admin token, an agent marked admin, a single seat's own agent) opens the console's System section.
    const admin = await auth.isAdminAgent(principal);
    const viewer = admin ? { kind: 'admin' as const, account: principal.account } : principal;
    const devices = await directory.listDevices(principal.account);
    return {
      webhook: { host: config.webhook.host, port: settings.webhookPort(), publicHost: deps.actionUrls().publicHost.host },
      api: { host: config.api.host, port: settings.apiPort() },
      // Passwords masked as `ringside config` masks them; hosts and paths for the admin only (settingsView.ts).
      redis: redisSetting(config, admin),
      amqp: amqpSetting(config, admin),
      // The caller's own phones as GET /api/devices shows them (roles.ts devicesFor: an agent never sees the control address or user name); the admin: all.
      phones: devicesFor(viewer, devices),
      seatAgent: usesRedis(config) ? null : config.agent,
      // Where IT finds the log (docs/architecture.md, Logs) and the data: a path on this machine or a server, the admin's business only.
      ...(admin ? { logFile: logFileOf(config), database: databaseSetting(config) } : {}),
    };
  });

  // The database in use only: a URL to try would let the console reach any host's PostgreSQL.
  router.on('POST', '/api/services/database/test', async ({ req }) => {
    await auth.require(req, 'admin');
    await optionalBody(req, databaseTestBody);
    return settings.probes.database();
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
