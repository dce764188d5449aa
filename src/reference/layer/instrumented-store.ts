// Wraps a store so every call is timed for metrics and bounded in time: a store that hangs (a Redis
// client queueing commands while disconnected) must fail closed quickly, not hold requests open.
import { settleWithin } from '../store/deadline.js';
import { StoreUnavailableError, type IdempotencyStore } from '../store/types.js';
import type { EventListener, StoreOp } from './types.js';

function withTimeout<T>(promise: Promise<T>, timeoutMs: number, op: StoreOp): Promise<T> {
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) return promise;
  return settleWithin(promise, timeoutMs, () => new StoreUnavailableError(`store ${op} took longer than ${timeoutMs} ms`), true);
}

/** A call's promise, or its synchronous throw as a rejection (a store need not be async). */
function settled<T>(call: () => Promise<T>): Promise<T> {
  try {
    // Promise.resolve hands a native promise back as it is (no extra tick).
    return Promise.resolve(call());
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Nobody listens and the store bounds its own calls: nothing to time, nothing to bound. Each call goes
 * straight through (a closure and a promise fewer per store call than timed()), only a synchronous
 * throw is turned into a rejection.
 */
function passThrough(store: IdempotencyStore): IdempotencyStore {
  const rejected = (error: unknown): Promise<never> => Promise.reject(error);
  return {
    name: store.name,
    ...(store.callTimeoutMs === undefined ? {} : { callTimeoutMs: store.callTimeoutMs }),
    begin(key, fingerprint, opts) {
      try {
        return store.begin(key, fingerprint, opts);
      } catch (error) {
        return rejected(error);
      }
    },
    lookup: (key, fingerprint) => settled(() => store.lookup(key, fingerprint)),
    complete(key, token, response, retentionMs) {
      try {
        return store.complete(key, token, response, retentionMs);
      } catch (error) {
        return rejected(error);
      }
    },
    release(key, token) {
      try {
        return store.release(key, token);
      } catch (error) {
        return rejected(error);
      }
    },
    extend: (key, token, leaseMs) => settled(() => store.extend(key, token, leaseMs)),
    forget: (key) => settled(() => store.forget(key)),
    close: () => store.close(),
  };
}

/** emit undefined: nobody listens, so calls are bounded in time but neither timed nor reported. */
export function instrumentStore(store: IdempotencyStore, emit: EventListener | undefined, storeTimeoutMs: number): IdempotencyStore {
  // A store that bounds its own calls at least as tightly needs no second timer per call (a timer
  // per store call is measurable garbage at thousands of requests a second).
  const bound = store.callTimeoutMs;
  const timeoutMs = bound !== undefined && Number.isFinite(bound) && bound >= 0 && bound <= storeTimeoutMs ? 0 : storeTimeoutMs;
  if (!emit && timeoutMs === 0) return passThrough(store);
  function timed<T>(op: StoreOp, call: () => Promise<T>): Promise<T> {
    const started = emit ? performance.now() : 0;
    const pending = withTimeout(settled(call), timeoutMs, op);
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
