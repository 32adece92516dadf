import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, decodePathPart } from './http';

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
}

export type RouteHandler = (ctx: RouteContext) => Promise<unknown>;

interface Route {
  method: string;
  /** As registered: `/api/calls/:id`. */
  path: string;
  pattern: RegExp;
  names: string[];
  handler: RouteHandler;
}

/** A small method + path router: `/api/calls/:id`. A handler's return value is sent as JSON (200). */
export class Router {
  private readonly routes: Route[] = [];

  on(method: string, path: string, handler: RouteHandler): this {
    const names: string[] = [];
    const source = path.replace(/:(\w+)/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    this.routes.push({ method, path, pattern: new RegExp(`^${source}$`), names, handler });
    return this;
  }

  /** Every route, in the order registered (tests check each one for tenant isolation). */
  list(): Array<{ method: string; path: string }> {
    return this.routes.map(({ method, path }) => ({ method, path }));
  }

  /** The matching route, or a 404/405 HttpError. */
  match(method: string, pathname: string): { handler: RouteHandler; params: Record<string, string> } {
    const allowed = new Set<string>();
    for (const route of this.routes) {
      const m = route.pattern.exec(pathname);
      if (!m) continue;
      allowed.add(route.method);
      if (route.method !== method && !(method === 'HEAD' && route.method === 'GET')) continue;
      const params = Object.fromEntries(route.names.map((name, i) => [name, decodePathPart(m[i + 1]!)]));
      return { handler: route.handler, params };
    }
    if (allowed.size > 0) {
      const error = new HttpError(405, `method ${method} not allowed here`);
      error.allow = [...allowed].sort();
      throw error;
    }
    throw new HttpError(404, `no such endpoint: ${pathname}`);
  }
}
