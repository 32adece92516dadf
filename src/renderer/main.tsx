// Placeholder agent UI: connection status and the last call events. The real UI is a later issue.
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import {
  addEntry,
  reconnectDelayMs,
  toCallEntry,
  tokenFromHash,
  websocketUrl,
  type CallEventEntry,
  type ConnectionStatus,
} from './events';

const TOKEN_KEY = 'ringside.session';
const HEARTBEAT_MS = 30_000;

/** The session token from `#token=`, kept for reloads in sessionStorage and removed from the address bar. */
function sessionToken(): string | null {
  const fromHash = tokenFromHash(window.location.hash);
  if (fromHash) {
    sessionStorage.setItem(TOKEN_KEY, fromHash);
    history.replaceState(null, '', window.location.pathname + window.location.search);
    return fromHash;
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

function useAgentSocket(token: string | null): { status: ConnectionStatus; events: CallEventEntry[] } {
  const [status, setStatus] = useState<ConnectionStatus>(token ? 'connecting' : 'no session');
  const [events, setEvents] = useState<CallEventEntry[]>([]);

  useEffect(() => {
    if (!token) return;
    let socket: WebSocket | null = null;
    let attempt = 0;
    let seq = 0;
    let stopped = false;
    let retry: number | undefined;
    let heartbeat: number | undefined;

    const connect = () => {
      setStatus('connecting');
      socket = new WebSocket(websocketUrl(window.location, token));
      socket.onopen = () => {
        attempt = 0;
        setStatus('connected');
        heartbeat = window.setInterval(() => socket?.send(JSON.stringify({ type: 'heartbeat' })), HEARTBEAT_MS);
      };
      socket.onmessage = (message) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(String(message.data));
        } catch {
          return;
        }
        const entry = toCallEntry(parsed, seq++);
        if (entry) setEvents((list) => addEntry(list, entry));
      };
      socket.onclose = () => {
        window.clearInterval(heartbeat);
        if (stopped) return;
        setStatus('disconnected');
        retry = window.setTimeout(connect, reconnectDelayMs(attempt++));
      };
    };
    connect();
    return () => {
      stopped = true;
      window.clearTimeout(retry);
      window.clearInterval(heartbeat);
      socket?.close();
    };
  }, [token]);

  return { status, events };
}

const STATUS_COLOR: Record<ConnectionStatus, string> = {
  connected: '#1a7f37',
  connecting: '#9a6700',
  disconnected: '#cf222e',
  'no session': '#cf222e',
};

function App({ token }: { token: string | null }) {
  const { status, events } = useAgentSocket(token);
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', margin: '1.5rem', maxWidth: '40rem' }}>
      <h1 style={{ margin: 0 }}>Ringside</h1>
      <p>
        <span data-testid="status" style={{ color: STATUS_COLOR[status], fontWeight: 600 }}>
          {status}
        </span>
        {status === 'no session' && ' (open the link that `ringside serve` prints, with #token=)'}
      </p>
      <h2 style={{ fontSize: '1.1rem' }}>Last call events</h2>
      {events.length === 0 ? (
        <p style={{ color: '#57606a' }}>No call events yet.</p>
      ) : (
        <ul data-testid="events" style={{ listStyle: 'none', padding: 0 }}>
          {events.map((event) => (
            <li key={event.key} style={{ padding: '0.4rem 0', borderBottom: '1px solid #d0d7de' }}>
              <time dateTime={new Date(event.at).toISOString()}>{new Date(event.at).toLocaleTimeString()}</time>{' '}
              <strong>{event.type}</strong> {event.remoteName ? `${event.remoteName} (${event.remote})` : event.remote}
              {event.direction && ` · ${event.direction}`}
              {event.status && ` · ${event.status}`}
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App token={sessionToken()} />
  </StrictMode>,
);
