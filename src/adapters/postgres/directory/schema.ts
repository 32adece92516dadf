import type { PostgresMigration } from '../database';

/** Migration name of the directory in the shared database (the same as SQLite's). */
export const DIRECTORY_SCHEMA = 'directory';

/**
 * The directory's tables in PostgreSQL: the same names and columns as SQLite's
 * (src/adapters/sqlite/directory/schema.ts, after all its migrations), flags as 0/1 integers so
 * both map rows through src/domain/directory/rows.ts, epoch milliseconds as BIGINT. Passwords
 * and invites (PostgresAgentCredentials) are here too; `dir_sessions` belongs to the `sessions`
 * schema (PostgresAgentSessions).
 */
export const DIRECTORY_PG_MIGRATIONS: readonly PostgresMigration[] = [
  `CREATE TABLE dir_agents (
     account TEXT NOT NULL,
     id TEXT NOT NULL,
     name TEXT NOT NULL,
     extension TEXT,
     supervisor INTEGER NOT NULL DEFAULT 0,
     admin INTEGER NOT NULL DEFAULT 0,
     password_hash TEXT,
     password_set_at BIGINT,
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
     last_seen_at BIGINT,
     control_host TEXT,
     control_port INTEGER,
     control_username TEXT,
     control_password TEXT,
     control_version INTEGER NOT NULL DEFAULT 0,
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

   CREATE TABLE dir_invites (
     code_hash TEXT PRIMARY KEY,
     account TEXT NOT NULL,
     agent TEXT NOT NULL,
     created_at BIGINT NOT NULL,
     expires_at BIGINT NOT NULL
   );
   CREATE INDEX dir_invites_agent ON dir_invites (account, agent);`,
];
