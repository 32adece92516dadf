import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PhoneEventLabel } from '../firmwareTemplate';
import { SimulatedPhone, type PhoneIdentity, type WebhookTarget } from '../SimulatedPhone';
import { ActionUrlOutbox } from './actionUrlOutbox';
import { CallControl, COMMAND_FUNCTIONS, type ControlAnswer, type RemoteAnswer, type SimAccount } from './callControl';
import { PhoneAuth, type AuthResult, type LoginForm } from './phoneAuth';
import { PhoneConfigValues, type ConfigAccess } from './phoneConfig';
import { PhoneLines } from './phoneLines';

export interface SimulatedPhoneControlOptions {
  /** Whose phone: its extension is `$local` on calls it places, its MAC goes on its Action URLs. */
  identity: PhoneIdentity;
  form: LoginForm;
  password: string;
  /** The web account the session login expects; default `user` (Ringside keeps `admin` free for IT). */
  username?: string;
  /** Where the phone sends its Action URLs; none: the phone keeps its events to itself. */
  webhook?: WebhookTarget;
  /** Default 30 s, like the firmware. */
  sessionIdleMs?: number;
  /** Default 5, like the firmware. */
  maxFailedLogins?: number;
  lockMs?: number;
  clock?: () => number;
  /** "Remote Control Pop up Window Support" enabled: commands wait for the user instead of running. */
  confirmationPopup?: boolean;
  /** Every answer (login included) leaves this late: a slow or overloaded phone. */
  responseDelayMs?: number;
  /** What the far end does with calls this phone places. Default: answers after 2 s. */
  remoteAnswer?: RemoteAnswer;
  lineCount?: number;
  accounts?: SimAccount[];
  /** What `api.values.get/post` allow; default `read-write`. */
  configAccess?: ConfigAccess;
  /** Configuration values the phone starts with (`{ P8312: 'http://crm.example/...' }`). */
  configValues?: Readonly<Record<string, string>>;
  /** Longer values are silently dropped, as one model does; default 255. */
  maxConfigValueLength?: number;
  /** The web server's port on 127.0.0.1; default 0 (any free one). */
  port?: number;
}

/**
 * What the pop-up mode answers. Grandstream does not document the HTTP answer while the phone
 * shows "Allow remote control?"; the firmware's refusals are `{"response":"error","body":<word>}`,
 * so the simulator answers in that shape with a word that says why: the command was NOT run and
 * will not run unless the user presses Allow on the phone (which the simulator never does).
 */
export const CONFIRMATION_PENDING: ControlAnswer = { response: 'error', body: 'need-confirm' };

// Large enough for every Action URL of a phone in one `api.values.post`.
const MAX_BODY_BYTES = 16 * 1024;

/**
 * A simulated Grandstream phone's web server on 127.0.0.1: the `/cgi-bin/api-*` control functions
 * with the passcode form or the session login, as one phone model and firmware would answer them.
 */
export class SimulatedPhoneControl {
  readonly auth: PhoneAuth;
  readonly lines: PhoneLines;
  readonly outbox: ActionUrlOutbox;
  readonly config: PhoneConfigValues;
  private readonly sender: SimulatedPhone;
  private readonly control: CallControl;
  private readonly server: Server;
  private readonly delays = new Set<NodeJS.Timeout>();
  private responseDelayMs: number;
  private confirmationPopup: boolean;
  private remoteAnswer: RemoteAnswer;
  private boundPort = 0;

  private constructor(readonly options: SimulatedPhoneControlOptions) {
    this.auth = new PhoneAuth({
      form: options.form,
      username: options.username ?? 'user',
      password: options.password,
      sessionIdleMs: options.sessionIdleMs ?? 30_000,
      maxFailedLogins: options.maxFailedLogins ?? 5,
      lockMs: options.lockMs ?? 5 * 60_000,
      clock: options.clock ?? Date.now,
    });
    this.lines = new PhoneLines(options.lineCount ?? 3, options.identity.extension);
    // The phone's own Action URL slots win over `webhook`; with neither, events stay on the phone.
    this.sender = new SimulatedPhone(options.identity, options.webhook ?? null, (pValue) => this.config.value(pValue));
    this.outbox = new ActionUrlOutbox({ send: (label, call) => (this.sendsEvent(label) ? this.sender.send(label, call) : Promise.resolve(null)) });
    const accounts = options.accounts ?? [{ id: 0, name: options.identity.extension, registered: true }];
    this.control = new CallControl(this.lines, this.outbox, accounts, () => this.remoteAnswer);
    this.config = new PhoneConfigValues(options.configAccess ?? 'read-write', options.configValues, options.maxConfigValueLength);
    this.responseDelayMs = options.responseDelayMs ?? 0;
    this.confirmationPopup = options.confirmationPopup ?? false;
    this.remoteAnswer = options.remoteAnswer ?? { afterMs: 2000 };
    this.server = createServer((req, res) => this.delayed(() => void this.handle(req, res).catch((error: Error) => send(res, 500, { response: 'error', body: error.message }))));
  }

  static async start(options: SimulatedPhoneControlOptions): Promise<SimulatedPhoneControl> {
    const phone = new SimulatedPhoneControl(options);
    await phone.listen(options.port ?? 0);
    return phone;
  }

  get host(): string {
    return '127.0.0.1';
  }

  get port(): number {
    return this.boundPort;
  }

  /** A call rings on this phone (driven by the test or demo, as the PBX would). */
  ring(remote: string, displayRemote = '', local?: string): void {
    this.outbox.enqueue(this.lines.ring(remote, displayRemote, local));
  }

