import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ACTION_URL_EVENTS, actionUrl, buildActionUrls, describePublicHost, MAX_ACTION_URL_LENGTH, pickPublicHost } from '../../../src/domain/provisioning/actionUrls';

function iface(address: string, internal = false, family: 'IPv4' | 'IPv6' = 'IPv4'): NetworkInterfaceInfo {
  return { address, internal, family, netmask: '255.255.255.0', mac: '00:00:00:00:00:00', cidr: null, ...(family === 'IPv6' ? { scopeid: 0 } : {}) } as NetworkInterfaceInfo;
}

describe('action URL lines', () => {
  it('stay under 256 characters even with the longest IPv4 host, port and a generated token', () => {
    const token = 'x'.repeat(32); // loadConfig generates 24 random bytes, base64url: 32 characters
    const urls = buildActionUrls({ host: '255.255.255.255', port: 65535, token });
    expect(urls).toHaveLength(14);
    for (const entry of urls) {
      expect(entry.url.length, entry.url).toBeLessThan(256);
      expect(entry.tooLong).toBe(false);
    }
  });

  it('flags a URL a phone would drop', () => {
    const [entry] = buildActionUrls({ host: 'h', port: 1, token: 't'.repeat(300) });
    expect(entry!.tooLong).toBe(true);
    expect(entry!.url.length).toBeGreaterThan(MAX_ACTION_URL_LENGTH);
  });

  it('carries only the variables each event needs', () => {
    const byP = new Map(ACTION_URL_EVENTS.map((e) => [e.pValue, e]));
    const target = { host: '10.0.0.5', port: 7789, token: 'tok' };
    expect(actionUrl(target, byP.get('P8316')!)).toBe('http://10.0.0.5:7789/gs/tok/cti/dnd_on?mac=$mac&active_user=$active_user');
    expect(actionUrl(target, byP.get('P8320')!)).toBe('http://10.0.0.5:7789/gs/tok/cti/transfer?kind=blind&mac=$mac&remote=$remote&local=$local&active_user=$active_user');
    expect(actionUrl(target, byP.get('P8304')!)).toContain('/cti/boot?mac=$mac&phone_ip=$phone_ip');
    // Every event identifies the phone.
    for (const def of ACTION_URL_EVENTS) expect(def.variables).toContain('mac');
  });

  it('brackets an IPv6 host and encodes an unusual token', () => {
    const [entry] = buildActionUrls({ host: 'fd00::5', port: 7789, token: 'a/b c' });
    expect(entry!.url.startsWith('http://[fd00::5]:7789/gs/a%2Fb%20c/cti/boot?')).toBe(true);
  });
});

describe('public host', () => {
  it('uses the configured host first', () => {
    expect(pickPublicHost('pbx.example', { eth0: [iface('192.168.1.20')] })).toEqual({ host: 'pbx.example', source: 'config' });
  });

  it('takes the first non-internal IPv4 address, physical interfaces before container bridges', () => {
    const picked = pickPublicHost(undefined, {
      lo: [iface('127.0.0.1', true)],
      docker0: [iface('172.17.0.1')],
      eth0: [iface('fe80::1', false, 'IPv6'), iface('192.168.1.20')],
      wlan0: [iface('10.0.0.7')],
    });
    expect(picked).toEqual({ host: '192.168.1.20', source: 'detected', interfaceName: 'eth0' });
    expect(describePublicHost(picked)).toMatch(/^host 192\.168\.1\.20: the first non-internal IPv4 address of this machine \(eth0\)/);
  });

  it('falls back to a bridge, then to loopback with a warning', () => {
    expect(pickPublicHost(undefined, { docker0: [iface('172.17.0.1')] }).host).toBe('172.17.0.1');
    const none = pickPublicHost(undefined, { lo: [iface('127.0.0.1', true)] });
    expect(none).toEqual({ host: '127.0.0.1', source: 'fallback' });
    expect(describePublicHost(none)).toContain('set RINGSIDE_PUBLIC_HOST');
  });
});
