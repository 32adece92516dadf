// What the simulated phone writes on its socket: the firmware's raw request line, not a browser's.
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ALICE } from '../../../../tools/simulator/cast';
import { PhoneRequestError, SimulatedPhone } from '../../../../tools/simulator/SimulatedPhone';
import { deferred } from '../../../support/wait';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A listener that records the bytes of one request and answers with the given status; `received()` fails after WAIT_MS. */
async function capture(status: number): Promise<{ port: number; received: () => Promise<Buffer> }> {
  const request = deferred<Buffer>(`a request at the listener answering ${status}`);
  const deliver = (bytes: Buffer) => request.resolve(bytes);
  const server = createServer((socket) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const bytes = Buffer.concat(chunks);
      if (bytes.includes('\r\n\r\n')) {
        deliver(bytes);
        const body = status === 200 ? '{"status":"ok","id":"X"}' : '{"status":"error","reason":"missing or wrong token"}';
        socket.end(`HTTP/1.1 ${status} Whatever\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      }
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no address');
  return { port: address.port, received: () => request.wait() };
}

describe('SimulatedPhone request line', () => {
  it('sends spaces, raw UTF-8 and + unencoded, and leaves an unfilled $variable literal', async () => {
    const { port, received } = await capture(200);
    const phone = new SimulatedPhone(ALICE.phone, { host: '127.0.0.1', port, token: 'tok-0123456789abcdef' });

    const sent = await phone.send('Incoming Call', { remote: '+34911234567', displayRemote: 'José Núñez', local: '8101' });

    const bytes = await received();
    const requestLine = bytes.subarray(0, bytes.indexOf('\r\n'));
    expect(requestLine.equals(Buffer.from(
      'GET /gs/tok-0123456789abcdef/cti/incoming?mac=000b825e0001&remote=+34911234567&local=8101&display_remote=José Núñez&active_user=8101&phone_ip=192.0.2.101 HTTP/1.1',
      'utf8',
    ))).toBe(true);
    expect(sent.target).toContain('display_remote=José Núñez');

    const second = await capture(200);
    const nameless = new SimulatedPhone(ALICE.phone, { host: '127.0.0.1', port: second.port, token: 'tok-0123456789abcdef' });
    await nameless.send('Missed Call', { remote: '', displayRemote: '', local: '8101' });
    const line = (await second.received()).toString('utf8').split('\r\n')[0];
    expect(line).toBe('GET /gs/tok-0123456789abcdef/cti/missed?mac=000b825e0001&remote=$remote&local=8101&display_remote=$display_remote&active_user=8101 HTTP/1.1');
  });

  it('reports a non-200 answer with its status and reason', async () => {
    const { port } = await capture(401);
    const phone = new SimulatedPhone(ALICE.phone, { host: '127.0.0.1', port, token: 'wrong-token-0123456789' });
    const sending = phone.send('Established Call', { remote: '+34911234567', displayRemote: 'José Núñez', local: '8101' });
    await expect(sending).rejects.toBeInstanceOf(PhoneRequestError);
    await expect(sending).rejects.toThrow(/Alice's phone: Established Call: Ringside answered 401 .*wrong token/);
  });
});