  /** True when the phone has an Action URL (its own slot, or the webhook) for this event. */
  sendsEvent(label: PhoneEventLabel): boolean {
    return this.sender.sendsEvent(label);
  }

  /** The user picks up the ringing call on the handset. */
  answer(): void {
    this.outbox.enqueue(this.lines.accept());
  }

  /** The caller hangs up while the phone still rings: the phone reports a missed call. */
  callerGivesUp(): void {
    this.outbox.enqueue(this.lines.callerGivesUp());
  }

  /** The user hangs up the active call on the handset. */
  hangUp(): void {
    this.outbox.enqueue(this.lines.end());
  }

  setResponseDelay(ms: number): void {
    this.responseDelayMs = ms;
  }

  setConfirmationPopup(enabled: boolean): void {
    this.confirmationPopup = enabled;
  }

  setRemoteAnswer(answer: RemoteAnswer): void {
    this.remoteAnswer = answer;
  }

  /** Switches the web server off: connections are refused from now on (an unreachable phone). */
  async stop(): Promise<void> {
    for (const timer of this.delays) clearTimeout(timer);
    this.delays.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Back on the same port, lines and sessions as they were. */
  async resume(): Promise<void> {
    await this.listen(this.boundPort);
  }

  /** Stops the server and drops the far end's pending answers. */
  async close(): Promise<void> {
    this.outbox.cancelScheduled();
    if (this.server.listening) await this.stop();
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        this.boundPort = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  private delayed(run: () => void): void {
    if (this.responseDelayMs <= 0) return run();
    const timer = setTimeout(() => {
      this.delays.delete(timer);
      run();
    }, this.responseDelayMs);
    this.delays.add(timer);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://phone');
    if (req.method === 'POST' && url.pathname === '/cgi-bin/access' && this.auth.form === 'session') return this.access(req, res);
    if (req.method === 'POST' && url.pathname === '/cgi-bin/dologin' && this.auth.form === 'session') return this.dologin(req, res);
    if (this.isConfigRequest(req.method, url.pathname)) return this.configRequest(req, res, url);
    const fn = /^\/cgi-bin\/(api-[a-z_]+)$/.exec(url.pathname)?.[1];
    if (req.method !== 'GET' || fn === undefined) return send(res, 404, { response: 'error', body: 'not found' });
    if (!this.admitted(req, res, url.searchParams)) return;
    if (this.confirmationPopup && COMMAND_FUNCTIONS.has(fn)) return send(res, 200, CONFIRMATION_PENDING);
    const answer = this.control.run(fn, url.searchParams);
    return answer ? send(res, 200, answer) : send(res, 404, { response: 'error', body: 'not found' });
  }

  private isConfigRequest(method: string | undefined, pathname: string): boolean {
    if (this.config.access === 'none') return false;
    return (method === 'GET' && pathname === '/cgi-bin/api.values.get') || (method === 'POST' && pathname === '/cgi-bin/api.values.post');
  }

  /** `api.values.get?request=P1:P2` and `api.values.post` (P-values, and the passcode, in the form). */
  private async configRequest(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const params = req.method === 'POST' ? new URLSearchParams(await readBody(req)) : url.searchParams;
    if (!this.admitted(req, res, params)) return;
    send(res, 200, req.method === 'POST' ? this.config.write(params) : this.config.read(params.get('request')));
  }

  /** Same-origin and login checks of every control request; false when it has been answered already. */
  private admitted(req: IncomingMessage, res: ServerResponse, params: URLSearchParams): boolean {
    if (this.auth.form === 'session' && !sameOrigin(req)) {
      send(res, 403, { response: 'error', body: 'forbidden' });
      return false;
    }
    const allowed = this.authorise(req, params);
    if (!allowed.ok) send(res, 200, { response: 'error', body: allowed.reason });
    return allowed.ok;
  }

  private authorise(req: IncomingMessage, params: URLSearchParams): AuthResult {
    if (this.auth.form === 'passcode') return this.auth.checkPasscode(params.get('passcode'));
    return this.auth.checkSid(cookie(req, 'sid'));
  }

  private access(req: IncomingMessage, res: ServerResponse): void {
    if (!sameOrigin(req)) return send(res, 403, { response: 'error', body: 'forbidden' });
    send(res, 200, { response: 'success', body: { nonce: this.auth.issueNonce() } });
  }

  private async dologin(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!sameOrigin(req)) return send(res, 403, { response: 'error', body: 'forbidden' });
    const form = new URLSearchParams(await readBody(req));
    const result = this.auth.login(form.get('username') ?? '', form.get('password') ?? '');
    if (!result.ok) return send(res, 200, { response: 'error', body: result.reason });
    res.setHeader('Set-Cookie', `sid=${result.sid}; Path=/; HttpOnly`);
    send(res, 200, { response: 'success', body: { role: form.get('username') } });
  }
}

/** The firmware refuses a request whose Referer is not the phone's own web UI (CSRF protection). */
function sameOrigin(req: IncomingMessage): boolean {
  const referer = req.headers.referer;
  if (!referer || !req.headers.host) return false;
  try {
    const origin = new URL(referer);
    return origin.protocol === 'http:' && origin.host === req.headers.host;
  } catch {
    return false;
  }
}

function cookie(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return null;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy(new Error('request body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, answer: ControlAnswer): void {
  if (res.destroyed || res.headersSent) return;
  const body = JSON.stringify(answer);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
