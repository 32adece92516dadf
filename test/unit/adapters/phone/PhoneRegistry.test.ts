import { describe, expect, it } from 'vitest';
import { PhoneRegistry, type PhoneTarget } from '../../../../src/adapters/phone/PhoneRegistry';
import { PHONE_ERROR_STATUS } from '../../../../src/api/phoneRoutes';

const target: PhoneTarget = { account: 'acme', mac: '000B82000001', host: '127.0.0.1', port: 80, username: 'user', password: 'pw', version: 1 };

describe('PhoneRegistry', () => {
  it('keeps one client per phone while its settings stay the same', () => {
    const phones = new PhoneRegistry();
    const first = phones.clientFor(target);
    expect(phones.clientFor({ ...target })).toBe(first);
    expect(phones.clientFor({ ...target, mac: '000B82000002' })).not.toBe(first);
    expect(phones.size).toBe(2);
  });

  it('starts a fresh client (and login guard) when the settings are saved again or the address changes', () => {
    const phones = new PhoneRegistry();
    const first = phones.clientFor(target);
    const resaved = phones.clientFor({ ...target, version: 2 });
    expect(resaved).not.toBe(first);
    expect(phones.clientFor({ ...target, version: 2, host: '10.0.0.2' })).not.toBe(resaved);
    // A device removed and added again counts its saves from 0: a new password still means a new client.
    const readded = phones.clientFor({ ...target, version: 2, host: '10.0.0.2', password: 'new' });
    expect(phones.clientFor({ ...target, version: 2, host: '10.0.0.2', password: 'new' })).toBe(readded);
    expect(phones.size).toBe(1);
  });
});

describe('phone errors as HTTP answers', () => {
  it('maps every PhoneError code to its documented status', () => {
    expect(PHONE_ERROR_STATUS).toEqual({
      phone_unreachable: 502, phone_bad_answer: 502, phone_bad_credentials: 502, phone_timeout: 504,
      phone_needs_confirmation: 409, phone_refused: 409, phone_login_paused: 423, phone_locked: 423, phone_unsupported: 501,
    });
  });
});
