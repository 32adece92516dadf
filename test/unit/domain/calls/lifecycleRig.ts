import { rmSync } from 'node:fs';
import type { HandledMarkWrites } from '../../../../src/domain/calls/HandledMarks';
import { join } from 'node:path';
import type { CallerCards } from '../../../../src/domain/cards/CallerCards';
import { SqliteCallStateStore } from '../../../../src/adapters/sqlite/callstate/SqliteCallStateStore';
import { CallLifecycle } from '../../../../src/domain/calls/CallLifecycle';
import { MissedCallSweeper } from '../../../../src/domain/calls/MissedCallSweeper';
import { StaleCallReaper } from '../../../../src/domain/calls/StaleCallReaper';
import type { CallView } from '../../../../src/domain/calllog/CallLog';
import { SqliteCallLog } from '../../../../src/adapters/sqlite/calllog/SqliteCallLog';
import { SqliteDirectory, contactHooksFor } from '../../../../src/adapters/sqlite/directory/SqliteDirectory';
import type { CallEvent, CallEventType } from '../../../../src/domain/events/CallEvent';
import { PresenceService } from '../../../../src/domain/presence/PresenceService';
import { InProcessPushHub } from '../../../../src/adapters/memory/InProcessPushHub';
import { createLogger } from '../../../../src/shared/logger';
import { openDatabase, type SqliteDatabase } from '../../../../src/adapters/sqlite/database';
import { makeTempDir } from '../../../support/tmp';

/**
 * The call handlers wired over the real embedded parts (SQLite call log and directory, the
 * embedded call state, the in-process push hub) in a temp dir, with a clock the test moves by
 * hand. Shared by the tests that exercise the handlers end to end (crashes, lost call state,
 * late events, the stale-call reaper) so they differ only in what they do, not in the wiring.
 */

export const ACCOUNT = 'default';
export const MAC_A = '000B8200000A';
export const MAC_B = '000B8200000B';
/** The missed-call grace delay: short, as the clock is moved by hand anyway. */
export const DELAY = 5000;

/** Alice (201) on phone A and Bob (202) on phone B; a test picks which exist. */
const AGENTS = {
  alice: { id: 'alice', name: 'Alice', extension: '201', devices: [MAC_A] },
  bob: { id: 'bob', name: 'Bob', extension: '202', devices: [MAC_B] },
};
export type AgentId = keyof typeof AGENTS;

/** A step that fails once when armed, as if the process died right there; the bus then redelivers the event. */
export class CrashOnce {
  armed = false;
  hit(): void {
    if (this.armed) {
      this.armed = false;
      throw new Error('simulated crash');
    }
  }
}

/** A push as an agent's UI got it, tagged with that agent. */
export interface Pushed {
  type: string;
  agent: string;
  outcome?: string;
  call?: { id: string };
  missed?: { callId: string; status: string; closedBy: string | null };
}

export interface RigOptions<L extends SqliteCallLog> {
  /** Prefix of the event ids; padded with a counter to 26 characters, the length of a real (ULID) id. */
  idPrefix: string;
  /** The caller's number on events that do not name one. */
  remote: string;
  /** The local number on events that do not name one. */
  local?: string;
  /** Which agents exist (each with a UI connection whose pushes are captured); both by default. */
  agents?: AgentId[];
  /** How the handled markers are written (CallLifecycle config; deferred, as a seat's, by default). */
  handledMarks?: HandledMarkWrites;
  /** Builds the call log, for a test that makes it crash somewhere; a plain SqliteCallLog otherwise. */
  callLog?: (db: SqliteDatabase, hooks: ReturnType<typeof contactHooksFor>) => L;
  /** When given, the sweeper hits it before queueing a missed call: a crash between the log and the queue. */
  scheduleCrash?: CrashOnce;
  /** The caller cards of ringing pushes (e.g. with a CRM); the directory's alone by default. */
  cards?: (directory: SqliteDirectory) => CallerCards;
}

/** Counts events across the rigs of one test file (vitest loads this module once per file) so ids never repeat. */
let seq = 0;

