import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

/**
 * Sends on an agent's WebSocket so that the messages of one turn of the event loop leave in one
 * write. ws writes every message with a system call of its own (a writev of frame header and
 * payload), and a supervisor's socket receives a message for every call event of the account:
 * under load that was one system call per message (issue 15). The connection's TCP socket is
 * corked for the rest of the turn and uncorked on setImmediate, right after the I/O callbacks of
 * the turn: a lone popup waits for nothing but the end of its own turn. ws corks and uncorks
 * around each frame itself; Node counts corks, so its uncork leaves this one holding.
 *
 * Relies on ws's `_socket` (ws 8): a test pins it (test/unit/api/turnCorkedSend.test.ts).
 */
const corked = new Set<Socket>();
let uncorkScheduled = false;

export function sendInTurn(ws: WebSocket, data: string): void {
  const socket = (ws as unknown as { _socket?: Socket | null })._socket;
  if (socket && socket.writable && !corked.has(socket)) {
    socket.cork();
    corked.add(socket);
    if (!uncorkScheduled) {
      uncorkScheduled = true;
      setImmediate(uncorkAll);
    }
  }
  ws.send(data);
}

function uncorkAll(): void {
  uncorkScheduled = false;
  for (const socket of corked) socket.uncork();
  corked.clear();
}
