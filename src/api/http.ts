import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';

/** An error the API answers with its status and a JSON reason instead of a 500. */
export class HttpError extends Error {
  /** The methods the path does answer (a 405's Allow header). */
  allow: string[] = [];

  /** `body`: the whole JSON answer, instead of `{error: message, details}`. */
  constructor(readonly status: number, message: string, readonly details?: unknown, readonly body?: Record<string, unknown>) {
    super(message);
  }
}

/** An answer `{error: <stable code>, reason: <what a person can act on>}`, as the phone endpoints give. */
export function codedHttpError(status: number, code: string, reason: string, extra: Record<string, unknown> = {}): HttpError {
  return new HttpError(status, reason, undefined, { error: code, reason, ...extra });
}

/** decodeURIComponent that answers malformed escapes with a 400 instead of throwing a URIError. */
export function decodePathPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new HttpError(400, 'malformed percent-encoding in the path');
  }
}

/**
 * Query parameters as the API reads them: `+` stays a plus (phone numbers are written
 * `+923001234567`, as the phones send them), never a space as in HTML forms.
 */
export function queryParams(search: string): URLSearchParams {
  return new URLSearchParams(search.replace(/\+/g, '%2B'));
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(payload);
}

export async function readBody(req: IncomingMessage, limitBytes: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limitBytes) throw new HttpError(413, `request body larger than ${limitBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) throw new HttpError(413, `request body larger than ${limitBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The request body chunk by chunk as it arrives, for a handler that streams it (the CSV import):
 * a 413 at once when Content-Length says it is too large, or as soon as more than limitBytes came.
 */
export async function* bodyChunks(req: IncomingMessage, limitBytes: number): AsyncGenerator<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limitBytes) throw new HttpError(413, `request body larger than ${limitBytes} bytes`);
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) throw new HttpError(413, `request body larger than ${limitBytes} bytes`);
    yield chunk as Buffer;
  }
}

export async function readJson<T extends z.ZodType>(req: IncomingMessage, schema: T, limitBytes = 1 << 20): Promise<z.infer<T>> {
  const type = req.headers['content-type'] ?? '';
  if (!type.includes('application/json')) throw new HttpError(415, 'expected Content-Type: application/json');
  const text = await readBody(req, limitBytes);
  let parsed: unknown;
  try {
    parsed = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
  return parseWith(schema, parsed);
}

export function parseWith<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const details = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new HttpError(400, `invalid input: ${details.map((d) => `${d.path || 'body'} ${d.message}`).join('; ')}`, details);
  }
  return result.data;
}
