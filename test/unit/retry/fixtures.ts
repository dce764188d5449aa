// Deterministic stand-ins for randomness, time and sleeping: retry tests never wait for real.
import type { RandomSource } from '../../../src/engine/retry/index.js';

/** Returns the given values in turn, then repeats the last one. */
export function fixedRng(...values: number[]): RandomSource & { draws: number } {
  let i = 0;
  return {
    draws: 0,
    next() {
      this.draws++;
      return values[Math.min(i++, values.length - 1)]!;
    },
  };
}

/** A clock that only moves when the fake sleep (or the test) advances it. */
export function fakeTime(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  const slept: number[] = [];
  return {
    now: () => now,
    advance: (ms: number) => void (now += ms),
    slept,
    sleep: async (ms: number, signal?: AbortSignal) => {
      slept.push(ms);
      if (signal?.aborted) throw new Error('aborted');
      now += ms;
    },
  };
}
