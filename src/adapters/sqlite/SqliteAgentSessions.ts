import { DIRECTORY_MIGRATIONS, DIRECTORY_SCHEMA } from './directory/schema';
import { migrate, statementCache, type SqliteDatabase, type Statement } from './database';
import { checkSessionTtl, newSessionToken, sessionIdOf, type AgentSessionRecord, type AgentSessions, type NewAgentSession } from '../../domain/sessions/AgentSessions';

interface SessionRow {
  token_hash: string;
  account: string;
  agent: string;
  created_at: number;
  expires_at: number;
}

const toRecord = (row: SessionRow): AgentSessionRecord => ({
  id: row.token_hash, account: row.account, agent: row.agent, createdAt: row.created_at, expiresAt: row.expires_at,
});

/**
 * Agent UI sessions in the directory's `dir_sessions` table of the call-log database (embedded
 * mode; seats sharing the database file share them). The directory's migrations create the
 * table.
 */
export class SqliteAgentSessions implements AgentSessions {
  private readonly sql: (text: string) => Statement;

  constructor(private readonly db: SqliteDatabase) {
    migrate(db, DIRECTORY_SCHEMA, DIRECTORY_MIGRATIONS);
    this.sql = statementCache(db);
  }

  async create(account: string, agent: string, ttlMs: number, now: number): Promise<NewAgentSession> {
    return this.db.transaction(() => this.createSync(account, agent, ttlMs, now)).immediate();
  }

  private createSync(account: string, agent: string, ttlMs: number, now: number): NewAgentSession {
    checkSessionTtl(ttlMs);
    const token = newSessionToken();
    const expiresAt = now + ttlMs;
    this.sql('DELETE FROM dir_sessions WHERE expires_at <= ?').run(now);
    this.sql('INSERT INTO dir_sessions (token_hash, account, agent, created_at, expires_at) VALUES (?, ?, ?, ?, ?)')
      .run(sessionIdOf(token), account, agent, now, expiresAt);
    return { token, expiresAt };
  }

  async get(account: string, token: string, now: number): Promise<AgentSessionRecord | null> {
    return this.getSync(account, token, now);
  }

  private getSync(account: string, token: string, now: number): AgentSessionRecord | null {
    if (token === '') return null;
    const row = this.sql('SELECT * FROM dir_sessions WHERE token_hash = ? AND account = ? AND expires_at > ?')
      .get(sessionIdOf(token), account, now) as SessionRow | undefined;
    return row ? toRecord(row) : null;
  }

  async list(account: string, now: number): Promise<AgentSessionRecord[]> {
    const rows = this.sql('SELECT * FROM dir_sessions WHERE account = ? AND expires_at > ? ORDER BY created_at, token_hash').all(account, now) as SessionRow[];
    return rows.map(toRecord);
  }

  async revoke(account: string, token: string): Promise<boolean> {
    if (token === '') return false;
    return this.sql('DELETE FROM dir_sessions WHERE token_hash = ? AND account = ?').run(sessionIdOf(token), account).changes > 0;
  }

  async revokeAgent(account: string, agent: string): Promise<number> {
    return this.sql('DELETE FROM dir_sessions WHERE account = ? AND agent = ?').run(account, agent).changes;
  }

  /** The Database belongs to the caller. */
  async close(): Promise<void> {}
}
