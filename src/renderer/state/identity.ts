// Who is signed in. The agent API has no "who am I" endpoint yet, so the UI works it out from what
// it is given: the `health` message lists the session's own phones, and GET /api/agents each
// agent's phones. Exactly one agent with exactly those phones is this session's agent; anything
// else (no phones, an admin token that sees every phone) leaves it unknown, and the screens then
// show the team view instead of guessing.
import type { Agent, PhoneHealthEntry } from '../api/types';

export function inferAgent(phones: readonly PhoneHealthEntry[] | undefined, agents: readonly Pick<Agent, 'id' | 'devices'>[]): string | null {
  if (!phones || phones.length === 0) return null;
  const mine = new Set(phones.map((p) => p.mac));
  const matches = agents.filter((a) => a.devices.length === mine.size && a.devices.every((mac) => mine.has(mac)));
  return matches.length === 1 ? matches[0]!.id : null;
}

/** The agent's display name, or its id when the directory has no name (or is not loaded yet). */
export function agentName(agents: readonly Pick<Agent, 'id' | 'name'>[], id: string | null): string | null {
  if (id === null) return null;
  return agents.find((a) => a.id === id)?.name ?? id;
}
