import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, maskedConfig } from '../app/config/loadConfig';
import { createLogger } from '../shared/logger';
import { HELP_OPTION, parseCommandArgs, UsageError } from './args';
import { actionUrlsCommand } from './actionUrlsCommand';
import { provisionCommand, PROVISION_USAGE } from './provisionCommand';
import { simulateCommand, SIMULATE_USAGE } from './simulateCommand';
import { loadStartRingside, type StartRingside } from './startCore';
import { agentUiUrl, browsableOrigin } from '../protocol/urls';

export const USAGE = `Usage: ringside <command> [options]

Commands:
  serve          run headless: the phone listener, the agent API and the agent UI for a browser
                 (--headless is accepted and implied)
  config         print the effective configuration, secrets masked
  action-urls    print the Action URL lines to paste into the phone (--json for JSON)
  provision      write the Action URLs into a phone through its configuration API
${PROVISION_USAGE}  simulate       simulated Grandstream phones play a call against a running Ringside
${SIMULATE_USAGE}  help           this text

Configuration options (every command): the environment variable names listed in the README
in kebab case without the RINGSIDE_ prefix, overriding the environment and the config file:
  --data-dir DIR  --token TOKEN  --account NAME  --agent ID
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
  const { values } = parseCommandArgs('config', args, HELP_OPTION);
  if (values.help) return usage(io);
  const config = loadConfig({ env: io.env, argv: args });
  io.stdout(`${JSON.stringify(maskedConfig(config), null, 2)}\n`);
  return 0;
}

async function serveCommand(args: string[], io: CliIo, deps: CliDeps): Promise<number> {
  const { values } = parseCommandArgs('serve', args, { ...HELP_OPTION, headless: { type: 'boolean' } });
  if (values.help) return usage(io);
  const config = loadConfig({ env: io.env, argv: args });
  // stdout carries the start-up lines people and scripts read; the JSON log goes to stderr.
  const logger = createLogger({ level: config.logLevel, destination: process.stderr });
  const startRingside = await deps.loadStartRingside();

  let stopping = false;
  let requestStop: (signal: NodeJS.Signals) => void = () => {};
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => (requestStop = resolve));
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      io.stderr(`ringside: ${signal} again, exiting without a clean shutdown\n`);
      deps.forceExit(1);
      return;
    }
    stopping = true;
    requestStop(signal);
  };
  deps.signals.on('SIGINT', onSignal);
  deps.signals.on('SIGTERM', onSignal);
  const removeHandlers = () => {
    deps.signals.off('SIGINT', onSignal);
    deps.signals.off('SIGTERM', onSignal);
  };

  let instance;
  try {
    instance = await startRingside(config, { logger });
  } catch (error) {
    removeHandlers();
    throw error;
  }
  io.stdout(`webhook listening on ${new URL(instance.webhookUrl).origin}\n`);
  io.stdout(`agent API on ${new URL(instance.apiUrl).origin}\n`);
  if (!stopping) {
    try {
      const session = await instance.createAgentSession();
      io.stdout(`open the agent UI: ${agentUiUrl(instance.apiUrl, session.token)}\n`);
    } catch (error) {
      logger.warn({ err: error }, 'could not create a UI session for the seat agent');
      io.stdout(`open the agent UI: ${browsableOrigin(instance.apiUrl)}/ (no session: ${(error as Error).message})\n`);
    }
  }

  const signal = await stopRequested;
  logger.info({ signal }, 'shutting down');
  try {
    await instance.close();
    return 0;
  } catch (error) {
    logger.error({ err: error }, 'shutdown failed');
    io.stderr(`ringside: shutdown failed: ${(error as Error).message}\n`);
    return 1;
  } finally {
    removeHandlers();
  }
}

function usage(io: CliIo): number {
  io.stdout(USAGE);
  return 2;
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
        return actionUrlsCommand(args, io, () => usage(io));
      case 'provision':
        return await provisionCommand(args, io, () => usage(io));
      case 'simulate':
        return await simulateCommand(args, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
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
