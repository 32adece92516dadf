import { migrate, type PostgresMigration, type PostgresPool } from './database';
import { checkSessionTtl, newSessionToken, sessionIdOf, type AgentSessionRecord, type AgentSessions, type NewAgentSession } from '../../domain/sessions/AgentSessions';

export const SESSIONS_SCHEMA = 'sessions';

/**
 * The `sessions` schema owns `dir_sessions` in PostgreSQL (in SQLite the directory's migrations
 * create it): the same table name and columns as SQLite. token_hash is hex, compared byte-wise
 * (COLLATE "C") so the list order is the same as SQLite's and Redis'.
 */
export const SESSIONS_MIGRATIONS: readonly PostgresMigration[] = [
  `CREATE TABLE dir_sessions (
    token_hash TEXT COLLATE "C" PRIMARY KEY,
    account TEXT NOT NULL,
    agent TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
  );
  CREATE INDEX dir_sessions_account ON dir_sessions (account, created_at, token_hash);
  CREATE INDEX dir_sessions_expiry ON dir_sessions (expires_at);`,
];

interface SessionRow {
  token_hash: string;
  account: string;
  agent: string;
  created_at: number;
  expires_at: number;
}

const COLUMNS = 'token_hash, account, agent, created_at, expires_at';

const toRecord = (row: SessionRow): AgentSessionRecord => ({
  id: row.token_hash, account: row.account, agent: row.agent, createdAt: row.created_at, expiresAt: row.expires_at,
});

/**
 * Agent UI sessions in the shared PostgreSQL database (RINGSIDE_DATABASE=postgres://…), so a
 * token works on every server of the call center and survives a restart of any of them
 * (docs/architecture.md, Several servers). Behaves as SqliteAgentSessions: only the sha256 of a
 * token is stored, every lookup names the account, and making a session sweeps the expired ones.
 */
export class PostgresAgentSessions implements AgentSessions {
  private constructor(private readonly pool: PostgresPool) {}

  /** Migrates the `sessions` schema (several servers may start together: database.ts, migrate). */
  static async open(pool: PostgresPool): Promise<PostgresAgentSessions> {
    await migrate(pool, SESSIONS_SCHEMA, SESSIONS_MIGRATIONS);
    return new PostgresAgentSessions(pool);
  }

  async create(account: string, agent: string, ttlMs: number, now: number): Promise<NewAgentSession> {
    checkSessionTtl(ttlMs);
    const token = newSessionToken();
    const expiresAt = now + ttlMs;
    // One statement: the sweep and the insert commit together.
    await this.pool.query(
      `WITH swept AS (DELETE FROM dir_sessions WHERE expires_at <= $4)
       INSERT INTO dir_sessions (${COLUMNS}) VALUES ($1, $2, $3, $4, $5)`,
      [sessionIdOf(token), account, agent, now, expiresAt],
    );
    return { token, expiresAt };
  }

  async get(account: string, token: string, now: number): Promise<AgentSessionRecord | null> {
    if (token === '') return null;
    const { rows } = await this.pool.query<SessionRow>(
      `SELECT ${COLUMNS} FROM dir_sessions WHERE token_hash = $1 AND account = $2 AND expires_at > $3`,
      [sessionIdOf(token), account, now],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async list(account: string, now: number): Promise<AgentSessionRecord[]> {
    const { rows } = await this.pool.query<SessionRow>(
      `SELECT ${COLUMNS} FROM dir_sessions WHERE account = $1 AND expires_at > $2 ORDER BY created_at, token_hash`,
      [account, now],
    );
    return rows.map(toRecord);
  }

  async revoke(account: string, token: string): Promise<boolean> {
    if (token === '') return false;
    const { rowCount } = await this.pool.query('DELETE FROM dir_sessions WHERE token_hash = $1 AND account = $2', [sessionIdOf(token), account]);
    return (rowCount ?? 0) > 0;
  }

  async revokeAgent(account: string, agent: string): Promise<number> {
    const { rowCount } = await this.pool.query('DELETE FROM dir_sessions WHERE account = $1 AND agent = $2', [account, agent]);
    return rowCount ?? 0;
  }

  /** The pool belongs to the caller (one per process: database.ts). */
  async close(): Promise<void> {}
}
