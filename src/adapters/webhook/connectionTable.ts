/**
 * The webhook listener's open connections, capped in total and per source address
 * (docs/webhook.md, Connection limits). Every connection holds a file descriptor until its
 * socket closes, so the table counts all of them, those being answered and closed included.
 *
 * When a new connection would exceed a cap, room is made in the pool that is full (the source
 * address's connections for the per-address cap, all of them for the total), cheapest first:
 *  1. a connection already answered and closed, whose last bytes are with the system, is
 *     destroyed (only its socket was left);
 *  2. else the connection that has been waiting the longest with nothing in flight (an idle
 *     keep-alive connection, or one that has not yet sent a whole request) is closed: a server
 *     may close an idle connection at any time, and one that took longest to say anything is the
 *     least likely to be a phone in the middle of its request;
 *  3. else (every connection has a request in flight) the new connection is refused.
 * A request in flight is never cut off. A flood of connections, from one address or from many,
 * then churns through the waiting slots while phones' requests (which arrive within
 * milliseconds of their connection) are served; a cap is only exceeded by connections already
 * answered and closing, which step 1 destroys as soon as their place is needed.
 */
export type ConnectionLimit = 'per_address' | 'total';

export type Occupancy = 'busy' | 'waiting' | 'closing';

export interface Occupant {
  readonly sourceIp: string;
  /**
   * `busy`: a request in flight or an answer not yet handed to the system; `waiting`: for a
   * request (none yet, or idle between requests); `closing`: answered and half-closed, every
   * byte handed to the system.
   */
  occupancy(): Occupancy;
  /** When it began waiting (its connection, or its last answer); meaningful while `waiting`. */
  readonly waitingSince: number;
  /** Closes a waiting connection to make room (answering it when it has a request to come). */
  reclaim(): void;
  /** Destroys the socket at once. */
  destroy(): void;
}

export interface Admission {
  /** The cap that made the new connection be refused, or null when it was admitted. */
  refused: ConnectionLimit | null;
  /** Waiting connections closed to make room for it, by the cap that was full (not counting answered ones destroyed). */
  reclaimed: Array<{ limit: ConnectionLimit; occupant: Occupant }>;
}

/** Whole numbers, at least 1, and the per-address cap at most the total; throws naming the one that is not. */
export function checkConnectionCaps(maxConnections: number, maxPerAddress: number): void {
  if (!Number.isInteger(maxConnections) || maxConnections < 1) throw new Error(`invalid webhook limit maxConnections: ${String(maxConnections)} (a whole number, at least 1)`);
  if (!Number.isInteger(maxPerAddress) || maxPerAddress < 1 || maxPerAddress > maxConnections) {
    throw new Error(`invalid webhook limit maxConnectionsPerAddress: ${String(maxPerAddress)} (a whole number from 1 to maxConnections, ${maxConnections})`);
  }
}

export class ConnectionTable<C extends Occupant> {
  private readonly all = new Set<C>();
  private readonly byAddress = new Map<string, Set<C>>();

  constructor(
    readonly maxConnections: number,
    readonly maxPerAddress: number,
  ) {
    checkConnectionCaps(maxConnections, maxPerAddress);
  }

  get size(): number {
    return this.all.size;
  }

  /** Connections of one source address now. */
  countOf(ip: string): number {
    return this.byAddress.get(ip)?.size ?? 0;
  }

  [Symbol.iterator](): IterableIterator<C> {
    return this.all.values();
  }

  /**
   * Makes room for `connection` where a cap is reached, then adds it to the table whatever the
   * verdict: a refused connection still holds its socket until it is closed.
   */
  admit(connection: C): Admission {
    const reclaimed: Admission['reclaimed'] = [];
    let refused: ConnectionLimit | null = null;
    const own = this.byAddress.get(connection.sourceIp);
    if (own !== undefined && own.size >= this.maxPerAddress && !this.makeRoom(own, this.maxPerAddress, 'per_address', reclaimed)) {
      refused = 'per_address';
    } else if (this.all.size >= this.maxConnections && !this.makeRoom(this.all, this.maxConnections, 'total', reclaimed)) {
      refused = 'total';
    }
    this.add(connection);
    return { refused, reclaimed };
  }

  /** Forgets a connection (its socket closed); idempotent. */
  release(connection: C): void {
    if (!this.all.delete(connection)) return;
    const own = this.byAddress.get(connection.sourceIp);
    if (own === undefined) return;
    own.delete(connection);
    if (own.size === 0) this.byAddress.delete(connection.sourceIp);
  }

  private add(connection: C): void {
    this.all.add(connection);
    let own = this.byAddress.get(connection.sourceIp);
    if (own === undefined) {
      own = new Set();
      this.byAddress.set(connection.sourceIp, own);
    }
    own.add(connection);
  }

  /** True when there is room now, or a waiting connection is being closed for it. */
  private makeRoom(pool: Set<C>, cap: number, limit: ConnectionLimit, reclaimed: Admission['reclaimed']): boolean {
    for (const occupant of pool) {
      if (pool.size < cap) break;
      if (occupant.occupancy() !== 'closing') continue;
      occupant.destroy();
      this.release(occupant); // now, not when 'close' is emitted: the count must drop at once
    }
    if (pool.size < cap) return true;
    let victim: C | undefined;
    for (const occupant of pool) {
      if (occupant.occupancy() === 'waiting' && (victim === undefined || occupant.waitingSince < victim.waitingSince)) victim = occupant;
    }
    if (victim === undefined) return false;
    victim.reclaim();
    reclaimed.push({ limit, occupant: victim });
    return true;
  }
}
