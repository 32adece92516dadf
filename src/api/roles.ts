import { audienceOf } from '../domain/calllog/audience';
import type { CallAudience } from '../domain/calllog/CallLog';
import type { Contact, Device, Directory } from '../domain/directory/Directory';
import type { DeviceView } from '../protocol/responses';
import type { Principal } from './auth';
import { codedHttpError } from './http';

/**
 * Whether a token sees the whole account (every call, missed call and figure): the admin token,
 * and an agent marked `supervisor` in the directory. Read per request, so a change of role
 * applies to open sessions at once.
 */
export async function seesTeam(directory: Directory, principal: Principal): Promise<boolean> {
  if (principal.kind === 'admin') return true;
  return (await directory.getAgent(principal.account, principal.agent))?.supervisor ?? false;
}

/**
 * The `agent` filter GET /api/stats runs with. Supervisors and the admin: the one named, or
 * everyone (undefined). Any other agent: only themselves; naming someone else is a 403.
 */
export async function statsAgentFor(directory: Directory, principal: Principal, named: string | undefined): Promise<string | undefined> {
  if (principal.kind === 'admin' || (await seesTeam(directory, principal))) return named;
  const self = principal.agent;
  if (named !== undefined && named !== self) {
    throw codedHttpError(403, 'not_your_figures', `only a supervisor sees another agent's figures; ${self} sees their own`);
  }
  return self;
}

/**
 * Whose calls a token reads (docs/agent-api.md, Who sees what): null for the whole account (the
 * admin, supervisors), otherwise the agent's own and their helplines' (CallAudience). The call
 * log applies it in its queries; membership is read per request.
 */
export async function callAudienceFor(directory: Directory, principal: Principal): Promise<CallAudience | null> {
  if (principal.kind === 'admin' || (await seesTeam(directory, principal))) return null;
  return audienceOf(directory, principal.account, principal.agent);
}

/**
 * The phones a token is shown (GET /api/devices, GET /api/settings `phones`): the admin, every
 * phone with its control settings (never the password); an agent (supervisors too), only their
 * own, without the address it reported, the control address, port or user name (admin only):
 * whether a password is set and whether Ringside can drive it.
 */
export function devicesFor(principal: Principal, devices: readonly Device[]): DeviceView[] {
  if (principal.kind === 'admin') return [...devices];
  return devices.filter((d) => d.agent === principal.agent).map(({ ip: _ip, control, ...device }) => ({
    ...device,
    ip: null,
    control: { withheld: true, passwordSet: control.passwordSet, ready: control.passwordSet && control.host !== null },
  }));
}

/** The shortest `q` an agent token searches contacts with: a look-up, not a way to list them all. */
export const MIN_AGENT_CONTACT_QUERY = 2;

/**
 * Contacts as an agent's search shows them (GET /api/contacts, not a supervisor): number, name,
 * company and CRM link to call someone back, without the notes, which an agent sees on the caller
 * card of their own calls (the popup, GET /api/calls).
 */
export function contactsFor(contacts: readonly Contact[]): Contact[] {
  return contacts.map((c) => ({ ...c, notes: null }));
}

/**
 * Whether an agent administers the account (src/api/auth.ts require 'admin'): marked `admin` in
 * the directory, or, on a single seat (`seatAgent`: config.agent in embedded mode, null in shared
 * mode), the seat's own agent, who administers their own seat. Read per request.
 */
export async function isAdminAgent(directory: Directory, seatAgent: string | null, account: string, agent: string): Promise<boolean> {
  if (seatAgent !== null && agent === seatAgent) return true;
  return (await directory.getAgent(account, agent))?.admin ?? false;
}
