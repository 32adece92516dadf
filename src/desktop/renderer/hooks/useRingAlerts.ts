// What the agent asked to be told when a call starts ringing (Settings, "When a call rings"): a
// short tone, and in a browser a desktop notification while this window is in the background (the
// desktop app shows its own popup window instead). Each call alerts once, when its card first rings.
import { useEffect, useRef } from 'react';
import { bridge } from '../bridge';
import type { CallCard } from '../state/cards';
import type { Preferences } from '../state/preferences';

let audio: AudioContext | null = null;

/** Two short beeps through Web Audio; silent where audio cannot play (no device, autoplay refused). */
export function playRingTone(): void {
  try {
    audio ??= new AudioContext();
    const start = audio.currentTime + 0.02;
    for (const offset of [0, 0.35]) {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.frequency.value = 880;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.2, start + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.25);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(start + offset);
      oscillator.stop(start + offset + 0.3);
    }
  } catch {
    // No audio here: the card still shows.
  }
}

/** Whether desktop notifications can be shown in this page (a browser that has them; not the desktop app). */
export function notificationsAvailable(): boolean {
  return bridge() === null && typeof Notification !== 'undefined';
}

function notify(card: CallCard): void {
  if (!notificationsAvailable() || Notification.permission !== 'granted' || document.visibilityState === 'visible') return;
  try {
    const who = card.caller.name ?? card.caller.number;
    const notification = new Notification('Incoming call', { body: card.caller.name ? `${who} · ${card.caller.number}` : who, tag: card.callId });
    notification.onclick = () => {
      window.focus();
      notification.close();
    };
  } catch {
    // Some browsers only allow notifications from a service worker: the card still shows.
  }
}

export function useRingAlerts(cards: readonly CallCard[], preferences: Preferences): void {
  const alerted = useRef(new Set<string>());
  useEffect(() => {
    for (const card of cards) {
      if (card.phase !== 'ringing' || alerted.current.has(card.callId)) continue;
      alerted.current.add(card.callId);
      if (preferences.sound) playRingTone();
      if (preferences.notify) notify(card);
    }
    // Forget calls no longer shown, so the set stays small.
    const shown = new Set(cards.map((c) => c.callId));
    for (const id of alerted.current) if (!shown.has(id)) alerted.current.delete(id);
  }, [cards, preferences.sound, preferences.notify]);
}
