import type { Agent, SettingsView } from '../../src/protocol/responses';
import type { AdminApi } from './AdminApi';
import type { SimAgent } from './cast';

/**
 * The simulated phone of an agent already in the directory (the seat's own, or `--agent`): so the
 * link `npm start` prints, signed in as that agent, shows the simulated calls. The MAC is the
 * agent's own phone when one is bound (the call then comes "from" it, as a real one would), else
 * this simulated one, which Ringside pairs with the seat's agent on its first event as it would a
 * real phone nobody had bound yet. Its address is from TEST-NET-1, as the other simulated phones'.
 */
export const SEAT_PHONE_MAC = '00:0B:82:5E:00:00';
/** The simulated phone's own number when the agent has no extension: no agent's or helpline's. */
export const SEAT_PHONE_NUMBER = '8199';

export class UnknownAgentError extends Error {}

/** The agent the seat's scenarios ring: `--agent`, else the seat's own agent of a single-seat Ringside; null in shared mode. */
export async function seatTarget(api: AdminApi, chosen: string | null): Promise<SimAgent | null> {
  const id = chosen ?? (await api.request<SettingsView>('GET', '/api/settings')).seatAgent ?? null;
  if (id === null) return null;
  const { items } = await api.request<{ items: Agent[] }>('GET', '/api/agents');
  const agent = items.find((a) => a.id === id);
  if (!agent) throw new UnknownAgentError(`Ringside has no agent '${id}' (its agents: ${items.map((a) => a.id).join(', ') || 'none'})`);
  return simAgentOf(agent);
}

export function simAgentOf(agent: Agent): SimAgent {
  const mac = agent.devices[0] ?? SEAT_PHONE_MAC;
  return {
    id: agent.id,
    name: agent.name,
    inDirectory: true,
    phone: {
      name: `${agent.name}'s phone${agent.devices[0] ? '' : ' (simulated)'}`,
      mac: formatMac(mac),
      ip: '192.0.2.100',
      extension: agent.extension ?? SEAT_PHONE_NUMBER,
      model: 'GXP2170',
      firmware: '1.0.11.23',
    },
  };
}

function formatMac(mac: string): string {
  const hex = mac.replace(/[^0-9a-f]/gi, '').toUpperCase();
  return hex.length === 12 ? hex.match(/../g)!.join(':') : mac;
}
