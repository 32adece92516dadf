import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ulid } from 'ulid';

/**
 * The real Redis and RabbitMQ the shared-mode tests talk to. Runs never collide: each test takes
 * its own key prefix (under its own DB numbers) and its own exchange and queue names.
 */
export const REDIS_URL = process.env.RINGSIDE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const AMQP_URL = process.env.RINGSIDE_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
/** DB numbers only tests use (production defaults are 0 and 1). */
export const TEST_CALLS_DB = 12;
export const TEST_CACHE_DB = 13;

/** A name no other test or run uses, for key prefixes, exchanges and queues: `rt-<label>-<ulid>`. */
export function uniqueName(label: string): string {
  return `rt-${label}-${ulid().toLowerCase()}`;
}

/**
 * Vitest globalSetup: brings Redis, RabbitMQ and PostgreSQL up (scripts/ensure-services.sh installs them from
 * Debian's packages and starts them when they do not answer) and fails with its one line when
 * they cannot be had.
 */
export default function ensureServices(): void {
  const script = fileURLToPath(new URL('../../scripts/ensure-services.sh', import.meta.url));
  const result = spawnSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'inherit', 'pipe'] });
  if (result.status !== 0) {
    throw new Error(`Shared-mode tests need Redis, RabbitMQ and PostgreSQL on 127.0.0.1: ${result.stderr.trim() || `ensure-services.sh exited ${result.status}`}`);
  }
}
