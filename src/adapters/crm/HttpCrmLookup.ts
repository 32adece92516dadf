import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import type { CrmLookup, CrmRecord } from '../../domain/cards/CrmLookup';
import type { Logger } from '../../shared/logger';

export const DEFAULT_CRM_HIT_TTL_MS = 60 * 60_000;
export const DEFAULT_CRM_MISS_TTL_MS = 5 * 60_000;
const DEFAULT_MAX_ENTRIES = 10_000;
/** A caller card is a few fields: a larger answer is not one. */
const MAX_BODY_BYTES = 64 * 1024;

const optionalText = z
  .string()
  .nullish()
  .transform((v) => (v == null || v.trim() === '' ? null : v.trim()));

function httpUrlOrNull(value: string | null): string | null {
  if (value === null) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** `{name, company?, notes?, url?}`; other fields are ignored, a url that is not http(s) is dropped. */
const crmAnswer = z.object({
  name: z.string().trim().min(1),
  company: optionalText,
  notes: optionalText,
  url: optionalText.transform(httpUrlOrNull),
});

/** A template with `{number}`, e.g. `https://crm.example/api/callers?phone={number}`. */
export function isCrmUrlTemplate(template: string): boolean {
  if (!template.includes('{number}')) return false;
  try {
    const url = new URL(template.replaceAll('{number}', '%2B15550001111'));
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

type Entry = { record: CrmRecord | null };
type Outcome = { kind: 'hit'; record: CrmRecord } | { kind: 'miss' } | { kind: 'error'; reason: string };

export interface HttpCrmLookupOptions {
  /** The URL with `{number}`, which becomes the URL-encoded E.164 number. */
  urlTemplate: string;
  /** How long a lookup may take; a card never waits longer for the CRM. */
  timeoutMs: number;
  hitTtlMs?: number;
  missTtlMs?: number;
  maxEntries?: number;
  logger?: Logger;
  /** The clock the cache's TTLs run on (tests move it); performance.now by default. */
  clock?: () => number;
}

/**
 * The optional CRM lookup over HTTP (Node's fetch). 200 with `{name, …}` is a hit, 404 a miss;
 * both are cached per account and number (hits for an hour, misses for five minutes by default,
 * in an in-process LRU). Anything else (another status, a body that is not such JSON, no answer
 * within the timeout, no connection) is an error: logged without the number, not cached, and the
 * card goes without CRM data. Concurrent lookups of one number share one request.
 */
export class HttpCrmLookup implements CrmLookup {
  private readonly cache: LRUCache<string, Entry>;
  private readonly inflight = new Map<string, Promise<CrmRecord | null>>();
  private readonly hitTtlMs: number;
  private readonly missTtlMs: number;

  constructor(private readonly options: HttpCrmLookupOptions) {
    if (!isCrmUrlTemplate(options.urlTemplate)) throw new Error('the CRM lookup URL must be an http(s) URL with {number} in it');
    this.hitTtlMs = options.hitTtlMs ?? DEFAULT_CRM_HIT_TTL_MS;
    this.missTtlMs = options.missTtlMs ?? DEFAULT_CRM_MISS_TTL_MS;
    const clock = options.clock;
    this.cache = new LRUCache<string, Entry>({
      max: options.maxEntries ?? DEFAULT_MAX_ENTRIES,
      ttl: this.hitTtlMs,
      // A given clock is read on every check (no 1 ms reuse), so a test that moves it sees expiry at once.
      ...(clock ? { perf: { now: clock }, ttlResolution: 0 } : {}),
    });
  }

  cached(account: string, e164: string): CrmRecord | null | undefined {
    return this.cache.get(cacheKey(account, e164))?.record;
  }

  lookup(account: string, e164: string): Promise<CrmRecord | null> {
    const key = cacheKey(account, e164);
    const hit = this.cache.get(key);
    if (hit) return Promise.resolve(hit.record);
    let request = this.inflight.get(key);
    if (!request) {
      request = this.request(key, e164).finally(() => this.inflight.delete(key));
      this.inflight.set(key, request);
    }
    return withDeadline(request, this.options.timeoutMs);
  }

  private async request(key: string, e164: string): Promise<CrmRecord | null> {
    const outcome = await this.fetchOutcome(e164);
    if (outcome.kind === 'hit') {
      this.cache.set(key, { record: outcome.record }, { ttl: this.hitTtlMs });
      return outcome.record;
    }
    if (outcome.kind === 'miss') {
      this.cache.set(key, { record: null }, { ttl: this.missTtlMs });
      return null;
    }
    this.options.logger?.warn({ reason: outcome.reason }, 'CRM lookup failed; the caller card goes without CRM data');
    return null;
  }

  private async fetchOutcome(e164: string): Promise<Outcome> {
    try {
      const { url, headers } = requestFor(this.options.urlTemplate, e164);
      const res = await fetch(url, { headers, signal: AbortSignal.timeout(this.options.timeoutMs), redirect: 'follow' });
      if (res.status === 404) {
        await res.body?.cancel();
        return { kind: 'miss' };
      }
      if (res.status !== 200) {
        await res.body?.cancel();
        return { kind: 'error', reason: `status ${res.status}` };
      }
      if (Number(res.headers.get('content-length') ?? 0) > MAX_BODY_BYTES) {
        await res.body?.cancel();
        return { kind: 'error', reason: 'answer too large' };
      }
      const text = await res.text();
      if (text.length > MAX_BODY_BYTES) return { kind: 'error', reason: 'answer too large' };
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return { kind: 'error', reason: 'answer is not JSON' };
      }
      const parsed = crmAnswer.safeParse(body);
      if (!parsed.success) return { kind: 'error', reason: 'answer has no name' };
      return { kind: 'hit', record: parsed.data };
    } catch (error) {
      const name = (error as Error).name;
      return { kind: 'error', reason: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : `${name}: ${(error as Error).message}` };
    }
  }
}

/** The URL for a number; `user:password@` in the template becomes Basic authorization (fetch refuses credentials in a URL). */
function requestFor(template: string, e164: string): { url: string; headers: Record<string, string> } {
  const url = new URL(template.replaceAll('{number}', encodeURIComponent(e164)));
  const headers: Record<string, string> = { accept: 'application/json' };
  if (url.username !== '' || url.password !== '') {
    const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  return { url: url.href, headers };
}

function cacheKey(account: string, e164: string): string {
  return `${account}\u0000${e164}`;
}

/** The value, or null once `ms` have passed: whatever the request does, the caller waits no longer. */
function withDeadline<T>(work: Promise<T | null>, ms: number): Promise<T | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), ms);
    timer.unref();
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => {
        clearTimeout(timer);
        resolve(null);
      },
    );
  });
}
