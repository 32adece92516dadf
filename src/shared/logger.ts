import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Phone numbers and names are personal data: every field that can carry one is redacted,
 * wherever it sits in a logged object.
 */
const PERSONAL_FIELDS = ['remote', 'local', 'displayRemote', 'remoteName', 'number', 'phonenumber', 'display_remote', 'display_local', 'token', 'authorization', 'passcode', 'password'];
export const REDACT_PATHS = PERSONAL_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]);

export function createLogger(options: { level?: string; name?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      name: options.name ?? 'ringside',
      level: options.level ?? process.env.RINGSIDE_LOG_LEVEL ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    options.destination,
  );
}

/** Masks all but the last two digits of a number for free-text log lines. */
export function maskNumber(value: string): string {
  if (value.length <= 2) return '**';
  return '*'.repeat(value.length - 2) + value.slice(-2);
}
