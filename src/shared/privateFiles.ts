import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, linkSync, mkdirSync, openSync, statSync, unlinkSync, writeFileSync } from 'node:fs';

/**
 * Ringside's files are its user's alone (docs/architecture.md, Files on disk): the data directory
 * 0700, the databases with their -wal and -shm files, the token files and the secrets key 0600,
 * whatever the umask. A file or directory found wider (created by an older Ringside under umask
 * 022, or opened up by hand) is narrowed at start, and the caller is told, to log one line.
 *
 * Windows has no such modes (the files inherit the ACL of the user's profile): nothing to do there.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Called once per file or directory whose mode was narrowed (or could not be: `error`). */
export type ModeFixed = (path: string, oldMode: number, error?: Error) => void;

const applies = process.platform !== 'win32';

/** `0644` for 0o100644. */
export function formatMode(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}

/** The log line for a narrowed mode; names the file and what it was. */
export function modeFixedMessage(path: string, oldMode: number, wanted: number, error?: Error): string {
  return error
    ? `${path} is readable by others (mode ${formatMode(oldMode)}) and could not be made ${formatMode(wanted)}: ${error.message}`
    : `${path} was readable by others (mode ${formatMode(oldMode)}); made it ${formatMode(wanted)}`;
}

function narrow(path: string, wanted: number, onFixed?: ModeFixed): void {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if ((mode & 0o777 & ~wanted) === 0) return;
  try {
    chmodSync(path, wanted);
    onFixed?.(path, mode);
  } catch (error) {
    // Not ours to change (another user's shared file): say so and carry on with what we have.
    onFixed?.(path, mode, error as Error);
  }
}

/**
 * Creates the directory (and missing parents) 0700; an existing one wider than that is made 0700.
 * Only for a directory that is Ringside's own (the data directory), never a shared parent.
 */
export function makePrivateDir(dir: string, onFixed?: ModeFixed): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (applies) narrow(dir, PRIVATE_DIR_MODE, onFixed);
}

/** Creates missing parents of a file 0700, leaving existing directories as they are. */
export function makeParentDirs(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/** Narrows an existing file to 0600 (nothing when it does not exist). */
export function keepFilePrivate(file: string, onFixed?: ModeFixed): void {
  if (applies) narrow(file, PRIVATE_FILE_MODE, onFixed);
}

/**
 * Creates the file empty with mode 0600 unless it exists, so what is written into it later never
 * sits in a wider file, even for a moment. Safe when another process creates it at the same time.
 */
export function createPrivateFile(file: string): void {
  try {
    closeSync(openSync(file, 'wx', PRIVATE_FILE_MODE));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/**
 * Creates the file with its whole content, mode 0600, unless it exists (then false): written under
 * a temporary name and linked into place, so two processes starting at once agree on one content
 * (a token, a key) and neither ever reads half a file.
 */
export function createPrivateFileWith(file: string, content: string): boolean {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temporary, content, { mode: PRIVATE_FILE_MODE, flag: 'wx' });
  try {
    linkSync(temporary, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(temporary);
  }
}
