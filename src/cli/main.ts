import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError, describeSource, loadConfigExplained, maskedConfig } from '../app/config/loadConfig';
import type { RingsideConfig } from '../app/config/schema';
import { SETTINGS } from '../app/config/settings';
import { InstanceLock, portInUseMessage } from './instanceLock';
import { openRingsideLog } from '../app/logging';
import { HELP_OPTION, parseCommandArgs, UsageError } from './args';
import { actionUrlsCommand } from './actionUrlsCommand';
import { provisionCommand, PROVISION_USAGE } from './provisionCommand';
import { simulateCommand, SIMULATE_USAGE } from './simulateCommand';
import { loadStartRingside, type StartRingside } from './startCore';
import { signinCommand, SIGNIN_USAGE, tokenCommand, TOKEN_USAGE } from './tokenCommand';
import { settlesWithin } from '../shared/settlesWithin';
import { shardsOfWorker } from '../adapters/rabbitmq/topology';
import { serveWorker } from './serveWorker';
import { startWorkerSupervisor, WORKER_INDEX_VARIABLE } from './workerSupervisor';

export const USAGE = `Usage: ringside <command> [options]

Commands:
  serve          run headless: the phone listener, the agent API and the agent UI for a browser
                 (--headless is accepted and implied); prints no token: sign in with ringside signin
  signin         print a one-time sign-in link to the agent UI of the running Ringside
${SIGNIN_USAGE}  token          the webhook token (phones) and the admin token (agent API): show, rotate
${TOKEN_USAGE}  config         print the effective configuration, secrets masked; it checks exactly what serve checks
                 (exit 2 with one line naming the setting when something is wrong)
                 --explain: each setting, its value and where it came from
  action-urls    print the Action URL lines to paste into the phone (--json for JSON)
  provision      write the Action URLs into a phone through its configuration API
${PROVISION_USAGE}  simulate       simulated Grandstream phones play a call against a running Ringside
${SIMULATE_USAGE}  help           this text (also --help, -h; ringside <command> --help for one command)
  version        the version (also --version, -v)

Configuration options (every command): each setting's key in kebab case (the README's
Configuration table: key redis.url, variable RINGSIDE_REDIS_URL, flag --redis-url), over the
environment and the config files:
  --data-dir DIR  --webhook-token TOKEN  --admin-token TOKEN  --account NAME  --agent ID
  --webhook-host HOST  --webhook-port PORT  --api-host HOST  --api-port PORT  --public-host HOST
  --redis-url URL  --amqp-url URL  --log-level LEVEL  ...
`;

/** Where the CLI writes; injectable so the commands can be driven in-process. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
  /** Typed commands (`simulate phone`); absent where nobody can type. */
  stdin?: NodeJS.ReadableStream;
}

export interface CliDeps {
  loadStartRingside: () => Promise<StartRingside>;
  /** Receives SIGINT/SIGTERM while serving. */
  signals: Pick<NodeJS.Process, 'on' | 'off'>;
  /** Called on a second signal while shutting down. */
  forceExit: (code: number) => void;
}

const processIo: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  get env() {
    return process.env;
  },
  get stdin() {
    return process.stdin;
  },
};

const defaultDeps: CliDeps = {
  loadStartRingside,
  signals: process,
  forceExit: (code) => process.exit(code),
};

function configCommand(args: string[], io: CliIo): number {
  const { values } = parseCommandArgs('config', args, { ...HELP_OPTION, explain: { type: 'boolean' } });
  if (values.help) return commandHelp('config', io);
  const { config, sources } = loadConfigExplained({ env: io.env, argv: args });
  for (const warning of config.warnings) io.stderr(`ringside: warning: ${warning}\n`);
  if (!values.explain) {
    io.stdout(`${JSON.stringify(maskedConfig(config), null, 2)}\n`);
    return 0;
  }
  // One line per setting: key, value (masked as above), and where it came from.
  const masked = maskedConfig(config);
  const rows = SETTINGS.filter((s) => s.key !== 'token').map((s) => {
    const value = s.key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], masked);
    const source = sources.get(s.key);
    const where = source === undefined || source.kind === 'default'
      ? (source?.name ? `generated, kept in ${source.name}` : 'default')
      : source.kind === 'machine file' || source.kind === 'user file'
        ? `${source.kind} ${source.name}`
        : `${source.kind} ${describeSource(s.key, source, value)}`;
    return [s.key, value === undefined ? '(unset)' : typeof value === 'string' ? value : JSON.stringify(value), where] as const;
  });
  const width = (i: 0 | 1) => Math.min(48, Math.max(...rows.map((r) => r[i].length)));
  for (const [key, value, where] of rows) io.stdout(`${key.padEnd(width(0))}  ${value.padEnd(width(1))}  ${where}\n`);
  return 0;
}

