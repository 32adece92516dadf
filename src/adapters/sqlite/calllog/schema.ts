import type { Migration } from '../database';

/** Migration namespace of the call log in the shared database. */
export const CALLLOG_SCHEMA = 'calllog';

/**
 * Tables are prefixed `cl_` so they cannot collide with other schemas sharing the file.
 * Calls are keyed by (account, id): an id never reaches another tenant's rows.
 * Child rows are deleted explicitly by prune (and cascade when foreign keys are on).
 */
export const CALLLOG_MIGRATIONS: readonly Migration[] = [
  (db) => {
    db.exec(`
      CREATE TABLE cl_calls (
        account TEXT NOT NULL,
        id TEXT NOT NULL,
        direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        remote TEXT NOT NULL,
        remote_norm TEXT NOT NULL,
        remote_tail TEXT,
        remote_name TEXT NOT NULL,
        local TEXT NOT NULL,
        line TEXT NOT NULL,
        helpline TEXT,
        agent TEXT,
        device TEXT,
        status TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        answered_at INTEGER,
        ended_at INTEGER,
        ring_ms INTEGER,
        talk_ms INTEGER,
        hold_ms INTEGER NOT NULL DEFAULT 0,
        parent_id TEXT,
        transferred_from TEXT,
        rejected_by TEXT,
        PRIMARY KEY (account, id)
      );
      CREATE INDEX cl_calls_started ON cl_calls (account, started_at DESC, id DESC);
      CREATE INDEX cl_calls_remote ON cl_calls (account, remote_norm, started_at DESC);
      CREATE INDEX cl_calls_tail ON cl_calls (account, remote_tail) WHERE remote_tail IS NOT NULL;
      CREATE INDEX cl_calls_agent ON cl_calls (account, agent, started_at DESC);
      CREATE INDEX cl_calls_status ON cl_calls (account, status, started_at DESC);
      CREATE INDEX cl_calls_live ON cl_calls (account) WHERE ended_at IS NULL;
      CREATE INDEX cl_calls_prune ON cl_calls (started_at);

      CREATE TABLE cl_legs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        account TEXT NOT NULL,
        call_id TEXT NOT NULL,
        mac TEXT NOT NULL,
        sequence INTEGER NOT NULL,
        agent TEXT,
        state TEXT NOT NULL,
        transfer INTEGER NOT NULL DEFAULT 0,
        transferred_from TEXT,
        ring_at INTEGER NOT NULL,
        answered_at INTEGER,
        ended_at INTEGER,
        hold_ms INTEGER NOT NULL DEFAULT 0,
        hold_started_at INTEGER,
        UNIQUE (account, call_id, mac, sequence),
        FOREIGN KEY (account, call_id) REFERENCES cl_calls (account, id) ON DELETE CASCADE
      );
      CREATE INDEX cl_legs_agent ON cl_legs (account, agent, call_id);
      CREATE INDEX cl_legs_open ON cl_legs (account) WHERE answered_at IS NOT NULL AND ended_at IS NULL;

      CREATE TABLE cl_targets (
        account TEXT NOT NULL,
        call_id TEXT NOT NULL,
        agent TEXT NOT NULL,
        PRIMARY KEY (account, call_id, agent),
        FOREIGN KEY (account, call_id) REFERENCES cl_calls (account, id) ON DELETE CASCADE
      );

      CREATE TABLE cl_missed (
        account TEXT NOT NULL,
        call_id TEXT NOT NULL,
        remote_norm TEXT NOT NULL,
        remote_tail TEXT,
        at INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('open', 'claimed', 'closed')),
        owner TEXT,
        claimed_at INTEGER,
        closed_at INTEGER,
        closed_by TEXT,
        PRIMARY KEY (account, call_id),
        FOREIGN KEY (account, call_id) REFERENCES cl_calls (account, id) ON DELETE CASCADE
      );
      CREATE INDEX cl_missed_remote ON cl_missed (account, remote_norm, status);
      CREATE INDEX cl_missed_tail ON cl_missed (account, remote_tail, status) WHERE remote_tail IS NOT NULL;
      CREATE INDEX cl_missed_list ON cl_missed (account, status, at DESC);

      -- Aggregates only (no numbers, no names): kept when the calls are pruned.
      CREATE TABLE cl_agent_daily_stats (
        account TEXT NOT NULL,
        day TEXT NOT NULL,
        agent TEXT NOT NULL,
        offered INTEGER NOT NULL DEFAULT 0,
        answered INTEGER NOT NULL DEFAULT 0,
        missed INTEGER NOT NULL DEFAULT 0,
        ring_ms_total INTEGER NOT NULL DEFAULT 0,
        ring_count INTEGER NOT NULL DEFAULT 0,
        talk_ms_total INTEGER NOT NULL DEFAULT 0,
        talk_count INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (account, day, agent)
      );

      -- What each finalised call added to the daily stats, so finalising again replaces it.
      CREATE TABLE cl_stat_contrib (
        account TEXT NOT NULL,
        call_id TEXT NOT NULL,
        agent TEXT NOT NULL,
        day TEXT NOT NULL,
        offered INTEGER NOT NULL,
        answered INTEGER NOT NULL,
        missed INTEGER NOT NULL,
        ring_ms INTEGER NOT NULL,
        ring_count INTEGER NOT NULL,
        talk_ms INTEGER NOT NULL,
        talk_count INTEGER NOT NULL,
        PRIMARY KEY (account, call_id, agent),
        FOREIGN KEY (account, call_id) REFERENCES cl_calls (account, id) ON DELETE CASCADE
      );

      -- Idempotency markers: one per (event, operation), committed with the operation's effects.
      CREATE TABLE cl_processed_events (
        event_id TEXT NOT NULL,
        op TEXT NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (event_id, op)
      );
      CREATE INDEX cl_processed_events_at ON cl_processed_events (at);
    `);
  },
  (db) => {
    // Presence asks which agents are on an outgoing call; without this the query reads every live call.
    db.exec("CREATE INDEX cl_calls_live_out ON cl_calls (account, agent) WHERE ended_at IS NULL AND direction = 'out'");
  },
  (db) => {
    // Who sees a call (visibility.ts): `targeted` says the call was offered to someone (a row in
    // cl_targets), so the calls that rang nobody in particular have an index of their own; an
    // agent's targets and a helpline's calls have theirs.
    db.exec(`
      ALTER TABLE cl_calls ADD COLUMN targeted INTEGER NOT NULL DEFAULT 0;
      UPDATE cl_calls SET targeted = 1 WHERE EXISTS (SELECT 1 FROM cl_targets t WHERE t.account = cl_calls.account AND t.call_id = cl_calls.id);
      CREATE INDEX cl_targets_agent ON cl_targets (account, agent, call_id);
      CREATE INDEX cl_calls_helpline ON cl_calls (account, helpline, started_at DESC, id DESC) WHERE line = 'helpline';
      CREATE INDEX cl_calls_untargeted ON cl_calls (account, started_at DESC, id DESC) WHERE targeted = 0 AND agent IS NULL AND line <> 'helpline';
    `);
  },
  (db) => {
    // Outgoing calls are counted apart from the incoming ones (offered/answered/missed stay about
    // calls that rang agents). Days written before this keep what they had: they counted no
    // outgoing calls, and on the UTC day rather than the seat's local day.
    db.exec(`
      ALTER TABLE cl_agent_daily_stats ADD COLUMN outgoing INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE cl_agent_daily_stats ADD COLUMN outgoing_answered INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE cl_agent_daily_stats ADD COLUMN outgoing_talk_ms INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE cl_stat_contrib ADD COLUMN outgoing INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE cl_stat_contrib ADD COLUMN outgoing_answered INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE cl_stat_contrib ADD COLUMN outgoing_talk_ms INTEGER NOT NULL DEFAULT 0;
    `);
  },
];
