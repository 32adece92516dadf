import type { ServerMessage, ServerMessageType } from '../../protocol/messages';

/**
 * The push port: delivers server messages to the agents' open UIs. Adapters: InProcessPushHub
 * (one process), and a Redis pub/sub router for agents connected to another node. The messages
 * are the WebSocket protocol's (src/protocol/messages.ts).
 */
export type { ServerMessage, ServerMessageType };

export interface PushConnection {
  id: string;
  account: string;
  /** null for an admin/supervisor connection that sees every agent's messages of the account. */
  agent: string | null;
  send(serialized: string): void;
}

export interface PushHub {
  register(connection: PushConnection): () => void;
  toAgents(account: string, agents: Iterable<string>, message: ServerMessage): void;
  toAccount(account: string, message: ServerMessage): void;
  /** Only this process's connections of the account: what this process alone knows (its view of the services). */
  toLocalConnections(account: string, message: ServerMessage): void;
  connectionCount(): number;
}
