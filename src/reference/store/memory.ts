// In-process store: Maps with lazy expiry. Atomic by construction, because begin() does all its
// work synchronously inside one turn of the event loop.
//
// Bounded by construction: at most `maxRecords` keys (in-progress claims and completed records
// together). Completed records live in their own Map, whose insertion order is completion order, so
// when the store is full the oldest completed record is dropped in O(1) to make room (counted in
// `evictions`). A claim in progress is never evicted: dropping it would let its duplicate run. When
// every record is a claim in progress, a new claim is refused with StoreCapacityError, which the
// layer answers 503 (fail closed), never by running the request unprotected.
//
// Expired entries are dropped when touched and swept whenever the store has doubled since the last
// sweep (amortised O(1) per insert), so one-off keys leave before they have to be evicted.
import { ReferenceConfigError } from '../config-error.js';
import { KEEP_FOREVER, leaseMillis, retentionMillis } from './ttl.js';
import { StoreCapacityError, type BeginOptions, type BeginResult, type IdempotencyStore, type StoredResponse } from './types.js';

interface InFlight {
  fingerprint: string;
  token: string;
  expiresAt: number;
}

interface Completed {
  fingerprint: string;
  response: StoredResponse;
  expiresAt: number;
}

export interface MemoryStoreOptions {
  /**
   * Most keys kept (claims in progress and completed records). When full, the oldest completed
   * record is evicted (a retry of that key would run again); claims in progress never are.
   * Default 100000; Infinity turns the bound off.
   */
  maxRecords?: number;
  /** Injected clock for tests. */
  now?: () => number;
}

export const MEMORY_STORE_DEFAULTS = { maxRecords: 100_000 } as const;

const MIN_SWEEP_SIZE = 1024;

/** Copy so that neither the caller of complete() nor a reader of a replay can alter the stored envelope. */
function copyResponse(response: StoredResponse): StoredResponse {
  return { status: response.status, headers: { ...response.headers }, bodyBase64: response.bodyBase64 };
}

function maxRecordsOf(value: number | undefined): number {
  const max = value ?? MEMORY_STORE_DEFAULTS.maxRecords;
  if (max === Number.POSITIVE_INFINITY || (Number.isInteger(max) && max >= 1)) return max;
  throw new ReferenceConfigError(`maxRecords must be a positive integer (or Infinity), got ${String(max)}`);
}

export class MemoryStore implements IdempotencyStore {
  readonly name = 'memory';
  /** Every call settles within the turn it was made in: the layer needs no timer per call. */
  readonly callTimeoutMs = 0;
  readonly maxRecords: number;
  readonly #inFlight = new Map<string, InFlight>();
  /** Insertion order is completion order: the first key is the oldest completed record. */
  readonly #completed = new Map<string, Completed>();
  readonly #now: () => number;
  #sweepAt = MIN_SWEEP_SIZE;
  #evictions = 0;
  #claims = 0;
  /** No claim in progress expires before this: a full store need not scan its claims until then. */
  #earliestLeaseEnd = Number.POSITIVE_INFINITY;

  constructor(options: MemoryStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.maxRecords = maxRecordsOf(options.maxRecords);
  }

  /** Completed records dropped before their retention ended to stay within maxRecords (for metrics). */
  get evictions(): number {
    return this.#evictions;
  }

