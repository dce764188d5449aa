// Time as the load engine sees it: a monotonic clock in milliseconds and the timers it needs.
// Injected, so the pacing logic runs under a fake clock in tests (test/unit/load/fake-clock.ts).
import { performance } from 'node:perf_hooks';

export interface LoadClock {
  /** Monotonic milliseconds (sub-millisecond precision). */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Run `fn` after pending I/O callbacks (used to yield while catching up with the schedule). */
  setImmediate(fn: () => void): unknown;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const realClock: LoadClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  setImmediate: (fn) => setImmediate(fn),
  setInterval: (fn, ms) => {
    const t = setInterval(fn, ms);
    // Progress must never keep the process alive on its own.
    t.unref();
    return t;
  },
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
};
