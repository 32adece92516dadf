import type { RingsideConfig } from '../app/config/schema';
import type { RingsideInstance, StartOptions } from '../app/server';

export type StartRingside = (config: RingsideConfig, options?: StartOptions) => Promise<RingsideInstance>;

/**
 * The core's entry point, loaded on demand so `ringside config` and `ringside action-urls`
 * stay fast: no SQLite, no listeners, none of the core's modules.
 */
export async function loadStartRingside(): Promise<StartRingside> {
  const { startRingside } = await import('../app/server');
  return startRingside;
}
