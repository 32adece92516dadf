import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { openRingsideLog } from '../../../src/app/logging';
import { parseMac } from '../../../src/protocol/mac';
import type { LogFileHandle } from '../../../src/shared/logger';
import { phoneRequest, startTestRingside, type TestRingside } from '../../support/ringside';
import { REDIS_URL, TEST_CACHE_DB, TEST_CALLS_DB, uniqueName } from '../../support/services';
import { startTcpProxy, targetOf, type TcpProxy } from '../../support/tcpProxy';
import { makeTempDir } from '../../support/tmp';
import { eventually, withTimeout } from '../../support/wait';
import { MAC_A, newCaller, params } from './fixtures';

/**
 * docs/architecture.md, Logs: what IT reads. Ringside runs in-process with the logger `ringside
 * serve` uses (openRingsideLog: the rotating file in the data directory, and a console stream,
 * here collected by the test); the file is read once the logger is closed.
 */

interface Line {
  level: number;
  msg: string;
  [field: string]: unknown;
}

const INFO = 30;
const WARN = 40;

/** The console side of the logger: every line, parsed, as it is written. */
function collectingStream(): { lines: Line[]; write(chunk: string): void } {
  const lines: Line[] = [];
  return {
    lines,
    write(chunk: string) {
      for (const text of chunk.split('\n')) if (text.trim() !== '') lines.push(JSON.parse(text) as Line);
    },
  };
}

function logFiles(dir: string): string[] {
  return readdirSync(join(dir, 'logs')).filter((name) => /^ringside\.\d{4}-\d{2}-\d{2}\.\d+\.log$/.test(name));
}

const WRONG_TOKEN = 'not-the-webhook-token-0123456789';

