import type { CallEvent } from '../events/CallEvent';
import type { Directory } from '../directory/Directory';
import type { Line } from '../calllog/CallLog';
import type { PresenceService } from '../presence/PresenceService';

export interface RoutingConfig {
  /** The seat's own agent: owner of any phone not bound in the directory (single-seat mode). */
  seatAgent: string | null;
}

/** The device a leg is on: its MAC, or its address for phones that send none. */
export function deviceKey(event: CallEvent): string {
  return event.device.mac ?? `ip:${event.device.ip ?? 'unknown'}`;
}

/**
 * Who sits at this phone: the bound agent, else the agent whose extension is the active line, else the seat agent.
 * Zero-typing pairing (single seat): a phone nobody owns that comes to the seat's agent is bound to
 * it by this first event, so the directory (and the UI's setup) shows that the seat's phone has
 * reported. In shared mode (no seat agent) an unbound phone stays unbound.
 */
export async function agentOfDevice(directory: Directory, config: RoutingConfig, event: CallEvent): Promise<string | null> {
  if (event.device.mac) {
    const owner = await directory.deviceOwner(event.account, event.device.mac);
    if (owner) return owner;
  }
  const line = event.activeUser || event.local;
  let agent = config.seatAgent;
  if (line) {
    const byExtension = await directory.agentByExtension(event.account, line);
    if (byExtension) agent = byExtension.id;
  }
  if (agent !== null && agent === config.seatAgent && event.device.mac) {
    return directory.claimDevice(event.account, event.device.mac, agent);
  }
  return agent;
}

export interface Route {
  line: Line;
  helpline: string | null;
  targets: string[];
}

/**
 * docs/call-lifecycle.md, Routing: an agent's extension rings that agent only; a helpline rings its available agents
 * who are not on a call; otherwise (or when nobody on the helpline is free) the phone's owner.
 */
export async function routeIncoming(
  deps: { directory: Directory; presence: PresenceService },
  event: CallEvent,
  deviceAgent: string | null,
): Promise<Route> {
  const { directory, presence } = deps;
  const account = event.account;
  const fallback = deviceAgent ? [deviceAgent] : [];
  if (event.local) {
    const direct = await directory.agentByExtension(account, event.local);
    if (direct) return { line: 'direct', helpline: null, targets: [direct.id] };
    const helpline = await directory.helplineByNumber(account, event.local);
    if (helpline) {
      const members = helpline.agents ?? (await directory.listAgents(account)).map((a) => a.id);
      const available = await presence.availableAgents(account);
      const free = members.filter((agent) => available.has(agent));
      return { line: 'helpline', helpline: helpline.number, targets: free.length > 0 ? free : fallback };
    }
  }
  return { line: 'direct', helpline: null, targets: fallback };
}
