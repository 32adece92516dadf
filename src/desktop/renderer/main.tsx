// Entry point of the agent UI (Electron windows and browser alike): the view and session token
// from the URL fragment (`#token=…` the agent UI, `#popup&token=…` the shell's popup window, or
// `#signin=…` a one-time sign-in link traded for a session), then
// that view. Styles are bundled from styles.css (the CSP allows no inline scripts and no external
// resources).
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { takeSession } from './api/session';
import { takeSigninLink } from './api/signin';
import { Popup } from './components/Popup';
import './styles.css';

// A one-time sign-in link (`#signin=…`) is traded for a session first.
void takeSigninLink().then((failure) => {
  if (failure !== null) console.warn(`Ringside sign-in link: ${failure}`);
  const route = takeSession();
  document.documentElement.dataset.view = route.view;
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      {route.view === 'popup' ? <Popup token={route.token} /> : <App token={route.token} />}
    </StrictMode>,
  );
});
