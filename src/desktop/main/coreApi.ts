import { z } from 'zod';
import { missedCallView, presenceStatus, type MissedCallView, type PresenceStatus } from '../../protocol/views';

/**
 * The shell is an agent client of its own core, like the agent UI: an agent session token, the
 * REST API and the WebSocket. Nothing here reaches into the core's internals, so the same shell
 * would work against a core in a utility process.
 */

export interface AgentSession {
  token: string;
  expiresAt: number;
}

export interface SessionIssuer {
  /** RingsideInstance.createAgentSession: a session for the seat's agent. */
  createAgentSession(): Promise<AgentSession>;
}

/** A session renewed this long before it expires. */
const RENEW_BEFORE_MS = 10 * 60_000;

/** The shell's own agent session, renewed before it runs out (sessions last RINGSIDE_SESSION_TTL_MS). */
export class AgentSessions {
  private session: AgentSession | null = null;
  private pending: Promise<AgentSession> | null = null;

  constructor(private readonly issuer: SessionIssuer, private readonly clock: () => number = Date.now) {}

  async current(): Promise<AgentSession> {
    if (this.session && this.clock() < this.session.expiresAt - RENEW_BEFORE_MS) return this.session;
    return this.fresh();
  }

  /** Always a new session (for a window whose token ran out). */
  async fresh(): Promise<AgentSession> {
    this.pending ??= this.issuer.createAgentSession().then(
      (session) => {
        this.session = session;
        this.pending = null;
        return session;
      },
      (error: unknown) => {
        this.pending = null;
        throw error;
      },
    );
    return this.pending;
  }
}

export interface ApiAnswer {
  status: number;
  body: unknown;
}

export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal }) => Promise<{ status: number; text(): Promise<string> }>;

const REQUEST_TIMEOUT_MS = 15_000;

export class CoreApi {
  constructor(
    /** The agent API's origin, e.g. http://127.0.0.1:7790. */
    readonly origin: string,
    private readonly sessions: AgentSessions,
    private readonly fetchImpl: FetchLike = (url, init) => fetch(url, init),
  ) {}

  async request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiAnswer> {
    const { token } = await this.sessions.current();
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await this.fetchImpl(`${this.origin}${path}`, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = { text };
    }
    return { status: response.status, body: parsed };
  }

  /** Open missed calls of the account (the tracker picks this agent's). */
  async openMissed(): Promise<MissedCallView[]> {
    const answer = await this.request('GET', '/api/missed?status=open&limit=500');
    const parsed = z.object({ items: z.array(z.unknown()) }).safeParse(answer.body);
    if (answer.status !== 200 || !parsed.success) throw new Error(`GET /api/missed answered ${answer.status}`);
    return parsed.data.items.flatMap((item) => {
      const one = missedCallView.safeParse(item);
      return one.success ? [one.data] : [];
    });
  }

  /** The agent's presence now (GET /api/agents lists every agent with it). */
  async presenceOf(agent: string): Promise<PresenceStatus | null> {
    const answer = await this.request('GET', '/api/agents');
    const parsed = z.object({ items: z.array(z.looseObject({ id: z.string(), presence: presenceStatus })) }).safeParse(answer.body);
    if (answer.status !== 200 || !parsed.success) throw new Error(`GET /api/agents answered ${answer.status}`);
    return parsed.data.items.find((a) => a.id === agent)?.presence ?? null;
  }

  /** Whether a call still rings (for popups kept across a lost connection). */
  async isRinging(callId: string): Promise<boolean> {
    const answer = await this.request('GET', `/api/calls/${encodeURIComponent(callId)}`);
    if (answer.status === 404) return false;
    const parsed = z.looseObject({ status: z.string() }).safeParse(answer.body);
    if (answer.status !== 200 || !parsed.success) throw new Error(`GET /api/calls/:id answered ${answer.status}`);
    return parsed.data.status === 'ringing';
  }
}

export type DialOutcome = { ok: true; number: string; message: string } | { ok: false; number: string; message: string };

const errorBody = z.looseObject({ error: z.string().optional(), reason: z.string().optional() });

/**
 * Dials through the agent's own phone (POST /api/phone/dial). The outcome's message is what the
 * agent reads in a notification: the core's reason when the phone could not dial.
 */
export async function dialThroughPhone(api: CoreApi, number: string): Promise<DialOutcome> {
  let answer: ApiAnswer;
  try {
    answer = await api.request('POST', '/api/phone/dial', { number });
  } catch (error) {
    return { ok: false, number, message: `Could not reach Ringside to dial ${number}: ${(error as Error).message}` };
  }
  if (answer.status === 200) return { ok: true, number, message: `Dialling ${number} on your phone` };
  const parsed = errorBody.safeParse(answer.body);
  const reason = parsed.success ? (parsed.data.reason ?? parsed.data.error) : undefined;
  return { ok: false, number, message: `Could not dial ${number}: ${reason ?? `Ringside answered ${answer.status}`}` };
}