/**
 * The longest a stop may take once asked for: close() gives handlers that wait for an unreachable
 * service their grace period and closes every connection with a bound of its own, so this is
 * only a backstop against a close that never settles (the process then exits 1, not clean).
 */
export const STOP_DEADLINE_MS = 20_000;
/** The log file's last lines get this long to be written at exit. */
const LOG_CLOSE_WAIT_MS = 2_000;

async function serveCommand(args: string[], io: CliIo, deps: CliDeps): Promise<number> {
  const { values } = parseCommandArgs('serve', args, { ...HELP_OPTION, headless: { type: 'boolean' }, 'signin-link': { type: 'boolean' } });
  if (values.help) return commandHelp('serve', io);
  const { config } = loadConfigExplained({ env: io.env, argv: args });
  // A worker process this command started (RINGSIDE_WORKERS): it takes no lock, the serve process holds it.
  const workerIndex = io.env[WORKER_INDEX_VARIABLE];
  if (workerIndex !== undefined) return serveWorker(config, workerIndex, deps.signals);
  // One serve per data directory (<data dir>/ringside.pid): a second says so and exits 1.
  const lock = InstanceLock.acquire(config);
  try {
    return await serveLocked(config, values, io, deps, lock);
  } finally {
    lock.release();
  }
}

async function serveLocked(config: RingsideConfig, values: Record<string, unknown>, io: CliIo, deps: CliDeps, lock: InstanceLock): Promise<number> {
  // stdout carries the start-up lines people and scripts read; the JSON log goes to stderr.
  // ...and to the rotating log file (docs/architecture.md, Logs), closed once the instance is.
  const log = openRingsideLog(config, { destination: process.stderr });
  const logger = log.logger;
  let stopping = false;
  let requestStop: (signal: NodeJS.Signals) => void = () => {};
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => (requestStop = resolve));
  // A signal during start-up ends the wait for shared services that do not answer at once.
  const startAbort = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      io.stderr(`ringside: ${signal} again, exiting without a clean shutdown\n`);
      deps.forceExit(1);
      return;
    }
    stopping = true;
    requestStop(signal);
    startAbort.abort();
  };
  deps.signals.on('SIGINT', onSignal);
  deps.signals.on('SIGTERM', onSignal);
  const removeHandlers = () => {
    deps.signals.off('SIGINT', onSignal);
    deps.signals.off('SIGTERM', onSignal);
  };

  let instance;
  try {
    // Loaded with the handlers in place: a signal while the core loads stops it right after its start.
    const startRingside = await deps.loadStartRingside();
    // With RINGSIDE_WORKERS this process is worker 0: it consumes its own share of the shard queues.
    const shards = config.workers > 1 ? shardsOfWorker(config.amqp.shards, config.workers, 0) : undefined;
    instance = await startRingside(config, { logger, signal: startAbort.signal, shards });
  } catch (error) {
    removeHandlers();
    // Bounded: a log file whose writer has not started yet may never say it closed.
    await settlesWithin(log.close(), LOG_CLOSE_WAIT_MS);
    const inUse = portInUseMessage(error as NodeJS.ErrnoException, config);
    throw inUse === null ? error : new Error(inUse);
  }
  lock.listening(Number(new URL(instance.webhookUrl).port), Number(new URL(instance.apiUrl).port), new URL(instance.apiUrl).origin);
  const { metrics } = instance;
  // The workers' events count in this process's /metrics: the server's, whichever process handled them.
  const workers = config.workers > 1 && !stopping
    ? startWorkerSupervisor({ count: config.workers, logger, env: io.env, onHandled: (type, outcome, n) => metrics.eventsHandled.inc({ type, outcome }, n) })
    : null;
  logger.info({ webhook: instance.webhookUrl, api: instance.apiUrl, logFile: log.file, workers: config.workers }, 'Ringside started');
  io.stdout(`webhook listening on ${new URL(instance.webhookUrl).origin}\n`);
  io.stdout(`agent API on ${new URL(instance.apiUrl).origin}\n`);
  // No token on stdout: a server's output ends up in journals and CI logs. `npm start` on a
  // desktop (the seat's owner at the keyboard) asks for a one-time link with --signin-link.
  const signinHint = `sign in to the agent UI: npx ringside signin (a one-time link; it reads the admin token in ${instance.config.tokenOrigins.admin.file ?? 'RINGSIDE_ADMIN_TOKEN'})\n`;
  if (!stopping && !values['signin-link']) io.stdout(signinHint);
  if (!stopping && values['signin-link']) {
    // A stop asked for meanwhile is not kept waiting by the link (it never waits for Redis, but
    // nothing here may hold a SIGTERM up).
    const link = instance.createSigninLink().then(
      (created) => `open the agent UI as ${created.agent} (this link signs in once, within 5 minutes; later: npx ringside signin): ${created.url}\n`,
      (error: unknown) => {
        logger.warn({ err: error }, 'could not create a sign-in link for the seat agent');
        return signinHint;
      },
    );
    const line = await Promise.race([link, stopRequested.then(() => null)]);
    if (line !== null) io.stdout(line);
  }

  const signal = await stopRequested;
  logger.info({ signal, drainMs: config.drainMs }, 'shutting down');
  try {
    // The drain window (RINGSIDE_DRAIN_MS: /healthz answers 503 first) comes on top of the deadline.
    const deadlineMs = STOP_DEADLINE_MS + config.drainMs;
    // The workers stop beside it: what they hold goes back to their queues, for the next consumer.
    const closing = Promise.all([instance.close(), workers?.stop()]);
    if (!(await settlesWithin(closing, deadlineMs))) {
      logger.error({ deadlineMs }, 'shutdown did not finish in time; exiting without a clean shutdown');
      io.stderr(`ringside: shutdown did not finish within ${deadlineMs / 1000} s; exiting without a clean shutdown\n`);
      return 1;
    }
    await closing;
    return 0;
  } catch (error) {
    logger.error({ err: error }, 'shutdown failed');
    io.stderr(`ringside: shutdown failed: ${(error as Error).message}\n`);
    return 1;
  } finally {
    removeHandlers();
    await settlesWithin(log.close(), LOG_CLOSE_WAIT_MS);
  }
}

