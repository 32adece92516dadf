import { connect, type Channel, type ChannelModel, type ConfirmChannel, type SocketOptions } from 'amqplib';
import { backoffDelay } from '../../protocol/backoff';
import type { Logger } from '../../shared/logger';
import { EventBusError, errorMessage } from './EventBusError';
import { corkFrameWrites } from './corkedWrites';

/** up: connected, topology declared; connecting: an attempt is under way; down: waiting to retry, or closed. */
export type BusStatus = 'up' | 'connecting' | 'down';

/** Opens one AMQP connection (amqplib's connect by default; tests inject one they can cut). */
export type Connector = (url: string, socketOptions: SocketOptions) => Promise<ChannelModel>;

/** One live connection with the channels every part of the bus shares. */
export interface AmqpSession {
  readonly model: ChannelModel;
  /** Declares, queue counts and dead-letter reads. */
  readonly admin: Channel;
  /** Publisher confirms, for events and for dead letters. */
  readonly publisher: ConfirmChannel;
  readonly startedAt: number;
}

export interface AmqpConnectionOptions {
  url: string;
  connect?: Connector;
  /** Runs on every new connection before the session is handed out (declares the topology). */
  setup: (admin: Channel) => Promise<void>;
  initialDelayMs: number;
  maxDelayMs: number;
  connectTimeoutMs: number;
  logger?: Logger;
}

interface UpWaiter {
  settle: (err: Error | null, session?: AmqpSession) => void;
  timer: NodeJS.Timeout;
}

/** A session that lived this long was healthy: the next reconnect starts the backoff afresh. */
const STABLE_SESSION_MS = 5_000;

/**
 * "Equal jitter": half of the capped exponential delay is fixed and half random, so processes
 * that lost the broker together do not all come back at the same moment, and none spins.
 */
export function reconnectDelay(failures: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  return backoffDelay(failures, { baseMs: initialMs, capMs: maxMs, jitter: 'equal' }, random);
}

/**
 * Keeps one connection to RabbitMQ: connects, runs the setup, hands the session to whoever
 * subscribed (the consumer re-subscribes on each), and on loss reconnects with jittered,
 * capped exponential backoff until close(). Any channel of the session that closes unexpectedly
 * recycles the whole connection: one recovery path, and it re-declares the topology (a channel
 * usually dies because a queue or exchange went missing).
 */
export class AmqpConnection {
  private session: AmqpSession | null = null;
  private state: BusStatus = 'down';
  private failures = 0;
  private timer: NodeJS.Timeout | null = null;
  private attempt: Promise<void> | null = null;
  private closed = false;
  private readonly statusListeners = new Set<(status: BusStatus) => void>();
  private readonly sessionListeners = new Set<(session: AmqpSession) => void>();
  private readonly upWaiters = new Set<UpWaiter>();
  private closing: Promise<void> | null = null;
  private readonly connector: Connector;
  /** Why the broker refuses the topology (a queue of another type), until a connection succeeds. */
  private refusal: EventBusError | null = null;

  constructor(private readonly options: AmqpConnectionOptions) {
    this.connector = options.connect ?? ((url, socketOptions) => connect(url, socketOptions));
  }

  start(): void {
    if (this.closed || this.attempt || this.session) return;
    this.attempt = this.connectOnce();
  }

  status(): BusStatus {
    return this.state;
  }

  current(): AmqpSession | null {
    return this.session;
  }

  /** The broker's refusal of the topology that keeps the bus down (a queue of another type), or null. */
  refused(): EventBusError | null {
    return this.refusal;
  }

