// Wires the agent API to the reducer: one WebSocket for the session, and the REST lists reloaded
// every time it (re)connects, since messages sent while it was down are not replayed (the calls
// ringing for the agent or up with them included: their cards come back after a reload). In the
// desktop app a refused token is renewed through the shell (useSession), and the missed calls the
// agent has seen are told to the shell for the tray's count.
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { websocketUrl } from '../events';
import { ApiError, type CallbackResult, type RestClient } from '../api/rest';
import { loadSeenMissed, saveSeenMissed } from '../api/session';
import { AgentSocket } from '../api/socket';
import type { DeviceView, ManualPresence } from '../api/types';
import { bridge } from '../bridge';
import { isLive, nextExpiry } from '../state/cards';
import { recoveryQueries } from '../state/recovery';
import { initialState, reducer, type Action, type AppState } from '../state/store';
import { closeAfterMs, usePreferences } from '../state/preferences';
import { useRingAlerts } from './useRingAlerts';
import { useSession } from './useSession';

export interface AgentApp {
  state: AppState;
  dispatch: (action: Action) => void;
  rest: RestClient | null;
  devices: readonly DeviceView[];
  reloadDevices: () => void;
  /** The directory changed (the admin console): agents, helplines and phones are loaded again. */
  reloadDirectory: () => void;
  /** False when the socket is not open (the choice could not be sent). */
  setPresence: (status: ManualPresence) => boolean;
  callBack: (callId: string) => Promise<CallbackResult>;
}

const UNAUTHORIZED = { status: 'unauthorized', retryAt: null, attempt: 0 } as const;

export function useAgentApp(initialToken: string | null): AgentApp {
  const [state, dispatch] = useReducer(reducer, initialToken, (t) => initialState(t !== null, loadSeenMissed()));
  const [devices, setDevices] = useState<readonly DeviceView[]>([]);
  const socketRef = useRef<AgentSocket | null>(null);
  const signOut = useCallback(() => dispatch({ type: 'connection', connection: UNAUTHORIZED }), []);
  const session = useSession(initialToken, signOut);
  const { token, rest, proven, renewing } = session;
  const stateRef = useRef(state);
  useEffect(() => {
    stateRef.current = state;
  }, [state]);

  useEffect(() => {
    if (!token || !rest) return undefined;
    const socket: AgentSocket = new AgentSocket({
      url: websocketUrl(window.location, token),
      // What the UI cannot read never gets here (the protocol's schemas drop it).
      onMessage: (message) => dispatch({ type: 'message', message, now: Date.now() }),
      onState: (connection) => {
        // A socket replaced by one with a renewed token has nothing more to say.
        if (socketRef.current !== socket) return;
        if (connection.status === 'open') proven();
        // Refused while the shell renews the token: the socket with the new token follows.
        if (connection.status === 'unauthorized' && renewing()) return;
        dispatch({ type: 'connection', connection });
      },
      stillAuthorized: () => rest.helplines().then(() => true, (error: unknown) => !(error instanceof ApiError && error.status === 401)),
    });
    socketRef.current = socket;
    socket.start();
    const wake = () => socket.retryNow();
    window.addEventListener('online', wake);
    document.addEventListener('visibilitychange', wake);
    return () => {
      window.removeEventListener('online', wake);
      document.removeEventListener('visibilitychange', wake);
      socket.stop();
      socketRef.current = null;
    };
  }, [token, rest, proven, renewing]);

  const reloadDevices = useCallback(() => {
    rest?.devices().then(setDevices, () => undefined);
  }, [rest]);
  const reloadDirectory = useCallback(() => {
    rest?.agents().then((agents) => dispatch({ type: 'agents.loaded', agents }), () => undefined);
    rest?.helplines().then((helplines) => dispatch({ type: 'helplines.loaded', helplines }), () => undefined);
    reloadDevices();
  }, [rest, reloadDevices]);

  // Everything the screens list, loaded again on each (re)connect. A failure leaves the last
  // list up: the health banner already says what is wrong.
  const open = state.connection.status === 'open';
  useEffect(() => {
    if (!open || !rest) return;
    rest.agents().then((agents) => dispatch({ type: 'agents.loaded', agents }), () => undefined);
    rest.helplines().then((helplines) => dispatch({ type: 'helplines.loaded', helplines }), () => undefined);
    rest.missed().then((items) => dispatch({ type: 'missed.loaded', items }), () => undefined);
    // Who this is, from the server when it can say (else the guess from the phones stays).
    rest.session().then((info) => dispatch({ type: 'session.loaded', session: info }), () => undefined);
    reloadDevices();
  }, [open, rest, reloadDevices]);

  // The calls ringing for this agent or up with them, once the agent is known, after every
  // (re)connect: their cards come back after a reload, and cards of calls that ended meanwhile go.
  const { me } = state;
  useEffect(() => {
    if (!open || !rest || me === null) return;
    let current = true;
    const liveBefore = stateRef.current.cards.filter(isLive).map((c) => c.callId);
    const queries = recoveryQueries(me);
    Promise.all([rest.calls(queries.ringing), rest.calls(queries.inProgress)]).then(([ringing, inProgress]) => {
      if (current) dispatch({ type: 'calls.recovered', me, open: { ringing: ringing.items, inProgress: inProgress.items }, liveBefore, now: Date.now() });
    }, () => undefined);
    return () => {
      current = false;
    };
  }, [open, rest, me]);

  // The seen list is kept for reloads, and in the desktop app told to the shell: the tray's count follows it.
  useEffect(() => {
    saveSeenMissed(state.seenMissed);
    bridge()?.markMissedSeen(state.seenMissed).catch(() => undefined);
  }, [state.seenMissed]);

  // One timer for the next closed card to leave, instead of a tick; after the agent's chosen seconds (Settings).
  const preferences = usePreferences();
  const closeAfter = closeAfterMs(preferences);
  useEffect(() => {
    const due = nextExpiry(state.cards, closeAfter);
    if (due === null) return undefined;
    const timer = setTimeout(() => dispatch({ type: 'cards.expire', now: Date.now(), closeAfterMs: closeAfter }), Math.max(0, due - Date.now()) + 50);
    return () => clearTimeout(timer);
  }, [state.cards, closeAfter]);
  useRingAlerts(state.cards, preferences);

  const setPresence = useCallback((status: ManualPresence) => socketRef.current?.send({ type: 'presence.set', status }) ?? false, []);

  const callBack = useCallback(async (callId: string) => {
    if (!rest) throw new Error('no session');
    try {
      const result = await rest.callBack(callId);
      dispatch({ type: 'missed.updated', missed: result.missed });
      return result;
    } catch (error) {
      // 409: someone else was first; the answer carries the call as it now stands.
      const details = error instanceof ApiError ? (error.body as { details?: unknown } | null)?.details : null;
      if (details && typeof details === 'object' && 'callId' in details) dispatch({ type: 'missed.updated', missed: details as CallbackResult['missed'] });
      throw error;
    }
  }, [rest]);

  return { state, dispatch, rest, devices, reloadDevices, reloadDirectory, setPresence, callBack };
}

/** The browser clock, ticking every second while `active` (running timers); still otherwise. */
export function useNow(active: boolean, intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return undefined;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [active, intervalMs]);
  return now;
}
