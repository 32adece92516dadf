// The main window's page before and around the agent UI: an invite link's page, the sign-in page
// when there is no session (or it ended), else the agent UI. A new session (signed in, or a
// password chosen) starts the agent UI afresh; an ended one comes back here.
import { useCallback, useState } from 'react';
import { App } from './App';
import { forgetInvite, forgetSessionToken, keepSessionToken } from './api/session';
import { signOut } from './api/signin';
import { bridge } from './bridge';
import { InvitePage, SignInPage } from './components/SignIn';

export const SESSION_ENDED = 'Your session has ended. Sign in again to go on.';
export const SIGNED_OUT = 'You have signed out.';

export function Root({ token: initial, invite: initialInvite, notice }: { token: string | null; invite: string | null; notice: string | null }) {
  const [token, setToken] = useState(initial);
  const [invite, setInvite] = useState(initialInvite);
  const [message, setMessage] = useState<string | null>(notice);

  const signedIn = useCallback((fresh: string) => {
    keepSessionToken(fresh);
    forgetInvite();
    setInvite(null);
    setMessage(null);
    setToken(fresh);
  }, []);
  const signedOut = useCallback(() => {
    forgetSessionToken();
    setMessage(SESSION_ENDED);
    setToken(null);
  }, []);
  // In a browser only: the desktop app signs its seat in by itself.
  const signOutNow = useCallback(() => {
    if (token !== null) void signOut(token);
    forgetSessionToken();
    setMessage(SIGNED_OUT);
    setToken(null);
  }, [token]);
  const leaveInvite = useCallback(() => {
    forgetInvite();
    setInvite(null);
  }, []);

  if (invite !== null) return <InvitePage code={invite} onSignedIn={signedIn} onSignInInstead={leaveInvite} />;
  if (token === null) return <SignInPage notice={message} onSignedIn={signedIn} />;
  // The desktop app's sessions come from the shell, which renews them by itself: no password to change there.
  const browser = bridge() === null;
  return <App key={token} token={token} onSignedOut={signedOut} onSignOut={browser ? signOutNow : undefined} onSessionReplaced={browser ? signedIn : undefined} />;
}