describe('the log IT reads', () => {
  let temp: { dir: string; cleanup: () => void } | null = null;
  let log: LogFileHandle | null = null;
  let seat: TestRingside | null = null;
  let proxy: TcpProxy | null = null;
  let root: string | null = null;

  afterEach(async () => {
    proxy?.resume();
    try {
      await seat?.stop();
      await log?.close();
    } finally {
      seat = null;
      log = null;
      await proxy?.close();
      proxy = null;
      temp?.cleanup();
      temp = null;
      if (root !== null) {
        const redis = new Redis(REDIS_URL, { db: TEST_CALLS_DB });
        try {
          for await (const keys of redis.scanStream({ match: `${root}:*`, count: 500 })) if ((keys as string[]).length > 0) await redis.unlink(...(keys as string[]));
        } finally {
          redis.disconnect();
        }
        root = null;
      }
    }
  });

  function open(): { lines: Line[]; dir: string } {
    temp = makeTempDir();
    const screen = collectingStream();
    log = openRingsideLog({ dataDir: temp.dir, logLevel: 'info', logFile: undefined }, { destination: screen });
    return { lines: screen.lines, dir: temp.dir };
  }

  async function startSeat(): Promise<{ lines: Line[]; dir: string; s: TestRingside }> {
    const { lines, dir } = open();
    seat = await startTestRingside({}, dir, { logger: log!.logger });
    return { lines, dir, s: seat };
  }

  const refusalsIn = (lines: Line[]) => lines.filter((l) => l.msg.startsWith('phone request') || l.msg.startsWith('phone requests refused'));
  const endedIn = (lines: Line[]) => lines.filter((l) => l.msg.startsWith('call ended'));

  /** Stops the seat and closes the log: every line is in the file. */
  async function stop(): Promise<void> {
    await seat?.stop();
    seat = null;
    await log?.close();
    log = null;
  }

  it('has one info line per refused phone request with its source and what to do, then at most a line a minute per source and reason with the count', async () => {
    const { lines, s } = await startSeat();
    // A phone with a wrong token: one info line naming its address, what was wrong and what to do.
    const first = await phoneRequest(s.instance.webhookUrl, 'incoming', params(MAC_A, newCaller()), WRONG_TOKEN);
    expect(first.status).toBe(401);
    await eventually('the refusal to be logged', () => refusalsIn(lines), (found) => found.length === 1);
    expect(refusalsIn(lines)[0]).toMatchObject({ level: INFO, ip: '127.0.0.1', status: 401, reason: 'invalid token', msg: 'phone request refused' });
    expect(String(refusalsIn(lines)[0]!.hint)).toContain('ringside action-urls');

    // 100 more from the same phone: no more lines for now, then their count in one line (here when the listener closes).
    for (let i = 0; i < 100; i++) {
      expect((await phoneRequest(s.instance.webhookUrl, 'incoming', params(MAC_A, newCaller()), WRONG_TOKEN)).status).toBe(401);
    }
    expect(refusalsIn(lines)).toHaveLength(1);

    // A path that is no phone event is refused and logged on its own (another reason).
    expect((await phoneRequest(s.instance.webhookUrl, 'no-such-event', params(MAC_A, newCaller()))).status).toBe(404);
    expect(refusalsIn(lines).filter((l) => l.status === 404)).toMatchObject([{ level: INFO, ip: '127.0.0.1', status: 404, msg: 'phone request refused' }]);

    await stop();
    const unauthorised = refusalsIn(lines).filter((l) => l.status === 401);
    expect(unauthorised).toHaveLength(2);
    expect(unauthorised[1]).toMatchObject({ level: INFO, ip: '127.0.0.1', status: 401, reason: 'invalid token', count: 100 });
  });

  it('has one info line per finished call: direction, outcome, agent, line, ring and talk durations', async () => {
    const { lines, s } = await startSeat();
    await s.agent('alice', { devices: [MAC_A] });
    const caller = newCaller();
    for (const event of ['incoming', 'answered', 'hangup']) expect((await s.phone(event, params(MAC_A, caller))).status).toBe(200);
    await s.settle();
    expect(endedIn(lines)).toHaveLength(1);
    expect(endedIn(lines)[0]).toMatchObject({ level: INFO, direction: 'in', outcome: 'answered', agent: 'alice', line: 'direct', msg: 'call ended: incoming, answered' });
    expect(endedIn(lines)[0]!.ringMs).toEqual(expect.any(Number));
    expect(endedIn(lines)[0]!.talkMs).toEqual(expect.any(Number));

    // One nobody answers: its line comes when it counts as missed, naming whom it rang.
    const missedCaller = newCaller();
    for (const event of ['incoming', 'missed']) expect((await s.phone(event, params(MAC_A, missedCaller))).status).toBe(200);
    await s.settle();
    expect(endedIn(lines)).toHaveLength(1);
    s.advance(s.config.missedDelayMs + 1_000);
    await s.settle();
    expect(endedIn(lines)).toHaveLength(2);
    expect(endedIn(lines)[1]).toMatchObject({ level: INFO, direction: 'in', outcome: 'missed', agent: null, offeredTo: ['alice'], msg: 'call ended: incoming, missed' });
  });

  it('has one line per change of a phone\'s state, a phone signing off as a warning', async () => {
    const { lines, s } = await startSeat();
    await s.agent('alice', { devices: [MAC_A] });
    const mac = parseMac(MAC_A)!; // as the API shows it: 000B8200000A
    const phoneLines = () => lines.filter((l) => l.mac === mac && typeof l.state === 'string');
    for (const event of ['registered', 'registered', 'unregistered']) expect((await s.phone(event, { mac: MAC_A })).status).toBe(200);
    await s.settle();
    expect(phoneLines().map((l) => [l.state, l.level, l.msg])).toEqual([
      ['registered', INFO, `phone ${mac} is registered`],
      ['signed_off', WARN, `phone ${mac} is signed off (unregistered)`],
    ]);
  });

  it('writes every line to a rotating file in the data directory, 0600 in a 0700 directory, with no caller number and no token in it', async () => {
    const { lines, dir, s } = await startSeat();
    expect(s.config.logFile).toBe(join(dir, 'logs', 'ringside.log'));
    const refusedCaller = newCaller();
    expect((await phoneRequest(s.instance.webhookUrl, 'incoming', params(MAC_A, refusedCaller), WRONG_TOKEN)).status).toBe(401);
    await s.agent('alice', { devices: [MAC_A] });
    const caller = newCaller();
    for (const event of ['incoming', 'answered', 'hangup']) expect((await s.phone(event, params(MAC_A, caller))).status).toBe(200);
    await s.settle();
    // The admin console shows where the log is; an agent is not told paths of the machine.
    expect((await s.api<{ logFile?: string | null }>('GET', '/api/settings')).body.logFile).toBe(join(dir, 'logs', 'ringside.log'));
    const agentToken = (await s.api<{ token: string }>('POST', '/api/session', { body: { agent: 'alice' } })).body.token;
    const asAgent = await s.api<Record<string, unknown>>('GET', '/api/settings', { token: agentToken });
    expect(asAgent.status).toBe(200);
    expect(asAgent.body).not.toHaveProperty('logFile');
    await stop();

    const files = logFiles(dir);
    expect(files).toHaveLength(1);
    const file = join(dir, 'logs', files[0]!);
    expect(realpathSync(join(dir, 'logs', 'current.log'))).toBe(realpathSync(file));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'logs')).mode & 0o777).toBe(0o700);
    const text = readFileSync(file, 'utf8');
    const inFile = text.trim().split('\n').map((l) => JSON.parse(l) as Line);
    expect(inFile.map((l) => l.msg)).toEqual(lines.map((l) => l.msg));
    expect(inFile.map((l) => l.msg)).toEqual(expect.arrayContaining(['phone request refused', 'call ended: incoming, answered']));
    for (const number of [refusedCaller, caller]) {
      const digits = number.replace(/\D/g, '');
      expect(text).not.toContain(digits);
      expect(text).not.toContain(digits.slice(-9));
    }
    expect(text).not.toContain(WRONG_TOKEN);
  });

  it('has one line when Redis goes down and one when it is back, however many connections it has', async () => {
    const { lines, dir } = open();
    proxy = await startTcpProxy(targetOf(REDIS_URL, 6379));
    root = uniqueName('logs');
    seat = await withTimeout(startTestRingside({ redis: { url: proxy.url(REDIS_URL), callsDb: TEST_CALLS_DB, cacheDb: TEST_CACHE_DB, keyPrefix: root } }, dir, { logger: log!.logger }),
      'Ringside to start with Redis');
    const redisLines = () => lines.filter((l) => l.service === 'redis');
    await eventually('the line saying Redis is up', redisLines, (found) => found.length === 1);
    expect(redisLines()[0]).toMatchObject({ level: INFO, state: 'up', msg: 'Redis is up' });

    const cut = proxy.pause({ newConnections: 'refuse' });
    expect(cut).toBeGreaterThan(1);
    await eventually('the line saying Redis is down', redisLines, (found) => found.length === 2);
    expect(redisLines()[1]).toMatchObject({ level: WARN, state: 'down' });
    expect(String(redisLines()[1]!.msg)).toMatch(/^Redis is down: /);

    proxy.resume();
    await eventually('the line saying Redis is up again', redisLines, (found) => found.length === 3);
    expect(redisLines()[2]).toMatchObject({ level: INFO, state: 'up', msg: 'Redis is up' });
    // Nothing per connection at info (five connections were cut).
    expect(lines.filter((l) => /Redis connection/.test(l.msg) && l.level >= INFO)).toEqual([]);
  });
});
