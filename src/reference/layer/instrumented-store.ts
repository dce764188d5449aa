// Wraps a store so every call is timed for metrics and bounded in time: a store that hangs (a Redis
// client queueing commands while disconnected) must fail closed quickly, not hold requests open.
import { StoreUnavailableError, type IdempotencyStore } from '../store/types.js';
import type { EventListener, StoreOp } from './types.js';

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, op: StoreOp): Promise<T> {
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) return promise;
  // One promise settled by whichever comes first (the call or the timer), the timer cleared either way.
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new StoreUnavailableError(`store ${op} took longer than ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** emit undefined: nobody listens, so calls are bounded in time but neither timed nor reported. */
export function instrumentStore(store: IdempotencyStore, emit: EventListener | undefined, storeTimeoutMs: number): IdempotencyStore {
  // A store that bounds its own calls at least as tightly needs no second timer per call (a timer
  // per store call is measurable garbage at thousands of requests a second).
  const bound = store.callTimeoutMs;
  const timeoutMs = bound !== undefined && Number.isFinite(bound) && bound >= 0 && bound <= storeTimeoutMs ? 0 : storeTimeoutMs;
  function timed<T>(op: StoreOp, call: () => Promise<T>): Promise<T> {
    const started = emit ? performance.now() : 0;
    let pending: Promise<T>;
    try {
      // Promise.resolve hands a native promise back as it is (no extra tick).
      pending = withTimeout(Promise.resolve(call()), timeoutMs, op);
    } catch (error) {
      pending = Promise.reject(error);
    }
    if (!emit) return pending;
    return pending.then(
      (result) => {
        emit({ type: 'store', op, seconds: (performance.now() - started) / 1000, ok: true });
        return result;
      },
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        emit({ type: 'store', op, seconds: (performance.now() - started) / 1000, ok: false, error: message });
        throw error;
      },
    );
  }
  return {
    name: store.name,
    ...(bound === undefined ? {} : { callTimeoutMs: bound }),
    begin: (key, fingerprint, opts) => timed('begin', () => store.begin(key, fingerprint, opts)),
    lookup: (key, fingerprint) => timed('lookup', () => store.lookup(key, fingerprint)),
    complete: (key, token, response, retentionMs) => timed('complete', () => store.complete(key, token, response, retentionMs)),
    release: (key, token) => timed('release', () => store.release(key, token)),
    extend: (key, token, leaseMs) => timed('extend', () => store.extend(key, token, leaseMs)),
    forget: (key) => timed('forget', () => store.forget(key)),
    close: () => store.close(),
  };
}
