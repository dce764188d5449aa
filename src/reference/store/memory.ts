// In-process store: a Map with lazy expiry. Atomic by construction, because begin() does all its
// work synchronously inside one turn of the event loop.
import { randomUUID } from 'node:crypto';
import type { BeginOptions, BeginResult, IdempotencyStore, StoredResponse } from './types.js';

type Entry =
  | { state: 'in-flight'; fingerprint: string; token: string; expiresAt: number }
  | { state: 'completed'; fingerprint: string; response: StoredResponse; expiresAt: number };

export interface MemoryStoreOptions {
  /** Injected clock for tests. */
  now?: () => number;
}

export class MemoryStore implements IdempotencyStore {
  readonly name = 'memory';
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;

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

  #view(entry: Entry, fingerprint: string): BeginResult {
    if (entry.fingerprint !== fingerprint) return { kind: 'mismatch' };
    return entry.state === 'in-flight' ? { kind: 'in-flight' } : { kind: 'completed', response: entry.response };
  }

  async begin(key: string, fingerprint: string, opts: BeginOptions): Promise<BeginResult> {
    const entry = this.#live(key);
    if (entry) return this.#view(entry, fingerprint);
    const token = randomUUID();
    const expiresAt = opts.leaseMs > 0 ? this.#now() + opts.leaseMs : Number.POSITIVE_INFINITY;
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
    this.#entries.set(key, { state: 'completed', fingerprint: entry.fingerprint, response, expiresAt: this.#now() + retentionMs });
    return true;
  }

  async release(key: string, token: string): Promise<boolean> {
    const entry = this.#live(key);
    if (!entry || entry.state !== 'in-flight' || entry.token !== token) return false;
    this.#entries.delete(key);
    return true;
  }

  async forget(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  async close(): Promise<void> {
    this.#entries.clear();
  }

  /** Number of live keys; for tests and the in-flight gauge. */
  get size(): number {
    return this.#entries.size;
  }
}
