// Passive analysis of recorded traffic in bounded memory. Keys and keyless request fingerprints
// are tracked only within a time window (and up to a hard cap, oldest evicted first, the
// evictions reported); groups (endpoint x client version) are capped too. Records are expected
// in roughly chronological order, as logs are; the report says how many went backwards.
import { createLatencyHistogram, recordMs, type LatencyHistogram } from '../../metrics/histogram.js';
import { bodyHash, credentialHasher } from './hash.js';
import type { TrafficRecord } from './record.js';

export const MUTATION = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Retry-interval histogram buckets (upper bounds in ms); the last bucket is open. */
export const INTERVAL_BUCKETS_MS = [10, 100, 1000, 5000, 30_000, 120_000, 600_000] as const;
export const INTERVAL_BUCKET_LABELS = ['<10ms', '10-100ms', '100ms-1s', '1-5s', '5-30s', '30s-2m', '2-10m', '>10m'] as const;

export interface ObserveOptions {
  /** Endpoint of a request (spec template or collapsed ids). */
  endpointOf: (method: string, path: string) => string;
  /** A reuse of a key within this window is a retry (default 10 min). */
  windowMs?: number;
  /** Same client, same payload, no key, within this window: a retry without a key (default 30 s). */
  keylessWindowMs?: number;
  /** Hard cap on keys and fingerprints tracked at once (default 200k each). */
  maxTracked?: number;
  /** Cap on client version labels (default 50; the rest are "(other clients)"). */
  maxClients?: number;
}

export interface GroupStats {
  endpoint: string;
  client: string;
  mutations: number;
  withKey: number;
  /** Keyed requests that reused a key already seen (same credential) within the window. */
  keyedRetries: number;
  /** Distinct keys retried at least once. */
  keysRetried: number;
  /** Distinct keys reused (same credential) with a different payload hash, or on another endpoint (not counted as retries). */
  keysReusedWithOtherPayload: number;
  /** Distinct keys seen under two or more credentials. */
  keysUnderTwoCredentials: number;
  /** Keyless mutations repeating the same client, endpoint and payload within the keyless window. */
  keylessRetries: number;
  status409: number;
  status422: number;
  status5xx: number;
}

interface KeyState {
  last: number;
  attempts: number;
  clientStats: ClientStats;
  cred: string;
  /** METHOD endpoint of the first use: a reuse elsewhere is a reuse with another request. */
  route: string;
  body: number | undefined;
  mismatch: boolean;
  crossCred: boolean;
}

interface Running {
  n: number;
  mean: number;
  m2: number;
}

interface ClientStats {
  client: string;
  histogram: LatencyHistogram;
  buckets: number[];
  /** Welford statistics of intervals by retry number (1 = first retry). */
  byRetry: Running[];
  /** Keys by number of attempts (index 2 = two attempts, last index = that many or more). */
  attempts: number[];
  keylessRetries: number;
}

export interface ClientRetryBehaviour {
  client: string;
  retries: number;
  intervalMs: { p50: number; p90: number; p99: number; max: number } | null;
  histogram: { label: string; count: number }[];
  byRetry: { retry: number; count: number; meanMs: number; cv: number }[];
  /** Keys by attempts: { attempts: 2, keys: 10 } ... the last entry is "that many or more". */
  attempts: { attempts: string; keys: number }[];
  pattern: 'none' | 'immediate' | 'fixed delay' | 'exponential backoff' | 'irregular';
  jitter: 'yes' | 'no' | 'unknown';
  keylessRetries: number;
}

export interface ObserveResult {
  records: number;
  mutations: number;
  ignored: number;
  outOfOrder: number;
  firstTime: number | null;
  lastTime: number | null;
  windowMs: number;
  keylessWindowMs: number;
  /** Keys or fingerprints evicted by the cap before their window ended (counts are then lower bounds). */
  evictedEarly: number;
  groups: GroupStats[];
  clients: ClientRetryBehaviour[];
  totals: Omit<GroupStats, 'endpoint' | 'client'>;
}

