import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import type { Directory, DeviceControlSettings } from '../domain/directory/Directory';
import { DirectoryError } from '../domain/directory/errors';
import type { GrandstreamPhoneClient } from '../adapters/phone/GrandstreamPhoneClient';
import { PhoneError, type PhoneErrorCode } from '../domain/phone/errors';
import type { PhoneRegistry } from '../adapters/phone/PhoneRegistry';
import { parseMac } from '../protocol/mac';
import type { CallbackDial } from '../protocol/responses';
import type { Authenticator, Principal } from './auth';
import { codedHttpError, HttpError, parseWith, readJson } from './http';
import type { Router } from './router';
import * as s from '../protocol/rest';

export interface PhoneRouteDeps {
  directory: Directory;
  auth: Authenticator;
  phones: PhoneRegistry;
}

/**
 * HTTP answers for the phone's failures (docs/agent-api.md, Driving the phone). Ringside acts as a gateway to the phone, so a
 * phone that is away or answers nonsense is a 502 and one that is too slow a 504; a phone that
 * would not run the command in its present state (pop-up confirmation on, nothing to answer) a
 * 409; a web login Ringside stopped trying, or the phone locked, a 423 (saving the phone's
 * control settings again resets Ringside's pause).
 */
export const PHONE_ERROR_STATUS: Readonly<Record<PhoneErrorCode, number>> = {
  phone_unreachable: 502,
  phone_bad_answer: 502,
  phone_bad_credentials: 502,
  phone_timeout: 504,
  phone_needs_confirmation: 409,
  phone_refused: 409,
  phone_login_paused: 423,
  phone_locked: 423,
  phone_unsupported: 501,
};

export function phoneHttpError(error: PhoneError, mac: string): HttpError {
  return codedHttpError(PHONE_ERROR_STATUS[error.code], error.code, error.message, { mac });
}

/** A phone the settings allow Ringside to drive: an address and a password. */
export type DrivablePhone = DeviceControlSettings & { host: string; password: string };

/** Why a phone cannot be driven yet, or null when it can. */
export function notDrivable(settings: DeviceControlSettings): string | null {
  if (settings.host === null) return `phone ${settings.mac} has reported no address yet and none is set; set one with PUT /api/devices/${settings.mac}/control`;
  if (settings.password === null) return `phone ${settings.mac} has no control password; set it with PUT /api/devices/${settings.mac}/control`;
  return null;
}

function drivable(settings: DeviceControlSettings): DrivablePhone {
  const why = notDrivable(settings);
  if (why !== null) throw codedHttpError(409, 'phone_not_configured', why, { mac: settings.mac });
  return settings as DrivablePhone;
}

function macOrThrow(raw: string): string {
  const mac = parseMac(raw);
  if (mac === null) throw codedHttpError(400, 'invalid_mac', 'a MAC address has 12 hex digits');
  return mac;
}

/**
 * The phone a request may drive. An agent's session: one of its own phones (the only one, or the
 * one `mac` names); another agent's phone is a 403 whether or not it exists. The admin token:
 * the phone `mac` names.
 */
export async function phoneFor(directory: Directory, principal: Principal, mac: string | undefined): Promise<DrivablePhone> {
  const { account } = principal;
  if (principal.kind === 'admin') {
    if (mac === undefined) throw codedHttpError(400, 'mac_required', 'with the admin token, name the phone: mac');
    const settings = await directory.deviceControl(account, mac);
    if (!settings) throw codedHttpError(404, 'unknown_device', `no device ${mac} in this account`);
    return drivable(settings);
  }
  const own = (await directory.getAgent(account, principal.agent))?.devices ?? [];
  if (mac !== undefined && !own.includes(mac)) throw codedHttpError(403, 'not_your_phone', `phone ${mac} is not one of ${principal.agent}'s phones`);
  if (mac === undefined && own.length === 0) throw codedHttpError(404, 'no_phone', `${principal.agent} has no phone bound`);
  if (mac === undefined && own.length > 1) throw codedHttpError(400, 'mac_required', `${principal.agent} has several phones (${own.join(', ')}); name one: mac`);
  const settings = await directory.deviceControl(account, mac ?? own[0]!);
  if (!settings) throw codedHttpError(404, 'no_phone', `${principal.agent} has no phone bound`);
  return drivable(settings);
}

