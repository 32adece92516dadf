import type { PostgresMigration } from '../database';

/**
 * The call log's tables on PostgreSQL: the same names and columns as the SQLite call log's
 * (src/adapters/sqlite/calllog/schema.ts, all its migrations applied), so docs and the shared
 * row mapping (src/domain/calllog/rows.ts) hold for both. Times are BIGINT epoch milliseconds
 * (parsed as numbers: database.ts). Differences, each for a reason:
 * - identifiers and day keys are COLLATE "C": they sort byte by byte as in SQLite whatever the
 *   database's locale, so pages and cursors order alike;
 * - cl_targets has `seq`, the order agents were offered the call (SQLite reads it from rowid);
 * - foreign keys are always enforced (SQLite's only when switched on).
 */
export const CALLLOG_PG_MIGRATIONS: readonly PostgresMigration[] = [
  `
  CREATE TABLE cl_calls (
    account TEXT COLLATE "C" NOT NULL,
    id TEXT COLLATE "C" NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    remote TEXT NOT NULL,
    remote_norm TEXT NOT NULL,
    remote_tail TEXT,
    remote_name TEXT NOT NULL,
    local TEXT NOT NULL,
    line TEXT NOT NULL,
    helpline TEXT,
    agent TEXT COLLATE "C",
    device TEXT,
    status TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    answered_at BIGINT,
    ended_at BIGINT,
    ring_ms BIGINT,
    talk_ms BIGINT,
    hold_ms BIGINT NOT NULL DEFAULT 0,
    parent_id TEXT,
    transferred_from TEXT,
    rejected_by TEXT,
    targeted INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (account, id)
  );
  CREATE INDEX cl_calls_started ON cl_calls (account, started_at DESC, id DESC);
  CREATE INDEX cl_calls_remote ON cl_calls (account, remote_norm, started_at DESC);
  CREATE INDEX cl_calls_tail ON cl_calls (account, remote_tail) WHERE remote_tail IS NOT NULL;
  CREATE INDEX cl_calls_agent ON cl_calls (account, agent, started_at DESC, id DESC);
  CREATE INDEX cl_calls_status ON cl_calls (account, status, started_at DESC);
  CREATE INDEX cl_calls_live ON cl_calls (account) WHERE ended_at IS NULL;
  CREATE INDEX cl_calls_live_out ON cl_calls (account, agent) WHERE ended_at IS NULL AND direction = 'out';
  CREATE INDEX cl_calls_prune ON cl_calls (started_at);
  CREATE INDEX cl_calls_helpline ON cl_calls (account, helpline, started_at DESC, id DESC) WHERE line = 'helpline';
  CREATE INDEX cl_calls_untargeted ON cl_calls (account, started_at DESC, id DESC) WHERE targeted = 0 AND agent IS NULL AND line <> 'helpline';

  CREATE TABLE cl_legs (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account TEXT COLLATE "C" NOT NULL,
    call_id TEXT COLLATE "C" NOT NULL,
    mac TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    agent TEXT COLLATE "C",
    state TEXT NOT NULL,
    transfer INTEGER NOT NULL DEFAULT 0,
    transferred_from TEXT,
    ring_at BIGINT NOT NULL,
    answered_at BIGINT,
    ended_at BIGINT,
    hold_ms BIGINT NOT NULL DEFAULT 0,
    hold_started_at BIGINT,
    UNIQUE (account, call_id, mac, sequence),
    FOREIGN KEY (account, call_id) REFERENCES cl_calls (account, id) ON DELETE CASCADE
  );
  CREATE INDEX cl_legs_agent ON cl_legs (account, agent, call_id);
  CREATE INDEX cl_legs_open ON cl_legs (account) WHERE answered_at IS NOT NULL AND ended_at IS NULL;

  CREATE TABLE cl_targets (
    account TEXT COLLATE "C" NOT NULL,
    call_id TEXT COLLATE "C" NOT NULL,
    agent TEXT COLLATE "C" NOT NULL,
    seq BIGINT GENERATED ALWAYS AS IDENTITY,
    PRIMARY KEY (account, call_id, agent),
    FOREIGN KEY (account, call_id) REFERENCES cl_calls (account, id) ON DELETE CASCADE
  );
  CREATE INDEX cl_targets_agent ON cl_targets (account, agent, call_id);

  CREATE TABLE cl_missed (
    account TEXT COLLATE "C" NOT NULL,
    call_id TEXT COLLATE "C" NOT NULL,
    remote_norm TEXT NOT NULL,
    remote_tail TEXT,
    at BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'claimed', 'closed')),
    owner TEXT,
    claimed_at BIGINT,
    closed_at BIGINT,
    closed_by TEXT,
    PRIMARY KEY (account, call_id),
    FOREIGN KEY (account, call_id) REFERENCES cl_calls (account, id) ON DELETE CASCADE
  );
  CREATE INDEX cl_missed_remote ON cl_missed (account, remote_norm, status);
  CREATE INDEX cl_missed_tail ON cl_missed (account, remote_tail, status) WHERE remote_tail IS NOT NULL;
  CREATE INDEX cl_missed_list ON cl_missed (account, status, at DESC);

  -- Aggregates only (no numbers, no names): the contributions of pruned calls, folded in when they are pruned.
  CREATE TABLE cl_agent_daily_stats_pruned (
    account TEXT COLLATE "C" NOT NULL,
    day TEXT COLLATE "C" NOT NULL,
    agent TEXT COLLATE "C" NOT NULL,
    offered BIGINT NOT NULL DEFAULT 0,
    answered BIGINT NOT NULL DEFAULT 0,
    missed BIGINT NOT NULL DEFAULT 0,
    ring_ms_total BIGINT NOT NULL DEFAULT 0,
    ring_count BIGINT NOT NULL DEFAULT 0,
    talk_ms_total BIGINT NOT NULL DEFAULT 0,
    talk_count BIGINT NOT NULL DEFAULT 0,
    outgoing BIGINT NOT NULL DEFAULT 0,
    outgoing_answered BIGINT NOT NULL DEFAULT 0,
    outgoing_talk_ms BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (account, day, agent)
  );

  -- What each finalised call adds to the daily stats (summed when read), so finalising again replaces it.
  CREATE TABLE cl_stat_contrib (
    account TEXT COLLATE "C" NOT NULL,
    call_id TEXT COLLATE "C" NOT NULL,
    agent TEXT COLLATE "C" NOT NULL,
    day TEXT COLLATE "C" NOT NULL,
    offered BIGINT NOT NULL,
    answered BIGINT NOT NULL,
    missed BIGINT NOT NULL,
    ring_ms BIGINT NOT NULL,
    ring_count BIGINT NOT NULL,
    talk_ms BIGINT NOT NULL,
    talk_count BIGINT NOT NULL,
    outgoing BIGINT NOT NULL DEFAULT 0,
    outgoing_answered BIGINT NOT NULL DEFAULT 0,
    outgoing_talk_ms BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (account, call_id, agent),
    FOREIGN KEY (account, call_id) REFERENCES cl_calls (account, id) ON DELETE CASCADE
  );
  -- The statistics read the kept calls' contributions by day (agentStats).
  CREATE INDEX cl_stat_contrib_day ON cl_stat_contrib (account, day, agent);

  -- The daily statistics as SQLite keeps them in a table: summed when read, so no row is written
  -- by every call of an agent (src/adapters/postgres/calllog/finalise.ts).
  CREATE VIEW cl_agent_daily_stats AS
    SELECT account, day, agent,
      SUM(offered)::bigint AS offered, SUM(answered)::bigint AS answered, SUM(missed)::bigint AS missed,
      SUM(ring_ms_total)::bigint AS ring_ms_total, SUM(ring_count)::bigint AS ring_count,
      SUM(talk_ms_total)::bigint AS talk_ms_total, SUM(talk_count)::bigint AS talk_count,
      SUM(outgoing)::bigint AS outgoing, SUM(outgoing_answered)::bigint AS outgoing_answered, SUM(outgoing_talk_ms)::bigint AS outgoing_talk_ms
    FROM (
      SELECT account, day, agent, offered, answered, missed, ring_ms_total, ring_count, talk_ms_total, talk_count, outgoing, outgoing_answered, outgoing_talk_ms
        FROM cl_agent_daily_stats_pruned
      UNION ALL
      SELECT account, day, agent, offered, answered, missed, ring_ms, ring_count, talk_ms, talk_count, outgoing, outgoing_answered, outgoing_talk_ms
        FROM cl_stat_contrib
    ) rows
    GROUP BY account, day, agent
    HAVING SUM(offered) + SUM(answered) + SUM(missed) + SUM(ring_count) + SUM(talk_count) + SUM(outgoing) > 0;

  -- Idempotency markers: one per (event, operation), committed with the operation's effects.
  CREATE TABLE cl_processed_events (
    event_id TEXT NOT NULL,
    op TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (event_id, op)
  );
  CREATE INDEX cl_processed_events_at ON cl_processed_events (at);
  `,
];
