// What the health banner says (src/desktop/renderer/state/health.ts).
import { describe, expect, it } from 'vitest';
import { healthProblems, type ConnectionState } from '../../../../src/desktop/renderer/state/health';
import { health } from './fixtures';

const open: ConnectionState = { status: 'open', retryAt: null, attempt: 0 };
const keys = (problems: ReturnType<typeof healthProblems>) => problems.map((p) => p.key);

describe('the health banner', () => {
  it('says nothing when all is well, embedded services included', () => {
    expect(healthProblems(open, health(), 0)).toEqual([]);
    expect(healthProblems(open, health({ redis: 'up', rabbitmq: 'up' }), 0)).toEqual([]);
    expect(healthProblems(open, null, 0)).toEqual([]);
  });

  it('names each dependency that is down, and a RabbitMQ backlog as a warning', () => {
    const problems = healthProblems(open, health({ listener: 'down', redis: 'down', rabbitmq: 'down', spoolDepth: 12 }), 0);
    expect(keys(problems)).toEqual(['listener', 'redis', 'rabbitmq']);
    expect(problems[2]!.text).toContain('(12)');
    expect(healthProblems(open, health({ rabbitmq: 'degraded', spoolDepth: 1500 }), 0)).toEqual([expect.objectContaining({ key: 'rabbitmq', severity: 'warning' })]);
  });

  it('says when the call history database (PostgreSQL) is unreachable, in words an agent reads; a SQLite file (embedded) or a server without the field says nothing', () => {
    const problems = healthProblems(open, health({ status: 'degraded', database: 'down' }), 0);
    expect(problems).toEqual([{ key: 'database', severity: 'error', text: 'The call history database is unreachable: calls keep being recorded and appear in History once it is back.' }]);
    expect(healthProblems(open, health({ database: 'up' }), 0)).toEqual([]);
    expect(healthProblems(open, health({ database: 'embedded' }), 0)).toEqual([]);
  });

  it('says in plain words when Ringside cannot save calls (a full disk), and what happens to the calls meanwhile', () => {
    const down = (reason: string, failing: string[]) => health({ status: 'degraded', storage: { state: 'down', reason, failing, since: 1 } });
    const full = healthProblems(open, down('disk full', ['spool']), 0);
    expect(full).toEqual([expect.objectContaining({ key: 'storage', severity: 'error' })]);
    expect(full[0]!.text).toBe('Ringside cannot save calls: the disk is full. Calls that come in now may not be recorded. Tell IT.');
    expect(healthProblems(open, down('disk full', ['database']), 0)[0]!.text).toBe('Ringside cannot save calls: the disk is full. Calls are kept and saved once it is fixed. Tell IT.');
    expect(healthProblems(open, down('read-only', ['database']), 0)[0]!.text).toContain('its files can only be read, not written');
    // No internal words: an error code stays in /healthz and the log.
    const odd = healthProblems(open, down('SQLITE_IOERR_WRITE', ['spool', 'database']), 0)[0]!.text;
    expect(odd).toContain('the disk reports an error');
    expect(odd).not.toMatch(/SQLITE|spool|database/i);
    expect(healthProblems(open, health({ storage: { state: 'up', reason: null, failing: [], since: null } }), 0)).toEqual([]);
  });

  it("reports the agent's phone when it does not answer or signed off", () => {
    const summary = { phones: 1, registered: 0, signedOff: 0, unreachable: 1 };
    const entry = { mac: '000B82000001', state: 'unreachable' as const, lastEvent: null, lastSeenAt: null, polling: true, reachable: false, phoneStatus: null, error: 'phone_unreachable' as const };
    expect(healthProblems(open, health({ phone: { state: 'unreachable', ...summary }, phones: [entry] }), 0)[0]!.text).toContain('000B82000001');
    expect(healthProblems(open, health({ phone: { state: 'signed_off', ...summary } }), 0)).toEqual([expect.objectContaining({ key: 'phone', severity: 'warning' })]);
    expect(healthProblems(open, health({ phone: { state: 'registered', ...summary } }), 0)).toEqual([]);
  });

  it('counts down to the next reconnect and hides the stale server report meanwhile', () => {
    const reconnecting: ConnectionState = { status: 'reconnecting', retryAt: 10_000, attempt: 2 };
    const problems = healthProblems(reconnecting, health({ redis: 'down' }), 2_100);
    expect(keys(problems)).toEqual(['connection']);
    expect(problems[0]!.text).toContain('reconnecting in 8 s');
    expect(healthProblems({ ...reconnecting, retryAt: null }, null, 0)[0]!.text).toContain('reconnecting now');
  });

  it('explains a missing or refused session', () => {
    expect(keys(healthProblems({ status: 'no_session', retryAt: null, attempt: 0 }, null, 0))).toEqual(['session']);
    expect(healthProblems({ status: 'unauthorized', retryAt: null, attempt: 0 }, null, 0)[0]!.text).toContain('expired');
  });
});
