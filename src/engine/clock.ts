import { performance } from 'node:perf_hooks';

/** Monotonic milliseconds since the run started (sub-millisecond precision). */
export interface RunClock {
  now(): number;
  readonly startedAt: Date;
}

export function createRunClock(): RunClock {
  const origin = performance.now();
  return { now: () => performance.now() - origin, startedAt: new Date() };
}
