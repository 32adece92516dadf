// Whose presence the Team screen shows: the agents on this agent's helplines (everyone when the
// agent is on none, or unknown).
import type { AgentWithPresence, Helpline } from '../api/types';

export interface TeamGroup {
  key: string;
  title: string;
  members: AgentWithPresence[];
}

/** The groups to show: one per helpline the agent is on (members: its agents, or everyone), else everyone. */
export function teamGroups(agents: readonly AgentWithPresence[], helplines: readonly Helpline[], me: string | null): TeamGroup[] {
  const mine = me === null ? [] : helplines.filter((h) => h.agents === null || h.agents.includes(me));
  const groups = mine.map((h) => ({
    key: h.number,
    title: `${h.name} (${h.number})`,
    members: agents.filter((a) => a.id !== me && (h.agents === null || h.agents.includes(a.id))),
  }));
  return groups.length > 0 ? groups : [{ key: 'everyone', title: 'Everyone', members: agents.filter((a) => a.id !== me) }];
}
