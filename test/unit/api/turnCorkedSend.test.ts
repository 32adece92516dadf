// The messages an agent's WebSocket is sent in one turn leave in one write (src/api/turnCorkedSend.ts),
// on a real ws server and client over TCP. This also pins ws's `_socket`, which the send relies on.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { sendInTurn } from '../../../src/api/turnCorkedSend';
import { deferred, withTimeout } from '../../support/wait';

let server: WebSocketServer | null = null;
let client: WebSocket | null = null;
afterEach(async () => {
  client?.terminate();
  if (server) await new Promise((resolve) => server!.close(resolve));
  server = null;
  client = null;
});

/** A connected pair: the server's side of the socket, and every message the client receives. */
async function connectedPair(): Promise<{ serverSide: WebSocket; received: string[]; count: (n: number) => Promise<void> }> {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[WebSocket]>;
  client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const received: string[] = [];
  let wanted = { n: Infinity, done: deferred<void>('messages') };
  client.on('message', (data) => {
    received.push(String(data));
    if (received.length >= wanted.n) wanted.done.resolve();
  });
  const [serverSide] = await accepted;
  await once(client, 'open');
  const count = (n: number) => {
    wanted = { n, done: deferred<void>(`${n} messages`) };
    if (received.length >= n) wanted.done.resolve();
    return withTimeout(wanted.done.promise, `${n} messages to arrive`);
  };
  return { serverSide, received, count };
}

/** Counts the write system calls the socket asks for (net.Socket's _writev and _write). */
function countWrites(ws: WebSocket): { writes: () => number } {
  const socket = (ws as unknown as { _socket: Socket & { _writev: (...a: unknown[]) => unknown; _write: (...a: unknown[]) => unknown } })._socket;
  expect(socket, 'ws keeps its TCP socket as _socket').toBeDefined();
  let writes = 0;
  for (const method of ['_writev', '_write'] as const) {
    const original = socket[method].bind(socket);
    socket[method] = (...args: unknown[]) => {
      writes++;
      return original(...args);
    };
  }
  return { writes: () => writes };
}

describe('sendInTurn', () => {
  it('writes the 50 messages of one turn with one system call, in order', async () => {
    const { serverSide, received, count } = await connectedPair();
    const counter = countWrites(serverSide);
    for (let i = 0; i < 50; i++) sendInTurn(serverSide, `message ${i}`);
    await count(50);
    expect(received).toEqual(Array.from({ length: 50 }, (_, i) => `message ${i}`));
    expect(counter.writes()).toBe(1);
  });

  it('sends a lone message at the end of its turn, and the next turn\'s messages in a write of their own', async () => {
    const { serverSide, count } = await connectedPair();
    const counter = countWrites(serverSide);
    sendInTurn(serverSide, 'first');
    await count(1);
    sendInTurn(serverSide, 'second');
    sendInTurn(serverSide, 'third');
    await count(3);
    expect(counter.writes()).toBe(2);
  });
});
