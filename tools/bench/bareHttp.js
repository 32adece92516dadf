// The yardstick: a bare node:http server answering what Ringside's listener answers, with no work,
// and, as the popup's yardstick, sending every WebSocket client on /ws a small message per request
// naming the caller (what ringingLatency waits for), like the `call.ringing` push.
import { createServer } from 'node:http';
import { ulid } from 'ulid';
import { WebSocketServer } from 'ws';

const server = createServer((req, res) => {
  const body = JSON.stringify({ status: 'ok', id: ulid() });
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
  if (sockets.clients.size === 0) return;
  const remote = new URL(req.url ?? '/', 'http://bare').searchParams.get('remote');
  const popup = JSON.stringify({ type: 'call.ringing', call: { remote } });
  for (const client of sockets.clients) client.send(popup);
});
const sockets = new WebSocketServer({ server, path: '/ws' });
server.listen(0, '127.0.0.1', () => {
  const url = `http://127.0.0.1:${server.address().port}`;
  process.stdout.write(`${JSON.stringify({ webhookUrl: url, apiUrl: url })}\n`);
});