  /** Calls `listener` on every status change; returns the unsubscribe function. */
  onStatus(listener: (status: BusStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Calls `listener` with the current session (if up) and every later one. */
  onSession(listener: (session: AmqpSession) => void): () => void {
    this.sessionListeners.add(listener);
    if (this.session) listener(this.session);
    return () => this.sessionListeners.delete(listener);
  }

  /** Resolves with the session once up; rejects with bus_unavailable after timeoutMs, or bus_closed on close. */
  whenUp(timeoutMs: number): Promise<AmqpSession> {
    if (this.session) return Promise.resolve(this.session);
    if (this.closed) return Promise.reject(new EventBusError('bus_closed', 'the RabbitMQ bus is closed'));
    return new Promise((resolve, reject) => {
      const waiter: UpWaiter = {
        settle: (err, session) => {
          clearTimeout(waiter.timer);
          this.upWaiters.delete(waiter);
          if (err) reject(err);
          else resolve(session!);
        },
        timer: setTimeout(() => waiter.settle(new EventBusError('bus_unavailable', `RabbitMQ not reachable within ${timeoutMs} ms`)), timeoutMs),
      };
      this.upWaiters.add(waiter);
    });
  }

  /** Drops the session's connection (after a channel failure) so that a fresh one is set up. */
  recycle(reason: string, session: AmqpSession | null = this.session): void {
    if (!session || session !== this.session) return;
    this.options.logger?.warn({ reason }, 'rabbitmq: recycling the connection');
    session.model.close().catch(() => this.onModelClosed(session.model));
  }

  /** Closes the connection and stops reconnecting; no timer or listener is left behind. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const waiter of [...this.upWaiters]) waiter.settle(new EventBusError('bus_closed', 'the RabbitMQ bus was closed'));
    // An attempt under way closes what it opened once it sees `closed` (bounded by connectTimeoutMs).
    await this.attempt;
    const session = this.session;
    this.session = null;
    if (session) await session.model.close().catch(() => undefined);
    this.setStatus('down');
    this.statusListeners.clear();
    this.sessionListeners.clear();
  }

  private async connectOnce(): Promise<void> {
    this.setStatus('connecting');
    let model: ChannelModel | null = null;
    try {
      // noDelay: confirms, acks and queue checks are small request/reply frames that Nagle's
      // algorithm would hold back for tens of milliseconds each.
      model = await this.connector(this.options.url, { timeout: this.options.connectTimeoutMs, noDelay: true, keepAlive: true });
      // With noDelay each socket write is a syscall and a packet of its own: one writev per turn instead.
      corkFrameWrites(model, this.options.logger);
      this.watchConnection(model);
      const session = await this.openSession(model);
      if (this.closed) {
        await session.model.close().catch(() => undefined);
        return;
      }
      this.session = session;
      this.refusal = null;
      this.setStatus('up');
      this.options.logger?.info('rabbitmq: connected, topology declared');
      for (const listener of this.sessionListeners) this.notify(listener, session);
      for (const waiter of [...this.upWaiters]) waiter.settle(null, session);
    } catch (err) {
      if (err instanceof EventBusError && err.code === 'topology_mismatch') this.noteRefusal(err);
      else this.options.logger?.warn({ err: errorMessage(err), failures: this.failures }, 'rabbitmq: connecting failed');
      if (model) await model.close().catch(() => undefined);
      if (!this.closed) this.scheduleReconnect();
    } finally {
      this.attempt = null;
    }
  }

  private async openSession(model: ChannelModel): Promise<AmqpSession> {
    const admin = await model.createChannel();
    this.watchChannel(model, admin, 'admin');
    await this.options.setup(admin);
    const publisher = await model.createConfirmChannel();
    this.watchChannel(model, publisher, 'publisher');
    return { model, admin, publisher, startedAt: Date.now() };
  }

  /**
   * The broker refuses to declare a queue as configured (it exists with another type): waiting
   * cannot fix that, so whoever waits for the bus to come up (open()) gets the error at once, and
   * it is logged once rather than at every attempt. Attempts go on at the backoff's pace, so the
   * bus comes up without a restart once the queue or the setting is changed.
   */
  private noteRefusal(err: EventBusError): void {
    if (err.message === this.refusal?.message) this.options.logger?.debug({ failures: this.failures }, 'rabbitmq: the topology is still refused');
    else this.options.logger?.error({ code: err.code }, err.message);
    this.refusal = err;
    for (const waiter of [...this.upWaiters]) waiter.settle(err);
  }

  /** amqplib emits 'error' on connections and channels: an unlistened one would crash the process. */
  private watchConnection(model: ChannelModel): void {
    model.on('error', (err: Error) => this.options.logger?.warn({ err: err.message }, 'rabbitmq: connection error'));
    model.on('close', () => this.onModelClosed(model));
    model.on('blocked', (reason: string) => this.options.logger?.warn({ reason }, 'rabbitmq: broker blocks publishing'));
    model.on('unblocked', () => this.options.logger?.info('rabbitmq: broker unblocked publishing'));
  }

  private watchChannel(model: ChannelModel, channel: Channel, role: string): void {
    channel.on('error', (err: Error) => this.options.logger?.warn({ err: err.message, channel: role }, 'rabbitmq: channel error'));
    channel.on('close', () => {
      if (this.session?.model === model) this.recycle(`${role} channel closed`);
    });
  }

  private onModelClosed(model: ChannelModel): void {
    const session = this.session;
    if (!session || session.model !== model) return;
    this.session = null;
    if (this.closed) return;
    this.options.logger?.warn('rabbitmq: connection lost; reconnecting');
    if (Date.now() - session.startedAt >= STABLE_SESSION_MS) this.failures = 0;
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const delay = reconnectDelay(this.failures++, this.options.initialDelayMs, this.options.maxDelayMs);
    this.setStatus('down');
    this.timer = setTimeout(() => {
      this.timer = null;
      this.attempt = this.connectOnce();
    }, delay);
  }

  private setStatus(status: BusStatus): void {
    if (status === this.state) return;
    this.state = status;
    for (const listener of this.statusListeners) this.notify(listener, status);
  }

  /** A throwing listener must not break the connection's bookkeeping. */
  private notify<T>(listener: (value: T) => void, value: T): void {
    try {
      listener(value);
    } catch (err) {
      this.options.logger?.error({ err }, 'rabbitmq: a status or session listener threw');
    }
  }
}
