// Public entry of the load executors: runLoad() wires an arrival schedule or a set of connections,
// the undici transport and the real clock to the engine. Checks, the CLI and the benchmark use this.
import { realClock, type LoadClock } from './clock.js';
import { LoadEngine } from './engine.js';
import { SocketTransport } from './socket-transport.js';
import { UndiciTransport, type Transport } from './transport.js';
import type { LoadOptions, LoadResult } from './types.js';

export { LoadEngine, keyPrefixProblem } from './engine.js';
export { scheduleFor, createExecutor } from './executors.js';
export type { Executor, ExecutorHost } from './executor.js';
export { judgeDuplicate, identityOf, claimWinner, type DuplicateVerdict } from './duplicate-judge.js';
export { constantRate, rampingRate, type ArrivalSchedule, type Stage } from './schedule.js';
export { TrafficMix, mixProblem, transitionProbabilities, type MixRatios, type SlotKind } from './mix.js';
export { Reservoir } from './reservoir.js';
export { LoadStats, OUTCOME_ORDER, type EncodedPair } from './stats.js';
export { UndiciTransport, type Transport } from './transport.js';
export { SocketTransport } from './socket-transport.js';
export { Flight, hasReplayMarker } from './flight.js';
export { realClock, type LoadClock } from './clock.js';
export * from './types.js';

/** A body function cycling through `size` renders, so templates cost nothing per request. */
export function bodyPool(render: (i: number) => Buffer | undefined, size = 64): (n: number) => Buffer | undefined {
  const pool = Array.from({ length: Math.max(1, size) }, (_, i) => render(i));
  return (n) => pool[n % pool.length];
}

export interface LoadDeps {
  transport?: Transport;
  clock?: LoadClock;
  /**
   * The wire when no transport is given: 'socket' (default for http://: pre-built request bytes, a
   * minimal response parser) or 'undici' (dispatch(); always used for https://).
   */
  wire?: 'socket' | 'undici';
  /** Called with the engine before it runs (a worker thread reads its reservoirs afterwards). */
  onEngine?: (engine: LoadEngine) => void;
}

/** Run one load phase to its end; never throws for failed requests (they are counted). */
export async function runLoad(options: LoadOptions, deps: LoadDeps = {}): Promise<LoadResult> {
  if (!(options.maxRequests >= 1)) throw new RangeError(`maxRequests must be >= 1, got ${options.maxRequests}`);
  if (!(options.timeoutMs >= 1)) throw new RangeError(`timeoutMs must be >= 1, got ${options.timeoutMs}`);
  if (!(options.executor.connections >= 1)) throw new RangeError(`connections must be >= 1, got ${options.executor.connections}`);
  // Closed model: a virtual user's in-flight duplicate goes out beside its original, on a second connection.
  const twins = options.executor.name === 'constant-connections' && options.duplicates * options.inFlightDuplicates > 0;
  const connections = options.executor.connections * (twins ? 2 : 1);
  const clock = deps.clock ?? realClock;
  const now = (): number => clock.now();
  const plain = options.template.origin.startsWith('http:');
  const transport =
    deps.transport ??
    (plain && deps.wire !== 'undici'
      ? new SocketTransport(options.template, { connections, timeoutMs: options.timeoutMs, now })
      : new UndiciTransport(options.template, { connections, timeoutMs: options.timeoutMs, now }));
  const engine = new LoadEngine(options, transport, clock);
  deps.onEngine?.(engine);
  try {
    return await engine.run();
  } finally {
    // Nothing is in flight any more; a pool already destroyed (grace period, abort) rejects close().
    await transport.close().catch(() => transport.destroy().catch(() => {}));
  }
}

export { runLoadInWorkers, resolveWorkers, effectiveWorkers, workerOptions, LoadWorkerError, MAX_WORKERS, type WorkerHooks } from './workers.js';
export { mergeWorkerShares, mergeSamples, type WorkerShare } from './merge-results.js';
export { templateOf, type PortableBody, type PortableTemplate, type PortableLoadOptions } from './portable.js';
