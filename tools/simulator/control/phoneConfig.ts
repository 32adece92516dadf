import type { ControlAnswer } from './callControl';

/**
 * How much of its configuration a simulated phone lets a program change:
 * - `read-write`: `api.values.get` and `api.values.post` both work (current GXP/GRP firmware).
 * - `read-only`: values can be read, writes are refused (configuration locked by the provider).
 * - `none`: older firmware without the configuration API (both answer HTTP 404).
 */
export type ConfigAccess = 'read-write' | 'read-only' | 'none';

/** P-values are a `P` and digits (`P8310`); the firmware ignores anything else. */
const P_VALUE = /^P\d{1,5}$/;

/**
 * The phone's stored configuration values by P-value name. It keeps the firmware quirk that
 * matters for provisioning: a value longer than `maxValueLength` is silently dropped, while
 * the write still answers success (reference/grandstream.md, quirk 5). Only reading the value
 * back shows it.
 */
export class PhoneConfigValues {
  private readonly values = new Map<string, string>();
  /** Counters for tests: how many values were written, and how many the phone dropped. */
  readonly stats = { written: 0, dropped: 0 };

  constructor(
    readonly access: ConfigAccess,
    initial: Readonly<Record<string, string>> = {},
    private readonly maxValueLength = 255,
  ) {
    for (const [name, value] of Object.entries(initial)) this.values.set(name, value);
  }

  value(name: string): string {
    return this.values.get(name) ?? '';
  }

  /** `api.values.get?request=P8310:P8311`: every requested name, '' for one never set. */
  read(request: string | null): ControlAnswer {
    const names = (request ?? '').split(':').filter((name) => name !== '');
    if (names.length === 0 || !names.every((name) => P_VALUE.test(name))) return { response: 'error', body: 'invalid request' };
    return { response: 'success', body: Object.fromEntries(names.map((name) => [name, this.value(name)])) };
  }

  /** `api.values.post` with P-values in the form; other fields (passcode) are not values. */
  write(form: URLSearchParams): ControlAnswer {
    if (this.access !== 'read-write') return { response: 'error', body: 'forbidden: configuration is read-only' };
    const entries = [...form.entries()].filter(([name]) => P_VALUE.test(name));
    if (entries.length === 0) return { response: 'error', body: 'invalid request' };
    for (const [name, value] of entries) {
      if (value.length > this.maxValueLength) {
        this.stats.dropped += 1;
        continue;
      }
      this.values.set(name, value);
      this.stats.written += 1;
    }
    return { response: 'success', body: 'saved' };
  }
}
