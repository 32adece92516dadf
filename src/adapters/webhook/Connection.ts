import type { Socket } from 'node:net';
import type { CallEvent } from '../../domain/events/CallEvent';
import type { Occupancy, Occupant } from './connectionTable';
import { forbidden, onlyBlankLines, tooManyConnections, type ListenerShared } from './listenerShared';
import { evaluateHead, type Outcome, type PipelineContext } from './pipeline';
import { HeadScanner, httpError, type HttpError } from './requestParser';
import { errorBody, formatResponse, okBody } from './responses';

/** One response, in request order. Formatted when written, so Connection: close is exact. */
interface Slot {
  done: boolean;
  status: number;
  body: string;
  omitBody: boolean;
  keepAlive: boolean;
  headers: Readonly<Record<string, string>> | undefined;
}

/** Pipelined requests in flight per connection before reading pauses (backpressure). */
const MAX_IN_FLIGHT = 64;

/** What the connection is waiting for; the listener's sweep acts when `deadline` passes. */
type Deadline = 'none' | 'head' | 'idle' | 'linger';

/**
 * One phone connection: splits the byte stream into request heads, runs the pipeline, and
 * writes the responses in request order even though accept() may finish out of order.
 * It implements PipelineContext itself so the hot path allocates no context per request.
 */
export class Connection implements PipelineContext, Occupant {
  readonly account: string;
  readonly checkToken: (candidate: string) => boolean | 'previous';
  readonly onPreviousToken?: (event: CallEvent) => void;
  receivedAt = 0;
  deadline = 0;
  deadlineKind: Deadline = 'head';
  /** Since when nothing has been in flight (the connection, or its last answer): the connection table's age. */
  waitingSince = 0;

  private buf: Buffer | null = null;
  private readonly scanner: HeadScanner;
  private readonly queue: Slot[] = [];
  /** False once no further request will be read (error, Connection: close, EOF, shutdown). */
  private reading = true;
  private ended = false;
  private peerEnded = false;
  private paused = false;
  private processing = false;
  /** At least one answer went out: waiting now means idle between requests. */
  private served = false;

