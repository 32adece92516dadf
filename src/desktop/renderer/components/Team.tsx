// Who else is there: the presence of the agents on this agent's helplines (everyone when the
// agent is on none, or unknown), kept current by presence.changed.
import type { AgentWithPresence, Helpline } from '../api/types';
import { PRESENCE_LABEL } from '../format';
import { PresenceDot } from './PresenceControl';
import { teamGroups } from '../state/team';

export function Team({ agents, helplines, me }: { agents: readonly AgentWithPresence[]; helplines: readonly Helpline[]; me: string | null }) {
  const groups = teamGroups(agents, helplines, me);
  return (
    <section className="panel" aria-labelledby="team-title">
      <h2 id="team-title">Team</h2>
      {groups.map((group) => (
        <div key={group.key}>
          <h3>{group.title}</h3>
          {group.members.length === 0 ? <p className="empty">Nobody else.</p> : (
            <ul className="team" aria-label={`Presence on ${group.title}`}>
              {group.members.map((agent) => (
                <li key={agent.id} data-agent={agent.id}>
                  <PresenceDot status={agent.presence} />
                  <span>{agent.name}</span>
                  <span className="muted">{PRESENCE_LABEL[agent.presence] ?? agent.presence}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      ))}
    </section>
  );
}
