import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { exited, nextLine, startChildUntil, type RunningChild } from '../../../support/childProcess';
import { POSTGRES_URL } from '../../../support/postgres';
import { uniqueName } from '../../../support/services';

const worker = fileURLToPath(new URL('./fixtures/idleConnectionLost.ts', import.meta.url));

/** Ends the server side of every connection with this application name (as a restart or failover would); their pids. */
async function terminateBackends(applicationName: string): Promise<number[]> {
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ pid: number; terminated: boolean }>(
      'SELECT pid, pg_terminate_backend(pid) AS terminated FROM pg_stat_activity WHERE application_name = $1',
      [applicationName],
    );
    expect(rows.every((row) => row.terminated)).toBe(true);
    return rows.map((row) => row.pid);
  } finally {
    await admin.end();
  }
}

describe('openPostgres pool (database.ts)', () => {
  const children: RunningChild[] = [];
  afterEach(() => {
    for (const { child } of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('an idle connection the server closed costs nothing: the process lives on, says so once, and its next query runs on a new connection', async () => {
    const applicationName = uniqueName('pool');
    const running = await startChildUntil(worker, [POSTGRES_URL, applicationName], 'ready');
    children.push(running);
    const terminated = await terminateBackends(applicationName);
    expect(terminated).toHaveLength(1);

    const reply = JSON.parse((await nextLine(running.child, 'ok ')).slice('ok '.length)) as { pid: number; logged: string[] };
    expect(reply.pid).not.toBe(terminated[0]);
    expect(reply.logged).toEqual(['a PostgreSQL connection was lost; the next query opens a new one']);
    await exited(running.child);
    expect(running.child.exitCode).toBe(0);
  });
});
