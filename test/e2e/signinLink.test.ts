// A one-time sign-in link (`ringside signin`, `npm start` on a desktop) in a real browser: the page
// trades `#signin=<code>` for a session, takes the code out of the address bar, and a second
// opening of the same link signs nobody in.
import { describe, expect, it } from 'vitest';
import { openPage } from '../support/browser';
import { startTestRingside } from '../support/ringside';
import { browserRig } from '../support/browserRig';

const rig = browserRig();

describe('a one-time sign-in link', () => {
  it('signs the agent in once and leaves no code in the address bar', async () => {
    rig.ringside = await startTestRingside();
    const { url } = (await rig.ringside.api<{ url: string }>('POST', '/api/signin-links')).body;

    const first = await openPage(rig.browser, url);
    rig.pages.push(first);
    await first.page.locator('[data-testid="connection"][data-status="open"]').waitFor();
    expect(first.page.url()).toBe(`${rig.ringside.instance.apiUrl}/`);
    expect(first.problems).toEqual([]);

    // The same link again (from a terminal's scrollback, say): no session; the sign-in page says why.
    const second = await openPage(rig.browser, url);
    rig.pages.push(second);
    await second.page.getByTestId('signin-notice').filter({ hasText: 'This sign-in link was used already' }).waitFor();
    await second.page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(second.page.url()).toBe(`${rig.ringside.instance.apiUrl}/`);
    // The refused trade is the only thing that went wrong there.
    expect(second.problems.filter((p) => !/401/.test(p))).toEqual([]);
  });
});
