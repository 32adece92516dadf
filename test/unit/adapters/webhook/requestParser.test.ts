import { describe, expect, it } from 'vitest';
import { checkNoBody, HeadScanner, parseHead, wantsKeepAlive, type ScanResult } from '../../../../src/adapters/webhook/requestParser';

const limits = { maxRequestLineBytes: 64, maxHeaderBytes: 128 };

function scanAll(text: string | Buffer): ScanResult {
  return new HeadScanner(limits).scan(typeof text === 'string' ? Buffer.from(text, 'latin1') : text);
}

function parse(text: string) {
  return parseHead(Buffer.from(text, 'utf8'));
}

describe('HeadScanner', () => {
  it('finds the end of a CRLF head and where the next request starts', () => {
    const text = 'GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b';
    const r = scanAll(text);
    expect(r).toEqual({ kind: 'complete', start: 0, headEnd: 26, next: 28 });
  });

  it('accepts bare LF line endings', () => {
    expect(scanAll('GET /a HTTP/1.1\nHost: x\n\n')).toMatchObject({ kind: 'complete', headEnd: 24, next: 25 });
  });

  it('skips blank lines before the request line', () => {
    expect(scanAll('\r\n\r\nGET /a HTTP/1.1\r\n\r\n')).toMatchObject({ kind: 'complete', start: 4 });
  });

  it('reports incomplete heads, and resumes where it stopped as bytes trickle in', () => {
    const scanner = new HeadScanner(limits);
    const full = Buffer.from('GET /a HTTP/1.1\r\nHost: x\r\n\r\n');
    for (let i = 1; i < full.length; i++) expect(scanner.scan(full.subarray(0, i)).kind).toBe('incomplete');
    expect(scanner.scan(full)).toMatchObject({ kind: 'complete', next: full.length });
  });

  it('answers 414 for a request line over the limit, complete or not', () => {
    const long = `GET /${'a'.repeat(100)} HTTP/1.1`;
    expect(scanAll(`${long}\r\n\r\n`)).toMatchObject({ kind: 'error', error: { status: 414 } });
    expect(scanAll(long)).toMatchObject({ kind: 'error', error: { status: 414 } });
  });

  it('accepts a request line of exactly the limit', () => {
    const line = `GET /${'a'.repeat(64 - 14)} HTTP/1.1`;
    expect(line.length).toBe(64);
    expect(scanAll(`${line}\r\n\r\n`).kind).toBe('complete');
  });

  it('answers 431 for headers over the limit, complete or not', () => {
    const big = `GET / HTTP/1.1\r\nX-Big: ${'b'.repeat(200)}`;
    expect(scanAll(`${big}\r\n\r\n`)).toMatchObject({ kind: 'error', error: { status: 431 } });
    expect(scanAll(big)).toMatchObject({ kind: 'error', error: { status: 431 } });
  });

  it('refuses an endless stream of blank lines', () => {
    expect(scanAll('\r\n'.repeat(100))).toMatchObject({ kind: 'error', error: { status: 400 } });
  });
});

describe('parseHead', () => {
  it('keeps unencoded spaces and raw UTF-8 in the target', () => {
    const r = parse('GET /gs/cti/incoming?display_remote=José Núñez&remote=+923001234567 HTTP/1.1\r\nHost: x');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.request.method).toBe('GET');
    expect(r.request.version).toBe('1.1');
    // The target is kept as bytes (latin1) and decoded as UTF-8 later.
    expect(Buffer.from(r.request.target, 'latin1').toString('utf8')).toBe('/gs/cti/incoming?display_remote=José Núñez&remote=+923001234567');
    expect(r.request.headers['host']).toBe('x');
  });

  it('splits on the first and the last space', () => {
    const r = parse('GET /x?a=b HTTP/1.1 HTTP/1.1');
    expect(r.ok && r.request.target).toBe('/x?a=b HTTP/1.1');
  });

  it('lower-cases header names and joins repeated headers', () => {
    const r = parse('GET / HTTP/1.1\r\nX-A: 1\r\nx-a:2 \r\nConnection:\tclose');
    expect(r.ok && r.request.headers['x-a']).toBe('1, 2');
    expect(r.ok && r.request.keepAlive).toBe(false);
  });

  it.each([
    ['no version', 'GET /gs/cti/incoming'],
    ['bad version', 'GET / HTTP/2.0'],
    ['lower-case version', 'GET / http/1.1'],
    ['empty method', ' / HTTP/1.1'],
    ['method with garbage', 'G\u0001T / HTTP/1.1'],
    ['control byte in the target', 'GET /a\u0000b HTTP/1.1'],
    ['header without colon', 'GET / HTTP/1.1\r\nnot a header'],
    ['space before the colon', 'GET / HTTP/1.1\r\nHost : x'],
    ['folded header', 'GET / HTTP/1.1\r\nX-A: 1\r\n  continued'],
    ['control byte in a header value', 'GET / HTTP/1.1\r\nX-A: a\u0001b'],
  ])('answers 400 for %s', (_name, text) => {
    const r = parse(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.status).toBe(400);
      expect(r.error.close).toBe(true);
      expect(r.error.reason.length).toBeGreaterThan(0);
    }
  });
});

describe('wantsKeepAlive', () => {
  it('follows HTTP/1.1 and HTTP/1.0 defaults and the Connection header', () => {
    expect(wantsKeepAlive('1.1', undefined)).toBe(true);
    expect(wantsKeepAlive('1.1', 'Close')).toBe(false);
    expect(wantsKeepAlive('1.0', undefined)).toBe(false);
    expect(wantsKeepAlive('1.0', 'Keep-Alive')).toBe(true);
    expect(wantsKeepAlive('1.0', 'keep-alive, close')).toBe(false);
  });
});

describe('checkNoBody', () => {
  it('accepts no body and Content-Length: 0', () => {
    expect(checkNoBody({})).toBeNull();
    expect(checkNoBody({ 'content-length': '0' })).toBeNull();
  });

  it('refuses bodies and malformed lengths', () => {
    expect(checkNoBody({ 'content-length': '5' })?.reason).toBe('request bodies are not accepted');
    expect(checkNoBody({ 'transfer-encoding': 'chunked' })?.reason).toBe('request bodies are not accepted');
    expect(checkNoBody({ 'content-length': '0, 7' })?.status).toBe(400);
    expect(checkNoBody({ 'content-length': '-1' })?.status).toBe(400);
    expect(checkNoBody({ 'content-length': '' })?.status).toBe(400);
  });
});
