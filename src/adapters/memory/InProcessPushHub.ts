import type { PushConnection, PushHub, ServerMessage, ServerMessageType } from '../../domain/push/PushHub';

/** Embedded mode: every agent client is connected to this one process. */

export class InProcessPushHub implements PushHub {
  private readonly byAccount = new Map<string, Set<PushConnection>>();
  private count = 0;

  constructor(private readonly onSend: (type: ServerMessageType) => void = () => {}) {}

  register(connection: PushConnection): () => void {
    let set = this.byAccount.get(connection.account);
    if (!set) this.byAccount.set(connection.account, (set = new Set()));
    set.add(connection);
    this.count++;
    return () => {
      if (set.delete(connection)) this.count--;
    };
  }

  toAgents(account: string, agents: Iterable<string>, message: ServerMessage): void {
    const wanted = new Set(agents);
    this.deliver(account, message, (c) => c.agent === null || wanted.has(c.agent));
  }

  toAccount(account: string, message: ServerMessage): void {
    this.deliver(account, message, () => true);
  }

  toLocalConnections(account: string, message: ServerMessage): void {
    this.toAccount(account, message);
  }

  connectionCount(): number {
    return this.count;
  }

  private deliver(account: string, message: ServerMessage, wanted: (c: PushConnection) => boolean): void {
    const connections = this.byAccount.get(account);
    if (!connections) return;
    // Serialise once for every recipient: this runs on the webhook-to-popup hot path.
    const serialized = JSON.stringify(message);
    for (const connection of connections) {
      if (!wanted(connection)) continue;
      connection.send(serialized);
      this.onSend(message.type);
    }
  }
}
