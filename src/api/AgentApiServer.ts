import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../shared/logger';
import { isStorageError, storageReason } from '../shared/storageHealth';
import type { AgentWebSocket } from './AgentWebSocket';
import { HttpError, queryParams, sendJson } from './http';
import type { Router } from './router';
import type { UiAssets } from './ui';

export interface AgentApiServer {
  host: string;
  port: number;
  url: string;
  close(): Promise<void>;
}

/** The agent API listener: REST under /api, /healthz, /metrics, the UI at /, the WebSocket at /ws. */
export async function startAgentApiServer(options: {
  host: string; port: number; router: Router; ui: UiAssets; websocket: AgentWebSocket; logger: Logger;
}): Promise<AgentApiServer> {
  const { router, ui, websocket, logger } = options;
  const server: Server = createServer({ headersTimeout: 10_000, requestTimeout: 30_000 }, (req, res) => void handle(req, res));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      const isApi = url.pathname.startsWith('/api/') || url.pathname === '/healthz' || url.pathname === '/metrics';
      if (!isApi) {
        if ((req.method === 'GET' || req.method === 'HEAD') && ui.serve(url.pathname, res)) return;
        throw new HttpError(404, `no such page: ${url.pathname}`);
      }
      const { handler, params } = router.match(req.method ?? 'GET', url.pathname);
      const body = await handler({ req, res, params, query: queryParams(url.search) });
      if (!res.headersSent) sendJson(res, 200, body);
    } catch (error) {
      if (error instanceof HttpError) {
        const headers: Record<string, string> = error.status === 405 ? { Allow: error.allow.join(', ') } : {};
        if (!res.headersSent) sendJson(res, error.status, error.body ?? { error: error.message, details: error.details }, headers);
        return;
      }
      if (isStorageError(error)) {
        // A full (or read-only) disk: nothing was changed (the write's transaction rolled back); try again later.
        const reason = storageReason(error);
        logger.error({ err: error, path: url.pathname, reason }, 'agent API request failed: the database cannot be written');
        if (!res.headersSent) sendJson(res, 503, { error: 'storage_unavailable', reason: `Ringside cannot save this now (${reason}); nothing was changed, try again later` });
        return;
      }
      logger.error({ err: error, path: url.pathname }, 'agent API request failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
    }
  }

  server.on('upgrade', (req, socket, head) => {
    websocket.handleUpgrade(req, socket, head).catch((error: unknown) => {
      logger.error({ err: error }, 'websocket upgrade failed');
      socket.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const displayHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    host: address.address,
    port: address.port,
    url: `http://${displayHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        websocket.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
