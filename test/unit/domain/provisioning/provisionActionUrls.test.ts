// Provisioning against simulated phones over real sockets: both login forms, foreign slots,
// firmware that drops long values, and firmware that will not let programs write.
import { afterEach, describe, expect, it } from 'vitest';
import { GrandstreamPhoneClient } from '../../../../src/adapters/phone/GrandstreamPhoneClient';
import { buildActionUrls } from '../../../../src/domain/provisioning/actionUrls';
import { pointsAtListener, provisionActionUrls } from '../../../../src/domain/provisioning/provisionActionUrls';
import type { LoginForm } from '../../../../tools/simulator/control/phoneAuth';
import type { SimulatedPhoneControl } from '../../../../tools/simulator/control/SimulatedPhoneControl';
import { closeAllPhones, PHONE_PASSWORD, startPhone } from '../../tools/simulator/controlHelpers';

afterEach(closeAllPhones);

const LISTENER = { host: '192.168.1.20', port: 7789 };
const URLS = buildActionUrls({ ...LISTENER, token: 'seat-token-0123456789' });
const CRM_HOOK = 'http://crm.example/hook?caller=$remote';

function clientFor(phone: SimulatedPhoneControl, password = PHONE_PASSWORD): GrandstreamPhoneClient {
  return new GrandstreamPhoneClient({ host: phone.host, port: phone.port, password, timeoutMs: 2000 });
}

function urlOf(pValue: string): string {
  return URLS.find((u) => u.pValue === pValue)!.url;
}

const FORMS: LoginForm[] = ['passcode', 'session'];

describe.each(FORMS)('provisioning a phone with the %s login', (form) => {
  it('writes every empty slot and reads it back, leaving a foreign slot alone', async () => {
    const phone = await startPhone({ form, configValues: { P8312: CRM_HOOK } });

    const report = await provisionActionUrls(clientFor(phone), URLS, LISTENER);

    const outcomes = Object.fromEntries(report.slots.map((s) => [s.pValue, s.outcome]));
    expect(outcomes.P8312).toBe('foreign');
    expect(report.slots.find((s) => s.pValue === 'P8312')!.found).toBe(CRM_HOOK);
    expect(Object.values(outcomes).filter((o) => o === 'written')).toHaveLength(URLS.length - 1);
    expect(phone.config.value('P8312')).toBe(CRM_HOOK);
    for (const u of URLS.filter((x) => x.pValue !== 'P8312')) expect(phone.config.value(u.pValue)).toBe(u.url);
  });

  it('changes nothing on a second run', async () => {
    const phone = await startPhone({ form });
    await provisionActionUrls(clientFor(phone), URLS, LISTENER);
    const written = phone.config.stats.written;

    const again = await provisionActionUrls(clientFor(phone), URLS, LISTENER);

    expect(new Set(again.slots.map((s) => s.outcome))).toEqual(new Set(['unchanged']));
    expect(phone.config.stats.written).toBe(written);
  });
});

describe('provisioning', () => {
  it("replaces this listener's own older URLs (another token), written without a scheme as Grandstream's examples are", async () => {
    const older = 'http://192.168.1.20:7789/gs/old-token/cti/incoming?mac=$mac';
    const schemeless = '192.168.1.20:7789/gs/old-token/cti/missed?mac=$mac';
    const phone = await startPhone({ configValues: { P8310: older, P8312: schemeless } });

    const report = await provisionActionUrls(clientFor(phone), URLS, LISTENER);

    const byP = new Map(report.slots.map((s) => [s.pValue, s]));
    expect(byP.get('P8310')).toMatchObject({ outcome: 'updated', found: older });
    expect(byP.get('P8312')).toMatchObject({ outcome: 'updated', found: schemeless });
    expect(phone.config.value('P8310')).toBe(urlOf('P8310'));
  });

  it('leaves another seat\'s Ringside alone: a URL to another host or port is not ours', () => {
    expect(pointsAtListener('http://192.168.1.21:7789/gs/t/cti/incoming', LISTENER)).toBe(false);
    expect(pointsAtListener('http://192.168.1.20:8000/gs/t/cti/incoming', LISTENER)).toBe(false);
    expect(pointsAtListener('http://192.168.1.20:7789/other/path', LISTENER)).toBe(false);
    expect(pointsAtListener('https://192.168.1.20:7789/gs/t/cti/incoming', LISTENER)).toBe(false);
    expect(pointsAtListener('not a url at all', LISTENER)).toBe(false);
    expect(pointsAtListener('192.168.1.20:7789/gs/cti/incoming/mac=$mac', LISTENER)).toBe(true);
  });

  it('reports a value the phone answered for but did not keep (a model that drops long values)', async () => {
    const phone = await startPhone({ maxConfigValueLength: 120 });

    const report = await provisionActionUrls(clientFor(phone), URLS, LISTENER);

    const notKept = report.slots.filter((s) => s.outcome === 'not-kept').map((s) => s.pValue);
    const long = URLS.filter((u) => u.url.length > 120).map((u) => u.pValue);
    expect(long.length).toBeGreaterThan(0);
    expect(notKept).toEqual(long);
    for (const p of long) expect(phone.config.value(p)).toBe('');
  });

  it('writes nothing for a URL longer than phones keep', async () => {
    const phone = await startPhone();
    const urls = buildActionUrls({ ...LISTENER, token: 't'.repeat(300) });

    const report = await provisionActionUrls(clientFor(phone), urls, LISTENER);

    expect(new Set(report.slots.map((s) => s.outcome))).toEqual(new Set(['too-long']));
    expect(phone.config.stats.written + phone.config.stats.dropped).toBe(0);
  });

  it('says every slot is to be pasted by hand on firmware without the configuration API', async () => {
    const phone = await startPhone({ configAccess: 'none' });

    const report = await provisionActionUrls(clientFor(phone), URLS, LISTENER);

    expect(new Set(report.slots.map((s) => s.outcome))).toEqual(new Set(['manual']));
    expect(report.manualReason).toMatch(/no \/cgi-bin\/api\.values\.get/);
  });

  it('says which slots to paste by hand when the configuration is read-only, and keeps what was there', async () => {
    const phone = await startPhone({ configAccess: 'read-only', configValues: { P8312: CRM_HOOK, P8310: urlOf('P8310') } });

    const report = await provisionActionUrls(clientFor(phone), URLS, LISTENER);

    const byP = new Map(report.slots.map((s) => [s.pValue, s.outcome]));
    expect(byP.get('P8310')).toBe('unchanged');
    expect(byP.get('P8312')).toBe('foreign');
    expect(byP.get('P8304')).toBe('manual');
    expect(report.manualReason).toMatch(/read-only/);
    expect(phone.config.value('P8304')).toBe('');
  });

  it('writes nothing in a dry run and says what it would do', async () => {
    const phone = await startPhone({ configValues: { P8312: CRM_HOOK } });

    const report = await provisionActionUrls(clientFor(phone), URLS, LISTENER, { dryRun: true });

    expect(report.dryRun).toBe(true);
    expect(report.slots.filter((s) => s.outcome === 'written')).toHaveLength(URLS.length - 1);
    expect(phone.config.stats.written).toBe(0);
    expect(phone.config.value('P8310')).toBe('');
  });

  it('stops with the phone client\'s error for a wrong password, and writes nothing', async () => {
    const phone = await startPhone({ form: 'session' });

    await expect(provisionActionUrls(clientFor(phone, 'wrong-password'), URLS, LISTENER)).rejects.toMatchObject({ code: 'phone_bad_credentials' });
    expect(phone.config.stats.written).toBe(0);
  });
});
