// The Electron shell's security decisions, driven with fakes (see fakes.ts: the Electron
// runtime cannot start on this machine).
import { describe, expect, it } from 'vitest';
import {
  contentSecurityPolicy,
  guardNavigation,
  installContentSecurityPolicy,
  installPermissionPolicy,
  isAppUrl,
  mainWindowOptions,
  originOf,
  safeExternalUrl,
} from '../../../../src/desktop/main/security';
import { VERSION_ARGUMENT } from '../../../../src/protocol/ipc';
import { FakeSession, FakeShell, FakeWebContents } from './fakes';

const APP_ORIGIN = 'http://127.0.0.1:7790';

function guarded() {
  const contents = new FakeWebContents();
  const shell = new FakeShell();
  const blocked: Array<[string, string]> = [];
  guardNavigation(contents, { appOrigin: APP_ORIGIN, openExternal: shell.openExternal, onBlocked: (what, url) => blocked.push([what, url]) });
  return { contents, shell, blocked };
}

describe('main window options', () => {
  const options = mainWindowOptions({ preload: '/app/out/preload/index.cjs', version: '1.2.3' });

  it('isolates the page: context isolation, sandbox, no Node integration, web security', () => {
    expect(options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('loads the CommonJS preload and hands it the version', () => {
    expect(options.webPreferences?.preload).toBe('/app/out/preload/index.cjs');
    expect(options.webPreferences?.additionalArguments).toEqual([`${VERSION_ARGUMENT}1.2.3`]);
    expect(options.title).toBe('Ringside');
    expect(options.show).toBe(false);
  });
});

describe('navigation guard', () => {
  it('lets the window navigate within the agent API origin', () => {
    const { contents, shell } = guarded();
    expect(contents.emit('will-navigate', `${APP_ORIGIN}/calls?x=1`).prevented).toBe(false);
    expect(contents.emit('will-redirect', `${APP_ORIGIN}/`).prevented).toBe(false);
    expect(shell.opened).toEqual([]);
  });

  it('prevents navigation to a foreign origin and opens an http(s) link in the OS browser instead', () => {
    const { contents, shell, blocked } = guarded();
    expect(contents.emit('will-navigate', 'https://example.com/help').prevented).toBe(true);
    expect(shell.opened).toEqual(['https://example.com/help']);
    expect(blocked).toEqual([['navigation', 'https://example.com/help']]);
  });

  it('treats another port or scheme on the same host as foreign', () => {
    const { contents } = guarded();
    expect(contents.emit('will-navigate', 'http://127.0.0.1:7789/gs/cti/incoming').prevented).toBe(true);
    expect(contents.emit('will-navigate', 'https://127.0.0.1:7790/').prevented).toBe(true);
    expect(contents.emit('will-navigate', 'http://localhost:7790/').prevented).toBe(true);
  });

  it('never hands a non-http URL to the OS', () => {
    const { contents, shell } = guarded();
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'ms-settings:privacy', 'not a url', 'https://user:pw@example.com/']) {
      expect(contents.emit('will-navigate', url).prevented).toBe(true);
    }
    expect(shell.opened).toEqual([]);
  });

  it('prevents redirects off the origin without opening anything', () => {
    const { contents, shell } = guarded();
    expect(contents.emit('will-redirect', 'https://evil.example/').prevented).toBe(true);
    expect(shell.opened).toEqual([]);
  });

  it('denies every window.open; a foreign http(s) link goes to the OS browser', () => {
    const { contents, shell } = guarded();
    expect(contents.open(`${APP_ORIGIN}/popup`)).toEqual({ action: 'deny' });
    expect(contents.open('https://example.com/')).toEqual({ action: 'deny' });
    expect(contents.open('file:///etc/passwd')).toEqual({ action: 'deny' });
    expect(shell.opened).toEqual(['https://example.com/']);
  });

  it('refuses to attach a <webview>', () => {
    const { contents } = guarded();
    expect(contents.emit('will-attach-webview').prevented).toBe(true);
  });
});

describe('external URL validation', () => {
  it('accepts plain http(s) URLs and normalises them', () => {
    expect(safeExternalUrl('https://example.com')).toBe('https://example.com/');
    expect(safeExternalUrl('http://example.com/a?b=c#d')).toBe('http://example.com/a?b=c#d');
  });

  it('rejects other schemes, credentials, garbage and very long URLs', () => {
    expect(safeExternalUrl('file:///etc/passwd')).toBeNull();
    expect(safeExternalUrl('javascript:alert(1)')).toBeNull();
    expect(safeExternalUrl('data:text/html,hi')).toBeNull();
    expect(safeExternalUrl('https://user:secret@example.com/')).toBeNull();
    expect(safeExternalUrl('//example.com')).toBeNull();
    expect(safeExternalUrl(`https://example.com/${'a'.repeat(3000)}`)).toBeNull();
  });

  it('compares origins exactly', () => {
    expect(originOf('http://127.0.0.1:7790/#token=abc')).toBe(APP_ORIGIN);
    expect(isAppUrl('http://127.0.0.1:7790/anything', APP_ORIGIN)).toBe(true);
    expect(isAppUrl('http://127.0.0.1:77901/', APP_ORIGIN)).toBe(false);
    expect(isAppUrl('garbage', APP_ORIGIN)).toBe(false);
  });
});

describe('permission policy', () => {
  it('denies every permission request and check by default', () => {
    const session = new FakeSession();
    installPermissionPolicy(session);
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal', 'fullscreen', 'unknown']) {
      expect(session.request(permission)).toBe(false);
      expect(session.check(permission)).toBe(false);
    }
  });

  it('grants only what is allowed explicitly', () => {
    const session = new FakeSession();
    installPermissionPolicy(session, new Set(['notifications']));
    expect(session.request('notifications')).toBe(true);
    expect(session.request('media')).toBe(false);
  });
});

describe('content security policy', () => {
  it('allows only the agent API: no inline or eval script, no plugins, no framing, no forms, no base', () => {
    const policy = contentSecurityPolicy(APP_ORIGIN);
    const directives = new Map(policy.split('; ').map((d) => [d.split(' ')[0]!, d.split(' ').slice(1)]));
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'", 'ws://127.0.0.1:7790']);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('form-action')).toEqual(["'none'"]);
    expect(policy).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline|\*/);
  });

  it("is added to every response beside the server's own policy, which stays", () => {
    const session = new FakeSession();
    installContentSecurityPolicy(session, APP_ORIGIN);
    const withServerPolicy = session.respond({ 'content-security-policy': ["default-src 'self'"], 'content-type': ['text/html'] });
    expect(withServerPolicy['content-security-policy']).toEqual(["default-src 'self'", contentSecurityPolicy(APP_ORIGIN)]);
    expect(withServerPolicy['content-type']).toEqual(['text/html']);
    const without = session.respond({ 'content-type': ['text/html'] });
    expect(without['Content-Security-Policy']).toEqual([contentSecurityPolicy(APP_ORIGIN)]);
  });
});
