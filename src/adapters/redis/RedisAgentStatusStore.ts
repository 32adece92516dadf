import type { ManualStatus } from '../../domain/callstate/CallStateStore';
import type { RedisClient } from './scripts';
import type { CallStateKeys } from './keys';
import { byAgent, nextPicture, type AgentStatus, type AgentStatusEntry, type AgentStatusStore, type PresenceStatus } from '../../domain/presence/AgentStatusStore';

/**
 * The agent status store in Redis (shared mode), under the account's hash tag:
 * `agent:status:<agent>` (hash status, manual, phone_dnd, name, since, at), `agents:registered`,
 * `agents:available`, `agents:connected` (sets) and `agents:by_user` (hash id -> name).
 *
 * record() reads what is there (for `since` and the agents to forget) and writes the new picture
 * in one MULTI, so readers never see half of it. Two processes recording at once: the last one
 * wins, with a picture as fresh as the shared state it was derived from.
 */
export class RedisAgentStatusStore implements AgentStatusStore {
  constructor(
    private readonly client: RedisClient,
    private readonly keys: CallStateKeys,
  ) {}

  async record(account: string, entries: readonly AgentStatusEntry[], at: number): Promise<void> {
    const k = this.keys.tenant(account);
    const previous = await this.read(account, entries.map((e) => e.agent));
    const picture = nextPicture(entries, previous, at);
    const listed = new Set(picture.map((s) => s.agent));
    const multi = this.client.multi();
    const gone = [...previous.keys()].filter((agent) => !listed.has(agent));
    if (gone.length > 0) multi.del(...gone.map((agent) => k.agentStatus(agent)));
    multi.del(k.agentsRegistered(), k.agentsAvailable(), k.agentsConnected(), k.agentsByUser());
    for (const s of picture) {
      multi.del(k.agentStatus(s.agent));
      multi.hset(k.agentStatus(s.agent), {
        status: s.status, manual: s.manual, phone_dnd: s.phoneDnd ? '1' : '0', name: s.name, since: s.since, at: s.at,
      });
    }
    if (picture.length > 0) {
      multi.sadd(k.agentsRegistered(), ...picture.map((s) => s.agent));
      multi.hset(k.agentsByUser(), Object.fromEntries(picture.map((s) => [s.agent, s.name])));
    }
    const available = picture.filter((s) => s.status === 'available').map((s) => s.agent);
    if (available.length > 0) multi.sadd(k.agentsAvailable(), ...available);
    const connected = picture.filter((s) => s.status !== 'offline').map((s) => s.agent);
    if (connected.length > 0) multi.sadd(k.agentsConnected(), ...connected);
    await multi.exec();
  }

  /** The stored statuses of the registered agents and of `also` (one round trip). */
  private async read(account: string, also: readonly string[]): Promise<Map<string, AgentStatus>> {
    const k = this.keys.tenant(account);
    const registered = await this.client.smembers(k.agentsRegistered());
    const agents = [...new Set([...registered, ...also])];
    const hashes = await Promise.all(agents.map((agent) => this.client.hgetall(k.agentStatus(agent))));
    const result = new Map<string, AgentStatus>();
    agents.forEach((agent, i) => {
      const status = statusOf(agent, hashes[i]!);
      // A registered agent keeps its place even without a hash (so record() forgets it properly).
      if (status) result.set(agent, status);
      else if (registered.includes(agent)) result.set(agent, { agent, name: agent, status: 'offline', manual: 'available', phoneDnd: false, since: 0, at: 0 });
    });
    return result;
  }

  async get(account: string, agent: string): Promise<AgentStatus | null> {
    const k = this.keys.tenant(account);
    const [registered, hash] = await Promise.all([this.client.sismember(k.agentsRegistered(), agent), this.client.hgetall(k.agentStatus(agent))]);
    return registered === 1 ? statusOf(agent, hash) : null;
  }

  async list(account: string): Promise<AgentStatus[]> {
    const k = this.keys.tenant(account);
    const agents = await this.client.smembers(k.agentsRegistered());
    const hashes = await Promise.all(agents.map((agent) => this.client.hgetall(k.agentStatus(agent))));
    return agents.map((agent, i) => statusOf(agent, hashes[i]!)).filter((s): s is AgentStatus => s !== null).sort(byAgent);
  }

  async registered(account: string): Promise<string[]> {
    return (await this.client.smembers(this.keys.tenant(account).agentsRegistered())).sort();
  }

  async available(account: string): Promise<string[]> {
    return (await this.client.smembers(this.keys.tenant(account).agentsAvailable())).sort();
  }

  async connected(account: string): Promise<string[]> {
    return (await this.client.smembers(this.keys.tenant(account).agentsConnected())).sort();
  }

  async names(account: string): Promise<Record<string, string>> {
    return this.client.hgetall(this.keys.tenant(account).agentsByUser());
  }

  /** The connection belongs to the caller. */
  async close(): Promise<void> {}
}

function statusOf(agent: string, hash: Record<string, string>): AgentStatus | null {
  if (hash.status === undefined) return null;
  return {
    agent, name: hash.name ?? agent, status: hash.status as PresenceStatus, manual: (hash.manual ?? 'available') as ManualStatus,
    phoneDnd: hash.phone_dnd === '1', since: Number(hash.since), at: Number(hash.at),
  };
}
