// Entry point of the agent UI (Electron window and browser alike): the session token from the URL
// fragment, then the app. Styles are bundled from styles.css (the CSP allows no inline scripts and
// no external resources).
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { takeSessionToken } from './api/session';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App token={takeSessionToken()} />
  </StrictMode>,
);
