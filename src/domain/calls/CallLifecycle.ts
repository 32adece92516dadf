import { DirectoryCallerCards, type CallerCards, type CardLookup } from '../cards/CallerCards';
import type { CallEvent } from '../events/CallEvent';
import type { DeliveryInfo } from '../bus/EventBus';
import type { CallStateStore, Direction, LegEndedResult, LegOutcome } from '../callstate/CallStateStore';
import type { CallLog, CallView, MissedCallView } from '../calllog/CallLog';
import { pushMissedClaimed } from '../calllog/audience';
import type { Directory } from '../directory/Directory';
import type { PushHub } from '../push/PushHub';
import type { ServerMessage, ServerMessageOf } from '../../protocol/messages';
import type { PresenceService } from '../presence/PresenceService';
import type { Logger } from '../../shared/logger';
import { agentOfDevice, deviceKey, routeIncoming, type RoutingConfig } from './routing';
import type { MissedCallSweeper } from './MissedCallSweeper';
import { CallRecovery } from './CallRecovery';
import { PerCallOrder } from './PerCallOrder';
import { logCallEnded } from './callEndLog';
import { CallCards } from './CallCards';
import { HandledMarks, type HandledMarkWrites } from './HandledMarks';

export interface CallLifecycleDeps {
  state: CallStateStore;
  log: CallLog;
  directory: Directory;
  push: PushHub;
  presence: PresenceService;
  missed: MissedCallSweeper;
  logger: Logger;
  clock: () => number;
  /** `handledMarks`: how the handled markers are written (HandledMarks; default awaited). */
  config: RoutingConfig & { transferWindowMs: number; handledMarks?: HandledMarkWrites };
  /** Device health (optional): told about calls up and down on each phone and about device events. */
  devices?: DeviceHealthHooks;
  /** Caller cards for `call.ringing` (directory, then CRM); the directory alone by default. */
  cards?: CallerCards;
  /** Missed calls an answered call just closed (the call-back queue drops them). */
  onMissedClosed?: (account: string, closed: MissedCallView[]) => Promise<void>;
}

type CallMessageType = 'call.ringing' | 'call.answered' | 'call.dismissed' | 'call.ended' | 'call.transferred';
/** A call message without its envelope and its call (send() adds them). */
type CallPush = { [T in CallMessageType]: Omit<ServerMessageOf<T>, 'at' | 'account' | 'call'> }[CallMessageType];

export interface DeviceHealthHooks {
  callUp(account: string, mac: string, remote: string): void;
  callDown(account: string, mac: string, remote: string): void;
  deviceEvent(account: string, mac: string): Promise<void>;
}

/** The call-log marker of an event whose handling finished: a redelivered event that has it is not handled again. */
export function handledMarker(eventId: string): string {
  return `${eventId}:handled`;
}

/**
 * The consumer's handlers (docs/call-lifecycle.md). Each handler is safe to run twice for one event:
 * call-state steps recognise the event id, call-log steps commit with a processed marker per
 * step, and follow-ups (finalising, queueing the missed call) are idempotent by call id.
 * Pushes go out only the first time a step applies.
 *
 * A call the call state has forgotten (Redis restarted without persistence) but the call log
 * still shows open is continued under its own id: see CallRecovery.
 *
 * Seats relay their phones' events through their own outboxes, so a ring-group phone's events
 * can arrive after another phone already ended the call. The call state joins such a late leg to
 * the call it belongs to by the events' times (CallStateStore RingingResult.late); the missed-call
 * grace runs from when the end was handled (MissedCallSweeper), so a late answer still counts.
 */
export class CallLifecycle {
  private readonly recovery: CallRecovery;
  private readonly cards: CallerCards;
  /** One card lookup per call, whichever of its phones rings first. */
  private readonly callCards: CallCards;
  /** A ringing push waiting for the CRM holds back the later pushes of its call, not other events. */
  private readonly order: PerCallOrder;
  private readonly handledMarks: HandledMarks;

  constructor(private readonly deps: CallLifecycleDeps) {
    this.handledMarks = new HandledMarks(deps.log, deps.config.handledMarks ?? 'awaited', (error, markers) => {
      deps.logger.warn({ err: error, markers }, 'handled markers not saved; those events run again if redelivered');
    });
    this.recovery = new CallRecovery({ state: deps.state, log: deps.log, transferWindowMs: deps.config.transferWindowMs });
    this.cards = deps.cards ?? new DirectoryCallerCards({ directory: deps.directory, logger: deps.logger });
    this.callCards = new CallCards((account, caller) => this.cardFor(account, caller), deps.clock);
    this.order = new PerCallOrder((error) => deps.logger.warn({ err: error }, 'push failed'));
  }

