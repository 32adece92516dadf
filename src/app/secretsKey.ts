import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createPrivateFileWith, keepFilePrivate, makeParentDirs, modeFixedMessage, PRIVATE_FILE_MODE } from '../shared/privateFiles';
import { SECRET_KEY_BYTES, SecretBox } from '../shared/secretBox';

/**
 * The key that seals the secrets kept in the database (phone web passwords; src/shared/secretBox.ts):
 * 32 random bytes, base64, in `secrets.key` next to the database file, mode 0600, generated the
 * first time it is needed.
 *
 * Next to the database, not merely in the data directory: every process that uses a database file
 * (seats of one machine sharing RINGSIDE_DATABASE, each with its own data directory) must seal and
 * open with the same key, and the one place they all share is the database's directory. With the
 * default database that is `<data dir>/secrets.key`. Back it up with the database: without it the
 * sealed passwords cannot be opened and must be entered again (docs/architecture.md, Files on disk).
 */
export const SECRETS_KEY_FILE_NAME = 'secrets.key';

export class SecretsKeyError extends Error {}

export function secretsKeyFile(database: string): string {
  return join(dirname(database), SECRETS_KEY_FILE_NAME);
}

/** The box of the key file (created when missing; narrowed to 0600 with a warning when found wider). */
export function openSecretsKey(file: string, logger?: { info(fields: object, message: string): void; warn(fields: object, message: string): void }): SecretBox {
  makeParentDirs(dirname(file));
  keepFilePrivate(file, (path, oldMode, error) => logger?.warn({ file: path }, modeFixedMessage(path, oldMode, PRIVATE_FILE_MODE, error)));
  let text = readKeyFile(file);
  if (text === null) {
    if (createPrivateFileWith(file, `${SecretBox.generateKey().toString('base64')}\n`)) logger?.info({ file }, 'generated the secrets key (back it up with the database)');
    text = readKeyFile(file);
  }
  const key = Buffer.from((text ?? '').trim(), 'base64');
  if (key.length !== SECRET_KEY_BYTES || key.toString('base64') !== (text ?? '').trim()) {
    throw new SecretsKeyError(
      `${file} is not a Ringside secrets key (${SECRET_KEY_BYTES} random bytes, base64): restore it from a backup; `
      + 'or delete it to have a new one made, and enter the phones\' web passwords again',
    );
  }
  return SecretBox.withKey(key);
}

function readKeyFile(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

