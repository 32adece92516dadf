import { hostname } from 'node:os';
import { join } from 'node:path';
import type { CallLog } from '../domain/calllog/CallLog';
import type { Contact, Directory } from '../domain/directory/Directory';
import type { ContactLookup } from '../adapters/sqlite/calllog/rows';
import type { PostgresContactLookup } from '../domain/calllog/contactHooks';
import type { DispositionStore } from '../domain/directory/Lookups';
import type { NumberNormaliser } from '../domain/directory/numbers';
import type { AgentCredentials } from '../domain/sessions/AgentCredentials';
import type { AgentSessions } from '../domain/sessions/AgentSessions';
import type { Queues } from '../domain/queues/Queues';
import type { ServiceHealth } from '../protocol/views';
import type { Logger } from '../shared/logger';
import { openDatabase, type SqliteDatabase } from '../adapters/sqlite/database';
import { SqliteCallLog } from '../adapters/sqlite/calllog/SqliteCallLog';
import { SqliteDirectory, contactHooksFor } from '../adapters/sqlite/directory/SqliteDirectory';
import { SqliteDispositions } from '../adapters/sqlite/directory/SqliteDispositions';
import { SqliteAgentCredentials } from '../adapters/sqlite/SqliteAgentCredentials';
import { SqliteAgentSessions } from '../adapters/sqlite/SqliteAgentSessions';
import { SqliteQueues } from '../adapters/sqlite/SqliteQueues';
import { isPostgresUrl, openPostgres, PostgresAvailability } from '../adapters/postgres/database';
import { maskUrl } from '../shared/maskUrl';
import { PostgresCallLog } from '../adapters/postgres/calllog/PostgresCallLog';
import { PostgresDirectory, listenForDirectoryChanges, postgresContactHooks } from '../adapters/postgres/directory/PostgresDirectory';
import { PostgresDispositions } from '../adapters/postgres/directory/PostgresDispositions';
import { PostgresAgentCredentials } from '../adapters/postgres/PostgresAgentCredentials';
import { PostgresAgentSessions } from '../adapters/postgres/PostgresAgentSessions';
import { PostgresQueues } from '../adapters/postgres/PostgresQueues';
import { sameSecretsKeyAsDatabase } from '../adapters/postgres/secretsKeyCheck';
import { dataVersionProbe, EMBEDDED_RECHECK_MS } from './cache/openCache';
import type { CachedDirectory } from './cache/CachedDirectory';
import type { RingsideConfig } from './config/schema';
import { usesRedis } from './config/redisTopology';
import { openSecretsKey, secretsKeyFile, SecretsKeyError } from './secretsKey';
import { EMBEDDED_PROBE, timedProbe, type ServiceProbe } from './serviceProbe';

/**
 * The data every server of an account shares (docs/architecture.md, Several servers): the call log,
 * the directory with its dispositions and agent passwords, and, where Redis does not hold them,
 * agent sessions and queues. In a SQLite file (a seat, or processes of one machine sharing it), or
 * in PostgreSQL (servers on several machines).
 */
export interface Stores {
  /** What the data is kept in, for the log: the file, or the server without its password. */
  where: string;
  log: CallLog;
  /** The directory's source of truth (every other reader goes through the cache). */
  source: Directory & { readonly numbers: NumberNormaliser };
  dispositions: DispositionStore;
  credentials: AgentCredentials;
  /** Used when Redis does not hold the sessions and queues. */
  sessions: AgentSessions;
  queues: Queues;
  /** True when another process changed the directory since last asked (the cache then forgets what it holds). */
  directoryChangedElsewhere: () => boolean;
  /**
   * From now on the call log reads caller cards through `directory` (the cached one), whose
   * contact writes drop them: otherwise every call view built is a query (PostgreSQL) or two
   * (SQLite, synchronously: the cache's local layer, then the file).
   */
  readContactsThrough(directory: Pick<CachedDirectory, 'contactByNumber' | 'contactByNumberSync'>): void;
  /** A SQLite file's own contact lookup, which the cached directory reads instead of Redis (CachedDirectoryOptions.readContact); null on PostgreSQL. */
  readContact: ContactLookup | null;
  /** SQLite files to checkpoint when idle (none with PostgreSQL). */
  sqliteFiles: string[];
  /** `embedded` for a SQLite file; PostgreSQL: `up` or `down`. */
  health(): ServiceHealth;
  /** The admin console's Test: PostgreSQL asked now on a connection of its own; a SQLite file is `embedded`. */
  probe(): Promise<ServiceProbe>;
  /** False while PostgreSQL is unreachable: event handlers wait instead of spending attempts. */
  up(): boolean;
  /** Told of a handler's failure: a lost database connection marks it down until it answers. */
  noteFailure(error: unknown): void;
  close(): Promise<void>;
}

interface StoreOptions {
  logger: Logger;
  clock: () => number;
  checkpointPages: number;
}

/** RINGSIDE_DATABASE: a postgres:// URL, or a SQLite file (by default `<data dir>/ringside.db`). */
export function databaseOf(config: Pick<RingsideConfig, 'database' | 'dataDir'>): string {
  return config.database ?? join(config.dataDir, 'ringside.db');
}

export async function openStores(config: RingsideConfig, options: StoreOptions): Promise<Stores> {
  const database = databaseOf(config);
  return isPostgresUrl(database) ? openPostgresStores(database, config, options) : openSqliteStores(database, config, options);
}

