import { describe, expect, it } from 'vitest';
import { appArguments, closeCoreOnQuit } from '../../../../src/desktop/main/lifecycle';
import { deferred, withTimeout } from '../../../support/wait';
import { FakeApp } from './fakes';

describe('quitting closes the core', () => {
  it('holds the quit until the core has closed, then quits', async () => {
    const app = new FakeApp();
    const closing = deferred('the core to close');
    let closeCalls = 0;
    closeCoreOnQuit(app, () => ({
      close: () => {
        closeCalls++;
        return closing.promise;
      },
    }));

    app.quit();
    expect(app.exited).toBe(false);
    app.quit(); // a second request while closing: still held, close() not called again
    expect(closeCalls).toBe(1);
    expect(app.exited).toBe(false);

    closing.resolve();
    await withTimeout(app.whenExited, 'the app to exit');
    expect(closeCalls).toBe(1);
  });

  it('still quits when closing the core fails, and reports the error', async () => {
    const app = new FakeApp();
    const closing = deferred('the core to close');
    const errors: unknown[] = [];
    closeCoreOnQuit(app, () => ({ close: () => closing.promise }), (error) => errors.push(error));
    app.quit();
    closing.reject(new Error('disk gone'));
    await withTimeout(app.whenExited, 'the app to exit');
    expect(errors).toEqual([new Error('disk gone')]);
  });

  it('quits at once when the core never started', () => {
    const app = new FakeApp();
    closeCoreOnQuit(app, () => null);
    app.quit();
    expect(app.exited).toBe(true);
  });
});

describe('app arguments', () => {
  it('drops the executable, and the app path under `electron .`', () => {
    expect(appArguments(['/x/electron', '.', '--webhook-port', '7000'], true)).toEqual(['--webhook-port', '7000']);
    expect(appArguments(['/opt/Ringside/ringside', '--api-port=1'], undefined)).toEqual(['--api-port=1']);
  });
});
