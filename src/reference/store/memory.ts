// In-process store: a Map with lazy expiry. Atomic by construction, because begin() does all its
// work synchronously inside one turn of the event loop. Expired entries are dropped when touched and
// swept whenever the map has doubled since the last sweep, so a storm of one-off keys cannot grow it
// without bound (amortised O(1) per insert).
import { randomUUID } from 'node:crypto';
import { KEEP_FOREVER, leaseMillis, retentionMillis } from './ttl.js';
import type { BeginOptions, BeginResult, IdempotencyStore, StoredResponse } from './types.js';

type Entry =
  | { state: 'in-flight'; fingerprint: string; token: string; expiresAt: number }
  | { state: 'completed'; fingerprint: string; response: StoredResponse; expiresAt: number };

export interface MemoryStoreOptions {
  /** Injected clock for tests. */
  now?: () => number;
}

const MIN_SWEEP_SIZE = 1024;

/** Copy so that neither the caller of complete() nor a reader of a replay can alter the stored envelope. */
function copyResponse(response: StoredResponse): StoredResponse {
  return { status: response.status, headers: { ...response.headers }, bodyBase64: response.bodyBase64 };
}

export class MemoryStore implements IdempotencyStore {
  readonly name = 'memory';
  /** Every call settles within the turn it was made in: the layer needs no timer per call. */
  readonly callTimeoutMs = 0;
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;
  #sweepAt = MIN_SWEEP_SIZE;

  constructor(options: MemoryStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
  }

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry && entry.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #sweep(): void {
    const now = this.#now();
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt <= now) this.#entries.delete(key);
    }
  }

  #view(entry: Entry, fingerprint: string): BeginResult {
    if (entry.fingerprint !== fingerprint) return { kind: 'mismatch' };
    return entry.state === 'in-flight' ? { kind: 'in-flight' } : { kind: 'completed', response: copyResponse(entry.response) };
  }

  async begin(key: string, fingerprint: string, opts: BeginOptions): Promise<BeginResult> {
    const entry = this.#live(key);
    if (entry) return this.#view(entry, fingerprint);
    if (this.#entries.size >= this.#sweepAt) {
      this.#sweep();
      this.#sweepAt = Math.max(MIN_SWEEP_SIZE, this.#entries.size * 2);
    }
    const token = randomUUID();
    const lease = leaseMillis(opts.leaseMs);
    const expiresAt = lease > 0 ? this.#now() + lease : Number.POSITIVE_INFINITY;
    this.#entries.set(key, { state: 'in-flight', fingerprint, token, expiresAt });
    return { kind: 'new', token };
  }

  async lookup(key: string, fingerprint: string): Promise<BeginResult | { kind: 'absent' }> {
    const entry = this.#live(key);
    return entry ? this.#view(entry, fingerprint) : { kind: 'absent' };
  }

  async complete(key: string, token: string, response: StoredResponse, retentionMs: number): Promise<boolean> {
    const entry = this.#live(key);
    if (!entry || entry.state !== 'in-flight' || entry.token !== token) return false;
    const retention = retentionMillis(retentionMs);
    if (retention === 0) {
      this.#entries.delete(key);
      return true;
    }
    const expiresAt = retention === KEEP_FOREVER ? Number.POSITIVE_INFINITY : this.#now() + retention;
    this.#entries.set(key, { state: 'completed', fingerprint: entry.fingerprint, response: copyResponse(response), expiresAt });
    return true;
  }

  async release(key: string, token: string): Promise<boolean> {
    const entry = this.#live(key);
    if (!entry || entry.state !== 'in-flight' || entry.token !== token) return false;
    this.#entries.delete(key);
    return true;
  }

  async extend(key: string, token: string, leaseMs: number): Promise<boolean> {
    const entry = this.#live(key);
    if (!entry || entry.state !== 'in-flight' || entry.token !== token) return false;
    const lease = leaseMillis(leaseMs);
    entry.expiresAt = lease > 0 ? this.#now() + lease : Number.POSITIVE_INFINITY;
    return true;
  }

  async forget(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  async close(): Promise<void> {
    this.#entries.clear();
  }

  /** Number of live keys; for tests and the in-flight gauge (drops expired entries first, O(n)). */
  get size(): number {
    this.#sweep();
    return this.#entries.size;
  }
}
