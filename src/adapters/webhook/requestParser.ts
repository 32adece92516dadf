/**
 * A minimal, lenient HTTP/1.1 request-head parser for the phone listener.
 *
 * Why not node:http: Grandstream phones put unencoded spaces and raw UTF-8 into the request
 * line (`GET /gs/cti/incoming?display_remote=John Doe HTTP/1.1`), which llhttp rejects before
 * any handler runs. Here the method is everything before the first space, the version is
 * everything after the last space, and the target is whatever sits between them.
 *
 * Everything in this file is pure (bytes in, values out) so it can be fuzzed directly.
 */

/** A request that cannot be served, with the status and the reason sent back as JSON. */
export interface HttpError {
  status: number;
  reason: string;
  /** Close the connection after answering (the byte stream can no longer be trusted). */
  close: boolean;
  headers?: Readonly<Record<string, string>>;
}

export interface ParsedRequest {
  method: string;
  /** The request target as bytes (latin1 string: one char per byte); decoding happens later. */
  target: string;
  version: '1.0' | '1.1';
  /** Lower-case header names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  keepAlive: boolean;
}

export type ParseResult = { ok: true; request: ParsedRequest } | { ok: false; error: HttpError };

export interface HeadLimits {
  maxRequestLineBytes: number;
  maxHeaderBytes: number;
}

export type ScanResult =
  | { kind: 'incomplete' }
  /** head = [start, headEnd) without the blank line; the next request starts at `next`. */
  | { kind: 'complete'; start: number; headEnd: number; next: number }
  | { kind: 'error'; error: HttpError };

const LF = 0x0a;
const CR = 0x0d;

export function httpError(status: number, reason: string, close = true, headers?: Record<string, string>): HttpError {
  return headers === undefined ? { status, reason, close } : { status, reason, close, headers };
}

/**
 * Finds the end of one request head in a growing buffer. It remembers how far it has looked,
 * so a head that trickles in one byte at a time is still scanned only once (no O(n²) on
 * slow clients). Call reset() after each complete head, with the buffer rebased to `next`.
 */
export class HeadScanner {
  private start = 0; // first byte of the request line (leading blank lines skipped)
  private lineStart = 0; // start of the line being scanned
  private requestLineEnd = -1; // index of the LF ending the request line, once seen

  constructor(private readonly limits: HeadLimits) {}

  reset(): void {
    this.start = 0;
    this.lineStart = 0;
    this.requestLineEnd = -1;
  }

  scan(buf: Buffer): ScanResult {
    for (;;) {
      const lf = buf.indexOf(LF, this.lineStart);
      if (lf === -1) return this.checkPartial(buf.length);
      const lineLength = lf - this.lineStart - (lf > this.lineStart && buf[lf - 1] === CR ? 1 : 0);
      if (this.requestLineEnd === -1) {
        if (lineLength === 0) {
          // RFC 9112 2.2: ignore blank lines before the request line (leftovers of a sloppy client).
          this.lineStart = lf + 1;
          this.start = this.lineStart;
          // A stream of nothing but blank lines is not a client worth waiting for.
          if (this.start > this.limits.maxRequestLineBytes) return { kind: 'error', error: httpError(400, 'malformed request') };
          continue;
        }
        if (lineLength > this.limits.maxRequestLineBytes) return { kind: 'error', error: tooLongLine() };
        this.requestLineEnd = lf;
      } else if (lineLength === 0) {
        return { kind: 'complete', start: this.start, headEnd: this.lineStart, next: lf + 1 };
      }
      this.lineStart = lf + 1;
      if (this.headerBytes(this.lineStart) > this.limits.maxHeaderBytes) return { kind: 'error', error: tooLargeHeaders() };
    }
  }

  private checkPartial(length: number): ScanResult {
    if (this.requestLineEnd === -1) {
      // +1: the CR of a CRLF may already be in and is not part of the line.
      if (length - this.start > this.limits.maxRequestLineBytes + 1) return { kind: 'error', error: tooLongLine() };
    } else if (this.headerBytes(length) > this.limits.maxHeaderBytes) {
      return { kind: 'error', error: tooLargeHeaders() };
    }
    return { kind: 'incomplete' };
  }

