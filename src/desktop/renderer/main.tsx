// Entry point of the agent UI (Electron windows and browser alike): the view and session token
// from the URL fragment (`#token=…` the agent UI, `#popup&token=…` the shell's popup window, or
// `#signin=…` a one-time sign-in link traded for a session, `#invite=…` an invite link's page), then
// that view; the main window without a session shows the sign-in page. Styles are bundled from
// styles.css (the CSP allows no inline scripts and no external resources).
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { takeInvite, takeSession } from './api/session';
import { inviteCodeFromHash, takeSigninLink } from './api/signin';
import { Popup } from './components/Popup';
import { Root } from './Root';
import './styles.css';

// An invite link (`#invite=…`) is kept for its page; a one-time sign-in link (`#signin=…`) is
// traded for a session first. Without a session the main window shows the sign-in page (Root).
const invite = takeInvite(inviteCodeFromHash(window.location.hash));
void takeSigninLink().then((failure) => {
  if (failure !== null) console.warn(`Ringside sign-in link: ${failure}`);
  const route = takeSession();
  document.documentElement.dataset.view = route.view;
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      {route.view === 'popup' ? <Popup token={route.token} /> : <Root token={route.token} invite={invite} notice={failure} />}
    </StrictMode>,
  );
});
