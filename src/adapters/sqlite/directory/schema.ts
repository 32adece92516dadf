import type { Migration } from '../database';

/** Migration namespace of the directory in the shared database. */
export const DIRECTORY_SCHEMA = 'directory';

/**
 * Tables are prefixed `dir_` so they cannot collide with other schemas sharing the file.
 * Every table is keyed by account first (tenant isolation), except sessions, which are found
 * by their token hash and carry the account.
 */
export const DIRECTORY_MIGRATIONS: readonly Migration[] = [
  (db) => {
    db.exec(`
      CREATE TABLE dir_agents (
        account TEXT NOT NULL,
        id TEXT NOT NULL,
        name TEXT NOT NULL,
        extension TEXT,
        PRIMARY KEY (account, id)
      );
      CREATE UNIQUE INDEX dir_agents_extension ON dir_agents (account, extension) WHERE extension IS NOT NULL;

      CREATE TABLE dir_devices (
        account TEXT NOT NULL,
        mac TEXT NOT NULL,
        agent TEXT,
        ip TEXT,
        registered INTEGER,
        last_event TEXT,
        last_seen_at INTEGER,
        PRIMARY KEY (account, mac)
      );
      CREATE INDEX dir_devices_agent ON dir_devices (account, agent);

      CREATE TABLE dir_helplines (
        account TEXT NOT NULL,
        number TEXT NOT NULL,
        name TEXT NOT NULL,
        all_agents INTEGER NOT NULL DEFAULT 1,
        PRIMARY KEY (account, number)
      );

      -- Helpline membership, written from either side (an agent's helplines, a helpline's agents).
      -- A helpline with all_agents = 1 rings every agent whatever its rows say.
      CREATE TABLE dir_helpline_members (
        account TEXT NOT NULL,
        helpline TEXT NOT NULL,
        agent TEXT NOT NULL,
        PRIMARY KEY (account, helpline, agent)
      );
      CREATE INDEX dir_helpline_members_agent ON dir_helpline_members (account, agent);

      CREATE TABLE dir_contacts (
        account TEXT NOT NULL,
        number TEXT NOT NULL,
        number_tail TEXT,
        name TEXT NOT NULL,
        company TEXT,
        notes TEXT,
        crm_url TEXT,
        PRIMARY KEY (account, number)
      );
      CREATE INDEX dir_contacts_tail ON dir_contacts (account, number_tail) WHERE number_tail IS NOT NULL;

      CREATE TABLE dir_sessions (
        token_hash TEXT PRIMARY KEY,
        account TEXT NOT NULL,
        agent TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX dir_sessions_expiry ON dir_sessions (expires_at);
    `);
  },
  // Phone control (docs/agent-api.md, Driving the phone): where and how Ringside drives each phone's web API. The password is
  // kept as given (the phone's login needs it: sha256(password + nonce), or the passcode itself)
  // and is never returned by the API. control_version counts saves: a save resets the phone client.
  (db) => {
    db.exec(`
      ALTER TABLE dir_devices ADD COLUMN control_host TEXT;
      ALTER TABLE dir_devices ADD COLUMN control_port INTEGER;
      ALTER TABLE dir_devices ADD COLUMN control_username TEXT;
      ALTER TABLE dir_devices ADD COLUMN control_password TEXT;
      ALTER TABLE dir_devices ADD COLUMN control_version INTEGER NOT NULL DEFAULT 0;
    `);
  },
  // Supervisors (issue 5): an agent who sees everyone's figures in /api/stats, not only their own.
  (db) => {
    db.exec('ALTER TABLE dir_agents ADD COLUMN supervisor INTEGER NOT NULL DEFAULT 0');
  },
  // Passwords and invite links (issue 13, docs/agent-api.md, Passwords and invite links): an
  // agent's password as a salted scrypt hash (src/shared/passwordHash.ts), never in clear; an
  // invite link's code as its sha256, found by it and used up once (SqliteAgentCredentials).
  (db) => {
    db.exec(`
      ALTER TABLE dir_agents ADD COLUMN password_hash TEXT;
      ALTER TABLE dir_agents ADD COLUMN password_set_at INTEGER;
      CREATE TABLE dir_invites (
        code_hash TEXT PRIMARY KEY,
        account TEXT NOT NULL,
        agent TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX dir_invites_agent ON dir_invites (account, agent);
    `);
  },
  // Admins who are agents (issue 13): an agent whose own sign-in passes the admin checks of the
  // agent API (src/api/auth.ts), so IT opens the admin console without the admin token.
  (db) => {
    db.exec('ALTER TABLE dir_agents ADD COLUMN admin INTEGER NOT NULL DEFAULT 0');
  },
];