  private headerBytes(upTo: number): number {
    return upTo - this.requestLineEnd - 1;
  }
}

function tooLongLine(): HttpError {
  return httpError(414, 'request line too long');
}

function tooLargeHeaders(): HttpError {
  return httpError(431, 'request headers too large');
}

/** Parses one complete head (request line and header lines, no blank line) into a request. */
export function parseHead(head: Buffer): ParseResult {
  const text = head.toString('latin1');
  const firstLf = text.indexOf('\n');
  const requestLine = stripCr(firstLf === -1 ? text : text.slice(0, firstLf));
  const line = parseRequestLine(requestLine);
  if ('status' in line) return { ok: false, error: line };
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  if (firstLf !== -1) {
    const bad = parseHeaderLines(text, firstLf + 1, headers);
    if (bad !== null) return { ok: false, error: bad };
  }
  const keepAlive = wantsKeepAlive(line.version, headers['connection']);
  return { ok: true, request: { method: line.method, target: line.target, version: line.version, headers, keepAlive } };
}

function stripCr(line: string): string {
  return line.length > 0 && line.charCodeAt(line.length - 1) === CR ? line.slice(0, -1) : line;
}

function parseRequestLine(line: string): { method: string; target: string; version: '1.0' | '1.1' } | HttpError {
  const firstSpace = line.indexOf(' ');
  const lastSpace = line.lastIndexOf(' ');
  if (firstSpace <= 0 || lastSpace === firstSpace) return httpError(400, 'malformed request line');
  const method = line.slice(0, firstSpace);
  if (!isToken(method)) return httpError(400, 'malformed request line');
  const versionText = line.slice(lastSpace + 1);
  const version = versionText === 'HTTP/1.1' ? '1.1' : versionText === 'HTTP/1.0' ? '1.0' : null;
  if (version === null) return httpError(400, 'unsupported or malformed HTTP version');
  const target = line.slice(firstSpace + 1, lastSpace).trim();
  if (target.length === 0) return httpError(400, 'malformed request line');
  // Spaces and bytes >= 0x80 are tolerated (phones send them); control bytes are not.
  if (hasControlChar(target)) return httpError(400, 'control characters in request target');
  return { method, target, version };
}

/** Reads header lines from `from` to the end; returns an error or null. */
function parseHeaderLines(text: string, from: number, headers: Record<string, string>): HttpError | null {
  let pos = from;
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = text.length;
    const line = stripCr(text.slice(pos, end));
    pos = end + 1;
    if (line.length === 0) continue;
    const colon = line.indexOf(':');
    // No colon, an empty name, whitespace before the colon or obsolete line folding: malformed.
    if (colon <= 0) return httpError(400, 'malformed header line');
    const name = line.slice(0, colon);
    if (!isToken(name)) return httpError(400, 'malformed header name');
    const value = trimOws(line.slice(colon + 1));
    if (hasControlChar(value, true)) return httpError(400, 'control characters in header value');
    const key = name.toLowerCase();
    const previous = headers[key];
    headers[key] = previous === undefined ? value : `${previous}, ${value}`;
  }
  return null;
}

/** RFC 9110 tchar: the only characters allowed in methods and header names. */
function isToken(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    if (!TCHAR[s.charCodeAt(i)]) return false;
  }
  return s.length > 0;
}

const TCHAR: boolean[] = (() => {
  const table = new Array<boolean>(256).fill(false);
  for (let c = 0x30; c <= 0x39; c++) table[c] = true;
  for (let c = 0x41; c <= 0x5a; c++) table[c] = true;
  for (let c = 0x61; c <= 0x7a; c++) table[c] = true;
  for (const ch of "!#$%&'*+-.^_`|~") table[ch.charCodeAt(0)] = true;
  return table;
})();

function hasControlChar(s: string, allowTab = false): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && !(allowTab && c === 0x09)) || c === 0x7f) return true;
  }
  return false;
}

function trimOws(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === 0x20 || s.charCodeAt(a) === 0x09)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 0x20 || s.charCodeAt(b - 1) === 0x09)) b--;
  return s.slice(a, b);
}

/** HTTP/1.1 keeps the connection unless told to close; HTTP/1.0 only when asked to keep it. */
export function wantsKeepAlive(version: '1.0' | '1.1', connection: string | undefined): boolean {
  if (connection === undefined) return version === '1.1';
  const lower = connection.toLowerCase();
  if (lower === 'keep-alive') return true; // the usual value: no split needed
  const tokens = lower.split(',');
  let close = false;
  let keep = false;
  for (const t of tokens) {
    const token = t.trim();
    if (token === 'close') close = true;
    else if (token === 'keep-alive') keep = true;
  }
  if (close) return false;
  return version === '1.1' || keep;
}

/**
 * Rejects anything carrying a body: phones never send one, and not reading bodies means no
 * request smuggling and no body buffering. Returns null when the request has no body.
 */
export function checkNoBody(headers: Record<string, string>): HttpError | null {
  if (headers['transfer-encoding'] !== undefined) return httpError(400, 'request bodies are not accepted');
  const length = headers['content-length'];
  if (length === undefined) return null;
  for (const part of length.split(',')) {
    const value = part.trim();
    if (!isDigits(value)) return httpError(400, 'malformed Content-Length');
    if (!isAllZeros(value)) return httpError(400, 'request bodies are not accepted');
  }
  return null;
}

function isDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

function isAllZeros(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) !== 0x30) return false;
  return true;
}
