import { migrate, type SqliteDatabase } from '../database';

/**
 * The embedded call-state tables: one per key family of ttl.ts, the account in every primary
 * key. `expires_at` (ms) replaces Redis TTLs: rows past it are ignored on read and purged.
 */
export function migrateCallState(db: SqliteDatabase): void {
  migrate(db, 'callstate', [
    (d) => {
      d.exec(`
        CREATE TABLE cs_active (
          account TEXT NOT NULL, remote TEXT NOT NULL, call_id TEXT NOT NULL, claimed_by TEXT NOT NULL,
          direction TEXT NOT NULL, started_at INTEGER NOT NULL, answered INTEGER NOT NULL DEFAULT 0,
          answered_by TEXT, answered_at INTEGER, legs TEXT NOT NULL, transfer TEXT,
          expires_at INTEGER NOT NULL,
          PRIMARY KEY (account, remote)
        );
        CREATE INDEX cs_active_call ON cs_active (account, call_id);
        CREATE TABLE cs_device_reported (
          account TEXT NOT NULL, mac TEXT NOT NULL, remote TEXT NOT NULL, call_id TEXT NOT NULL,
          event_id TEXT NOT NULL, expires_at INTEGER NOT NULL,
          PRIMARY KEY (account, mac, remote)
        );
        CREATE TABLE cs_ring (
          account TEXT NOT NULL, call_id TEXT NOT NULL, at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
          PRIMARY KEY (account, call_id)
        );
        CREATE TABLE cs_ring_remote (
          account TEXT NOT NULL, remote TEXT NOT NULL, call_id TEXT NOT NULL, at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL,
          PRIMARY KEY (account, remote)
        );
        CREATE TABLE cs_direction (
          account TEXT NOT NULL, call_id TEXT NOT NULL, direction TEXT NOT NULL, expires_at INTEGER NOT NULL,
          PRIMARY KEY (account, call_id)
        );
        CREATE TABLE cs_recent (
          account TEXT NOT NULL, call_id TEXT NOT NULL, remote TEXT NOT NULL, direction TEXT NOT NULL,
          answered INTEGER NOT NULL, answered_by TEXT, started_at INTEGER NOT NULL, answered_at INTEGER,
          ended_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
          PRIMARY KEY (account, call_id)
        );
        CREATE INDEX cs_recent_remote ON cs_recent (account, remote, ended_at);
        CREATE TABLE cs_event_result (
          account TEXT NOT NULL, event_id TEXT NOT NULL, result TEXT NOT NULL, expires_at INTEGER NOT NULL,
          PRIMARY KEY (account, event_id)
        );
        CREATE INDEX cs_event_result_expiry ON cs_event_result (expires_at);
        CREATE TABLE cs_missed (
          account TEXT NOT NULL, call_id TEXT NOT NULL, remote TEXT NOT NULL, mac TEXT NOT NULL,
          due_at INTEGER NOT NULL, payload TEXT NOT NULL,
          PRIMARY KEY (account, call_id)
        );
        CREATE INDEX cs_missed_due ON cs_missed (account, due_at);
        CREATE TABLE cs_transfers (
          id INTEGER PRIMARY KEY AUTOINCREMENT, account TEXT NOT NULL, remote TEXT NOT NULL,
          call_id TEXT NOT NULL, from_agent TEXT, from_mac TEXT NOT NULL, at INTEGER NOT NULL
        );
        CREATE INDEX cs_transfers_remote ON cs_transfers (account, remote, at);
        CREATE TABLE cs_relationship (
          account TEXT NOT NULL, child TEXT NOT NULL, parent TEXT NOT NULL, expires_at INTEGER NOT NULL,
          PRIMARY KEY (account, child)
        );
        CREATE TABLE cs_sessions (
          account TEXT NOT NULL, socket_id TEXT NOT NULL, agent TEXT NOT NULL, expires_at INTEGER NOT NULL,
          PRIMARY KEY (account, socket_id)
        );
        CREATE TABLE cs_presence (
          account TEXT NOT NULL, agent TEXT NOT NULL, manual TEXT NOT NULL DEFAULT 'available',
          phone_dnd INTEGER NOT NULL DEFAULT 0,
          PRIMARY KEY (account, agent)
        );
      `);
    },
    // What a late leg needs to make an ended call live again as it was (legs.ts reopenedCall).
    (d) => {
      d.exec(`
        ALTER TABLE cs_recent ADD COLUMN claimed_by TEXT;
        ALTER TABLE cs_recent ADD COLUMN legs TEXT;
        ALTER TABLE cs_active ADD COLUMN last_end_at INTEGER;
      `);
    },
  ]);
}

/** Tables purged by expires_at on the periodic sweep. */
export const EXPIRING_TABLES = [
  'cs_active', 'cs_device_reported', 'cs_ring', 'cs_ring_remote', 'cs_direction', 'cs_recent',
  'cs_event_result', 'cs_relationship', 'cs_sessions',
] as const;