export interface Rig<L extends SqliteCallLog = SqliteCallLog> {
  /** The clock of every handler; tests move it. */
  now: number;
  readonly log: L;
  readonly directory: SqliteDirectory;
  readonly push: InProcessPushHub;
  /** Everything pushed to the agents' UIs, in order. */
  readonly pushed: Pushed[];
  // The parts below live on the call state, so loseCallState() replaces them: read them from the rig each time.
  readonly state: SqliteCallStateStore;
  readonly missed: MissedCallSweeper;
  readonly lifecycle: CallLifecycle;
  readonly reaper: StaleCallReaper;
  /** An event from a phone, happening now unless `at` says when. */
  event(type: CallEventType, mac: string, fields?: { remote?: string; local?: string; at?: number }): CallEvent;
  /** Sends events in order, one second apart. */
  phone(...steps: Array<[CallEventType, string]>): Promise<void>;
  /** The pushes of a type, to one agent or to all. */
  sent(type: string, agent?: string): Pushed[];
  /** The call log's calls from a remote (the rig's by default), newest first. */
  calls(remote?: string): Promise<CallView[]>;
  /** Moves past the grace delay and sweeps the missed-call queue. */
  afterGraceDelay(): Promise<void>;
  /**
   * The call state is gone (live calls, recent calls, the missed-call queue, transfer
   * fingerprints) while the call log stays, as when Redis restarts without persistence.
   */
  loseCallState(): Promise<void>;
  close(): Promise<void>;
}

export async function createRig<L extends SqliteCallLog = SqliteCallLog>(options: RigOptions<L>): Promise<Rig<L>> {
  const temp = makeTempDir();
  const db = openDatabase(join(temp.dir, 'ringside.db'));
  const directory = new SqliteDirectory(db);
  const hooks = contactHooksFor(directory);
  const log = options.callLog ? options.callLog(db, hooks) : (new SqliteCallLog(db, hooks) as L);
  const push = new InProcessPushHub();
  const pushed: Pushed[] = [];
  for (const agent of options.agents ?? (['alice', 'bob'] as const)) {
    await directory.upsertAgent(ACCOUNT, AGENTS[agent]);
    push.register({ id: `ui-${agent}`, account: ACCOUNT, agent, send: (data) => pushed.push({ ...(JSON.parse(data) as Pushed), agent }) });
  }
  const logger = createLogger({ level: 'silent' });
  const scheduleCrash = options.scheduleCrash;
  const stateFile = join(temp.dir, 'state.db');

  function wire(): Pick<Rig<L>, 'state' | 'missed' | 'lifecycle' | 'reaper'> {
    const state = SqliteCallStateStore.open(stateFile);
    const presence = new PresenceService({ state, log, directory, push, clock });
    const deps = { state, log, push, logger, clock, delayMs: DELAY };
    const missed = scheduleCrash
      ? new (class extends MissedCallSweeper {
          override async schedule(...args: Parameters<MissedCallSweeper['schedule']>): Promise<void> {
            scheduleCrash.hit();
            return super.schedule(...args);
          }
        })(deps)
      : new MissedCallSweeper(deps);
    const config = { seatAgent: null, transferWindowMs: 120_000, handledMarks: options.handledMarks ?? 'deferred' };
    const lifecycle = new CallLifecycle({ state, log, directory, push, presence, missed, logger, clock, config, cards: options.cards?.(directory) });
    return { state, missed, lifecycle, reaper: new StaleCallReaper({ state, log, missed, clock }) };
  }

  const rig: Rig<L> = {
    now: Date.now(),
    log,
    directory,
    push,
    pushed,
    ...wire(),
    event(type, mac, fields = {}) {
      seq += 1;
      return {
        id: `${options.idPrefix}${String(seq).padStart(26 - options.idPrefix.length, '0')}`, account: ACCOUNT, type,
        receivedAt: fields.at ?? rig.now, device: { mac, ip: null }, callId: null, local: fields.local ?? options.local ?? '',
        remote: fields.remote ?? options.remote, displayRemote: '', activeUser: '', transferKind: type === 'transfer' ? 'blind' : null, raw: {},
      };
    },
    async phone(...steps) {
      for (const [type, mac] of steps) {
        await rig.lifecycle.handle(rig.event(type, mac));
        rig.now += 1000;
      }
    },
    sent: (type, agent) => pushed.filter((m) => m.type === type && (agent === undefined || m.agent === agent)),
    calls: async (remote = options.remote) => (await log.listCalls(ACCOUNT, { remote })).items,
    async afterGraceDelay() {
      rig.now += DELAY + 1;
      await rig.missed.sweep();
    },
    async loseCallState() {
      await stopCallState();
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${stateFile}${suffix}`, { force: true });
      Object.assign(rig, wire());
    },
    async close() {
      await stopCallState();
      db.close();
      temp.cleanup();
    },
  };

  function clock(): number {
    return rig.now;
  }

  async function stopCallState(): Promise<void> {
    // The handler process lives on (only the call state goes, or the test ends): its handled markers are written.
    await rig.lifecycle.flushHandledMarks();
    await rig.missed.stop();
    await rig.state.close();
  }

  return rig;
}
