import { connect } from 'node:net';

/**
 * One GET written byte for byte as given, over a plain socket. node:http (and fetch) would
 * percent-encode or refuse the request line; a real Grandstream phone sends spaces and raw UTF-8
 * in it, and the simulator has to send exactly that to exercise Ringside's listener.
 */
export interface RawResponse {
  status: number;
  body: string;
}

export interface RawTarget {
  host: string;
  port: number;
}

const TIMEOUT_MS = 10_000;

/** Sends `GET <target> HTTP/1.1` with the request target unencoded, and reads one response. */
export function rawHttpGet(to: RawTarget, target: string, headers: Readonly<Record<string, string>>): Promise<RawResponse> {
  const head = [`GET ${target} HTTP/1.1`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
  return new Promise((resolve, reject) => {
    const socket = connect({ host: to.host, port: to.port });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (error: Error | null, response?: RawResponse) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (error) reject(error);
      else resolve(response!);
    };
    socket.setTimeout(TIMEOUT_MS, () => finish(new Error(`no response from ${to.host}:${to.port} within ${TIMEOUT_MS / 1000} s`)));
    // UTF-8, like the phone: display names go out as their UTF-8 bytes, not as %-escapes.
    socket.on('connect', () => socket.write(Buffer.from(head, 'utf8')));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const response = parseResponse(Buffer.concat(chunks), false);
      if (response) finish(null, response);
    });
    socket.on('end', () => {
      const response = parseResponse(Buffer.concat(chunks), true);
      finish(response ? null : new Error(`${to.host}:${to.port} closed the connection without a complete HTTP response`), response ?? undefined);
    });
    socket.on('error', (error) => finish(error));
  });
}

/** A complete response (by Content-Length, or by the connection closing), else null. */
function parseResponse(bytes: Buffer, closed: boolean): RawResponse | null {
  const headEnd = bytes.indexOf('\r\n\r\n');
  if (headEnd === -1) return null;
  const lines = bytes.subarray(0, headEnd).toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  if (!status) return null;
  const lengthLine = lines.find((l) => /^content-length:/i.test(l));
  const body = bytes.subarray(headEnd + 4);
  if (lengthLine) {
    const length = Number(lengthLine.slice(lengthLine.indexOf(':') + 1).trim());
    if (body.length < length) return null;
    return { status: Number(status[1]), body: body.subarray(0, length).toString('utf8') };
  }
  return closed ? { status: Number(status[1]), body: body.toString('utf8') } : null;
}
