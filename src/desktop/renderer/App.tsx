// The agent UI: top bar (who, presence, connection), the health banner, the call cards, and the
// screens behind tabs. The same page runs in the Electron window and in a browser.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { AdminConsole } from './components/AdminConsole';
import { CallCards } from './components/CallCards';
import { FirstRunSetup, useFirstRunSetup } from './components/FirstRunSetup';
import { HealthBanner } from './components/HealthBanner';
import { History } from './components/History';
import type { PhoneAction } from './components/IncomingCallCard';
import { MissedCalls } from './components/MissedCalls';
import { PresenceControl } from './components/PresenceControl';
import { Settings } from './components/Settings';
import { TabPanel, Tabs, type TabSpec } from './components/Tabs';
import { Team } from './components/Team';
import { Today } from './components/Today';
import { useAgentApp, useNow } from './hooks/useAgentApp';
import { healthProblems, type ConnectionStatus } from './state/health';
import { agentName } from './state/identity';
import { missedFor, unreadCount } from './state/missed';
import { myPresence } from './state/store';
import { phoneReady } from '../../protocol/rules';

type Screen = 'missed' | 'history' | 'today' | 'team' | 'settings' | 'admin';

const CONNECTION_LABEL: Record<ConnectionStatus, string> = {
  no_session: 'No session', connecting: 'Connecting…', open: 'Connected', reconnecting: 'Reconnecting…', unauthorized: 'Signed out',
};

/**
 * `onSignedOut`: the session ended (expired, ended by the admin) and cannot be renewed; the page then
 * offers to sign in (Root.tsx). `onSignOut`: the agent's Sign out button (in a browser).
 * `onSessionReplaced`: a new session replaces this one (the agent changed their password).
 */
export function App({ token, onSignedOut, onSignOut, onSessionReplaced }: { token: string | null; onSignedOut?: () => void; onSignOut?: () => void; onSessionReplaced?: (token: string) => void }) {
  const { state, dispatch, rest, devices, reloadDevices, reloadDirectory, setPresence, callBack } = useAgentApp(token);
  const signedOut = state.connection.status === 'unauthorized';
  useEffect(() => {
    if (signedOut) onSignedOut?.();
  }, [signedOut, onSignedOut]);
  const [screen, setScreen] = useState<Screen>('missed');
  const { connection, me, agents, helplines } = state;
  // The banner's "reconnecting in N s" counts down.
  const now = useNow(connection.status === 'reconnecting');
  // The missed-call list shows times to the minute: a minute clock, not a render-time Date.now().
  const minute = useNow(true, 60_000);

  const nameOf = useCallback((agent: string) => agentName(agents, agent) ?? agent, [agents]);
  const helplineName = useCallback((number: string) => helplines.find((h) => h.number === number)?.name ?? null, [helplines]);
  const missed = useMemo(() => missedFor(state.missed, me), [state.missed, me]);
  const seen = useMemo(() => new Set(state.seenMissed), [state.seenMissed]);
  const unread = unreadCount(missed, seen);
  const myPhones = devices.filter((d) => me !== null && d.agent === me);
  const canDrive = myPhones.length === 1 && phoneReady(myPhones[0]!);
  // The first run of a seat: a short setup until its phone has reported or a call has arrived (FirstRunSetup.tsx).
  const setup = useFirstRunSetup(rest, state.session?.kind === 'agent' ? me : null, {
    phoneReported: myPhones.length > 0 || (state.health?.phones?.length ?? 0) > 0,
    callArrived: state.cards.length > 0,
  });

  // Looking at the list is reading it: the count goes once the agent has seen the missed calls.
  useEffect(() => {
    if (screen === 'missed' && unread > 0 && document.visibilityState === 'visible') dispatch({ type: 'missed.seen' });
  }, [screen, unread, dispatch]);

  // The window title carries the count too, for a browser tab in the background.
  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) Ringside` : 'Ringside';
  }, [unread]);

  const onPhone = useCallback((action: PhoneAction) => (rest ? rest.phone(action) : Promise.reject(new Error('no session'))), [rest]);

  // The admin console: the admin token, an agent marked admin, or a single seat's own agent (GET /api/session `admin`).
  const isAdmin = state.session?.kind === 'admin' || state.session?.admin === true;
  const tabs: TabSpec<Screen>[] = [
    { id: 'missed', label: 'Missed calls', badge: unread, badgeLabel: `${unread} unread` },
    { id: 'history', label: 'History' },
    { id: 'today', label: 'Today' },
    { id: 'team', label: 'Team' },
    { id: 'settings', label: 'Settings' },
    // The server refuses the console's requests to anyone else too.
    ...(isAdmin ? [{ id: 'admin' as const, label: 'Admin' }] : []),
  ];

  return (
    <div className="app">
      <header className="topbar">
        <h1 className="brand">Ringside</h1>
        {me ? <span className="whoami">{setup.me?.agent.id === me ? setup.me.agent.name : state.session?.agent === me && state.session.name ? state.session.name : nameOf(me)}</span> : null}
        <span className="topbar__spacer" />
        {token ? <PresenceControl current={myPresence(state)} onChange={(status) => setPresence(status)} disabled={connection.status !== 'open'} /> : null}
        <span className={`pill pill--${connection.status}`} data-testid="connection" data-status={connection.status} role="status">
          <span className="dot" aria-hidden="true" />
          {CONNECTION_LABEL[connection.status]}
        </span>
        {onSignOut && token ? <button type="button" className="button button--small" onClick={onSignOut}>Sign out</button> : null}
      </header>

      <HealthBanner problems={healthProblems(connection, state.health, now)} />
      {state.serverError ? (
        <p className="banner banner--warning" role="status">
          {state.serverError}{' '}
          <button type="button" className="linkish" onClick={() => dispatch({ type: 'serverError.clear' })}>Dismiss</button>
        </p>
      ) : null}

      <CallCards cards={state.cards} helplineName={helplineName} canDrive={canDrive} onPhone={onPhone} onClose={(callId) => dispatch({ type: 'card.close', callId })} />

      {rest && setup.show && setup.me ? (
        <FirstRunSetup rest={rest} me={setup.me} onSaved={(saved) => {
          setup.setMe(saved);
          reloadDirectory();
        }} onSkip={setup.skip} />
      ) : null}
      {rest && !setup.show ? (
        <>
          <Tabs tabs={tabs} selected={screen} onSelect={setScreen} />
          <TabPanel id={screen}>
            {screen === 'missed' ? <MissedCalls items={missed} me={me} nameOf={nameOf} helplineName={helplineName} now={minute} onCallBack={callBack} /> : null}
            {screen === 'history' ? <History rest={rest} agents={agents} nameOf={nameOf} helplineName={helplineName} callsVersion={state.callsVersion} /> : null}
            {screen === 'today' ? <Today rest={rest} me={me} teamView={state.session?.supervisor ?? false} nameOf={nameOf} callsVersion={state.callsVersion} /> : null}
            {screen === 'team' ? <Team agents={agents} helplines={helplines} me={me} /> : null}
            {screen === 'admin' && isAdmin ? <AdminConsole rest={rest} health={state.health} onChanged={reloadDirectory} /> : null}
            {screen === 'settings' ? <Settings rest={rest} devices={devices} me={me} session={state.session} health={state.health} onSaved={reloadDevices} onSessionReplaced={onSessionReplaced} /> : null}
          </TabPanel>
        </>
      ) : null}
    </div>
  );
}
