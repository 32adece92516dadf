import { expect } from 'vitest';
import { ConfigError, loadConfig } from '../../src/app/config/loadConfig';

/** The message loadConfig refuses `input` with (a ConfigError); fails the test when it accepts it. */
export function configFailure(input: Parameters<typeof loadConfig>[0]): string {
  try {
    loadConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('loadConfig accepted it');
}
