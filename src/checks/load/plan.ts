// The load plan from the check's options (pure): the executor spec the engine runs and the peak rate
// the scenario's limits are checked against.
import type { ExecutorSpec } from '../../engine/load/types.js';
import type { LoadCheckOptions } from '../../scenario/check-options/load.js';

export function executorSpec(o: LoadCheckOptions): ExecutorSpec {
  switch (o.executor) {
    case 'constant-arrival-rate':
      return { name: o.executor, rate: o.rate!, durationMs: o.duration, connections: o.connections ?? 50, maxInFlight: o.maxInFlight };
    case 'ramping-arrival-rate':
      return {
        name: o.executor, startRate: o.startRate, connections: o.connections ?? 50, maxInFlight: o.maxInFlight,
        stages: o.stages!.map((s) => ({ target: s.target, durationMs: s.duration })),
      };
    case 'constant-connections':
      return { name: o.executor, connections: o.connections ?? 50, durationMs: o.duration };
  }
}

/** Highest rate the plan asks for (req/s), undefined for the closed model. */
export function peakRate(o: LoadCheckOptions): number | undefined {
  if (o.executor === 'constant-arrival-rate') return o.rate;
  if (o.executor === 'ramping-arrival-rate') return Math.max(o.startRate, ...(o.stages ?? []).map((s) => s.target));
  return undefined;
}
