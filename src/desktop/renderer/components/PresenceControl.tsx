// The agent's own presence: available / away / do not disturb, sent over the WebSocket. On a call
// and offline are what the server derives (calls, heartbeats), shown beside the choice.
import { useEffect, useId, useState } from 'react';
import type { ManualPresence, PresenceStatus } from '../api/types';
import { PRESENCE_LABEL } from '../format';

const CHOICES: readonly ManualPresence[] = ['available', 'away', 'dnd'];

export function PresenceControl({ current, onChange, disabled }: { current: PresenceStatus | null; onChange: (status: ManualPresence) => void; disabled: boolean }) {
  const name = useId();
  const reported = current !== null && (CHOICES as readonly string[]).includes(current) ? (current as ManualPresence) : null;
  // The click shows at once; the server's presence.changed confirms it (or overrides it: the phone's DND).
  const [pending, setPending] = useState<ManualPresence | null>(null);
  // While on a call the server reports on_call, not the choice underneath: keep showing the last one.
  const [remembered, setRemembered] = useState<ManualPresence | null>(null);
  useEffect(() => {
    if (reported === null) return;
    setRemembered(reported);
    setPending(null);
  }, [reported]);
  const chosen = pending ?? reported ?? remembered;
  const choose = (status: ManualPresence) => {
    setPending(status);
    setRemembered(status);
    onChange(status);
  };
  return (
    <div className="topbar__presence">
      <fieldset className="presence" disabled={disabled}>
        <legend>My presence</legend>
        {CHOICES.map((status) => (
          <label key={status}>
            <input type="radio" name={name} value={status} checked={chosen === status} onChange={() => choose(status)} />
            {PRESENCE_LABEL[status]}
          </label>
        ))}
      </fieldset>
      {current === 'on_call' || current === 'offline' ? <span className="presence-note"> · {PRESENCE_LABEL[current]}</span> : null}
    </div>
  );
}

export function PresenceDot({ status }: { status: PresenceStatus }) {
  return <span className={`dot status-dot--${status}`} aria-hidden="true" />;
}
