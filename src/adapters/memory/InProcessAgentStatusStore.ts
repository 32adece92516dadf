import { byAgent, nextPicture, type AgentStatus, type AgentStatusEntry, type AgentStatusStore } from '../../domain/presence/AgentStatusStore';

/** Embedded mode: one process, one picture per account. */
export class InProcessAgentStatusStore implements AgentStatusStore {
  private readonly accounts = new Map<string, Map<string, AgentStatus>>();

  private of(account: string): Map<string, AgentStatus> {
    return this.accounts.get(account) ?? new Map();
  }

  async record(account: string, entries: readonly AgentStatusEntry[], at: number): Promise<void> {
    const picture = nextPicture(entries, this.of(account), at);
    this.accounts.set(account, new Map(picture.map((status) => [status.agent, status])));
  }

  async get(account: string, agent: string): Promise<AgentStatus | null> {
    const status = this.of(account).get(agent);
    return status ? { ...status } : null;
  }

  async list(account: string): Promise<AgentStatus[]> {
    return [...this.of(account).values()].map((s) => ({ ...s })).sort(byAgent);
  }

  async registered(account: string): Promise<string[]> {
    return (await this.list(account)).map((s) => s.agent);
  }

  async available(account: string): Promise<string[]> {
    return (await this.list(account)).filter((s) => s.status === 'available').map((s) => s.agent);
  }

  async connected(account: string): Promise<string[]> {
    return (await this.list(account)).filter((s) => s.status !== 'offline').map((s) => s.agent);
  }

  async names(account: string): Promise<Record<string, string>> {
    return Object.fromEntries((await this.list(account)).map((s) => [s.agent, s.name]));
  }

  async close(): Promise<void> {
    this.accounts.clear();
  }
}