function usage(io: CliIo): number {
  io.stdout(USAGE);
  return 2;
}

/** `ringside <command> --help`: that command's lines of the usage and the configuration options; exit 0 (asked for). */
function commandHelp(command: string, io: CliIo): number {
  const lines = USAGE.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`  ${command} `));
  if (start === -1) {
    io.stdout(USAGE);
    return 0;
  }
  let end = start + 1;
  while (end < lines.length && /^ {17,}\S/.test(lines[end]!)) end++;
  const options = lines.slice(lines.findIndex((line) => line.startsWith('Configuration options')));
  io.stdout(`Usage: ringside ${command} [options]\n\n${lines.slice(start, end).join('\n')}\n\n${options.join('\n')}`);
  return 0;
}

/** The version in package.json (the bundle and the sources both sit two levels under it). */
export function version(): string {
  for (const relative of ['../../package.json', '../package.json']) {
    try {
      const parsed = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (parsed.name === 'ringside' && parsed.version) return parsed.version;
    } catch {
      // not there: the other layout
    }
  }
  return 'unknown';
}

/** Runs one `ringside` command and returns its exit code; never exits the process itself. */
export async function main(argv: string[], io: CliIo = processIo, deps: CliDeps = defaultDeps): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serveCommand(args, io, deps);
      case 'config':
        return configCommand(args, io);
      case 'action-urls':
        return actionUrlsCommand(args, io, () => commandHelp('action-urls', io));
      case 'provision':
        return await provisionCommand(args, io, () => commandHelp('provision', io));
      case 'simulate':
        return await simulateCommand(args, io);
      case 'token':
        return await tokenCommand(args, io, () => commandHelp('token', io));
      case 'signin':
        return await signinCommand(args, io, () => commandHelp('signin', io));
      case 'version':
      case '--version':
      case '-v':
        io.stdout(`ringside ${version()}\n`);
        return 0;
      case 'help':
      case '--help':
      case '-h':
        if (args[0] !== undefined && !args[0].startsWith('-')) return commandHelp(args[0], io);
        io.stdout(USAGE);
        return 0;
      case undefined:
        return usage(io);
      default:
        io.stderr(`ringside: unknown command '${command}'\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof ConfigError || error instanceof UsageError) {
      io.stderr(`ringside: ${error.message}\n`);
      return 2;
    }
    io.stderr(`ringside: ${(error as Error)?.message ?? String(error)}\n`);
    return 1;
  }
}

function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}

/**
 * The process entry: runs the command, lets stdout and stderr drain, then exits with its code,
 * so a handle a dependency leaves open cannot keep a finished command (or a closed server) alive.
 */
export async function runCli(argv: string[] = process.argv.slice(2)): Promise<never> {
  const code = await main(argv);
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

// `node out/server/ringside.mjs serve` (the bundle) or `tsx src/cli/main.ts serve`.
if (isEntryPoint()) void runCli();
