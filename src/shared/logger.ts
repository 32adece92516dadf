import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname } from 'node:path';
import pino, { type Logger } from 'pino';
import { keepFilePrivate, makePrivateDir, PRIVATE_FILE_MODE, type ModeFixed } from './privateFiles';

export type { Logger };

/**
 * Phone numbers and names are personal data: every field that can carry one is redacted,
 * wherever it sits in a logged object.
 */
const PERSONAL_FIELDS = ['remote', 'local', 'displayRemote', 'remoteName', 'number', 'phonenumber', 'display_remote', 'display_local', 'token', 'authorization', 'passcode', 'password'];
export const REDACT_PATHS = PERSONAL_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]);

export function createLogger(options: { level?: string; name?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(loggerOptions(options), options.destination);
}

/**
 * The rotating log file (docs/architecture.md, Logs): pino-roll in pino's worker thread writes
 * `<name>.<yyyy-MM-dd>.<n>.log` beside the configured path (`ringside.log` gives
 * `ringside.2026-12-07.1.log`), a new file each day and whenever one reaches 10 MB, the newest
 * 7 kept; `current.log` in the same directory links to the file being written (not on Windows).
 * The directory is made 0700 and every file 0600.
 */
export const LOG_FILE_ROTATION = { frequency: 'daily', dateFormat: 'yyyy-MM-dd', size: '10m', keep: 7 } as const;

export interface LogFileHandle {
  logger: Logger;
  /** The configured path (the files are named after it); null: no log file. */
  file: string | null;
  /** Writes out what is buffered and closes the file; the logger must not be used afterwards. */
  close(): Promise<void>;
}

/**
 * A logger writing to `destination` (stdout by default) and, unless `file` is null, to the
 * rotating log file. Existing log files found wider than 0600 are narrowed (`onModeFixed` is told).
 */
export function createFileLogger(options: {
  level?: string; name?: string; destination?: pino.DestinationStream; file: string | null; onModeFixed?: ModeFixed;
}): LogFileHandle {
  if (options.file === null) {
    const logger = createLogger(options);
    return { logger, file: null, close: async () => undefined };
  }
  const dir = dirname(options.file);
  try {
    makePrivateDir(dir, options.onModeFixed);
  } catch (error) {
    throw new Error(`the log file ${options.file}: its directory cannot be made (${(error as Error).message}); set RINGSIDE_LOG_FILE to another path, or to off`);
  }
  const stem = basename(options.file).replace(/\.[^.]*$/, '');
  for (const name of listDir(dir)) {
    if (name.startsWith(`${stem}.`) || name === 'current.log') keepFilePrivate(`${dir}/${name}`, options.onModeFixed);
  }
  const transport = pino.transport({
    target: requireHere.resolve('pino-roll'),
    options: {
      file: options.file, frequency: LOG_FILE_ROTATION.frequency, dateFormat: LOG_FILE_ROTATION.dateFormat, size: LOG_FILE_ROTATION.size,
      limit: { count: LOG_FILE_ROTATION.keep - 1, removeOtherLogFiles: true }, symlink: process.platform !== 'win32', mode: PRIVATE_FILE_MODE, mkdir: false,
    },
  });
  const screen = options.destination ?? pino.destination(1);
  const logger = pino(loggerOptions(options), pino.multistream([{ level: 'trace', stream: screen }, { level: 'trace', stream: transport }]));
  let failed = false;
  transport.on('error', (error: Error) => {
    // The file cannot be written (its directory removed, a full disk): said once on the console, which keeps logging.
    if (failed) return;
    failed = true;
    screen.write(`${JSON.stringify({ level: 40, time: Date.now(), name: options.name ?? 'ringside', msg: `the log file ${options.file} cannot be written: ${error.message}` })}\n`);
  });
  let closing: Promise<void> | null = null;
  return {
    logger,
    file: options.file,
    close: () => (closing ??= new Promise<void>((resolve) => {
      transport.once('close', () => resolve());
      transport.end();
    })),
  };
}

const requireHere = createRequire(import.meta.url);

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function loggerOptions(options: { level?: string; name?: string }): pino.LoggerOptions {
  return {
    name: options.name ?? 'ringside',
    level: options.level ?? process.env.RINGSIDE_LOG_LEVEL ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
}

/** Masks all but the last two digits of a number for free-text log lines. */
export function maskNumber(value: string): string {
  if (value.length <= 2) return '**';
  return '*'.repeat(value.length - 2) + value.slice(-2);
}