/** Runs one command on the phone through its shared client; PhoneErrors become their HTTP answers. */
export async function drive<T>(phones: PhoneRegistry, phone: DrivablePhone, work: (client: GrandstreamPhoneClient) => Promise<T>): Promise<T> {
  try {
    return await work(phones.clientFor(phone));
  } catch (error) {
    if (error instanceof PhoneError) throw phoneHttpError(error, phone.mac);
    throw error;
  }
}

/** The call-back's dial: what the answer of POST /api/missed/:id/callback says under `dial` (defined in src/protocol). */
export type { CallbackDial };

/**
 * Dials `number` through the agent's phone: the one `mac` names (it must be the agent's own), or
 * the agent's first phone (by MAC) that has control settings. Never throws for the phone's own
 * failures: the call-back's ownership is already taken, so the answer reports them instead.
 */
export async function dialForCallback(deps: PhoneRouteDeps, account: string, agent: string, number: string, mac: string | undefined): Promise<CallbackDial> {
  const own = (await deps.directory.getAgent(account, agent))?.devices ?? [];
  if (mac !== undefined && !own.includes(mac)) throw codedHttpError(403, 'not_your_phone', `phone ${mac} is not one of ${agent}'s phones`);
  const candidates = mac !== undefined ? [mac] : own;
  let firstReason: string | null = null;
  for (const candidate of candidates) {
    const settings = await deps.directory.deviceControl(account, candidate);
    if (!settings) continue;
    const why = notDrivable(settings);
    if (why !== null) {
      firstReason ??= why;
      continue;
    }
    const phone = settings as DrivablePhone;
    try {
      await deps.phones.clientFor(phone).dial(number);
      return { status: 'dialling', mac: phone.mac, number };
    } catch (error) {
      if (!(error instanceof PhoneError)) throw error;
      return { status: 'failed', mac: phone.mac, number, error: error.code, reason: error.message, httpStatus: PHONE_ERROR_STATUS[error.code] };
    }
  }
  return { status: 'unavailable', reason: firstReason ?? `${agent} has no phone bound; dial ${number} by hand` };
}

/** An optional JSON body: a request without a Content-Type reads as `{}`. */
async function optionalJson<T extends z.ZodType>(req: IncomingMessage, schema: T): Promise<z.infer<T>> {
  return req.headers['content-type'] === undefined ? parseWith(schema, {}) : readJson(req, schema);
}

export function addPhoneRoutes(router: Router, deps: PhoneRouteDeps): void {
  const { directory, auth, phones } = deps;

  router.on('PUT', '/api/devices/:mac/control', async ({ req, params }) => {
    const { account } = await auth.require(req, 'admin');
    const mac = macOrThrow(params.mac!);
    const body = await readJson(req, s.deviceControlBody);
    try {
      // The settings' save counter moves on: the next command starts a fresh client (new login guard).
      return await directory.setDeviceControl(account, mac, body);
    } catch (error) {
      if (error instanceof DirectoryError && error.code === 'unknown_device') throw codedHttpError(404, 'unknown_device', error.message);
      if (error instanceof DirectoryError) throw codedHttpError(400, error.code, error.message);
      throw error;
    }
  });

  router.on('POST', '/api/phone/dial', async ({ req }) => {
    const principal = await auth.require(req, 'any');
    const body = await readJson(req, s.phoneDialBody);
    const phone = await phoneFor(directory, principal, body.mac);
    await drive(phones, phone, (client) => client.dial(body.number, body.account));
    return { ok: true, action: 'dial', mac: phone.mac, number: body.number };
  });

  const operations = { answer: (c: GrandstreamPhoneClient) => c.accept(), hangup: (c: GrandstreamPhoneClient) => c.end(), hold: (c: GrandstreamPhoneClient) => c.hold() };
  for (const [action, run] of Object.entries(operations)) {
    router.on('POST', `/api/phone/${action}`, async ({ req }) => {
      const principal = await auth.require(req, 'any');
      const body = await optionalJson(req, s.phoneActionBody);
      const phone = await phoneFor(directory, principal, body.mac);
      await drive(phones, phone, run);
      return { ok: true, action, mac: phone.mac };
    });
  }
}