  async handle(event: CallEvent, delivery?: DeliveryInfo): Promise<void> {
    // Every step below is idempotent on its own, so a redelivered event whose first run
    // crashed half-way re-runs them all; only a fully handled event is skipped. An event's first
    // delivery cannot have been handled: its marker is not looked for (a read per event, issue 15).
    const handled = handledMarker(event.id);
    if (delivery?.firstDelivery !== true && (await this.handledMarks.has(handled))) return;
    await this.dispatch(event);
    // Written with the markers of the events handled about now (HandledMarks).
    await this.handledMarks.add(handled);
  }

  /** Writes the handled markers still waiting (shutdown, before the call log closes). */
  flushHandledMarks(): Promise<void> {
    return this.handledMarks.flush();
  }

  private async dispatch(event: CallEvent): Promise<void> {
    switch (event.type) {
      case 'incoming':
        // Only a call up (placed or answered) has the phone polled, not every phone a ring group rings.
        return this.ringing(event, 'in');
      case 'outgoing':
        await this.ringing(event, 'out');
        return this.watchDevice(event, true);
      case 'answered':
        await this.answered(event);
        return this.watchDevice(event, true);
      case 'hangup':
      case 'missed':
      case 'rejected':
        await this.legEnded(event, event.type as LegOutcome);
        return this.watchDevice(event, false);
      case 'transfer':
        return this.transfer(event);
      case 'hold':
      case 'unhold':
        return this.hold(event, event.type === 'hold');
      case 'dnd_on':
      case 'dnd_off':
        return this.dnd(event, event.type === 'dnd_on');
      case 'registered':
      case 'unregistered':
      case 'boot':
        return this.deviceHealth(event);
    }
  }

  private remoteKey(event: CallEvent): string {
    return event.remote !== '' ? event.remote : `unknown@${deviceKey(event)}`;
  }

  /** `stepId` differs from the event id only when an answer starts a call whose ringing was never reported. */
  private async ringing(event: CallEvent, direction: Direction, stepId = event.id): Promise<void> {
    const { state, log, directory } = this.deps;
    const account = event.account;
    const mac = deviceKey(event);
    const remote = this.remoteKey(event);
    // The caller card is looked up alongside the steps below (the CRM may take up to its timeout).
    const card = direction === 'in' ? this.callCards.start(account, { remote: event.remote, displayName: event.displayRemote }) : null;
    // A call the log shows going on for this remote is the call this ring belongs to. A live call
    // in the state wins over it (the ring joins that); when the state has none, it has forgotten
    // the log's call, which is then started again under its own id and direction (its end decides
    // missed or no answer by it) and with its other legs, instead of as a second call.
    const open = await this.recovery.liveCall(event);
    const result = await state.ringing(account, {
      remote, mac, eventId: stepId, candidateCallId: open?.id ?? event.id, direction: open?.direction ?? direction,
      now: event.receivedAt, transferWindowMs: this.deps.config.transferWindowMs,
    });
    if (result.kind === 'duplicate') return;
    const recovered = open !== null && result.kind === 'new' && result.callId === open.id;
    if (recovered) await this.recovery.reseed(event, remote, open, mac);
    const agent = await agentOfDevice(directory, this.deps.config, event);
    const transferredFrom = result.transfer?.fromAgent ?? null;
    const route = direction === 'out' || result.kind === 'transferred'
      ? { line: 'direct' as const, helpline: null, targets: agent ? [agent] : [] }
      : await routeIncoming({ directory, presence: this.deps.presence }, event, agent);
    const alreadyOffered = result.kind === 'new' && !recovered ? [] : await log.targetsOf(account, result.callId);
    // A late leg of an answered call that is already over (RingingResult.late) is only recorded:
    // nothing rings for anyone any more, so nobody is offered it.
    const over = result.late === 'over';
    const { applied, value: call } = await log.recordRinging(stepId, {
      call: {
        id: result.callId, account, direction, remote: event.remote, remoteName: event.displayRemote,
        local: event.local, line: route.line, helpline: route.helpline, startedAt: result.startedAt,
        parentId: null, transferredFrom, agent: direction === 'out' ? agent : null,
      },
      leg: { mac, agent, at: event.receivedAt, transfer: result.kind === 'transferred', transferredFrom },
      targets: over ? [] : route.targets,
    });
    if (!applied || over) return;
    if (direction === 'in') {
      // A ring group's later devices add no popup for agents who already have one.
      const popups = result.kind === 'transferred' ? route.targets : route.targets.filter((t) => !alreadyOffered.includes(t));
      const transferredFromName = transferredFrom ? await this.agentName(account, transferredFrom) : null;
      const lookup = await card!.of(call.id);
      const extra = { transferredFrom, transferredFromName };
      // Without a CRM lookup under way the popup goes out now; otherwise when the CRM answers or
      // its timeout passes, whichever is first, and this call's later pushes wait for it.
      if (lookup.crm === null) this.pushCall(call, popups, { type: 'call.ringing', ...extra, card: lookup.card });
      else if (popups.length > 0) this.order.after(call.id, lookup.crm, (final) => this.send(call, popups, { type: 'call.ringing', ...extra, card: final }));
    } else {
      // A ringing incoming call changes nobody's presence; placing a call makes the agent busy.
      this.refreshPresence(account);
    }
  }

