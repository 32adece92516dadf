import { DIRECTORY_MIGRATIONS, DIRECTORY_SCHEMA } from './directory/schema';
import { migrate, statementCache, type SqliteDatabase, type Statement } from './database';
import type { AgentCredentials, NewInvite, PasswordStatus } from '../../domain/sessions/AgentCredentials';
import { inviteCodeHash as codeHash, newInviteCode, requireInviteLifetime } from '../../domain/sessions/invites';
import { hashPassword, verifyAgainstDecoy, verifyPassword, type PasswordHashParams } from '../../shared/passwordHash';

/**
 * Passwords and invite links in the directory's database (the call-log file): `password_hash` and
 * `password_set_at` on `dir_agents` (so a removed agent's password goes with its row), open
 * invites in `dir_invites` under the sha256 of their code. The directory's migrations create both.
 * Not cached: every sign-in reads the file, so a password changed by another process counts at once.
 */
export class SqliteAgentCredentials implements AgentCredentials {
  private readonly sql: (text: string) => Statement;

  constructor(private readonly db: SqliteDatabase, private readonly hashParams?: PasswordHashParams) {
    migrate(db, DIRECTORY_SCHEMA, DIRECTORY_MIGRATIONS);
    this.sql = statementCache(db);
  }

  async setPassword(account: string, agent: string, password: string, now: number): Promise<boolean> {
    const hash = await hashPassword(password, this.hashParams);
    return this.sql('UPDATE dir_agents SET password_hash = ?, password_set_at = ? WHERE account = ? AND id = ?').run(hash, now, account, agent).changes > 0;
  }

  async clearPassword(account: string, agent: string): Promise<boolean> {
    return this.sql('UPDATE dir_agents SET password_hash = NULL, password_set_at = NULL WHERE account = ? AND id = ?').run(account, agent).changes > 0;
  }

  async status(account: string, agent: string, now: number): Promise<PasswordStatus | null> {
    const row = this.sql('SELECT password_hash, password_set_at FROM dir_agents WHERE account = ? AND id = ?').get(account, agent) as
      { password_hash: string | null; password_set_at: number | null } | undefined;
    if (!row) return null;
    const invite = this.sql('SELECT MAX(expires_at) AS expires_at FROM dir_invites WHERE account = ? AND agent = ? AND expires_at > ?').get(account, agent, now) as
      { expires_at: number | null };
    return { agent, passwordSet: row.password_hash !== null, passwordSetAt: row.password_hash === null ? null : row.password_set_at, inviteExpiresAt: invite.expires_at };
  }

  async verifyPassword(account: string, agent: string, password: string): Promise<boolean> {
    const row = this.sql('SELECT password_hash FROM dir_agents WHERE account = ? AND id = ?').get(account, agent) as { password_hash: string | null } | undefined;
    if (!row?.password_hash) return verifyAgainstDecoy(password);
    return verifyPassword(password, row.password_hash);
  }

  async createInvite(account: string, agent: string, ttlMs: number, now: number): Promise<NewInvite | null> {
    requireInviteLifetime(ttlMs);
    const code = newInviteCode();
    const expiresAt = now + ttlMs;
    const created = this.db.transaction(() => {
      if (!this.sql('SELECT 1 FROM dir_agents WHERE account = ? AND id = ?').get(account, agent)) return false;
      this.sql('DELETE FROM dir_invites WHERE expires_at <= ?').run(now);
      // One open invite per agent: a new one replaces the one sent before.
      this.sql('DELETE FROM dir_invites WHERE account = ? AND agent = ?').run(account, agent);
      this.sql('INSERT INTO dir_invites (code_hash, account, agent, created_at, expires_at) VALUES (?, ?, ?, ?, ?)').run(codeHash(code), account, agent, now, expiresAt);
      return true;
    }).immediate();
    return created ? { code, expiresAt } : null;
  }

  async inviteFor(account: string, code: string, now: number): Promise<{ agent: string; expiresAt: number } | null> {
    const row = this.sql(
      `SELECT i.agent, i.expires_at FROM dir_invites i JOIN dir_agents a ON a.account = i.account AND a.id = i.agent
       WHERE i.code_hash = ? AND i.account = ? AND i.expires_at > ?`,
    ).get(codeHash(code), account, now) as { agent: string; expires_at: number } | undefined;
    return row ? { agent: row.agent, expiresAt: row.expires_at } : null;
  }

  async acceptInvite(account: string, code: string, password: string, now: number): Promise<string | null> {
    // Hashed before the write lock is taken (it takes a tenth of a second); an unknown code costs no hash.
    if ((await this.inviteFor(account, code, now)) === null) return null;
    const hash = await hashPassword(password, this.hashParams);
    return this.db.transaction(() => {
      const row = this.sql('SELECT agent FROM dir_invites WHERE code_hash = ? AND account = ? AND expires_at > ?').get(codeHash(code), account, now) as { agent: string } | undefined;
      // Used meanwhile (another tab, another process) or its agent removed.
      if (!row) return null;
      this.sql('DELETE FROM dir_invites WHERE code_hash = ?').run(codeHash(code));
      const set = this.sql('UPDATE dir_agents SET password_hash = ?, password_set_at = ? WHERE account = ? AND id = ?').run(hash, now, account, row.agent).changes > 0;
      return set ? row.agent : null;
    }).immediate();
  }
}
