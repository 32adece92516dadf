/**
 * How an agent signs in to the agent UI by themselves (docs/agent-api.md, Passwords and invite
 * links): a password, set by the admin or chosen by the agent through an invite link. Adapters:
 * SqliteAgentCredentials and PostgresAgentCredentials (the directory's database:
 * `dir_agents.password_hash`, `dir_invites`), so passwords and open invites survive restarts and
 * are shared by every process on the file, or every server on the database.
 *
 * Passwords are kept as salted scrypt hashes (src/shared/passwordHash.ts), invite codes as their
 * sha256: neither can be read back. Every method is scoped by account.
 */
export interface PasswordStatus {
  agent: string;
  passwordSet: boolean;
  /** When the password was last set (by the admin or through an invite), or null. */
  passwordSetAt: number | null;
  /** When the agent's open invite link stops working, or null when there is none. */
  inviteExpiresAt: number | null;
}

export interface NewInvite {
  code: string;
  expiresAt: number;
}

export interface AgentCredentials {
  /** Sets (or replaces) the agent's password; false when the agent does not exist. */
  setPassword(account: string, agent: string, password: string, now: number): Promise<boolean>;
  /** Removes the agent's password (they sign in by a link or invite again); false when the agent does not exist. */
  clearPassword(account: string, agent: string): Promise<boolean>;
  /** Whether the agent has a password and an open invite; null when the agent does not exist. */
  status(account: string, agent: string, now: number): Promise<PasswordStatus | null>;
  /**
   * Whether the password is the agent's. False for an unknown agent or one without a password,
   * after as much work as a real check (the answer's timing does not tell which agents exist).
   */
  verifyPassword(account: string, agent: string, password: string): Promise<boolean>;
  /** A new one-time invite for the agent, replacing any open one; null when the agent does not exist. */
  createInvite(account: string, agent: string, ttlMs: number, now: number): Promise<NewInvite | null>;
  /** Who an open invite is for; null when the code is unknown, used or expired. Does not use it up. */
  inviteFor(account: string, code: string, now: number): Promise<{ agent: string; expiresAt: number } | null>;
  /**
   * Uses the invite up and sets its agent's password, in one step: the agent, or null when the code
   * is unknown, used or expired (or its agent was removed). Of two acceptances at once, one wins.
   */
  acceptInvite(account: string, code: string, password: string, now: number): Promise<string | null>;
}
