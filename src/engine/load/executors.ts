// The executor registry: an executor spec (from the scenario) to its pacing implementation.
import { ArrivalRateExecutor } from './arrival-rate.js';
import { ConstantConnectionsExecutor } from './constant-connections.js';
import type { Executor, ExecutorHost } from './executor.js';
import { constantRate, rampingRate, shardSchedule, type ArrivalSchedule } from './schedule.js';
import type { ExecutorSpec } from './types.js';

type Shard = { index: number; count: number } | undefined;

export function scheduleFor(spec: ExecutorSpec): ArrivalSchedule | undefined {
  switch (spec.name) {
    case 'constant-arrival-rate':
      return constantRate(spec.rate, spec.durationMs);
    case 'ramping-arrival-rate':
      return rampingRate(spec.startRate, spec.stages);
    default:
      return undefined;
  }
}

export function createExecutor(spec: ExecutorSpec, host: ExecutorHost, shard?: Shard, worker?: Shard): Executor {
  switch (spec.name) {
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate': {
      let schedule = scheduleFor(spec)!;
      // The runner's share first (every n-th slot of the run), then this worker's share of it: the
      // workers of all runners together send every slot of the schedule exactly once.
      if (shard) schedule = shardSchedule(schedule, shard.index, shard.count);
      if (worker) schedule = shardSchedule(schedule, worker.index, worker.count);
      return new ArrivalRateExecutor(host, schedule, spec.maxInFlight);
    }
    case 'constant-connections':
      return new ConstantConnectionsExecutor(host, spec.connections, spec.durationMs);
  }
}
