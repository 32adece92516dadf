import { ConfigError, loadConfig } from '../app/config/loadConfig';
import { AdminApi, RingsideUnreachableError } from '../../tools/simulator/AdminApi';
import { PhoneRequestError } from '../../tools/simulator/SimulatedPhone';
import type { SetupMode } from '../../tools/simulator/directorySetup';
import { runScenario } from '../../tools/simulator/runScenario';
import { seatTarget, UnknownAgentError } from '../../tools/simulator/seat';
import { isScenarioName, SCENARIO_NAMES, SCENARIOS, type Scenario } from '../../tools/simulator/scenarios';
import { HELP_OPTION, parseCommandArgs, UsageError } from './args';
import type { CliIo } from './main';
import { simulatePhone, type SimulatePhoneOptions } from './simulatePhoneCommand';
import { browsableOrigin } from '../protocol/urls';
import { hostAndPort } from '../shared/httpAddress';

/** Indented lines for the `ringside help` text, under the `simulate` command. */
export const SIMULATE_USAGE = `                 ringside simulate [direct|ring-group|missed|cancel|transfer|callback|all] (default: direct)
                   direct, missed and cancel ring the seat's own agent (the one \`npm start\` signs in)
                   on a single seat; ring-group, transfer and callback play between the simulated
                   agents Alice and Bob (callback: Ringside drives the simulated phone's control API
                   on 127.0.0.1, so Ringside must run on this machine, and its settings are removed after)
                   --agent ID      the agent direct, missed and cancel ring (default: the seat's own;
                                   Alice in shared mode)
                   --webhook URL   the phone listener (default: 127.0.0.1 and the configured webhook port)
                   --api URL       the agent API (default: the configured API host and port)
                   --webhook-token T  the phones' token (default: the configured one, <data dir>/webhook-token)
                   --admin-token T    the agent API's admin token for the directory set-up
                                      (default: the configured one, <data dir>/admin-token)
                   --setup / --no-setup   create the scenario's agents, phones and helpline
                                   (default: only when they do not exist yet)
                   --delay-ms N    pause between two phone events (default 400)
                 ringside simulate phone: one simulated phone that stays up, for \`ringside provision\`
                   and calls typed in (ring, answer, hangup, cancel: the caller gives up while it rings);
                   --phone-port N (default: any free port),
                   --password P (default: generated), --form session|passcode (default: session)
`;

const OPTIONS = {
  ...HELP_OPTION,
  agent: { type: 'string' },
  webhook: { type: 'string' },
  api: { type: 'string' },
  setup: { type: 'boolean' },
  'no-setup': { type: 'boolean' },
  'delay-ms': { type: 'string' },
  'phone-port': { type: 'string' },
  password: { type: 'string' },
  form: { type: 'string' },
} as const;

const DEFAULT_DELAY_MS = 400;

/** `ringside simulate`: plays scenarios against a running Ringside; 0 when every request got its 200. */
export async function simulateCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs('simulate', args, OPTIONS, 1);
  if (values.help) {
    io.stdout(`Usage:\n${SIMULATE_USAGE}`);
    return 0;
  }
  const name = positionals[0] ?? 'direct';
  if (name === 'phone') return simulatePhone(phoneOptions(values), io);
  if (name !== 'all' && !isScenarioName(name)) {
    throw new UsageError(`simulate: unknown scenario '${name}' (one of: ${SCENARIO_NAMES.join(', ')}, all)`);
  }
  if (values.setup && values['no-setup']) throw new UsageError('simulate: --setup and --no-setup together');
  const setup: SetupMode = values.setup ? 'always' : values['no-setup'] ? 'never' : 'auto';
  const delayMs = parseDelay(values['delay-ms']);

  // --webhook-token and --admin-token are configuration flags: loadConfig applies them. The
  // phones carry the webhook token; the directory set-up needs the admin token.
  const config = loadConfig({ env: io.env, argv: args });
  const webhookUrl = typeof values.webhook === 'string' ? values.webhook : defaultWebhook(config.webhook.host, config.webhook.port);
  const apiUrl = typeof values.api === 'string' ? values.api : browsableOrigin(`http://${config.api.host}:${config.api.port}`);
  const webhook = { ...webhookAddress(webhookUrl, '--webhook'), token: config.webhookToken };
  const api = new AdminApi(new URL(apiUrl).origin, config.adminToken);

  const scenarios: Scenario[] = name === 'all' ? SCENARIO_NAMES.map((n) => SCENARIOS[n]) : [SCENARIOS[name]];
  const out = (line: string) => io.stdout(`${line}\n`);
  out(`phones send to ${webhookUrl}; Ringside's API at ${api.baseUrl}`);
  try {
    const chosen = typeof values.agent === 'string' && values.agent.trim() !== '' ? values.agent.trim() : null;
    if (values.agent !== undefined && chosen === null) throw new UsageError('simulate: --agent takes an agent id');
    const seat = scenarios.some((s) => s.forSeat) ? await seatTarget(api, chosen) : null;
    if (seat) out(`${seat.name} (${seat.id}) is rung by ${scenarios.filter((s) => s.forSeat).map((s) => s.name).join(', ')}: sign in as ${seat.id} to see the calls`);
    for (const scenario of scenarios) {
      await runScenario(scenario, { webhook, api, setup, delayMs, out, outcomeTimeoutMs: config.missedDelayMs + 10_000, seat });
    }
    return 0;
  } catch (error) {
    if (error instanceof RingsideUnreachableError || error instanceof PhoneRequestError || error instanceof UnknownAgentError) {
      io.stderr(`ringside: simulate: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

function phoneOptions(values: Record<string, unknown>): SimulatePhoneOptions {
  const port = values['phone-port'] === undefined ? 0 : Number(values['phone-port']);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`simulate phone: --phone-port takes a port number, not '${String(values['phone-port'])}'`);
  const form = values.form ?? 'session';
  if (form !== 'session' && form !== 'passcode') throw new UsageError(`simulate phone: --form is session or passcode, not '${String(form)}'`);
  const password = typeof values.password === 'string' && values.password !== '' ? values.password : null;
  return { port, form, password };
}

function parseDelay(raw: unknown): number {
  if (raw === undefined) return DEFAULT_DELAY_MS;
  const n = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isInteger(n) || n < 0) throw new UsageError(`simulate: --delay-ms takes a whole number of milliseconds, not '${String(raw)}'`);
  return n;
}

/** The listener bound to every interface is reached on loopback from this machine. */
function defaultWebhook(host: string, port: number): string {
  if (port === 0) throw new ConfigError('simulate: the webhook port is 0 (picked at start-up): pass --webhook with the address `ringside serve` printed');
  return browsableOrigin(`http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`);
}

function webhookAddress(url: string, flag: string): { host: string; port: number } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`simulate: ${flag} takes a URL like http://127.0.0.1:7789, not '${url}'`);
  }
  if (parsed.protocol !== 'http:') throw new UsageError(`simulate: ${flag}: phones send plain http, not ${parsed.protocol}`);
  return hostAndPort(parsed);
}
