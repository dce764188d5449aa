// The store outage switch: a wrapper store the reference server installs around its real store at
// startup. Untouched, it only forwards (harmless when unused). While an outage is on, every store
// call fails with StoreUnavailableError, as when Redis is down, so the layer's store-error path runs:
// the correct behaviour fails closed (503), the `fail-open` flaw executes unprotected.
//
// Triggered over HTTP by the chaos check store-outage (or by hand):
//   POST /_idemaudit/faults/store-outage?ms=1500   -> 200 {"ok":true,"outageMs":1500,"until":<epoch ms>}
//   POST /_idemaudit/faults/store-outage?ms=0      -> ends an outage at once
// The route is answered before the idempotency layer (it needs no key) and is advertised in
// GET /_idemaudit/health as faults.storeOutage.
import { StoreUnavailableError, type IdempotencyStore } from './types.js';

export const STORE_OUTAGE_PATH = '/_idemaudit/faults/store-outage';
/** Longest outage one call may ask for: a forgotten switch must not take a server down for good. */
export const MAX_STORE_OUTAGE_MS = 600_000;

export class StoreOutageSwitch {
  #until = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Epoch ms at which the current outage ends (in the past when none is on). */
  get until(): number {
    return this.#until;
  }

  get active(): boolean {
    return this.now() < this.#until;
  }

  /** Starts (or replaces) an outage of `ms` from now; 0 ends any outage. Returns its end. */
  trigger(ms: number): number {
    if (!Number.isInteger(ms) || ms < 0 || ms > MAX_STORE_OUTAGE_MS) {
      throw new RangeError(`an outage lasts 0..${MAX_STORE_OUTAGE_MS} whole milliseconds, got ${ms}`);
    }
    this.#until = ms === 0 ? 0 : this.now() + ms;
    return this.#until;
  }

  #check(op: string): void {
    if (this.active) throw new StoreUnavailableError(`store ${op} failed: outage injected through ${STORE_OUTAGE_PATH}`);
  }

  /** `store`, failing every call while an outage is on. close() always reaches the real store. */
  wrap(store: IdempotencyStore): IdempotencyStore {
    const guard = <T>(op: string, call: () => Promise<T>): Promise<T> => {
      try {
        this.#check(op);
      } catch (error) {
        return Promise.reject(error);
      }
      return call();
    };
    return {
      name: store.name,
      // Failing fast adds no waiting: the wrapped store's own bound still holds.
      ...(store.callTimeoutMs === undefined ? {} : { callTimeoutMs: store.callTimeoutMs }),
      begin: (key, fingerprint, opts) => guard('begin', () => store.begin(key, fingerprint, opts)),
      lookup: (key, fingerprint) => guard('lookup', () => store.lookup(key, fingerprint)),
      complete: (key, token, response, retentionMs) => guard('complete', () => store.complete(key, token, response, retentionMs)),
      release: (key, token) => guard('release', () => store.release(key, token)),
      extend: (key, token, leaseMs) => guard('extend', () => store.extend(key, token, leaseMs)),
      forget: (key) => guard('forget', () => store.forget(key)),
      close: () => store.close(),
    };
  }
}
