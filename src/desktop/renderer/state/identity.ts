// Who is signed in. GET /api/session says so where the server has it. An older server without it
// leaves the UI to work it out from what it is given: the `health` message lists the session's own
// phones, and GET /api/agents each agent's phones. Exactly one agent with exactly those phones is
// this session's agent; anything else (no phones, an admin token that sees every phone) leaves it
// unknown, and the screens then show the team view instead of guessing.
import type { Agent, PhoneHealthEntry, SessionInfo } from '../api/types';

/**
 * This session's agent: the server's word when GET /api/session answered (null for the admin
 * token), else the guess from the phones.
 */
export function identify(session: SessionInfo | null, phones: readonly PhoneHealthEntry[] | undefined, agents: readonly Pick<Agent, 'id' | 'devices'>[]): string | null {
  if (session !== null) return session.kind === 'agent' ? session.agent : null;
  return inferAgent(phones, agents);
}

/** The answer of GET /api/session, checked; null when it is not one (then the UI guesses). */
export function toSessionInfo(raw: unknown): SessionInfo | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Record<string, unknown>;
  if (r.kind !== 'agent' && r.kind !== 'admin') return null;
  const agent = typeof r.agent === 'string' && r.agent !== '' ? r.agent : null;
  if (r.kind === 'agent' && agent === null) return null;
  return {
    account: typeof r.account === 'string' ? r.account : '',
    agent,
    name: typeof r.name === 'string' && r.name !== '' ? r.name : null,
    kind: r.kind,
    expiresAt: typeof r.expiresAt === 'number' ? r.expiresAt : null,
    // A server that does not say: only the admin sees everyone's figures.
    supervisor: typeof r.supervisor === 'boolean' ? r.supervisor : r.kind === 'admin',
    // May use the admin console: the admin token, an agent marked admin, a single seat's own agent.
    admin: typeof r.admin === 'boolean' ? r.admin : r.kind === 'admin',
  };
}

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
