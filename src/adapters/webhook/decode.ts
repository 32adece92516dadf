import { isUtf8 } from 'node:buffer';

/**
 * Lenient decoding of request-target text. Input strings hold raw bytes (latin1: one char per
 * byte), because phones send raw UTF-8 and unencoded spaces in the request line.
 *
 * - `%XX` escapes are decoded; an invalid `%` sequence stays literal (never throws, unlike
 *   decodeURIComponent).
 * - `+` is NOT a space: phones send `remote=+923001234567` unencoded.
 * - The resulting bytes are read as UTF-8; bytes that are not valid UTF-8 are read as
 *   latin1 instead (older firmware or hand-written templates), never as U+FFFD garbage.
 */
export function decodeText(raw: string): string {
  if (isPlainAscii(raw)) return raw;
  return decodeAsciiEscapes(raw) ?? decodeBytes(raw);
}

/**
 * Escapes of ASCII characters in ASCII text (`%2B92...`, `%20`, `%40`: what phones send most),
 * decoded without a byte buffer or a UTF-8 check: the result is the same ASCII either way.
 * Null as soon as a byte >= 0x80 takes part (raw or escaped): decodeBytes decides then.
 */
function decodeAsciiEscapes(raw: string): string | null {
  let out = '';
  let from = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c > 0x7f) return null;
    if (c !== 0x25 || i + 2 >= raw.length) continue;
    const hi = hexValue(raw.charCodeAt(i + 1));
    const lo = hexValue(raw.charCodeAt(i + 2));
    if (hi === -1 || lo === -1) continue;
    if (hi > 7) return null;
    out += raw.slice(from, i) + String.fromCharCode((hi << 4) | lo);
    i += 2;
    from = i + 1;
  }
  return out + raw.slice(from);
}

function decodeBytes(raw: string): string {
  const bytes = Buffer.allocUnsafe(raw.length);
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x25 && i + 2 < raw.length) {
      const hi = hexValue(raw.charCodeAt(i + 1));
      const lo = hexValue(raw.charCodeAt(i + 2));
      if (hi !== -1 && lo !== -1) {
        bytes[n++] = (hi << 4) | lo;
        i += 2;
        continue;
      }
    }
    bytes[n++] = c & 0xff;
  }
  const view = bytes.subarray(0, n);
  return isUtf8(view) ? view.toString('utf8') : view.toString('latin1');
}

/** No escapes and no high bytes: the common case, returned without copying. */
function isPlainAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 || c > 0x7f) return false;
  }
  return true;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1; // also NaN from charCodeAt past the end
}

/**
 * A phone sends the template text literally when it has no value for a variable
 * (`remote=$remote`); newer GRP "Outbound Notification" templates use `{name}`. Both mean
 * "empty". Checked on the decoded, trimmed value.
 */
export function isUnfilledVariable(value: string): boolean {
  if (value.length < 2) return false;
  const first = value.charCodeAt(0);
  if (first === 0x24 /* $ */) return isVariableName(value, 1, value.length);
  if (first === 0x7b /* { */ && value.charCodeAt(value.length - 1) === 0x7d /* } */) {
    return value.length > 2 && isVariableName(value, 1, value.length - 1);
  }
  return false;
}

function isVariableName(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x2d;
    if (!ok) return false;
  }
  return to > from;
}
