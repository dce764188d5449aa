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

export function createExecutor(spec: ExecutorSpec, host: ExecutorHost, shard?: Shard): Executor {
  switch (spec.name) {
    case 'constant-arrival-rate':
    case 'ramping-arrival-rate': {
      const schedule = scheduleFor(spec)!;
      return new ArrivalRateExecutor(host, shard ? shardSchedule(schedule, shard.index, shard.count) : schedule, spec.maxInFlight);
    }
    case 'constant-connections':
      return new ConstantConnectionsExecutor(host, spec.connections, spec.durationMs);
  }
}
