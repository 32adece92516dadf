// Missed calls: the open ones first, who is calling back the others, and "Call back", which takes
// the call (first agent wins) and dials it through the agent's phone.
import { memo, useState } from 'react';
import { describeError, ApiError, type CallbackResult } from '../api/rest';
import type { MissedCallView } from '../api/types';
import { callerLine, callerName, formatWhen, helplineLabel } from '../format';
import { missedState } from '../state/missed';

export interface MissedCallsProps {
  items: readonly MissedCallView[];
  me: string | null;
  nameOf: (agent: string) => string;
  helplineName: (number: string) => string | null;
  now: number;
  onCallBack: (callId: string) => Promise<CallbackResult>;
}

interface Notice {
  tone: 'ok' | 'bad';
  text: string;
}

/** What happened to the dial after ownership was taken (it is kept either way). */
function dialNotice(result: CallbackResult): Notice {
  const { dial } = result;
  if (dial.status === 'dialling') return { tone: 'ok', text: `Dialling ${dial.number} on your phone.` };
  if (dial.status === 'failed') return { tone: 'bad', text: `It is yours, but your phone did not dial: ${dial.reason}` };
  return { tone: 'ok', text: `It is yours; dial ${callerLine(callerName(result.missed), result.missed.remote)} yourself (${dial.reason}).` };
}

function stateLine(item: MissedCallView, me: string | null, nameOf: (agent: string) => string, now: number): string {
  switch (missedState(item, me)) {
    case 'open':
      return 'Nobody has called back yet';
    case 'mine':
      return 'You are calling back';
    case 'someone_else':
      return `${item.owner ? nameOf(item.owner) : 'Someone'} is calling back`;
    case 'closed': {
      const by = item.closedBy ? (item.closedBy === me ? 'you' : nameOf(item.closedBy)) : null;
      const when = item.closedAt ? ` at ${formatWhen(item.closedAt, now)}` : '';
      return by ? `Called back by ${by}${when}` : `Done${when}`;
    }
  }
}

// Memoised: a list of hundreds of missed calls re-renders only the rows whose item changed.
const MissedItem = memo(function MissedItem({ item, me, nameOf, helplineName, now, onCallBack }: Omit<MissedCallsProps, 'items'> & { item: MissedCallView }) {
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<Notice | null>(null);
  const name = callerName(item);
  const line = item.line === 'helpline' && item.helpline ? helplineLabel(helplineName(item.helpline), item.helpline, false) : 'Direct line';
  const state = missedState(item, me);

  const callBack = () => {
    setBusy(true);
    setNotice(null);
    onCallBack(item.callId)
      .then((result) => setNotice(dialNotice(result)))
      .catch((error: unknown) => {
        const taken = error instanceof ApiError && error.status === 409;
        setNotice({ tone: 'bad', text: taken ? `Too late: ${describeError(error)}.` : describeError(error) });
      })
      .finally(() => setBusy(false));
  };

  return (
    <li className={`missed missed--${item.status}`} data-call-id={item.callId} data-status={item.status}>
      <div className="missed__who">
        <div className="missed__name">{callerLine(name, item.remote)}</div>
        <div className="missed__meta">
          {formatWhen(item.at, now)} · {line}
        </div>
      </div>
      <div className="missed__state" data-testid="missed-state">
        {stateLine(item, me, nameOf, now)}
      </div>
      {state === 'open' ? (
        <button type="button" className="button button--primary" disabled={busy} onClick={callBack} aria-label={`Call back ${name ?? item.remote}`}>
          {busy ? 'Calling back…' : 'Call back'}
        </button>
      ) : null}
      {notice ? (
        <div className={`notice notice--${notice.tone}`} role="status">
          {notice.text}
        </div>
      ) : null}
    </li>
  );
});

export function MissedCalls(props: MissedCallsProps) {
  // Rows get everything but the list itself, so one new missed call leaves the others' props equal.
  const { items, ...rowProps } = props;
  const open = items.filter((m) => m.status === 'open').length;
  return (
    <section className="panel" aria-labelledby="missed-title">
      <h2 id="missed-title">
        Missed calls <span className="muted">· {open === 0 ? 'none open' : `${open} open`}</span>
      </h2>
      {items.length === 0 ? (
        <p className="empty">No missed calls. Calls nobody answered show up here.</p>
      ) : (
        <ul className="list" aria-label="Missed calls">
          {items.map((item) => (
            <MissedItem key={item.callId} {...rowProps} item={item} />
          ))}
        </ul>
      )}
    </section>
  );
}
