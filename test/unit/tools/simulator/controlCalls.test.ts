// The simulated phone's lines move like the firmware's under the control API, and it tells Ringside.
import { afterEach, describe, expect, it } from 'vitest';
import { CONFIRMATION_PENDING } from '../../../../tools/simulator/control/SimulatedPhoneControl';
import { closeAllPhones, PHONE_PASSWORD, raw, startPhone } from './controlHelpers';
import type { SimulatedPhoneControl } from '../../../../tools/simulator/control/SimulatedPhoneControl';

afterEach(closeAllPhones);

async function api(phone: SimulatedPhoneControl, fn: string, params: Record<string, string> = {}): Promise<unknown> {
  const query = new URLSearchParams({ passcode: PHONE_PASSWORD, ...params }).toString();
  return (await raw(phone, 'GET', `/cgi-bin/${fn}?${query}`)).json;
}

async function lineOne(phone: SimulatedPhoneControl): Promise<unknown> {
  const answer = (await api(phone, 'api-get_line_status')) as { body: unknown[] };
  return answer.body[0];
}

describe('simulated phone: call control', () => {
  it('an incoming call: ringing, accepted, held, resumed by a second holdcall, ended', async () => {
    const phone = await startPhone();
    phone.ring('+34911110001', 'Ana Ruiz');
    expect(await api(phone, 'api-get_phone_status')).toEqual({ response: 'success', body: 'ringing' });
    expect(await lineOne(phone)).toEqual({ line: 1, state: 'ringing', acct: 0, remotename: 'Ana Ruiz', remotenumber: '+34911110001', active: 0 });

    expect(await api(phone, 'api-phone_operation', { cmd: 'acceptcall' })).toEqual({ response: 'success', body: 'complete' });
    expect(await lineOne(phone)).toMatchObject({ state: 'connected', active: 1 });
    await api(phone, 'api-phone_operation', { cmd: 'holdcall' });
    expect(await lineOne(phone)).toMatchObject({ state: 'onhold' });
    await api(phone, 'api-phone_operation', { cmd: 'holdcall' });
    expect(await lineOne(phone)).toMatchObject({ state: 'connected' });
    await api(phone, 'api-phone_operation', { cmd: 'endcall' });
    expect(await lineOne(phone)).toMatchObject({ state: 'idle', active: 0 });

    await phone.outbox.flush();
    expect(phone.outbox.sent.map((e) => e.label)).toEqual(['Incoming Call', 'Established Call', 'Hold', 'UnHold', 'Terminated Call']);
  });

  it('refuses operations that do not fit the line state with the firmware\'s "failed"', async () => {
    const phone = await startPhone();
    expect(await api(phone, 'api-phone_operation', { cmd: 'acceptcall' })).toEqual({ response: 'error', body: 'failed' });
    expect(await api(phone, 'api-phone_operation', { cmd: 'endcall' })).toEqual({ response: 'error', body: 'failed' });
    expect(await api(phone, 'api-phone_operation', { cmd: 'explode' })).toEqual({ response: 'error', body: 'failed' });
    expect(await api(phone, 'api-make_call', { phonenumber: 'abc' })).toEqual({ response: 'error', body: 'failed' });
    expect(await api(phone, 'api-make_call', { phonenumber: '8102', account: '3' })).toEqual({ response: 'error', body: 'failed' });
  });

  it('rejectcall ends a ringing call and reports it rejected', async () => {
    const phone = await startPhone();
    phone.ring('+34911110002');
    expect(await api(phone, 'api-phone_operation', { cmd: 'rejectcall' })).toMatchObject({ response: 'success' });
    expect(await api(phone, 'api-get_phone_status')).toMatchObject({ body: 'available' });
    await phone.outbox.flush();
    expect(phone.outbox.sent.map((e) => e.label)).toEqual(['Incoming Call', 'Rejected Call']);
  });

  it('make_call: calling until the far end answers (when configured to), then connected', async () => {
    const phone = await startPhone({ remoteAnswer: { afterMs: 0 } });
    expect(await api(phone, 'api-make_call', { phonenumber: '+34911110003', account: '0' })).toEqual({ response: 'success', body: 'complete' });
    await phone.outbox.flush();
    expect(await lineOne(phone)).toMatchObject({ state: 'connected', remotenumber: '+34911110003', acct: 0, active: 1 });
    expect(phone.outbox.sent.map((e) => [e.label, e.call.remote, e.call.local])).toEqual([
      ['Outgoing Call', '+34911110003', '8101'],
      ['Established Call', '+34911110003', '8101'],
    ]);
  });

  it('make_call with no answer stays calling; cancel abandons it', async () => {
    const phone = await startPhone({ remoteAnswer: 'never' });
    await api(phone, 'api-make_call', { phonenumber: '8102' });
    await phone.outbox.flush();
    expect(await lineOne(phone)).toMatchObject({ state: 'calling' });
    await api(phone, 'api-phone_operation', { cmd: 'cancel' });
    expect(await lineOne(phone)).toMatchObject({ state: 'idle' });
  });

  it('send_key: digits (with # sent as %23) and SEND dial; ONHOOK hangs up', async () => {
    const phone = await startPhone({ remoteAnswer: 'never' });
    expect(await api(phone, 'api-send_key', { keys: '8:1:0:2:#:SEND' })).toEqual({ response: 'success', body: 'complete' });
    expect(await lineOne(phone)).toMatchObject({ state: 'calling', remotenumber: '8102#' });
    await api(phone, 'api-send_key', { keys: 'ONHOOK' });
    expect(await lineOne(phone)).toMatchObject({ state: 'idle' });
    expect(await api(phone, 'api-send_key', { keys: 'SELF_DESTRUCT' })).toEqual({ response: 'error', body: 'failed' });
  });

  it('with the confirmation pop-up on, commands are answered "need-confirm" and not run; status still answers', async () => {
    const phone = await startPhone({ confirmationPopup: true });
    expect(await api(phone, 'api-make_call', { phonenumber: '8102' })).toEqual(CONFIRMATION_PENDING);
    expect(CONFIRMATION_PENDING).toEqual({ response: 'error', body: 'need-confirm' });
    expect(await api(phone, 'api-get_phone_status')).toEqual({ response: 'success', body: 'available' });
    await phone.outbox.flush();
    expect(phone.outbox.sent).toEqual([]);
  });

  it('lists its accounts', async () => {
    const phone = await startPhone();
    expect(await api(phone, 'api-get_accounts')).toEqual({ response: 'success', body: [{ id: 0, name: '8101', reg: 1 }] });
  });
});