function openSqliteStores(file: string, config: RingsideConfig, options: StoreOptions): Stores {
  const db = openDatabase(file, { checkpointPages: options.checkpointPages, logger: options.logger });
  try {
    // Phone web passwords are sealed with the key next to the database (shared by every process on that file).
    const secrets = openSecretsKey(config.secretsKeyFile ?? secretsKeyFile(file), options.logger);
    const source = new SqliteDirectory(db, { defaultCountry: config.defaultCountry, secrets, logger: options.logger });
    const hooks = contactHooksFor(source);
    let cached: Pick<CachedDirectory, 'contactByNumberSync'> | null = null;
    const contactLookup: ContactLookup = (account, number) => (cached ? cached.contactByNumberSync(account, number, hooks.contactLookup) : hooks.contactLookup(account, number));
    // Many handlers run at once with Redis call state: their call-log writes share commits.
    const log = new SqliteCallLog(db, { contactLookup, contactSearch: hooks.contactSearch, groupCommit: usesRedis(config), clock: options.clock, timeZone: config.timezone });
    return {
      where: file,
      log,
      source,
      dispositions: new SqliteDispositions(db),
      credentials: new SqliteAgentCredentials(db),
      sessions: new SqliteAgentSessions(db),
      queues: new SqliteQueues(db),
      directoryChangedElsewhere: dataVersionProbe(db, EMBEDDED_RECHECK_MS),
      readContactsThrough: (directory) => {
        cached = directory;
      },
      readContact: hooks.contactLookup,
      sqliteFiles: [file],
      health: () => 'embedded',
      probe: async () => EMBEDDED_PROBE,
      up: () => true,
      noteFailure: () => undefined,
      close: async () => closeSqlite(db, log, source),
    };
  } catch (error) {
    db.close();
    throw error;
  }
}

async function closeSqlite(db: SqliteDatabase, log: CallLog, source: Directory): Promise<void> {
  await log.close();
  await source.close();
  db.close();
}

async function openPostgresStores(url: string, config: RingsideConfig, options: StoreOptions): Promise<Stores> {
  const { logger, clock } = options;
  const pool = openPostgres(url, { logger, applicationName: `ringside ${hostname()}` });
  // The directory reads on connections of its own: the call log looks caller cards up while its
  // transaction holds a connection, and on one pool busy handlers would each hold one and wait for
  // a second that never comes free.
  const directoryPool = openPostgres(url, { logger, applicationName: `ringside ${hostname()} directory`, max: 10 });
  const availability = new PostgresAvailability(pool, {
    onChange: (up) => (up ? logger.info('PostgreSQL answers again') : logger.warn('PostgreSQL is unreachable; call events wait for it')),
  });
  const closers: Array<() => Promise<void>> = [async () => availability.close(), () => pool.end(), () => directoryPool.end()];
  try {
    // The same key file on every server (docs/architecture.md, Several servers): checked against the database's.
    const keyFile = config.secretsKeyFile ?? join(config.dataDir, 'secrets.key');
    const secrets = openSecretsKey(keyFile, logger);
    if (!(await sameSecretsKeyAsDatabase(pool, secrets.fingerprint(), clock()))) {
      throw new SecretsKeyError(
        `${keyFile} is not the secrets key the other servers of this database use: copy secrets.key from a server that works `
        + '(RINGSIDE_SECRETS_KEY_FILE names where it is kept), so phone web passwords stay readable by every server',
      );
    }
    const source = await PostgresDirectory.open(directoryPool, { defaultCountry: config.defaultCountry, secrets, logger });
    const hooks = postgresContactHooks(source);
    let cached: Pick<Directory, 'contactByNumber'> | null = null;
    const contactLookup: PostgresContactLookup = async (account, numbers) => {
      if (!cached) return hooks.contactLookup(account, numbers);
      const through = cached;
      const found = await Promise.all(numbers.map(async (number) => [number, await through.contactByNumber(account, number)] as const));
      return new Map(found.filter((entry): entry is [string, Contact] => entry[1] !== null));
    };
    const log = await PostgresCallLog.open(pool, { contactLookup, contactSearch: hooks.contactSearch, clock, timeZone: config.timezone });
    const [dispositions, credentials, sessions, queues] = await Promise.all([
      PostgresDispositions.open(directoryPool), PostgresAgentCredentials.open(pool), PostgresAgentSessions.open(pool), PostgresQueues.open(pool),
    ]);
    // Without Redis the other servers' directory writes arrive as notifications (with Redis, through its cache).
    let changed = false;
    const listener = await listenForDirectoryChanges(directoryPool, () => {
      changed = true;
    });
    closers.unshift(async () => listener.close());
    logger.info({ database: maskUrl(url) }, 'the call log and directory are kept in PostgreSQL');
    return {
      where: maskUrl(url),
      log, source, dispositions, credentials, sessions, queues,
      directoryChangedElsewhere: () => {
        const was = changed;
        changed = false;
        return was;
      },
      readContactsThrough: (directory) => {
        cached = directory;
      },
      readContact: null,
      sqliteFiles: [],
      health: () => (availability.isUp() ? 'up' : 'down'),
      probe: () => timedProbe(() => availability.check(), { what: 'PostgreSQL', url }),
      up: () => availability.isUp(),
      noteFailure: (error) => availability.noteFailure(error),
      close: async () => {
        await log.close();
        await source.close();
        await Promise.all([sessions.close(), queues.close()]);
        await closeAll(closers);
      },
    };
  } catch (error) {
    await closeAll(closers);
    throw error;
  }
}

async function closeAll(closers: Array<() => Promise<void>>): Promise<void> {
  for (const close of closers) await close().catch(() => undefined);
}

