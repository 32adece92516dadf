import { transaction, type PostgresClient, type PostgresPool, type Queryable } from '../database';

/**
 * How the directory's writes go to PostgreSQL: one transaction each, told to the other servers
 * on the `ringside_directory` channel with the account (delivered when it commits: listen.ts), and,
 * where a rule reads what the write changes, under the account's advisory lock.
 */
export const DIRECTORY_CHANNEL = 'ringside_directory';

/** The class of the advisory locks that serialise one account's directory writes (the second key is the account's hash). */
const DIRECTORY_LOCK = 0x44495200; // 'DIR\0'

/** Tells the other servers that the account's directory changed (delivered at commit). */
export async function notifyDirectoryChange(db: Queryable, account: string): Promise<void> {
  await db.query('SELECT pg_notify($1, $2)', [DIRECTORY_CHANNEL, account]);
}

/**
 * Runs `fn` as one write of the account's directory. `locked`: first takes the account's lock
 * (`pg_advisory_xact_lock`, held to commit), so what a rule reads (rules.ts: extensions, helpline
 * numbers; a phone's owner; a disposition list) cannot change between its check and the write,
 * and two servers racing cannot both pass the check.
 */
export function directoryWrite<T>(pool: PostgresPool, account: string, options: { locked: boolean }, fn: (client: PostgresClient) => Promise<T>): Promise<T> {
  return transaction(pool, async (client) => {
    if (options.locked) await lockAccountDirectory(client, account);
    const result = await fn(client);
    await notifyDirectoryChange(client, account);
    return result;
  });
}

/** Takes the account's directory lock until the transaction ends (an invite waits for a removal of its agent, and the other way round). */
export async function lockAccountDirectory(client: PostgresClient, account: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [DIRECTORY_LOCK, account]);
}
