// The yardstick: a bare node:http server answering what Ringside's listener answers, with no work.
import { createServer } from 'node:http';
import { ulid } from 'ulid';

const server = createServer((req, res) => {
  const body = JSON.stringify({ status: 'ok', id: ulid() });
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ webhookUrl: `http://127.0.0.1:${server.address().port}` })}\n`);
});
