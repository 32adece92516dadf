// The agent's own preferences for this browser (or desktop window): kept in localStorage, so they
// survive reloads and sign-ins on this machine, and told to every screen of the page through a
// small store (useSyncExternalStore). Another tab of the same browser follows through the storage event.
import { useSyncExternalStore } from 'react';
import { CLOSED_CARD_MS } from './cards';

export interface Preferences {
  /** A desktop notification when a call rings while this window is in the background (browser only; the desktop app has its own popup). */
  notify: boolean;
  /** A short tone when a call starts ringing. */
  sound: boolean;
  /** Seconds an ended call's card stays before it closes by itself; null: until closed by hand. */
  closeEndedAfterSeconds: number | null;
}

export const DEFAULT_PREFERENCES: Preferences = { notify: false, sound: false, closeEndedAfterSeconds: CLOSED_CARD_MS / 1000 };

/** The choices the Settings screen offers (any whole number from 1 to 3600 is kept if stored). */
export const CLOSE_AFTER_CHOICES: readonly (number | null)[] = [5, 8, 15, 30, 60, null];

const KEY = 'ringside.preferences';

/** What is stored, checked field by field: anything unreadable falls back to its default. */
export function parsePreferences(raw: string | null): Preferences {
  let value: unknown = null;
  try {
    value = raw === null ? null : JSON.parse(raw);
  } catch {
    value = null;
  }
  const record = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const seconds = record.closeEndedAfterSeconds;
  return {
    notify: typeof record.notify === 'boolean' ? record.notify : DEFAULT_PREFERENCES.notify,
    sound: typeof record.sound === 'boolean' ? record.sound : DEFAULT_PREFERENCES.sound,
    closeEndedAfterSeconds: seconds === null ? null
      : typeof seconds === 'number' && Number.isInteger(seconds) && seconds >= 1 && seconds <= 3600 ? seconds : DEFAULT_PREFERENCES.closeEndedAfterSeconds,
  };
}

/** Milliseconds for the cards' expiry (null: never). */
export function closeAfterMs(preferences: Preferences): number | null {
  return preferences.closeEndedAfterSeconds === null ? null : preferences.closeEndedAfterSeconds * 1000;
}

function read(): string | null {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

let cachedRaw: string | null | undefined;
let cached: Preferences = DEFAULT_PREFERENCES;
const listeners = new Set<() => void>();

export function loadPreferences(): Preferences {
  const raw = read();
  if (raw !== cachedRaw) {
    cachedRaw = raw;
    cached = parsePreferences(raw);
  }
  return cached;
}

export function savePreferences(change: Partial<Preferences>): Preferences {
  const next = { ...loadPreferences(), ...change };
  try {
    localStorage.setItem(KEY, JSON.stringify(next));
  } catch {
    // Storage disabled: the choice holds for this page only.
    cachedRaw = JSON.stringify(next);
    cached = next;
  }
  for (const listener of listeners) listener();
  return loadPreferences();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  const onStorage = (event: StorageEvent) => {
    if (event.key === KEY) listener();
  };
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

export function usePreferences(): Preferences {
  return useSyncExternalStore(subscribe, loadPreferences, () => DEFAULT_PREFERENCES);
}
