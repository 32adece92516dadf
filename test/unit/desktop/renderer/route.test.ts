// Which view a page is, and its token (src/desktop/renderer/route.ts): the shell's popup window loads
// `#popup&token=…`, the agent UI `#token=…`; a reload (the fragment already taken out) stays the same view.
import { describe, expect, it } from 'vitest';
import { parseRoute, resolveRoute } from '../../../../src/desktop/renderer/route';

describe('the route in the URL fragment', () => {
  it('is the popup when the fragment has the popup flag, in any position or form', () => {
    expect(parseRoute('#popup&token=abc')).toEqual({ view: 'popup', token: 'abc' });
    expect(parseRoute('#token=a%2Fb&popup')).toEqual({ view: 'popup', token: 'a/b' });
    expect(parseRoute('#popup=1&token=x')).toEqual({ view: 'popup', token: 'x' });
    // The shell writes the token with encodeURIComponent.
    expect(parseRoute(`#popup&token=${encodeURIComponent('t+k/=')}`)).toEqual({ view: 'popup', token: 't+k/=' });
  });

  it('is the agent UI otherwise', () => {
    expect(parseRoute('#token=abc')).toEqual({ view: 'main', token: 'abc' });
    expect(parseRoute('')).toEqual({ view: 'main', token: null });
    expect(parseRoute('#popups&token=abc').view).toBe('main');
    expect(parseRoute('#token=popup').view).toBe('main');
  });

  it('a fresh link decides; a reload without a fragment keeps the view and token kept for this window', () => {
    expect(resolveRoute(parseRoute('#token=new'), { token: 'old', view: 'popup' })).toEqual({ view: 'main', token: 'new' });
    expect(resolveRoute(parseRoute(''), { token: 'kept', view: 'popup' })).toEqual({ view: 'popup', token: 'kept' });
    expect(resolveRoute(parseRoute(''), { token: 'kept', view: 'main' })).toEqual({ view: 'main', token: 'kept' });
    expect(resolveRoute(parseRoute(''), { token: 'kept', view: null })).toEqual({ view: 'main', token: 'kept' });
    expect(resolveRoute(parseRoute(''), { token: null, view: 'popup' })).toEqual({ view: 'main', token: null });
    expect(resolveRoute(parseRoute('#popup'), { token: 'kept', view: 'main' })).toEqual({ view: 'popup', token: 'kept' });
  });
});
