// The UI's state in one reducer: pure, so every rule (a card closing, a missed call being taken,
// presence moving) is tested without a browser. Screens read it; only the API hook dispatches.
import type { AgentWithPresence, HealthReport, Helpline, MissedCallView, ServerMessage, SessionInfo } from '../api/types';
import { endsRinging } from '../../../protocol/rules';
import { expireCards, onRingingEnd, onRinging, type CallCard } from './cards';
import type { ConnectionState } from './health';
import { agentName, identify } from './identity';
import { markSeen, sortMissed, upsertMissed } from './missed';
import { recoverCards, type OpenCalls } from './recovery';

export interface AppState {
  connection: ConnectionState;
  health: HealthReport | null;
  agents: readonly AgentWithPresence[];
  helplines: readonly Helpline[];
  /** GET /api/session's answer; null until it answers, or when the server has no such endpoint. */
  session: SessionInfo | null;
  /** This session's agent id; null while unknown (see identity.ts). */
  me: string | null;
  cards: readonly CallCard[];
  missed: readonly MissedCallView[];
  /** Open missed calls the agent has seen in the list (newest first). */
  seenMissed: readonly string[];
  /** Moves whenever a call finishes, so History and Today know to load again. */
  callsVersion: number;
  /** The last `error` message from the server (a rejected presence change, say). */
  serverError: string | null;
}

export type Action =
  | { type: 'connection'; connection: ConnectionState }
  | { type: 'message'; message: ServerMessage; now: number }
  | { type: 'agents.loaded'; agents: readonly AgentWithPresence[] }
  | { type: 'helplines.loaded'; helplines: readonly Helpline[] }
  | { type: 'missed.loaded'; items: readonly MissedCallView[] }
  | { type: 'missed.updated'; missed: MissedCallView }
  | { type: 'missed.seen' }
  | { type: 'session.loaded'; session: SessionInfo | null }
  /** The call log's open calls for `me`, asked for after (re)connecting; `liveBefore`: the live cards then. */
  | { type: 'calls.recovered'; me: string; open: OpenCalls; liveBefore: readonly string[]; now: number }
  | { type: 'cards.expire'; now: number; closeAfterMs?: number | null }
  | { type: 'card.close'; callId: string }
  | { type: 'serverError.clear' };

export function initialState(hasSession: boolean, seenMissed: readonly string[] = []): AppState {
  return {
    connection: { status: hasSession ? 'connecting' : 'no_session', retryAt: null, attempt: 0 },
    health: null, agents: [], helplines: [], session: null, me: null, cards: [], missed: [], seenMissed, callsVersion: 0, serverError: null,
  };
}

function withIdentity(state: AppState): AppState {
  const me = identify(state.session, state.health?.phones, state.agents);
  return me === state.me ? state : { ...state, me };
}

function onMessage(state: AppState, message: ServerMessage, now: number): AppState {
  // The messages after which a call rings here no more move its card on (src/protocol/rules.ts).
  const cards = endsRinging(message) ? onRingingEnd(state.cards, message, now) : state.cards;
  switch (message.type) {
    case 'call.ringing':
      return { ...state, cards: onRinging(state.cards, message, now) };
    case 'call.answered':
    case 'call.dismissed':
    case 'call.transferred':
      return { ...state, cards };
    case 'call.ended':
      return { ...state, cards, callsVersion: state.callsVersion + 1 };
    case 'call.missed':
      return { ...state, cards, missed: upsertMissed(state.missed, message.missed), callsVersion: state.callsVersion + 1 };
    case 'missed.claimed':
      return { ...state, missed: upsertMissed(state.missed, message.missed) };
    case 'presence.changed': {
      const known = state.agents.some((a) => a.id === message.agent);
      if (!known) return state;
      return { ...state, agents: state.agents.map((a) => (a.id === message.agent ? { ...a, presence: message.status } : a)) };
    }
    case 'health': {
      const { type: _type, at: _at, account: _account, ...health } = message;
      return withIdentity({ ...state, health });
    }
    case 'error':
      return { ...state, serverError: message.reason };
  }
}

export function reducer(state: AppState, action: Action): AppState {
  switch (action.type) {
    case 'connection':
      return { ...state, connection: action.connection };
    case 'message':
      return onMessage(state, action.message, action.now);
    case 'agents.loaded':
      return withIdentity({ ...state, agents: action.agents });
    case 'helplines.loaded':
      return { ...state, helplines: action.helplines };
    case 'missed.loaded':
      return { ...state, missed: sortMissed(action.items) };
    case 'missed.updated':
      return { ...state, missed: upsertMissed(state.missed, action.missed) };
    case 'missed.seen':
      return { ...state, seenMissed: markSeen(state.missed, state.seenMissed) };
    case 'session.loaded':
      return withIdentity({ ...state, session: action.session });
    case 'calls.recovered': {
      // Answers for an agent the page no longer is (a renewed session for someone else) are dropped.
      if (action.me !== state.me) return state;
      const nameOf = (agent: string) => agentName(state.agents, agent);
      const cards = recoverCards(state.cards, action.open, { me: action.me, liveBefore: new Set(action.liveBefore), now: action.now, nameOf });
      return cards === state.cards ? state : { ...state, cards };
    }
    case 'cards.expire': {
      const cards = expireCards(state.cards, action.now, action.closeAfterMs);
      return cards === state.cards ? state : { ...state, cards };
    }
    case 'card.close':
      return { ...state, cards: state.cards.filter((c) => c.callId !== action.callId) };
    case 'serverError.clear':
      return { ...state, serverError: null };
  }
}

/** My own presence as the server derives it (offline until the first heartbeat lands). */
export function myPresence(state: AppState): AgentWithPresence['presence'] | null {
  return state.me === null ? null : (state.agents.find((a) => a.id === state.me)?.presence ?? null);
}
