// The popup view: what the shell's small, frameless, always-on-top window shows (`#popup&token=…`).
// One compact row per ringing call: who (name and number large, company and notes small), on which
// line, who transferred it, the ring timer, and the actions: Answer (POST /api/phone/answer), Open
// (the main window), the CRM page, and × (the window has no frame, so each row closes itself). The
// calls come from the shell over IPC (window.ringside.popup); this view opens no WebSocket.
import { useCallback, useEffect, useReducer, useState } from 'react';
import { describeError } from '../api/rest';
import type { Helpline } from '../api/types';
import { bridge } from '../bridge';
import { useNow } from '../hooks/useAgentApp';
import { useSession } from '../hooks/useSession';
import { EMPTY_FEED, popupFeed, popupHeading, popupRow, toPopupCalls, visibleCalls, type PopupRow } from '../state/popup';

interface RowProps {
  row: PopupRow;
  onAnswer: () => Promise<unknown>;
  onOpen: () => void;
  onDismiss: () => void;
}

function PopupRowView({ row, onAnswer, onOpen, onDismiss }: RowProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const answer = () => {
    setBusy(true);
    setError(null);
    onAnswer().catch((e: unknown) => setError(describeError(e))).finally(() => setBusy(false));
  };

  return (
    <li className="popup-row" data-call-id={row.callId} aria-label={`Incoming call: ${row.title}`}>
      <div className="popup-row__who">
        <span className="popup-row__name">{row.title}</span>
        {row.number ? <span className="popup-row__number">{row.number}</span> : null}
      </div>
      <div className="popup-row__corner">
        <span className="popup-row__timer" role="timer" aria-label="Ringing for">{row.timer}</span>
        <button type="button" className="popup-row__close" aria-label={`Dismiss ${row.title}`} title="Dismiss" onClick={onDismiss}>
          ×
        </button>
      </div>
      {error ? (
        <div className="popup-row__details popup-row__error" role="alert">{error}</div>
      ) : (
        <div className="popup-row__details">{row.details ?? '\u00a0'}</div>
      )}
      <div className="popup-row__bottom">
        <div className="popup-row__meta">
          <span className="popup-row__line" title={row.line}>{row.line}</span>
          {row.transferred ? <span className="popup-row__transferred" title={row.transferred}>{row.transferred}</span> : null}
        </div>
        <div className="popup-row__actions">
          <button type="button" className="popup-button popup-button--primary" disabled={busy} onClick={answer}>
            {busy ? 'Answering…' : 'Answer'}
          </button>
          <button type="button" className="popup-button" onClick={onOpen}>
            Open
          </button>
          {row.crmUrl ? (
            <a className="popup-button" href={row.crmUrl} target="_blank" rel="noopener noreferrer">
              CRM
            </a>
          ) : null}
        </div>
      </div>
    </li>
  );
}

export function Popup({ token }: { token: string | null }) {
  const shell = bridge();
  const [signedOut, setSignedOut] = useState(false);
  const onSignedOut = useCallback(() => setSignedOut(true), []);
  const session = useSession(token, onSignedOut);
  const { rest, withRenewal } = session;
  const [feed, send] = useReducer(popupFeed, EMPTY_FEED);
  const [helplines, setHelplines] = useState<readonly Helpline[]>([]);

  // The shell's list: asked for once (the view may load after calls started ringing), then pushed.
  useEffect(() => {
    if (!shell) return undefined;
    const unsubscribe = shell.popup.onCalls((calls) => send({ type: 'push', calls: toPopupCalls(calls) }));
    shell.popup.calls().then((calls) => send({ type: 'snapshot', calls: toPopupCalls(calls) }), () => undefined);
    return unsubscribe;
  }, [shell]);

  // Helpline names, for "Helpline Support (5000)"; without them the number alone is shown.
  useEffect(() => {
    rest?.helplines().then(setHelplines, () => undefined);
  }, [rest]);

  const calls = visibleCalls(feed);
  const now = useNow(calls.length > 0);
  const helplineName = useCallback((number: string) => helplines.find((h) => h.number === number)?.name ?? null, [helplines]);

  const dismiss = (callId: string) => {
    send({ type: 'dismiss', callId });
    shell?.popup.dismiss(callId).catch(() => undefined);
  };
  const open = () => {
    shell?.showMain().catch(() => undefined);
  };
  const answer = () => (signedOut ? Promise.reject(new Error('Signed out: open Ringside to sign in again.')) : withRenewal((client) => client.phone('answer')));

  return (
    <main className="popup" aria-label="Incoming calls" data-testid="popup">
      <header className="popup__header">
        <span className="popup__brand">Ringside</span>
        <span className="popup__heading" role="status">{shell ? popupHeading(calls.length) : 'Incoming calls'}</span>
      </header>
      {shell ? (
        <ul className="popup__rows" aria-label="Ringing calls">
          {calls.map((call) => (
            <PopupRowView key={call.callId} row={popupRow(call, now, helplineName)} onAnswer={answer} onOpen={open} onDismiss={() => dismiss(call.callId)} />
          ))}
        </ul>
      ) : (
        <p className="popup__note">
          This is the incoming-call popup of the Ringside desktop app: calls show here only inside the app. In a browser, open the agent UI
          link Ringside printed at start-up.
        </p>
      )}
    </main>
  );
}