const MAX_ATTEMPT_BUCKET = 6;
const BY_RETRY = 4;

function push(r: Running, x: number): void {
  r.n += 1;
  const d = x - r.mean;
  r.mean += d / r.n;
  r.m2 += d * (x - r.mean);
}

function bucketOf(ms: number): number {
  for (let i = 0; i < INTERVAL_BUCKETS_MS.length; i++) if (ms < INTERVAL_BUCKETS_MS[i]!) return i;
  return INTERVAL_BUCKETS_MS.length;
}

/** `okhttp/4.9.3 (Android 14; Pixel 8)` -> `okhttp/4.9.3`: versions, not devices. */
export function clientLabel(raw: string | undefined): string {
  if (!raw) return '(no client id)';
  const trimmed = raw.trim();
  const space = trimmed.search(/\s/);
  return (space < 0 ? trimmed : trimmed.slice(0, space)).slice(0, 80);
}

export class TrafficAnalyzer {
  readonly #endpointOf: ObserveOptions['endpointOf'];
  readonly #window: number;
  readonly #keylessWindow: number;
  readonly #maxTracked: number;
  readonly #maxClients: number;
  readonly #hashCredential = credentialHasher();
  readonly #keys = new Map<string, KeyState>();
  readonly #keyless = new Map<string, { last: number }>();
  /** method -> endpoint -> client -> stats: no key string is built per request. */
  readonly #groups = new Map<string, Map<string, Map<string, GroupStats>>>();
  readonly #clients = new Map<string, ClientStats>();
  /** Raw client header -> stats; the few distinct values repeat on every line. */
  readonly #clientCache = new Map<string, ClientStats>();
  #records = 0;
  #mutations = 0;
  #outOfOrder = 0;
  #evictedEarly = 0;
  #first: number | null = null;
  #last = -Infinity;

  constructor(opts: ObserveOptions) {
    this.#endpointOf = opts.endpointOf;
    this.#window = opts.windowMs ?? 600_000;
    this.#keylessWindow = opts.keylessWindowMs ?? 30_000;
    this.#maxTracked = opts.maxTracked ?? 200_000;
    this.#maxClients = opts.maxClients ?? 50;
  }

  #clientStats(label: string): ClientStats {
    let c = this.#clients.get(label);
    if (!c) {
      if (this.#clients.size >= this.#maxClients) return this.#clientStats('(other clients)');
      c = {
        client: label,
        histogram: createLatencyHistogram(),
        buckets: new Array<number>(INTERVAL_BUCKET_LABELS.length).fill(0),
        byRetry: Array.from({ length: BY_RETRY }, () => ({ n: 0, mean: 0, m2: 0 })),
        attempts: new Array<number>(MAX_ATTEMPT_BUCKET + 1).fill(0),
        keylessRetries: 0,
      };
      this.#clients.set(label, c);
    }
    return c;
  }

  #clientOf(raw: string): ClientStats {
    let c = this.#clientCache.get(raw);
    if (!c) {
      c = this.#clientStats(clientLabel(raw));
      if (this.#clientCache.size >= 10_000) this.#clientCache.clear();
      this.#clientCache.set(raw, c);
    }
    return c;
  }

