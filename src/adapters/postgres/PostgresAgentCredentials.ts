import { migrate, transaction, type PostgresPool } from './database';
import { DIRECTORY_PG_MIGRATIONS, DIRECTORY_SCHEMA } from './directory/schema';
import { lockAccountDirectory } from './directory/writes';
import type { AgentCredentials, NewInvite, PasswordStatus } from '../../domain/sessions/AgentCredentials';
import { inviteCodeHash, newInviteCode, requireInviteLifetime } from '../../domain/sessions/invites';
import { hashPassword, verifyAgainstDecoy, verifyPassword, type PasswordHashParams } from '../../shared/passwordHash';

/**
 * Passwords and invite links in the shared PostgreSQL database, as SqliteAgentCredentials keeps
 * them: `password_hash` and `password_set_at` on `dir_agents`, open invites in `dir_invites` under
 * the sha256 of their code (the directory's migrations create both). Not cached: every sign-in
 * reads the database, so a password changed on another server counts at once. Using an invite up
 * is one `DELETE … RETURNING`: of two servers accepting it at once, one gets the row.
 */
export class PostgresAgentCredentials implements AgentCredentials {
  private constructor(private readonly pool: PostgresPool, private readonly hashParams?: PasswordHashParams) {}

  static async open(pool: PostgresPool, hashParams?: PasswordHashParams): Promise<PostgresAgentCredentials> {
    await migrate(pool, DIRECTORY_SCHEMA, DIRECTORY_PG_MIGRATIONS);
    return new PostgresAgentCredentials(pool, hashParams);
  }

  async setPassword(account: string, agent: string, password: string, now: number): Promise<boolean> {
    const hash = await hashPassword(password, this.hashParams);
    return this.changed('UPDATE dir_agents SET password_hash = $1, password_set_at = $2 WHERE account = $3 AND id = $4', [hash, now, account, agent]);
  }

  async clearPassword(account: string, agent: string): Promise<boolean> {
    return this.changed('UPDATE dir_agents SET password_hash = NULL, password_set_at = NULL WHERE account = $1 AND id = $2', [account, agent]);
  }

  private async changed(text: string, params: unknown[]): Promise<boolean> {
    return ((await this.pool.query(text, params)).rowCount ?? 0) > 0;
  }

  async status(account: string, agent: string, now: number): Promise<PasswordStatus | null> {
    const { rows } = await this.pool.query<{ password_hash: string | null; password_set_at: number | null; invite_expires_at: number | null }>(
      `SELECT a.password_hash, a.password_set_at,
         (SELECT MAX(expires_at) FROM dir_invites i WHERE i.account = a.account AND i.agent = a.id AND i.expires_at > $3) AS invite_expires_at
       FROM dir_agents a WHERE a.account = $1 AND a.id = $2`,
      [account, agent, now],
    );
    const row = rows[0];
    if (!row) return null;
    const passwordSet = row.password_hash !== null;
    return { agent, passwordSet, passwordSetAt: passwordSet ? row.password_set_at : null, inviteExpiresAt: row.invite_expires_at };
  }

  async verifyPassword(account: string, agent: string, password: string): Promise<boolean> {
    const { rows } = await this.pool.query<{ password_hash: string | null }>('SELECT password_hash FROM dir_agents WHERE account = $1 AND id = $2', [account, agent]);
    const hash = rows[0]?.password_hash;
    return hash ? verifyPassword(password, hash) : verifyAgainstDecoy(password);
  }

  async createInvite(account: string, agent: string, ttlMs: number, now: number): Promise<NewInvite | null> {
    requireInviteLifetime(ttlMs);
    const code = newInviteCode();
    const expiresAt = now + ttlMs;
    const created = await transaction(this.pool, async (db) => {
      // The directory's lock: a removal of the agent cannot slip between the check and the insert.
      await lockAccountDirectory(db, account);
      if ((await db.query('SELECT 1 FROM dir_agents WHERE account = $1 AND id = $2', [account, agent])).rowCount === 0) return false;
      await db.query('DELETE FROM dir_invites WHERE expires_at <= $1', [now]);
      // One open invite per agent: a new one replaces the one sent before.
      await db.query('DELETE FROM dir_invites WHERE account = $1 AND agent = $2', [account, agent]);
      await db.query('INSERT INTO dir_invites (code_hash, account, agent, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)', [inviteCodeHash(code), account, agent, now, expiresAt]);
      return true;
    });
    return created ? { code, expiresAt } : null;
  }

  async inviteFor(account: string, code: string, now: number): Promise<{ agent: string; expiresAt: number } | null> {
    const { rows } = await this.pool.query<{ agent: string; expires_at: number }>(
      `SELECT i.agent, i.expires_at FROM dir_invites i JOIN dir_agents a ON a.account = i.account AND a.id = i.agent
       WHERE i.code_hash = $1 AND i.account = $2 AND i.expires_at > $3`,
      [inviteCodeHash(code), account, now],
    );
    return rows[0] ? { agent: rows[0].agent, expiresAt: rows[0].expires_at } : null;
  }

  async acceptInvite(account: string, code: string, password: string, now: number): Promise<string | null> {
    // Hashed before the transaction (it takes a tenth of a second); an unknown code costs no hash.
    if ((await this.inviteFor(account, code, now)) === null) return null;
    const hash = await hashPassword(password, this.hashParams);
    return transaction(this.pool, async (db) => {
      const used = await db.query<{ agent: string }>(
        'DELETE FROM dir_invites WHERE code_hash = $1 AND account = $2 AND expires_at > $3 RETURNING agent', [inviteCodeHash(code), account, now],
      );
      // Used meanwhile (another tab, another server) or its agent removed.
      const agent = used.rows[0]?.agent;
      if (agent === undefined) return null;
      const set = await db.query('UPDATE dir_agents SET password_hash = $1, password_set_at = $2 WHERE account = $3 AND id = $4', [hash, now, account, agent]);
      return (set.rowCount ?? 0) > 0 ? agent : null;
    });
  }
}
