// The session token a window uses, and its renewal: the token from the URL expires (12 h), and in
// the desktop app the shell hands out a fresh one (window.ringside.renewSession()) when the API
// refuses it. The REST client and the WebSocket are made again with the new token. In a browser
// there is nobody to ask: a refused token signs the page out, as before.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, RestClient } from '../api/rest';
import { keepSessionToken } from '../api/session';
import { bridge } from '../bridge';
import { renewalDecision, renewedToken, type TokenState } from '../state/renewal';

export interface SessionHandle {
  token: string | null;
  /** A REST client with the current token (null without a session). */
  rest: RestClient | null;
  /**
   * `failedToken` was refused: resolves with the token to go on with (a fresh one, or the current
   * one when the refused token was an older one), or null when the window is signed out.
   */
  renew(failedToken: string): Promise<string | null>;
  /** Something worked with the current token (the WebSocket opened). */
  proven(): void;
  /** A renewal is under way: a refusal seen now is not the end of the session. */
  renewing(): boolean;
  /** Runs one request; when the token is refused, renews it and runs it once more with the new one. */
  withRenewal<T>(work: (rest: RestClient) => Promise<T>): Promise<T>;
}

export function useSession(initial: string | null, onSignedOut: () => void): SessionHandle {
  const [token, setToken] = useState(initial);
  const current = useRef<TokenState | null>(initial ? { token: initial, renewed: false, proven: false } : null);
  const inFlight = useRef<Promise<string | null> | null>(null);
  const signedOut = useRef(onSignedOut);
  useEffect(() => {
    signedOut.current = onSignedOut;
  }, [onSignedOut]);

  const renew = useCallback((failedToken: string): Promise<string | null> => {
    const shell = bridge();
    const decision = renewalDecision({ hasBridge: shell !== null, failedToken, current: current.current, renewing: inFlight.current !== null });
    switch (decision) {
      case 'stale':
        return Promise.resolve(current.current?.token ?? null);
      case 'wait':
        return inFlight.current!;
      case 'sign_out':
        signedOut.current();
        return Promise.resolve(null);
      case 'renew': {
        const request = Promise.resolve()
          .then(() => shell!.renewSession())
          .then((answer) => {
            const fresh = renewedToken(answer);
            if (!fresh) throw new Error('the shell gave no session token');
            current.current = { token: fresh, renewed: true, proven: false };
            keepSessionToken(fresh);
            setToken(fresh);
            return fresh;
          })
          .catch(() => {
            signedOut.current();
            return null;
          })
          .finally(() => {
            if (inFlight.current === request) inFlight.current = null;
          });
        inFlight.current = request;
        return request;
      }
    }
  }, []);

  const clientFor = useCallback((t: string) => new RestClient(t, () => void renew(t)), [renew]);
  const rest = useMemo(() => (token ? clientFor(token) : null), [token, clientFor]);

  const proven = useCallback(() => {
    if (current.current) current.current = { ...current.current, proven: true };
  }, []);
  const renewing = useCallback(() => inFlight.current !== null, []);

  const withRenewal = useCallback(async <T,>(work: (rest: RestClient) => Promise<T>): Promise<T> => {
    const first = current.current?.token;
    if (!first) throw new Error('no session');
    try {
      const result = await work(clientFor(first));
      if (current.current?.token === first) proven();
      return result;
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) throw error;
      const fresh = await renew(first);
      if (!fresh || fresh === first) throw error;
      return work(clientFor(fresh));
    }
  }, [clientFor, renew, proven]);

  return { token, rest, renew, proven, renewing, withRenewal };
}