  private async answered(event: CallEvent): Promise<void> {
    const { state, log, directory } = this.deps;
    const account = event.account;
    const mac = deviceKey(event);
    const remote = this.remoteKey(event);
    let result = await state.answered(account, { remote, mac, eventId: event.id, now: event.receivedAt });
    if (!result) {
      // No live call: the call state forgot the call the log still has open (continue that one),
      // or the ringing event never reached us (lost on the phone's side: start the call here).
      if (!(await this.recovery.restore(event, remote))) await this.ringing(event, 'in', `${event.id}:ring`);
      result = await state.answered(account, { remote, mac, eventId: event.id, now: event.receivedAt });
      if (!result) return;
    }
    const agent = await agentOfDevice(directory, this.deps.config, event);
    const { applied, value: call } = await log.recordAnswered(event.id, { callId: result.callId, account, mac, agent, at: event.receivedAt, owner: result.owner });
    if (!call) return;
    if (result.owner && applied) {
      // Agents whose own leg already ended (a transferring agent, a rejecting phone) have no popup to dismiss.
      const done = new Set(call.legs.filter((l) => l.agent !== null && l.state !== 'ringing').map((l) => l.agent));
      const others = (await log.targetsOf(account, call.id)).filter((t) => t !== agent && !done.has(t));
      const answeredBy = agent ? await this.agentName(account, agent) : null;
      this.pushCall(call, agent ? [agent] : [], { type: 'call.answered' });
      this.pushCall(call, others, { type: 'call.dismissed', answeredBy, answeredByAgent: agent });
    }
    if (result.owner) {
      const closed = await log.closeMissedCalls(account, event.remote, agent ?? mac, event.receivedAt);
      // Told to those who see the missed call (its agents, its helpline's, the supervisors), or the account when it rang nobody in particular.
      for (const missed of closed) await pushMissedClaimed(this.deps, missed, event.receivedAt);
      if (closed.length > 0) await this.deps.onMissedClosed?.(account, closed);
    }
    this.refreshPresence(account);
  }

  private async legEnded(event: CallEvent, outcome: LegOutcome): Promise<void> {
    const { state, log, directory } = this.deps;
    const account = event.account;
    const mac = deviceKey(event);
    const remote = this.remoteKey(event);
    const result = (await state.legEnded(account, { remote, mac, outcome, now: event.receivedAt }))
      ?? (await this.recovery.legEnded(event, remote, outcome));
    if (!result) return;
    const agent = await agentOfDevice(directory, this.deps.config, event);
    const { applied, value: call } = await log.recordLegEnded(event.id, { callId: result.callId, account, mac, agent, outcome, at: event.receivedAt });
    if (!call) return;
    // A late or redelivered end of a call whose first end did not get as far as the log: finish it now.
    const unfinished = result.late && (call.status === 'ringing' || call.status === 'in_progress');
    if (result.callEnded) this.callCards.forget(account, event.remote, call.id);
    if (result.callEnded || unfinished) await this.callEnded(event, call, result, applied && result.callEnded);
    this.refreshPresence(account);
  }

  private async callEnded(event: CallEvent, call: CallView, ended: LegEndedResult, notify: boolean): Promise<void> {
    const { log } = this.deps;
    const endedAt = Math.max(event.receivedAt, call.startedAt);
    if (ended.answered || ended.direction === 'out') {
      const status = ended.answered ? 'answered' : 'no_answer';
      const { applied, value } = await log.finaliseCall(event.id, { callId: call.id, account: call.account, status, endedAt });
      if (applied && value) logCallEnded(this.deps.logger, value);
      if (notify) this.pushCall(value ?? call, await this.audience(call), { type: 'call.ended', outcome: status, endedAt });
      return;
    }
    // Unanswered incoming: it becomes a missed call only after the grace delay (docs/call-lifecycle.md, Missed calls).
    await this.deps.missed.schedule(call, endedAt);
    // The call log says "ringing" until the grace delay decides; the popup closes now.
    if (notify) this.pushCall(call, await this.audience(call), { type: 'call.ended', outcome: 'unanswered', endedAt });
  }