  #group(method: string, endpoint: string, client: string): GroupStats {
    let byEndpoint = this.#groups.get(method);
    if (!byEndpoint) {
      byEndpoint = new Map();
      this.#groups.set(method, byEndpoint);
    }
    let byClient = byEndpoint.get(endpoint);
    if (!byClient) {
      byClient = new Map();
      byEndpoint.set(endpoint, byClient);
    }
    let g = byClient.get(client);
    if (!g) {
      g = {
        endpoint: `${method} ${endpoint}`,
        client,
        mutations: 0,
        withKey: 0,
        keyedRetries: 0,
        keysRetried: 0,
        keysReusedWithOtherPayload: 0,
        keysUnderTwoCredentials: 0,
        keylessRetries: 0,
        status409: 0,
        status422: 0,
        status5xx: 0,
      };
      byClient.set(client, g);
    }
    return g;
  }

  /** Forget what is older than the windows, and the oldest beyond the cap. Maps iterate in first-use order. */
  #evict(now: number): void {
    for (const [k, s] of this.#keys) {
      if (now - s.last <= this.#window && this.#keys.size <= this.#maxTracked) break;
      if (now - s.last <= this.#window) this.#evictedEarly += 1;
      this.#finishKey(s);
      this.#keys.delete(k);
    }
    for (const [k, s] of this.#keyless) {
      if (now - s.last <= this.#keylessWindow && this.#keyless.size <= this.#maxTracked) break;
      if (now - s.last <= this.#keylessWindow) this.#evictedEarly += 1;
      this.#keyless.delete(k);
    }
  }

  #finishKey(s: KeyState): void {
    if (s.attempts >= 2) s.clientStats.attempts[Math.min(s.attempts, MAX_ATTEMPT_BUCKET)]! += 1;
  }

  add(r: TrafficRecord): void {
    this.#records += 1;
    if (!MUTATION.has(r.method)) return;
    this.#mutations += 1;
    const now = r.time;
    if (this.#first === null) this.#first = now;
    if (now < this.#last) this.#outOfOrder += 1;
    else this.#last = now;
    const endpoint = this.#endpointOf(r.method, r.path);
    const clientStats = this.#clientOf(r.client ?? '');
    const g = this.#group(r.method, endpoint, clientStats.client);
    g.mutations += 1;
    if (r.status === 409) g.status409 += 1;
    else if (r.status === 422) g.status422 += 1;
    else if (r.status !== undefined && r.status >= 500) g.status5xx += 1;
    const cred = r.credential === undefined ? '' : this.#hashCredential(r.credential);
    const body = r.body === undefined ? undefined : bodyHash(r.body);
    if (r.key !== undefined) this.#keyed(r.key, now, g, clientStats, cred, body, g.endpoint);
    else this.#keylessMutation(r, endpoint, now, g, clientStats, cred, body);
    if ((this.#mutations & 1023) === 0) this.#evict(this.#last);
  }

  #keyed(key: string, now: number, g: GroupStats, clientStats: ClientStats, cred: string, body: number | undefined, route: string): void {
    g.withKey += 1;
    const s = this.#keys.get(key);
    if (!s || now - s.last > this.#window) {
      if (s) this.#finishKey(s);
      this.#keys.delete(key);
      this.#keys.set(key, { last: now, attempts: 1, clientStats, cred, route, body, mismatch: false, crossCred: false });
      return;
    }
    // Not moved to the end of the map (a delete and a set per request): eviction walks from the
    // first-used key, so a key retried late stays a little longer than its window, never shorter.
    if (cred !== s.cred) {
      // Another caller with the same key is not a retry; it is the cross-credential hazard.
      if (!s.crossCred) {
        s.crossCred = true;
        g.keysUnderTwoCredentials += 1;
      }
      return;
    }
    // A reuse for another request (payload or endpoint) is a client bug, not a retry: it is counted
    // once per key and kept out of the retry intervals.
    const otherRequest = route !== s.route || (body !== undefined && s.body !== undefined && body !== s.body);
    if (otherRequest) {
      if (!s.mismatch) {
        s.mismatch = true;
        g.keysReusedWithOtherPayload += 1;
      }
      return;
    }
    const interval = Math.max(0, now - s.last);
    s.last = now;
    s.attempts += 1;
    g.keyedRetries += 1;
    if (s.attempts === 2) g.keysRetried += 1;
    const c = s.clientStats;
    recordMs(c.histogram, interval);
    c.buckets[bucketOf(interval)]! += 1;
    push(c.byRetry[Math.min(s.attempts - 2, BY_RETRY - 1)]!, interval);
  }

  #keylessMutation(r: TrafficRecord, endpoint: string, now: number, g: GroupStats, clientStats: ClientStats, cred: string, body: number | undefined): void {
    // Without a body (access logs), the exact path stands in for the payload.
    const fp = `${cred}\u0000${clientStats.client}\u0000${r.method}\u0000${body === undefined ? `p:${r.path}` : `${endpoint}\u0000${body}`}`;
    const s = this.#keyless.get(fp);
    if (!s) {
      this.#keyless.set(fp, { last: now });
      return;
    }
    if (now - s.last <= this.#keylessWindow) {
      g.keylessRetries += 1;
      clientStats.keylessRetries += 1;
    }
    s.last = now;
  }

  finish(): ObserveResult {
    for (const s of this.#keys.values()) this.#finishKey(s);
    this.#keys.clear();
    this.#keyless.clear();
    const groups = [...this.#groups.values()]
      .flatMap((byEndpoint) => [...byEndpoint.values()].flatMap((byClient) => [...byClient.values()]))
      .sort((a, b) => a.endpoint.localeCompare(b.endpoint) || a.client.localeCompare(b.client));
    const totals = {
      mutations: 0,
      withKey: 0,
      keyedRetries: 0,
      keysRetried: 0,
      keysReusedWithOtherPayload: 0,
      keysUnderTwoCredentials: 0,
      keylessRetries: 0,
      status409: 0,
      status422: 0,
      status5xx: 0,
    };
    for (const g of groups) for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += g[k];
    return {
      records: this.#records,
      mutations: this.#mutations,
      ignored: this.#records - this.#mutations,
      outOfOrder: this.#outOfOrder,
      firstTime: this.#first,
      lastTime: Number.isFinite(this.#last) ? this.#last : null,
      windowMs: this.#window,
      keylessWindowMs: this.#keylessWindow,
      evictedEarly: this.#evictedEarly,
      groups,
      clients: [...this.#clients.values()].sort((a, b) => a.client.localeCompare(b.client)).map(behaviourOf),
      totals,
    };
  }
}

const round = (x: number): number => Math.round(x * 100) / 100;

export function behaviourOf(c: ClientStats): ClientRetryBehaviour {
  const retries = c.byRetry.reduce((n, r) => n + r.n, 0);
  const h = c.histogram;
  const byRetry = c.byRetry
    .map((r, i) => ({ retry: i + 1, count: r.n, meanMs: round(r.mean), cv: r.n > 1 && r.mean > 0 ? round(Math.sqrt(r.m2 / (r.n - 1)) / r.mean) : 0 }))
    .filter((r) => r.count > 0);
  const first = byRetry[0];
  const second = byRetry[1];
  let pattern: ClientRetryBehaviour['pattern'] = 'none';
  let jitter: ClientRetryBehaviour['jitter'] = 'unknown';
  if (first) {
    const median = h.getValueAtPercentile(50) / 1000;
    if (median < 50) pattern = 'immediate';
    else if (second && second.count >= 3 && second.meanMs >= 1.5 * first.meanMs) pattern = 'exponential backoff';
    else if (first.cv < 0.1) pattern = 'fixed delay';
    else pattern = 'irregular';
    // Jitter needs a few samples at one retry number: the same delay every time has cv ~ 0.
    const sampled = byRetry.filter((r) => r.count >= 5);
    if (sampled.length > 0) jitter = sampled.some((r) => r.cv >= 0.1) ? 'yes' : 'no';
  }
  return {
    client: c.client,
    retries,
    intervalMs:
      retries > 0
        ? {
            p50: round(h.getValueAtPercentile(50) / 1000),
            p90: round(h.getValueAtPercentile(90) / 1000),
            p99: round(h.getValueAtPercentile(99) / 1000),
            max: round(h.maxValue / 1000),
          }
        : null,
    histogram: INTERVAL_BUCKET_LABELS.map((label, i) => ({ label, count: c.buckets[i]! })),
    byRetry,
    attempts: c.attempts.slice(2).map((keys, i) => ({ attempts: i + 2 === MAX_ATTEMPT_BUCKET ? `${MAX_ATTEMPT_BUCKET}+` : String(i + 2), keys })),
    pattern,
    jitter,
    keylessRetries: c.keylessRetries,
  };
}
