import type { CallView } from '../../src/domain/calllog/CallLog';

/**
 * The few admin API calls the simulator makes (directory set-up and the call log), always with
 * the admin token: it never touches Ringside without it. The API takes ordinary HTTP, so fetch.
 */
export class RingsideUnreachableError extends Error {}

/** A call as `GET /api/calls` answers it: the call log's own view. */
export type LoggedCall = CallView;

export class AdminApi {
  constructor(readonly baseUrl: string, private readonly token: string) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      const cause = (error as { cause?: NodeJS.ErrnoException }).cause;
      const why = cause?.code === 'ECONNREFUSED' ? 'nothing listens there' : (cause?.message ?? (error as Error).message);
      throw new RingsideUnreachableError(`Ringside's API is not reachable at ${this.baseUrl} (${why}); start it with npx ringside serve`);
    }
    const text = await res.text();
    if (res.status === 401 || res.status === 403) {
      throw new Error(`${method} ${path}: ${res.status}: the admin token was refused (use the running Ringside's admin token: --admin-token, RINGSIDE_ADMIN_TOKEN or <data dir>/admin-token; the webhook token is not an admin token)`);
    }
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.trim()}`);
    return (text ? JSON.parse(text) : {}) as T;
  }

  async agentIds(): Promise<Set<string>> {
    const { items } = await this.request<{ items: Array<{ id: string }> }>('GET', '/api/agents');
    return new Set(items.map((a) => a.id));
  }

  async helplineNumbers(): Promise<Set<string>> {
    const { items } = await this.request<{ items: Array<{ number: string }> }>('GET', '/api/helplines');
    return new Set(items.map((h) => h.number));
  }

  async callsFrom(remote: string): Promise<LoggedCall[]> {
    const { items } = await this.request<{ items: LoggedCall[] }>('GET', `/api/calls?remote=${encodeURIComponent(remote)}`);
    return items;
  }
}
