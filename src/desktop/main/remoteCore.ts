import { z } from 'zod';
import type { AgentSession, SessionIssuer } from './coreApi';

/**
 * `npm start` runs the core in Node (bin/start.js), where better-sqlite3 was built, and tells the
 * desktop app where its agent API is in RINGSIDE_CORE_API: Electron's own ABI would need the
 * native module rebuilt for it (the packaged app is, by electron-builder). The shell is an agent
 * client of its core anyway, so only the sessions change hands: they come from the API.
 */
export const CORE_API_ENV = 'RINGSIDE_CORE_API';

/** The core's agent API from the environment: only an http URL on this machine; null when unset. */
export function externalCoreApi(env: NodeJS.ProcessEnv): string | null {
  const raw = env[CORE_API_ENV];
  if (raw === undefined || raw === '') return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${CORE_API_ENV} must be the core's agent API URL (http://127.0.0.1:<port>), not ${JSON.stringify(raw)}`);
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'http:' || !loopback) throw new Error(`${CORE_API_ENV} must be an http URL on this machine (127.0.0.1), not ${url.origin}`);
  return url.origin;
}

const sessionAnswer = z.object({ token: z.string().min(16), expiresAt: z.number() });

/**
 * Sessions for the seat's agent from the core's API (POST /api/session with the admin token). The
 * app runs as the seat's user beside its core, so it reads the admin token where the core keeps it
 * (`<data dir>/admin-token`), again for each session: a rotated admin token is picked up.
 */
export function remoteSessionIssuer(apiUrl: string, adminToken: string | (() => string), agent: string, fetchFn: typeof fetch = fetch): SessionIssuer {
  return {
    async createAgentSession(): Promise<AgentSession> {
      const token = typeof adminToken === 'string' ? adminToken : adminToken();
      const res = await fetchFn(`${apiUrl}/api/session`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ agent }),
      });
      if (!res.ok) throw new Error(`the core at ${apiUrl} gave no session for ${agent}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
      return sessionAnswer.parse(await res.json());
    },
  };
}