  constructor(
    private readonly socket: Socket,
    readonly sourceIp: string,
    private readonly allowed: boolean,
    private readonly shared: ListenerShared,
  ) {
    this.account = shared.account;
    this.checkToken = shared.checkToken;
    this.onPreviousToken = shared.onPreviousToken;
    this.scanner = new HeadScanner(shared.limits);
    this.waitingSince = Date.now();
    this.deadline = this.waitingSince + shared.limits.headersTimeoutMs;
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onPeerEnd());
    socket.on('drain', () => this.resumeIfPossible());
    socket.on('error', (err) => this.shared.logger.debug({ err, ip: this.sourceIp }, 'webhook socket error'));
  }

  nextId(): string {
    return this.shared.nextId();
  }

  takeRateToken(): number {
    return this.shared.rate === null ? 0 : this.shared.rate.take(this.sourceIp, this.receivedAt);
  }

  /** Called by the listener's sweep when `deadline` has passed. */
  onDeadline(): void {
    switch (this.deadlineKind) {
      case 'head':
        this.finalError(this.allowed ? httpError(408, 'request head not received in time') : forbidden());
        break;
      case 'idle':
        this.endGracefully();
        break;
      case 'linger':
        this.socket.destroy();
        break;
      default:
        break;
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  occupancy(): Occupancy {
    if (this.ended) return this.socket.writableFinished || this.socket.destroyed ? 'closing' : 'busy';
    return this.queue.length > 0 || this.socket.writableLength > 0 ? 'busy' : 'waiting';
  }

  /** A connection cap is reached: a new connection is answered 503 and closed. Not a request: not counted as one. */
  refuse(): void {
    this.finalError(tooManyConnections(), false);
  }

  /**
   * Closes this waiting connection to make room for a new one: an idle keep-alive connection is
   * simply closed (as the idle timeout would), one whose request has yet to come is answered 503.
   */
  reclaim(): void {
    if (this.ended || this.queue.length > 0) return;
    if (this.served && (this.buf === null || onlyBlankLines(this.buf))) this.endGracefully();
    else this.finalError(tooManyConnections(), false);
  }

  /** Listener shutdown: finish what is in flight, read nothing more. */
  shutdown(): void {
    this.stopReading();
    this.flush();
  }

  private onData(chunk: Buffer): void {
    if (!this.reading) return; // draining a closing connection: discard
    this.buf = this.buf === null || this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    this.processBuffer();
    this.updateDeadline();
  }

  private processBuffer(): void {
    if (this.processing) return; // a response written mid-loop must not re-enter the loop
    this.processing = true;
    try {
      this.processHeads();
    } finally {
      this.processing = false;
    }
  }

  private processHeads(): void {
    while (this.reading && !this.paused && this.buf !== null && this.buf.length > 0) {
      if (this.queue.length >= MAX_IN_FLIGHT) {
        this.pause();
        return;
      }
      const scan = this.scanner.scan(this.buf);
      if (scan.kind === 'incomplete') break;
      if (scan.kind === 'error') {
        this.finalError(this.allowed ? scan.error : forbidden());
        return;
      }
      const head = this.buf.subarray(scan.start, scan.headEnd);
      this.buf = scan.next < this.buf.length ? this.buf.subarray(scan.next) : null;
      this.scanner.reset();
      // The allow-list is checked before the head is even parsed.
      if (!this.allowed) {
        this.finalError(forbidden());
        return;
      }
      this.handle(head);
    }
    if (this.peerEnded && this.reading && !this.paused) this.finishInput();
  }

  /** The peer has sent its last byte and every complete head is handled: what is left never becomes a request. */
  private finishInput(): void {
    if (this.buf !== null && !onlyBlankLines(this.buf)) this.finalError(this.allowed ? httpError(400, 'incomplete request head') : forbidden());
    else this.shutdown();
  }

  private handle(head: Buffer): void {
    this.receivedAt = Date.now();
    this.deadlineKind = 'none'; // a whole head arrived: the next wait starts afresh
    const outcome = evaluateHead(head, this);
    const slot = newSlot(outcome);
    this.queue.push(slot);
    if (!outcome.keepAlive) this.stopReading();
    if (outcome.kind === 'error') {
      this.record(outcome.error.status, null, outcome.error.reason);
      slot.status = outcome.error.status;
      slot.body = errorBody(outcome.error.reason);
      slot.headers = outcome.error.headers;
      slot.done = true;
      this.flush();
      return;
    }
    this.deliver(outcome.event, slot);
  }

  /** Hands the event to accept(); the 200 goes out only once it is durable. */
  private deliver(event: CallEvent, slot: Slot): void {
    let durable: Promise<void>;
    try {
      durable = this.shared.accept(event);
    } catch (err) {
      durable = Promise.reject(err);
    }
    durable.then(
      () => {
        this.shared.metrics.eventsAccepted.inc({ type: event.type });
        this.record(200, event);
        slot.status = 200;
        slot.body = okBody(event.id);
        this.complete(slot);
      },
      (err: unknown) => {
        this.shared.logger.warn({ err, id: event.id, type: event.type }, 'webhook event could not be stored');
        this.record(503, event);
        slot.status = 503;
        slot.body = errorBody('event could not be stored, retry later');
        this.complete(slot);
      },
    );
  }

  private complete(slot: Slot): void {
    slot.done = true;
    this.flush();
    this.updateDeadline();
  }

  /** Writes finished responses from the head of the queue, in order. */
  private flush(): void {
    if (this.ended || this.socket.destroyed) return;
    // Corked, pipelined responses that are ready together leave in one write. One response (a
    // phone's usual request) is written straight away: corking it would only buffer it first.
    const several = this.queue.length > 1 && (this.queue[0] as Slot).done && (this.queue[1] as Slot).done;
    if (several) this.socket.cork();
    try {
      if (this.writeReady()) return;
    } finally {
      if (several) this.socket.uncork();
    }
    if (this.queue.length === 0 && !this.reading) this.endGracefully();
    else this.resumeIfPossible();
  }

  /** Writes the finished slots at the head of the queue; true when the connection ended. */
  private writeReady(): boolean {
    while (this.queue.length > 0 && (this.queue[0] as Slot).done) {
      const slot = this.queue.shift() as Slot;
      this.served = true;
      const last = !slot.keepAlive || (!this.reading && this.queue.length === 0);
      const accepted = this.socket.write(formatResponse(slot.status, slot.body, !last, slot.omitBody, slot.headers));
      if (last) {
        this.endGracefully();
        return true;
      }
      // A client that pipelines without reading its responses gets no more reads until it does.
      if (!accepted) this.pause();
    }
    return false;
  }

  /** Answers an error after which the byte stream cannot be trusted, then closes. */
  private finalError(error: HttpError, isRequest = true): void {
    if (isRequest) this.record(error.status, null, error.reason);
    this.queue.push({ done: true, status: error.status, body: errorBody(error.reason), omitBody: false, keepAlive: false, headers: error.headers });
    this.stopReading();
    this.flush();
  }

  private onPeerEnd(): void {
    this.peerEnded = true;
    if (this.ended) {
      // Destroying before our last write reached the kernel would drop it; end()'s callback does it then.
      if (this.socket.writableFinished) this.socket.destroy();
      return;
    }
    // Heads still buffered (reading was paused) are answered first; processHeads then finishes.
    this.processBuffer();
    this.updateDeadline();
  }

  /**
   * Half-closes and keeps reading (discarding) until the peer closes too: closing with
   * unread input would send a RST that can destroy the response we just wrote.
   */
  private endGracefully(): void {
    if (this.ended) return;
    this.ended = true;
    this.stopReading();
    this.resume();
    this.deadlineKind = 'linger';
    this.deadline = Date.now() + this.shared.lingerMs;
    this.socket.end(() => {
      if (this.peerEnded) this.socket.destroy();
    });
  }

  private stopReading(): void {
    this.reading = false;
    this.buf = null;
  }

  private updateDeadline(): void {
    if (this.ended) return;
    if (this.queue.length > 0) {
      this.deadlineKind = 'none';
    } else if (this.buf !== null && this.buf.length > 0) {
      // Set once per head: a client trickling bytes does not push the deadline out.
      if (this.deadlineKind !== 'head') {
        const now = Date.now();
        if (this.deadlineKind === 'none') this.waitingSince = now; // answered everything; the next request has begun
        this.deadlineKind = 'head';
        this.deadline = now + this.shared.limits.headersTimeoutMs;
      }
    } else if (this.deadlineKind === 'none') {
      this.deadlineKind = 'idle';
      this.waitingSince = Date.now();
      this.deadline = this.waitingSince + this.shared.limits.idleTimeoutMs;
    }
  }

  private record(status: number, event: CallEvent | null, refusal?: string): void {
    this.shared.metrics.webhookRequests.inc({ status: String(status) });
    if (refusal !== undefined) this.shared.refusals.note(this.sourceIp, status, refusal, Date.now());
    const logger = this.shared.logger;
    if (logger.isLevelEnabled('debug')) {
      logger.debug({ status, ip: this.sourceIp, type: event?.type, id: event?.id }, 'webhook request');
    }
  }

  private pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.socket.pause();
  }

  private resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.socket.resume();
  }

  /** Reading resumes when the in-flight queue has room and the socket has drained. */
  private resumeIfPossible(): void {
    if (!this.paused || this.queue.length >= MAX_IN_FLIGHT || this.socket.writableNeedDrain) return;
    this.resume();
    this.processBuffer();
    this.updateDeadline();
  }
}

function newSlot(outcome: Outcome): Slot {
  return { done: false, status: 0, body: '', omitBody: outcome.head, keepAlive: outcome.keepAlive, headers: undefined };
}
