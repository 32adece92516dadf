// What the health banner says: one line per thing that is wrong, worst first, in words an agent
// can act on ("calls still come in", "reconnecting in 8 s"), none when all is well.
import type { HealthReport, PhoneHealthEntry } from '../api/types';

export type ConnectionStatus = 'no_session' | 'connecting' | 'open' | 'reconnecting' | 'unauthorized';

export interface ConnectionState {
  status: ConnectionStatus;
  /** reconnecting: when (browser clock) the next attempt starts. */
  retryAt: number | null;
  /** Failed attempts in a row. */
  attempt: number;
}

export interface HealthProblem {
  key: 'session' | 'connection' | 'listener' | 'storage' | 'database' | 'redis' | 'rabbitmq' | 'phone';
  severity: 'error' | 'warning';
  text: string;
}

function phoneProblem(phones: readonly PhoneHealthEntry[] | undefined, summary: HealthReport['phone']): HealthProblem | null {
  const state = summary?.state;
  if (state === 'unreachable') {
    const mac = phones?.find((p) => p.state === 'unreachable')?.mac;
    return { key: 'phone', severity: 'error', text: `Your phone${mac ? ` (${mac})` : ''} does not answer: Ringside cannot drive it. Check it is on and on the network.` };
  }
  if (state === 'signed_off') return { key: 'phone', severity: 'warning', text: 'Your phone signed off from the phone system: calls will not ring it until it registers again.' };
  if (state === 'booted') return { key: 'phone', severity: 'warning', text: 'Your phone restarted and has not reported its registration yet.' };
  return null;
}

/**
 * Ringside cannot write its files (a full disk): what is wrong in plain words, and what happens to
 * calls meanwhile. The reason codes (`disk full`, `read-only`, an error code) stay out of it.
 */
function storageProblem(storage: HealthReport['storage']): HealthProblem | null {
  if (!storage || storage.state !== 'down') return null;
  const why = storage.reason === 'disk full' ? 'the disk is full'
    : storage.reason === 'read-only' ? 'its files can only be read, not written'
    : 'the disk reports an error';
  const meanwhile = storage.failing.includes('spool')
    ? 'Calls that come in now may not be recorded.'
    : 'Calls are kept and saved once it is fixed.';
  return { key: 'storage', severity: 'error', text: `Ringside cannot save calls: ${why}. ${meanwhile} Tell IT.` };
}

/** Everything the banner should show now; an empty list hides it. */
export function healthProblems(connection: ConnectionState, health: HealthReport | null, now: number): HealthProblem[] {
  if (connection.status === 'no_session') {
    return [{ key: 'session', severity: 'error', text: 'No session: open the link Ringside printed at start-up (it ends in #token=…).' }];
  }
  if (connection.status === 'unauthorized') {
    return [{ key: 'session', severity: 'error', text: 'This session has expired or was ended: sign in again.' }];
  }
  const problems: HealthProblem[] = [];
  if (connection.status === 'reconnecting') {
    const seconds = connection.retryAt === null ? null : Math.max(0, Math.ceil((connection.retryAt - now) / 1000));
    const when = seconds === null || seconds === 0 ? 'now' : `in ${seconds} s`;
    problems.push({ key: 'connection', severity: 'error', text: `Lost the connection to Ringside: reconnecting ${when}. Calls are not shown until it is back.` });
  }
  // What the server said last is stale while disconnected; the connection line above covers it.
  if (!health || connection.status !== 'open') return problems;
  if (health.listener === 'down') problems.push({ key: 'listener', severity: 'error', text: 'The phone listener is down: Ringside does not hear from the phones.' });
  const storage = storageProblem(health.storage);
  if (storage) problems.push(storage);
  // PostgreSQL away (docs/architecture.md, Failures and outages): events wait in the spool and are saved once it answers.
  if (health.database === 'down') problems.push({ key: 'database', severity: 'error', text: 'The call history database is unreachable: calls keep being recorded and appear in History once it is back.' });
  if (health.redis === 'down') problems.push({ key: 'redis', severity: 'error', text: 'Redis is unreachable: calls keep being recorded and shared call state catches up when it is back.' });
  if (health.rabbitmq === 'down') problems.push({ key: 'rabbitmq', severity: 'error', text: `RabbitMQ is unreachable: phone events wait in the local spool (${health.spoolDepth}) and are forwarded when it is back.` });
  if (health.rabbitmq === 'degraded') problems.push({ key: 'rabbitmq', severity: 'warning', text: `RabbitMQ is behind: ${health.spoolDepth} phone events are still being forwarded.` });
  const phone = phoneProblem(health.phones, health.phone);
  if (phone) problems.push(phone);
  return problems;
}
