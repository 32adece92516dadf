import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseActionUrl, type ActionUrl } from '../../../../src/adapters/webhook/actionUrl';
import { decodeText, isUnfilledVariable } from '../../../../src/adapters/webhook/decode';
import { buildEnvelope, userPart, type EnvelopeContext } from '../../../../src/adapters/webhook/envelope';

/** Targets arrive as bytes; a test writes them as text and converts like the socket would. */
function bytes(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

function url(target: string): ActionUrl {
  const r = parseActionUrl(bytes(target));
  if (!r.ok) throw new Error(`expected ok, got ${r.error.status} ${r.error.reason}`);
  return r.value;
}

function status(target: string): number {
  const r = parseActionUrl(bytes(target));
  return r.ok ? 200 : r.error.status;
}

/** decodeText's contract written the slow way: every `%XX` to its byte, then UTF-8 when valid, else latin1. */
function decodeEveryByte(raw: string): string {
  const out: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const escape = raw.charCodeAt(i) === 0x25 ? /^[0-9a-f]{2}/i.exec(raw.slice(i + 1, i + 3)) : null;
    if (escape) {
      out.push(parseInt(escape[0], 16));
      i += 2;
    } else {
      out.push(raw.charCodeAt(i) & 0xff);
    }
  }
  const buf = Buffer.from(out);
  return Buffer.from(buf.toString('utf8'), 'utf8').equals(buf) ? buf.toString('utf8') : buf.toString('latin1');
}

const ctx: EnvelopeContext = { account: 'acme', sourceIp: '192.0.2.7', receivedAt: 1_700_000_000_000, nextId: () => '01HZZZZZZZZZZZZZZZZZZZZZZZ' };

describe('decodeText', () => {
  it('decodes percent escapes and raw UTF-8', () => {
    expect(decodeText(bytes('Jos%C3%A9'))).toBe('José');
    expect(decodeText(bytes('José Núñez'))).toBe('José Núñez');
  });

  it('never turns + into a space', () => {
    expect(decodeText('+923001234567')).toBe('+923001234567');
    expect(decodeText('%2B92')).toBe('+92');
  });

  it('leaves invalid escapes literal and never throws', () => {
    expect(decodeText('100%')).toBe('100%');
    expect(decodeText('%zz%4')).toBe('%zz%4');
    expect(decodeText('%E0%A4%A')).toBe('à¤%A'); // invalid UTF-8 falls back to latin1
  });

  it('reads bytes that are not UTF-8 as latin1', () => {
    expect(decodeText('Jos\u00e9')).toBe('José'); // a raw 0xE9 byte
  });

  it('decodes ASCII escapes next to UTF-8 ones and raw high bytes as one text', () => {
    expect(decodeText(bytes('%2B92 Jos%C3%A9'))).toBe('+92 José');
    expect(decodeText(bytes('%2B92 José'))).toBe('+92 José');
    expect(decodeText('%2B92 Jos\u00e9')).toBe('+92 José'); // a raw 0xE9 byte after an escape
    expect(decodeText('%2B%E0%A4%A')).toBe('+à¤%A');
  });

  it('gives what decoding every byte and reading them as UTF-8 (else latin1) gives, for any input', () => {
    const pieces = fc.constantFrom('%', '%2B', '%2b', '%20', '%7F', '%80', '%C3', '%A9', '%zz', '%4', 'a', '+', ' ', '\u00e9', '\u00c3', '\u00a9', '\u0000');
    fc.assert(fc.property(fc.array(pieces, { maxLength: 12 }).map((parts) => parts.join('')), (raw) => {
      expect(decodeText(raw)).toBe(decodeEveryByte(raw));
    }), { numRuns: 2000 });
  });
});

describe('isUnfilledVariable', () => {
  it('recognises $name and {name} placeholders only', () => {
    for (const v of ['$remote', '$display_remote', '$call-id', '$call_id', '{call-id}', '{remoteNumber}']) expect(isUnfilledVariable(v)).toBe(true);
    for (const v of ['$', '$ 5', '$5.00', 'a$remote', '{}', '{a b}', '+923']) expect(isUnfilledVariable(v)).toBe(false);
  });
});

describe('parseActionUrl', () => {
  it('reads the seed route with a query', () => {
    expect(url('/gs/cti/incoming?remote=+923001234567&mac=000b82123456&token=t1')).toEqual({
      eventName: 'incoming',
      token: 't1',
      params: { remote: '+923001234567', mac: '000b82123456' },
    });
  });

  it('reads the token from the path', () => {
    expect(url('/gs/s3cret/cti/hangup?remote=1')).toMatchObject({ eventName: 'hangup', token: 's3cret' });
  });

  it('prefers the path token over a token parameter', () => {
    expect(url('/gs/s3cret/cti/hangup?token=other').token).toBe('s3cret');
  });

  it('reads parameters written as a path, and both forms together', () => {
    expect(url('/gs/cti/incoming/mac=00:0B:82:12:34:56&remote=1001').params).toEqual({ mac: '00:0B:82:12:34:56', remote: '1001' });
    expect(url('/gs/t/cti/incoming/remote=1001&display_remote=AC/DC?local=2002').params).toEqual({ remote: '1001', display_remote: 'AC/DC', local: '2002' });
  });

  it('accepts absolute-form targets', () => {
    expect(url('http://10.0.0.5:7789/gs/cti/missed?remote=5').eventName).toBe('missed');
    expect(url('HTTPS://host/gs/t/cti/boot').token).toBe('t');
  });

  it('decodes, trims and empties unfilled variables', () => {
    expect(url('/gs/cti/incoming?display_remote= John Doe &remote=$remote&x=%24call-id&y=%zz').params).toEqual({
      display_remote: 'John Doe',
      remote: '',
      x: '',
      y: '%zz',
    });
  });

  it('keeps unknown parameters and pairs without a value', () => {
    expect(url('/gs/cti/boot?product=GXP2170&program_version=1.0.11.6&flag').params).toEqual({ product: 'GXP2170', program_version: '1.0.11.6', flag: '' });
  });

  it('answers 404 for other paths and 400 for a target that is not a path', () => {
    for (const t of ['/', '/gs', '/gs/cti', '/gs/cti/', '/api/calls', '/gs/t/x/incoming', '/gs/cti/incoming/extra', '/gs//cti/incoming']) {
      expect(status(t), t).toBe(404);
    }
    expect(status('*')).toBe(400);
    expect(status('gs/cti/incoming')).toBe(400);
  });
});

