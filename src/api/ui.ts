import { existsSync, readFileSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import type { ServerResponse } from 'node:http';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json', '.woff2': 'font/woff2',
};

const CSP = "default-src 'self'; connect-src 'self' ws: wss:; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'";

/** Shown when the renderer bundle is not built: enough to see that Ringside runs. */
const FALLBACK_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Ringside</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>Ringside is running</h1><p>The agent UI bundle is not built yet. Run <code>npm run build</code>, then reload.</p>
<p>Health: <a href="/healthz">/healthz</a></p></body></html>`;

/** Serves the built agent UI (out/renderer) with a strict CSP; never a path outside it. */
export class UiAssets {
  constructor(private readonly root: string | null) {}

  serve(pathname: string, res: ServerResponse): boolean {
    const headers = { 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' };
    const file = this.resolve(pathname === '/' ? '/index.html' : pathname);
    if (file) {
      res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(readFileSync(file));
      return true;
    }
    if (pathname === '/' || pathname === '/index.html') {
      res.writeHead(200, { ...headers, 'Content-Type': TYPES['.html']! });
      res.end(FALLBACK_PAGE);
      return true;
    }
    return false;
  }

  private resolve(pathname: string): string | null {
    if (!this.root) return null;
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return null;
    }
    const candidate = normalize(join(this.root, decoded));
    if (!candidate.startsWith(this.root + sep)) return null;
    return existsSync(candidate) && !candidate.endsWith(sep) ? candidate : null;
  }
}
