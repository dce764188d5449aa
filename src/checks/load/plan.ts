// The load plan from the check's options (pure): the executor spec the engine runs and the peak rate
// the scenario's limits are checked against.
import type { ExecutorSpec } from '../../engine/load/types.js';
import { parseShard, type LoadCheckOptions, type Shard } from '../../scenario/check-options/load.js';

/** The shard this runner is (undefined: the whole run). */
export function shardOf(o: LoadCheckOptions): Shard | undefined {
  const s = o.shard === undefined ? undefined : parseShard(o.shard);
  return s && s.count > 1 ? s : undefined;
}

/** A shard's share of n (connections, request cap): n / count, the remainder to the first shards. */
export function shareOf(n: number, shard: Shard | undefined): number {
  if (!shard) return n;
  return Math.floor(n / shard.count) + (shard.index < n % shard.count ? 1 : 0);
}

/**
 * The executor spec of this runner. A shard keeps the whole schedule (the engine sends its share of
 * the slots) and gets its share of the connections and of the in-flight cap.
 */
export function executorSpec(o: LoadCheckOptions): ExecutorSpec {
  const shard = shardOf(o);
  const connections = Math.max(1, shareOf(o.connections ?? 50, shard));
  const maxInFlight = Math.max(1, shareOf(o.maxInFlight, shard));
  switch (o.executor) {
    case 'constant-arrival-rate':
      return { name: o.executor, rate: o.rate!, durationMs: o.duration, connections, maxInFlight };
    case 'ramping-arrival-rate':
      return {
        name: o.executor,
        startRate: o.startRate,
        connections,
        maxInFlight,
        stages: o.stages!.map((s) => ({ target: s.target, durationMs: s.duration })),
      };
    case 'constant-connections':
      return { name: o.executor, connections, durationMs: o.duration };
  }
}

/** Highest rate the plan asks for (req/s), undefined for the closed model. */
export function peakRate(o: LoadCheckOptions): number | undefined {
  if (o.executor === 'constant-arrival-rate') return o.rate;
  if (o.executor === 'ramping-arrival-rate') return Math.max(o.startRate, ...(o.stages ?? []).map((s) => s.target));
  return undefined;
}
