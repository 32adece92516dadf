// The call card: who is calling and on which line while it rings, the on-call view with a talk
// timer once this agent answers, and a short closing note ("Answered by Bob") when it ends.
import { useState } from 'react';
import { describeError } from '../api/rest';
import type { CallCard } from '../state/cards';
import { isLive } from '../state/cards';
import { formatTimer, helplineLabel } from '../format';

export type PhoneAction = 'answer' | 'hangup' | 'hold';

export interface CallCardProps {
  card: CallCard;
  now: number;
  /** The helpline's name for its number, when the directory has one. */
  helplineName: (number: string) => string | null;
  /** The agent's phone can be driven from here (it has control settings). */
  canDrive: boolean;
  onPhone: (action: PhoneAction) => Promise<unknown>;
  onClose: () => void;
}

function phaseLabel(card: CallCard): string {
  switch (card.phase) {
    case 'ringing':
      return 'Incoming call';
    case 'on_call':
      return card.direction === 'out' ? 'On call (outgoing)' : 'On call';
    case 'answered_elsewhere':
      return `Answered by ${card.answeredBy ?? 'someone else'}`;
    case 'transferred':
      return 'Transferred';
    case 'ended':
      if (card.outcome === 'answered') return 'Call ended';
      return card.outcome === 'no_answer' ? 'Not answered' : 'Caller hung up';
  }
}

function lineLabel(card: CallCard, helplineName: (number: string) => string | null): string {
  if (card.line !== 'helpline' || card.helpline === null) return 'Direct line';
  return helplineLabel(helplineName(card.helpline), card.helpline);
}

/** The running timer, or for a finished call the talk time it had. */
function timer(card: CallCard, now: number): string | null {
  if (card.phase === 'ringing') return formatTimer(now - card.ringingSince);
  if (card.phase === 'on_call' && card.answeredAt !== null) return formatTimer(now - card.answeredAt);
  if (card.phase === 'ended' && card.answeredAt !== null && card.closedAt !== null) return formatTimer(card.closedAt - card.answeredAt);
  return null;
}

export function IncomingCallCard({ card, now, helplineName, canDrive, onPhone, onClose }: CallCardProps) {
  const [busy, setBusy] = useState<PhoneAction | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { caller } = card;
  const label = phaseLabel(card);
  const time = timer(card, now);

  const run = (action: PhoneAction) => {
    setBusy(action);
    setError(null);
    onPhone(action).catch((e: unknown) => setError(describeError(e))).finally(() => setBusy(null));
  };

  return (
    <section className={`card card--${card.phase}`} role="region" aria-label={`${label}: ${caller.name ?? caller.number}`} data-call-id={card.callId} data-phase={card.phase}>
      <div className="card__status">
        <span className="card__phase">{label}</span>
        <span>{lineLabel(card, helplineName)}</span>
        {card.transferredFromName ? <span>Transferred from {card.transferredFromName}</span> : null}
        {time !== null ? (
          <span className="card__timer" role="timer" aria-label={card.phase === 'ringing' ? 'Ringing for' : 'Talk time'}>
            {time}
          </span>
        ) : null}
      </div>
      <h2 className="card__name">{caller.name ?? caller.number}</h2>
      {caller.name ? <div className="card__number">{caller.number}</div> : null}
      {caller.company ? <div className="card__company">{caller.company}</div> : null}
      {caller.notes ? <p className="card__notes">{caller.notes}</p> : null}
      <div className="card__actions">
        {card.phase === 'ringing' && canDrive ? (
          <button type="button" className="button button--primary" disabled={busy !== null} onClick={() => run('answer')}>
            Answer
          </button>
        ) : null}
        {card.phase === 'on_call' && canDrive ? (
          <>
            <button type="button" className="button" disabled={busy !== null} onClick={() => run('hold')}>
              Hold
            </button>
            <button type="button" className="button button--danger" disabled={busy !== null} onClick={() => run('hangup')}>
              Hang up
            </button>
          </>
        ) : null}
        {caller.crmUrl ? (
          <a className="button" href={caller.crmUrl} target="_blank" rel="noopener noreferrer">
            Open in CRM
          </a>
        ) : null}
        {!isLive(card) ? (
          <button type="button" className="button button--small" onClick={onClose}>
            Close
          </button>
        ) : null}
      </div>
      {error ? (
        <div className="card__error" role="alert">
          {error}
        </div>
      ) : null}
    </section>
  );
}
