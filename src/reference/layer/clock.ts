// Wall-clock milliseconds with sub-millisecond precision, comparable across requests in one process
// (Date.now() is whole milliseconds, too coarse to order a burst of near-simultaneous arrivals).
import { performance } from 'node:perf_hooks';

export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}
