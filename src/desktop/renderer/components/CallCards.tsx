// The stack of call cards above the screens: only there while a call rings, is up, or just ended.
import type { CallCard } from '../state/cards';
import { isLive } from '../state/cards';
import { useNow } from '../hooks/useAgentApp';
import { IncomingCallCard, type PhoneAction } from './IncomingCallCard';

export interface CallCardsProps {
  cards: readonly CallCard[];
  helplineName: (number: string) => string | null;
  canDrive: boolean;
  onPhone: (action: PhoneAction) => Promise<unknown>;
  onClose: (callId: string) => void;
}

export function CallCards({ cards, helplineName, canDrive, onPhone, onClose }: CallCardsProps) {
  // The timers tick only while a call is live.
  const now = useNow(cards.some(isLive));
  return (
    // A polite live region: a new call is read out without cutting off what is being read.
    <div className="cards" aria-live="polite">
      {cards.map((card) => (
        <IncomingCallCard key={card.callId} card={card} now={now} helplineName={helplineName} canDrive={canDrive} onPhone={onPhone} onClose={() => onClose(card.callId)} />
      ))}
    </div>
  );
}
