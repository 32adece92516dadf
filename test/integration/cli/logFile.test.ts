// `ringside serve` as a process writes its log file (docs/architecture.md, Logs), from the sources
// and from the built bundle, where pino-roll runs in pino's worker thread from node_modules.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { phoneRequest } from '../../support/ringside';
import { makeTempDir } from '../../support/tmp';
import { withTimeout } from '../../support/wait';
import { cliEnv, ROOT, startCli } from './helpers';

describe('ringside serve writes its log file', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  for (const [what, env] of [['from the sources', {}], ['from the built bundle (RINGSIDE_USE_BUILD=1)', { RINGSIDE_USE_BUILD: '1' }]] as const) {
    it(`${what}: <data dir>/logs/current.log, 0600, with the start, a refused phone request and the stop in it`, async () => {
      if ('RINGSIDE_USE_BUILD' in env) expect(existsSync(join(ROOT, 'out/server/ringside.mjs')), 'out/server/ringside.mjs is missing: run npm run build').toBe(true);
      const temp = makeTempDir('ringside-logfile-');
      cleanups.push(temp.cleanup);
      const running = startCli(['serve'], cliEnv({
        RINGSIDE_DATA_DIR: temp.dir, RINGSIDE_LOG_LEVEL: 'info', RINGSIDE_WEBHOOK_HOST: '127.0.0.1', RINGSIDE_WEBHOOK_PORT: '0', RINGSIDE_API_PORT: '0', ...env,
      }));
      cleanups.push(() => {
        if (running.child.exitCode === null && running.child.signalCode === null) running.child.kill('SIGKILL');
      });
      const output = await running.waitForLine(/^agent API on /);
      const webhook = /^webhook listening on (\S+)$/m.exec(output)![1]!;
      const refused = await phoneRequest(webhook, 'incoming', { mac: '000B82000001', remote: '+34912223344' }, 'not-the-webhook-token-0123456789');
      expect(refused.status).toBe(401);
      running.child.kill('SIGTERM');
      const result = await withTimeout(running.exited, 'ringside serve to exit after SIGTERM');
      expect(result.code, result.stderr).toBe(0);

      const file = join(temp.dir, 'logs', 'current.log');
      expect(existsSync(file), `${file} after serve: ${result.stderr}`).toBe(true);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { msg: string; ip?: string; logFile?: string });
      expect(lines.find((l) => l.msg === 'Ringside started')?.logFile).toBe(join(temp.dir, 'logs', 'ringside.log'));
      expect(lines.find((l) => l.msg === 'phone request refused')).toMatchObject({ ip: '127.0.0.1' });
      expect(lines.at(-1)?.msg).toBe('shutting down');
      expect(readFileSync(file, 'utf8')).not.toContain('912223344');
    });
  }
});
