// Settings: what is the agent's own. Their phone (its state, whether Ringside can drive it, a test
// login) and how they want to be told about calls (a sound, a desktop notification, how long an
// ended call's card stays), kept in this browser (state/preferences.ts); in the desktop app also its
// call popup and desktop notification, kept by the app (state/desktopSettings.ts). Where a phone is, how
// Ringside logs in to it, the shared services and the Action URL lines are the administrator's:
// the Admin tab (AdminConsole.tsx), shown to the admin only.
import { useEffect, useState } from 'react';
import { bridge } from '../bridge';
import type { RestClient } from '../api/rest';
import type { DeviceView, HealthReport, SessionInfo } from '../api/types';
import { notificationsAvailable, playRingTone } from '../hooks/useRingAlerts';
import {
  changeDesktopSettings, initialDesktopSettings, loadDesktopSettings, showsDesktopSwitches, type DesktopSettings, type DesktopSettingsState,
} from '../state/desktopSettings';
import { CLOSE_AFTER_CHOICES, savePreferences, usePreferences } from '../state/preferences';
import { ChangePassword } from './ChangePassword';
import { PhoneSummary } from './phoneParts';

export interface SettingsProps {
  rest: RestClient;
  devices: readonly DeviceView[];
  me: string | null;
  /** GET /api/session: the admin token (kind admin) finds the phones' settings in the Admin tab. */
  session: SessionInfo | null;
  health: HealthReport | null;
  onSaved: () => void;
  /** The agent changed their password: their sessions ended, and this is the new one to go on with. */
  onSessionReplaced?: (token: string) => void;
}

function closeAfterLabel(seconds: number | null): string {
  if (seconds === null) return 'Keep them until I close them';
  return seconds < 60 ? `After ${seconds} seconds` : seconds === 60 ? 'After 1 minute' : `After ${Math.round(seconds / 60)} minutes`;
}

/** The desktop app's popup window and notifications (kept by the app itself); not shown in a browser. */
function DesktopAlerts() {
  const shell = bridge();
  const [state, setState] = useState<DesktopSettingsState>(() => initialDesktopSettings(shell));
  useEffect(() => {
    if (!shell) return;
    let live = true;
    void loadDesktopSettings(shell).then((next) => {
      if (live) setState(next);
    });
    return () => {
      live = false;
    };
  }, [shell]);
  if (!shell || !showsDesktopSwitches(state)) return null;
  if (state.kind === 'failed') return <p className="notice notice--bad" role="status">{state.problem}</p>;
  if (state.kind !== 'ready') return null;

  const change = (next: Partial<DesktopSettings>) => {
    setState({ ...state, saving: true, problem: null });
    void changeDesktopSettings(shell, state.settings, next).then(setState);
  };
  return (
    <>
      <label className="check">
        <input type="checkbox" checked={state.settings.popupWindow} disabled={state.saving} onChange={(e) => change({ popupWindow: e.target.checked })} />
        Show the call popup in the corner of the screen
      </label>
      <label className="check">
        <input type="checkbox" checked={state.settings.notifications} disabled={state.saving} onChange={(e) => change({ notifications: e.target.checked })} />
        Show a desktop notification
      </label>
      {state.problem ? <p className="notice notice--bad" role="status">{state.problem}</p> : null}
    </>
  );
}

function CallAlerts() {
  const preferences = usePreferences();
  const [note, setNote] = useState<string | null>(null);
  const canNotify = notificationsAvailable();
  const choices = CLOSE_AFTER_CHOICES.includes(preferences.closeEndedAfterSeconds) ? CLOSE_AFTER_CHOICES : [...CLOSE_AFTER_CHOICES, preferences.closeEndedAfterSeconds];

  const setNotify = (on: boolean) => {
    setNote(null);
    if (!on) {
      savePreferences({ notify: false });
      return;
    }
    // The browser asks the person once; a refusal is theirs to undo in the browser's site settings.
    Promise.resolve(Notification.permission === 'default' ? Notification.requestPermission() : Notification.permission).then((permission) => {
      if (permission === 'granted') savePreferences({ notify: true });
      else setNote('Your browser blocks notifications from Ringside. Allow them in the browser’s site settings, then turn this on again.');
    }, () => setNote('Your browser did not allow notifications.'));
  };

  return (
    <div className="preferences" role="group" aria-label="When a call rings">
      <label className="check">
        <input type="checkbox" checked={preferences.sound} onChange={(e) => savePreferences({ sound: e.target.checked })} />
        Play a sound when a call rings
        {preferences.sound ? <button type="button" className="linkish" onClick={playRingTone}>Listen</button> : null}
      </label>
      <DesktopAlerts />
      {canNotify ? (
        <label className="check">
          <input type="checkbox" checked={preferences.notify} onChange={(e) => setNotify(e.target.checked)} />
          Show a notification when a call rings while Ringside is in the background
        </label>
      ) : null}
      <label className="field field--inline" htmlFor="close-ended-after">
        Close the card of an ended call
        <select
          id="close-ended-after"
          value={preferences.closeEndedAfterSeconds === null ? 'never' : String(preferences.closeEndedAfterSeconds)}
          onChange={(e) => savePreferences({ closeEndedAfterSeconds: e.target.value === 'never' ? null : Number(e.target.value) })}
        >
          {choices.map((seconds) => <option key={seconds ?? 'never'} value={seconds === null ? 'never' : String(seconds)}>{closeAfterLabel(seconds)}</option>)}
        </select>
      </label>
      {note ? <p className="notice notice--bad" role="status">{note}</p> : null}
      <p className="muted">These choices are kept on this computer.</p>
    </div>
  );
}

export function Settings({ rest, devices, me, session, health, onSessionReplaced }: SettingsProps) {
  const isAdmin = session?.kind === 'admin';
  // GET /api/devices answers an agent with their own phones only; the admin with every phone.
  const mine = me === null ? (isAdmin ? [] : devices) : devices.filter((d) => d.agent === me);
  return (
    <section className="panel" aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>

      <h3>My phone</h3>
      {mine.length === 0
        ? <p className="empty">{isAdmin ? 'Phones are added and set up in the Admin tab.' : 'No phone is linked to you yet. Ask your administrator to add your desk phone to Ringside.'}</p>
        : mine.map((device) => <PhoneSummary key={device.mac} rest={rest} device={device} status={health?.phones?.find((p) => p.mac === device.mac)} />)}

      <h3>My status</h3>
      <p>Choose Available, Away or Do not disturb at the top of the window. Ringside shows you as on a call while your phone is busy, and offline when Ringside is closed.</p>

      <h3>When a call rings</h3>
      <CallAlerts />

      {session?.kind === 'agent' && onSessionReplaced ? (
        <>
          <h3>My password</h3>
          <ChangePassword rest={rest} agent={session.agent ?? ''} onChanged={onSessionReplaced} />
        </>
      ) : null}
    </section>
  );
}
