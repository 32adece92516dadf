import { request } from 'node:http';
import { PhoneError } from '../../domain/phone/errors';

export interface PhoneAddress {
  host: string;
  port: number;
}

export interface PhoneHttpRequest {
  method: 'GET' | 'POST';
  /** Path and query, already encoded. */
  path: string;
  headers?: Readonly<Record<string, string>>;
  /** A form body (`application/x-www-form-urlencoded`). */
  form?: URLSearchParams;
}

export interface PhoneHttpResponse {
  status: number;
  setCookie: string[];
  text: string;
}

/** Connection failures that mean "nothing there", as opposed to a phone that misbehaves. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EPIPE']);

export function originOf(phone: PhoneAddress): string {
  const host = phone.host.includes(':') ? `[${phone.host}]` : phone.host;
  return `http://${host}:${phone.port}`;
}

/**
 * One request to the phone's web server, abandoned after `timeoutMs` from start to last byte: a
 * phone that accepts the connection and then hangs must not hold a caller for minutes.
 */
export function phoneHttp(phone: PhoneAddress, req: PhoneHttpRequest, timeoutMs: number): Promise<PhoneHttpResponse> {
  const body = req.form?.toString();
  const headers: Record<string, string> = { ...req.headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    headers['Content-Length'] = String(Buffer.byteLength(body));
  }
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (error: PhoneError | null, response?: PhoneHttpResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) {
        outgoing.destroy();
        reject(error);
      } else resolve(response!);
    };
    const where = `${phone.host}:${phone.port}`;
    const timer = setTimeout(() => finish(new PhoneError('phone_timeout', `the phone at ${where} did not answer within ${timeoutMs} ms`)), timeoutMs);
    const outgoing = request({ host: phone.host, port: phone.port, method: req.method, path: req.path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => finish(null, { status: res.statusCode ?? 0, setCookie: res.headers['set-cookie'] ?? [], text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (error) => finish(networkError(error, where)));
    });
    outgoing.on('error', (error) => finish(networkError(error, where)));
    outgoing.end(body);
  });
}

function networkError(error: Error, where: string): PhoneError {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (UNREACHABLE_CODES.has(code)) return new PhoneError('phone_unreachable', `the phone at ${where} is not reachable (${code}); is it on and on the network, and is the address right?`);
  return new PhoneError('phone_unreachable', `the phone at ${where} could not be reached: ${error.message}`);
}