  /** Everyone who had the popup, and the owner. */
  private async audience(call: CallView): Promise<string[]> {
    const targets = await this.deps.log.targetsOf(call.account, call.id);
    return [...new Set(call.agent ? [...targets, call.agent] : targets)];
  }

  private async transfer(event: CallEvent): Promise<void> {
    const { state, log, directory } = this.deps;
    const account = event.account;
    const mac = deviceKey(event);
    const remote = this.remoteKey(event);
    const callId = (await state.getActiveCall(account, remote))?.callId ?? (await this.recovery.restore(event, remote));
    if (!callId) return;
    const agent = await agentOfDevice(directory, this.deps.config, event);
    await state.createTransferFingerprint(account, { callId, remote, fromAgent: agent, fromMac: mac, at: event.receivedAt });
    const { applied, value: call } = await log.recordTransfer(event.id, { callId, account, mac, at: event.receivedAt });
    if (applied && call) this.pushCall(call, agent ? [agent] : [], { type: 'call.transferred', kind: event.transferKind });
  }

  private async hold(event: CallEvent, on: boolean): Promise<void> {
    const { state, log } = this.deps;
    const remote = this.remoteKey(event);
    const callId = (await state.getActiveCall(event.account, remote))?.callId ?? (await this.recovery.restore(event, remote));
    if (!callId) return;
    await log.recordHold(event.id, { callId, account: event.account, mac: deviceKey(event), on, at: event.receivedAt });
  }

  private async dnd(event: CallEvent, on: boolean): Promise<void> {
    const { state, directory } = this.deps;
    const agent = await agentOfDevice(directory, this.deps.config, event);
    if (agent) await state.setPhoneDnd(event.account, agent, on);
    this.refreshPresence(event.account);
  }

  private async deviceHealth(event: CallEvent): Promise<void> {
    const { directory } = this.deps;
    if (event.device.mac) {
      await directory.recordDeviceEvent(event.account, { mac: event.device.mac, ip: event.device.ip, event: event.type, at: event.receivedAt });
      // A phone's first report (boot, registration) pairs it with the seat's agent too (agentOfDevice).
      if (this.deps.config.seatAgent !== null) await agentOfDevice(directory, this.deps.config, event);
      await this.deps.devices?.deviceEvent(event.account, event.device.mac).catch((error: unknown) => this.deps.logger.warn({ err: error }, 'device health update failed'));
    }
  }

  /** Device health polls a phone while a call is up on it (DeviceHealth). */
  private watchDevice(event: CallEvent, up: boolean): void {
    const { devices } = this.deps;
    if (!devices || !event.device.mac) return;
    const remote = this.remoteKey(event);
    if (up) devices.callUp(event.account, event.device.mac, remote);
    else devices.callDown(event.account, event.device.mac, remote);
  }

  /** Presence follows calls; it is pushed after the event, never holding up the popup. */
  private refreshPresence(account: string): void {
    this.deps.presence.schedulePublish(account).catch((error: unknown) => this.deps.logger.warn({ err: error }, 'presence update failed'));
  }

  private async agentName(account: string, agent: string): Promise<string> {
    return (await this.deps.directory.getAgent(account, agent))?.name ?? agent;
  }

  /** The caller card for a ringing call; never rejects (a failed lookup is a card with just the number). */
  private cardFor(account: string, caller: { remote: string; displayName: string }): Promise<CardLookup> {
    const bare: CardLookup = {
      card: { number: caller.remote, name: null, company: null, notes: null, crmUrl: null, source: 'none' },
      crm: null,
    };
    return this.cards.cardFor(account, caller).catch((error: unknown) => {
      this.deps.logger.warn({ err: error }, 'caller card lookup failed');
      return bare;
    });
  }

  private pushCall(call: CallView, agents: string[], push: CallPush): void {
    if (agents.length === 0) return;
    this.order.run(call.id, () => this.send(call, agents, push));
  }

  /** The message is stamped when it goes out (a ringing push may have waited for the CRM). */
  private send(call: CallView, agents: string[], push: CallPush): void {
    this.deps.push.toAgents(call.account, agents, { ...push, at: this.deps.clock(), account: call.account, call } as ServerMessage);
  }
}
