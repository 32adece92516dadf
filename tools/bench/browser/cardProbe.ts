// Runs in the agent UI's page, not in Node: tools/bench/uiLatency.ts bundles this file with esbuild
// and evaluates it there. How and why it times cards: the top of uiLatency.ts.
import type { CardTimes, Probe, ProbeGlobal } from './cardProbeTypes';

/** Runs in the page: times each ringing card in, visible, and out of ringing (see the top of the file). */
function installProbe(): void {
  const cards = new Map<string, CardTimes>();
  /** Ringing card elements seen, by caller name. */
  const ringing = new Map<Element, string>();
  const waiters = new Set<() => boolean>();
  const wake = () => {
    for (const waiter of waiters) if (waiter()) waiters.delete(waiter);
  };
  const inViewport = (el: Element) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < innerHeight && box.right > 0 && box.left < innerWidth;
  };
  const whenVisible = (el: Element, times: CardTimes) => {
    requestAnimationFrame(() => {
      if (!el.isConnected || el.getAttribute('data-phase') !== 'ringing') return;
      if (!el.checkVisibility({ opacityProperty: true, visibilityProperty: true }) || !inViewport(el)) {
        whenVisible(el, times);
        return;
      }
      // A task posted from the frame callback runs after that frame's style, layout and paint.
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        times.visible = performance.now();
        channel.port1.close();
        wake();
      };
      channel.port2.postMessage(null);
    });
  };
  const scan = () => {
    const now = performance.now();
    const current = new Set<Element>();
    for (const el of document.querySelectorAll('section.card[data-phase="ringing"]')) {
      current.add(el);
      if (ringing.has(el)) continue;
      const name = el.querySelector('.card__name')?.textContent ?? '';
      ringing.set(el, name);
      const times: CardTimes = { inserted: now };
      cards.set(name, times);
      whenVisible(el, times);
    }
    for (const [el, name] of ringing) {
      if (current.has(el)) continue;
      ringing.delete(el);
      const times = cards.get(name);
      if (times) times.closed = now;
    }
    wake();
  };
  new MutationObserver(scan).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-phase'] });
  const probe: Probe = {
    when: (name, what, timeoutMs) => new Promise((resolve, reject) => {
      const waiter = () => {
        const times = cards.get(name);
        if (times?.[what] === undefined) return false;
        resolve(times);
        return true;
      };
      if (waiter()) return;
      waiters.add(waiter);
      setTimeout(() => {
        if (waiters.delete(waiter)) reject(new Error(`no ${what} card for ${name} within ${timeoutMs} ms`));
      }, timeoutMs);
    }),
  };
  (window as unknown as ProbeGlobal).ringsideBench = probe;
  scan();
}

installProbe();
