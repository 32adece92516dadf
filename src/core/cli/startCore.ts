import type { RingsideConfig } from '../config/schema';
import type { RingsideInstance, StartOptions } from '../server';

export type StartRingside = (config: RingsideConfig, options?: StartOptions) => Promise<RingsideInstance>;

/**
 * The core's entry point, loaded on demand so `ringside config` and `ringside action-urls`
 * stay fast: no SQLite, no listeners, none of the core's modules.
 */
export async function loadStartRingside(): Promise<StartRingside> {
  const { startRingside } = await import('../server');
  return startRingside;
}
