// What the page's card probe (cardProbe.ts) and the bench (uiLatency.ts) share: no DOM types, so
// the Node side can import it.

/** What the page keeps per card, in its own clock. */
export interface CardTimes { inserted: number; visible?: number; closed?: number }

export interface Probe { when(name: string, what: 'visible' | 'closed', timeoutMs: number): Promise<CardTimes> }

/** The page's global object once the probe is installed. */
export type ProbeGlobal = { ringsideBench: Probe };