describe('buildEnvelope', () => {
  function envelope(target: string, overrides: Partial<EnvelopeContext> = {}) {
    return buildEnvelope(url(target), { ...ctx, ...overrides });
  }

  it('maps the phone variables onto the envelope', () => {
    const r = envelope('/gs/cti/incoming?call_id=abc@host&remote=sip:+923001234567@pbx.local&local=1001&display_remote=John Doe&display_local=Desk&active_user=1001&mac=00-0b-82-12-34-56&phone_ip=10.1.2.3&product=GXP2170&program_version=1.0&token=x&extra=1');
    expect(r).toEqual({
      ok: true,
      event: {
        id: ctx.nextId(),
        account: 'acme',
        type: 'incoming',
        receivedAt: ctx.receivedAt,
        device: { mac: '000B82123456', ip: '10.1.2.3' },
        callId: 'abc@host',
        local: '1001',
        remote: '+923001234567',
        displayRemote: 'John Doe',
        activeUser: '1001',
        transferKind: null,
        raw: {
          call_id: 'abc@host',
          remote: 'sip:+923001234567@pbx.local',
          local: '1001',
          display_remote: 'John Doe',
          display_local: 'Desk',
          active_user: '1001',
          mac: '00-0b-82-12-34-56',
          phone_ip: '10.1.2.3',
          product: 'GXP2170',
          program_version: '1.0',
          extra: '1',
        },
      },
    });
  });

  it('accepts every call id spelling and leaves it null when empty', () => {
    for (const key of ['callId', 'call_id', 'call-id']) {
      const r = envelope(`/gs/cti/answered?${key}=X1`);
      expect(r.ok && r.event.callId).toBe('X1');
    }
    const empty = envelope('/gs/cti/answered?call-id=$call-id');
    expect(empty.ok && empty.event.callId).toBeNull();
  });

  it('falls back to the socket address without a usable phone_ip, and maps v4-mapped addresses', () => {
    const a = envelope('/gs/cti/boot?phone_ip=$phone_ip', { sourceIp: '::ffff:192.0.2.9' });
    expect(a.ok && a.event.device).toEqual({ mac: null, ip: '192.0.2.9' });
    const b = envelope('/gs/cti/boot?phone_ip=not-an-ip');
    expect(b.ok && b.event.device.ip).toBe('192.0.2.7');
  });

  it.each([
    ['established', 'answered', null],
    ['terminated', 'hangup', null],
    ['blind_transfer', 'transfer', 'blind'],
    ['attended_transfer', 'transfer', 'attended'],
    ['resume', 'unhold', null],
    ['INCOMING', 'incoming', null],
  ])('resolves the alias %s', (name, type, kind) => {
    const r = envelope(`/gs/cti/${name}?remote=1`);
    expect(r.ok && r.event.type).toBe(type);
    expect(r.ok && r.event.transferKind).toBe(kind);
  });

  it('reads kind= on transfers only', () => {
    const t = envelope('/gs/cti/transfer?kind=Attended');
    expect(t.ok && t.event.transferKind).toBe('attended');
    const bad = envelope('/gs/cti/transfer?kind=sideways');
    expect(bad.ok && bad.event.transferKind).toBeNull();
    const notTransfer = envelope('/gs/cti/hangup?kind=blind');
    expect(notTransfer.ok && notTransfer.event.transferKind).toBeNull();
  });

  it('answers 404 for an unknown event and 400 for a mac that is not a MAC', () => {
    const unknown = envelope('/gs/cti/ringing');
    expect(!unknown.ok && unknown.error.status).toBe(404);
    const badMac = envelope('/gs/cti/incoming?mac=00:0B:82:12:34');
    expect(!badMac.ok && badMac.error.status).toBe(400);
    const noMac = envelope('/gs/cti/incoming?mac=$mac');
    expect(noMac.ok && noMac.event.device.mac).toBeNull();
  });

  it('keeps the token out of raw', () => {
    const r = envelope('/gs/cti/incoming?token=secret&TOKEN=secret2&remote=1');
    expect(r.ok && Object.keys(r.event.raw)).toEqual(['remote']);
  });

  it('uses newer firmware names when the classic ones are absent or empty', () => {
    const r = envelope('/gs/cti/incoming?remote=$remote&remoteNumber=555&remoteName=Ann&localNumber=1001');
    expect(r.ok && [r.event.remote, r.event.displayRemote, r.event.local]).toEqual(['555', 'Ann', '1001']);
  });
});

describe('userPart', () => {
  it('keeps the user of SIP and tel URIs and leaves plain numbers alone', () => {
    expect(userPart('sip:1001@pbx')).toBe('1001');
    expect(userPart('<sips:+923001234567@host;user=phone>')).toBe('+923001234567');
    expect(userPart('tel:+4930123;phone-context=x')).toBe('+4930123');
    expect(userPart('2002@10.0.0.1')).toBe('2002');
    expect(userPart('+923001234567')).toBe('+923001234567');
    expect(userPart('')).toBe('');
  });
});
