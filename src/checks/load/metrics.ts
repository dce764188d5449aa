// The metrics thresholds are evaluated against (pure): rates, counters and latency statistics of a
// finished load run.
import type { CounterName, ThresholdMetrics } from '../../metrics/thresholds.js';
import type { LoadResult } from '../../engine/load/types.js';
import type { Outcome } from '../../core/outcome.js';

/**
 * Completed requests per second. Open models divide by the PLANNED duration, so the answers of the
 * last requests (arriving after it) do not count against the rate; the closed model divides by the
 * time from the first send to the last answer.
 */
export function achievedRate(r: LoadResult): number {
  const window = r.targetRate !== undefined ? r.durationMs : r.elapsedMs;
  return window > 0 ? (r.completed * 1000) / window : 0;
}

export function loadMetrics(r: LoadResult, dupExecutions: number | null): ThresholdMetrics {
  const done = r.completed;
  const frac = (n: number): number | undefined => (done > 0 ? n / done : undefined);
  const c = (o: Outcome): number => r.stats.count(o);
  const counters: Record<CounterName, () => number | null | undefined> = {
    error_rate: () => frac(c('error') + c('timeout')),
    conflict_rate: () => frac(c('conflict')),
    mismatch_rate: () => frac(c('mismatch')),
    replay_rate: () => frac(c('replay')),
    timeout_rate: () => frac(c('timeout')),
    rejected_rate: () => frac(c('rejected')),
    rate: () => (r.targetRate ? achievedRate(r) / r.targetRate : undefined),
    rps: () => achievedRate(r),
    requests: () => done,
    dropped: () => r.dropped,
    duplicate_executions: () => dupExecutions,
    replay_mismatches: () => r.duplicates.replayMismatches + r.duplicates.unexplainedDifferences,
  };
  return {
    latency: (source, outcome, stat) => r.stats.stat(source, outcome, stat),
    count: (outcome) => r.stats.count(outcome),
    counter: (name) => counters[name](),
  };
}