  #count(): number {
    return this.#inFlight.size + this.#completed.size;
  }

  #liveInFlight(key: string): InFlight | undefined {
    const entry = this.#inFlight.get(key);
    if (entry && entry.expiresAt <= this.#now()) {
      this.#inFlight.delete(key);
      return undefined;
    }
    return entry;
  }

  #liveCompleted(key: string): Completed | undefined {
    const entry = this.#completed.get(key);
    if (entry && entry.expiresAt <= this.#now()) {
      this.#completed.delete(key);
      return undefined;
    }
    return entry;
  }

  #sweepInFlight(now: number): void {
    let earliest = Number.POSITIVE_INFINITY;
    for (const [key, entry] of this.#inFlight) {
      if (entry.expiresAt <= now) this.#inFlight.delete(key);
      else if (entry.expiresAt < earliest) earliest = entry.expiresAt;
    }
    this.#earliestLeaseEnd = earliest;
  }

  #sweep(): void {
    const now = this.#now();
    this.#sweepInFlight(now);
    for (const [key, entry] of this.#completed) {
      if (entry.expiresAt <= now) this.#completed.delete(key);
    }
  }

  /** Frees one slot when the store is full; throws StoreCapacityError when only claims in progress hold it. */
  #makeRoom(): void {
    if (this.#count() >= this.#sweepAt) {
      this.#sweep();
      this.#sweepAt = Math.max(MIN_SWEEP_SIZE, this.#count() * 2);
    }
    while (this.#count() >= this.maxRecords) {
      const oldest = this.#completed.entries().next();
      if (!oldest.done) {
        const [key, entry] = oldest.value;
        this.#completed.delete(key);
        // A record whose retention had already ended was due to go: not an eviction.
        if (entry.expiresAt > this.#now()) this.#evictions += 1;
        continue;
      }
      // Only claims in progress are left: an abandoned one whose lease ran out may go, no other.
      const now = this.#now();
      if (now >= this.#earliestLeaseEnd) this.#sweepInFlight(now);
      if (this.#count() >= this.maxRecords) throw new StoreCapacityError(this.maxRecords);
    }
  }

  #view(entry: InFlight | Completed, fingerprint: string): BeginResult {
    if (entry.fingerprint !== fingerprint) return { kind: 'mismatch' };
    return 'token' in entry ? { kind: 'in-flight' } : { kind: 'completed', response: copyResponse(entry.response) };
  }

  #live(key: string): InFlight | Completed | undefined {
    return this.#liveInFlight(key) ?? this.#liveCompleted(key);
  }

  async begin(key: string, fingerprint: string, opts: BeginOptions): Promise<BeginResult> {
    const entry = this.#live(key);
    if (entry) return this.#view(entry, fingerprint);
    this.#makeRoom();
    // A fencing token only has to differ from every other claim's in this store, never leaves the
    // process and need not be guessable: a counter (a UUID per claim was measurable CPU).
    const token = `m${++this.#claims}`;
    const lease = leaseMillis(opts.leaseMs);
    const expiresAt = lease > 0 ? this.#now() + lease : Number.POSITIVE_INFINITY;
    this.#inFlight.set(key, { fingerprint, token, expiresAt });
    if (expiresAt < this.#earliestLeaseEnd) this.#earliestLeaseEnd = expiresAt;
    return { kind: 'new', token };
  }

  async lookup(key: string, fingerprint: string): Promise<BeginResult | { kind: 'absent' }> {
    const entry = this.#live(key);
    return entry ? this.#view(entry, fingerprint) : { kind: 'absent' };
  }

  /** The claim `token` holds on `key`, if it still holds one. */
  #claim(key: string, token: string): InFlight | undefined {
    const entry = this.#liveInFlight(key);
    return entry?.token === token ? entry : undefined;
  }

  async complete(key: string, token: string, response: StoredResponse, retentionMs: number): Promise<boolean> {
    const entry = this.#claim(key, token);
    if (!entry) return false;
    this.#inFlight.delete(key);
    const retention = retentionMillis(retentionMs);
    if (retention === 0) return true;
    const expiresAt = retention === KEEP_FOREVER ? Number.POSITIVE_INFINITY : this.#now() + retention;
    // Moves from one Map to the other: the count is unchanged, so no room is needed.
    this.#completed.set(key, { fingerprint: entry.fingerprint, response: copyResponse(response), expiresAt });
    return true;
  }

  async release(key: string, token: string): Promise<boolean> {
    if (!this.#claim(key, token)) return false;
    this.#inFlight.delete(key);
    return true;
  }

  async extend(key: string, token: string, leaseMs: number): Promise<boolean> {
    const entry = this.#claim(key, token);
    if (!entry) return false;
    const lease = leaseMillis(leaseMs);
    entry.expiresAt = lease > 0 ? this.#now() + lease : Number.POSITIVE_INFINITY;
    // A shorter lease than before may end earlier: keep #earliestLeaseEnd a lower bound.
    if (entry.expiresAt < this.#earliestLeaseEnd) this.#earliestLeaseEnd = entry.expiresAt;
    return true;
  }

  async forget(key: string): Promise<void> {
    this.#inFlight.delete(key);
    this.#completed.delete(key);
  }

  async close(): Promise<void> {
    this.#inFlight.clear();
    this.#completed.clear();
  }

  /** Number of live keys; for tests (drops expired entries first, O(n)). */
  get size(): number {
    this.#sweep();
    return this.#count();
  }
}
