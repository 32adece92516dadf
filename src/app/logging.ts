import { join } from 'node:path';
import type pino from 'pino';
import { createFileLogger, type LogFileHandle } from '../shared/logger';
import { modeFixedMessage, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../shared/privateFiles';
import type { RingsideConfig } from './config/schema';

/** The log file the configuration asks for (RINGSIDE_LOG_FILE): null when `off`. */
export function logFileOf(config: Pick<RingsideConfig, 'logFile' | 'dataDir'>): string | null {
  const file = config.logFile ?? join(config.dataDir, 'logs', 'ringside.log');
  return file === 'off' ? null : file;
}

/**
 * The process's logger (docs/architecture.md, Logs): JSON lines on `destination` (stdout unless
 * given: `ringside serve` passes stderr) and in the rotating log file of the configuration.
 * A log file or directory found readable by others is narrowed, and said in the log itself.
 */
export function openRingsideLog(config: Pick<RingsideConfig, 'logFile' | 'dataDir' | 'logLevel'>, options: { destination?: pino.DestinationStream } = {}): LogFileHandle {
  const narrowed: string[] = [];
  const handle = createFileLogger({
    level: config.logLevel, destination: options.destination, file: logFileOf(config),
    onModeFixed: (path, oldMode, error) => narrowed.push(modeFixedMessage(path, oldMode, (oldMode & 0o170000) === 0o040000 ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE, error)),
  });
  for (const message of narrowed) handle.logger.warn(message);
  return handle;
}
