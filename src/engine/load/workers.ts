// Load on more than one core: `workers` threads (node:worker_threads), each running the ordinary
// load engine (worker-main.ts) on its share of the run, merged into one result (merge-results.ts).
//
// How the run is split, so that the workers together are the run one thread would have sent:
//   - open model: worker w of W sends slots w, w + W, ... of the runner's schedule (after any
//     --shard split) at their intended times, so the arrival schedule is exact across threads;
//   - connections, the in-flight cap and the request cap are divided (remainders to the first);
//   - keys: worker w makes its keys under "<prefix>w<w>.", so no two workers ever send the same
//     fresh key; an in-flight duplicate goes out from the worker that sent its original (the
//     engine pairs them), and a replay repeats one of the worker's own completed originals;
//   - latency histograms come back in HdrHistogram's lossless encoding and are added exactly.
// A worker that fails (throws, crashes, exits early) ends the whole load with LoadWorkerError; an
// abort (Ctrl-C) is passed on to every worker, which stops and still reports what it did.
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DEFAULT_SAMPLE_SIZE, DUPLICATED_KEYS_SAMPLE, runnerKeyPrefix } from './engine.js';
import { mergeWorkerShares, reviveShare, type WorkerShare } from './merge-results.js';
import type { PortableLoadOptions } from './portable.js';
import type { LoadProgress, LoadResult } from './types.js';
import type { FromWorker, ToWorker, WorkerData } from './worker-protocol.js';

import { MAX_WORKERS } from '../../scenario/check-options/load.js';

export { MAX_WORKERS };

/** A worker thread of a load failed: the load is ended, not left hanging. Stable code E_LOAD_WORKER. */
export class LoadWorkerError extends Error {
  override readonly name = 'LoadWorkerError';
  readonly code = 'E_LOAD_WORKER';
}

/** `auto` is one worker per core but one (the main thread keeps a core for the target or the OS), at least 1. */
export function resolveWorkers(value: number | 'auto', cores: number = availableParallelism()): number {
  if (value === 'auto') return Math.max(1, Math.min(MAX_WORKERS, cores - 1));
  return value;
}

/** Worker `index`'s share of n: n / count, the remainder to the first workers. */
export function shareOf(n: number, index: number, count: number): number {
  return Math.floor(n / count) + (index < n % count ? 1 : 0);
}

/** Workers that can each get at least one connection and one request. */
export function effectiveWorkers(options: Pick<PortableLoadOptions, 'executor' | 'maxRequests'>, requested: number): number {
  return Math.max(1, Math.min(requested, options.executor.connections, options.maxRequests));
}

/** The options worker `index` of `count` runs with. */
export function workerOptions(options: PortableLoadOptions, index: number, count: number): PortableLoadOptions {
  const spec = options.executor;
  const connections = Math.max(1, shareOf(spec.connections, index, count));
  const executor =
    spec.name === 'constant-connections'
      ? { ...spec, connections }
      : { ...spec, connections, maxInFlight: Math.max(1, shareOf(spec.maxInFlight, index, count)) };
  return { ...options, executor, maxRequests: Math.max(1, shareOf(options.maxRequests, index, count)), worker: { index, count } };
}

/** The worker's script: the built file next to this one (under vitest the source runs, and the worker uses dist/). */
function workerScript(): URL {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) return pathToFileURL(path.resolve(path.dirname(here), '../../../dist/engine/load/worker-main.js'));
  return new URL('./worker-main.js', import.meta.url);
}

/** Progress of the whole runner: the workers' latest snapshots added up. */
export function sumProgress(parts: LoadProgress[]): LoadProgress {
  const first = parts[0]!;
  const sum = (f: (p: LoadProgress) => number | undefined): number => parts.reduce((n, p) => n + (f(p) ?? 0), 0);
  const p: LoadProgress = {
    executor: first.executor,
    elapsedMs: Math.max(...parts.map((x) => x.elapsedMs)),
    durationMs: first.durationMs,
    sent: sum((x) => x.sent),
    completed: sum((x) => x.completed),
    errors: sum((x) => x.errors),
    inFlight: sum((x) => x.inFlight),
    dropped: sum((x) => x.dropped),
    late: sum((x) => x.late),
    achievedRate: sum((x) => x.achievedRate),
  };
  if (first.targetRate !== undefined) p.targetRate = sum((x) => x.targetRate);
  return p;
}

export interface WorkerHooks {
  signal?: AbortSignal;
  onProgress?: (p: LoadProgress) => void;
  /** Every worker is ready and told to start (benchmarks take CPU readings from here, after the threads' start-up). */
  onStart?: () => void;
}

/**
 * Run one load on `requested` worker threads (fewer when there are fewer connections or requests
 * than threads) and merge their results. Resolves like runLoad; rejects with LoadWorkerError.
 */
export function runLoadInWorkers(options: PortableLoadOptions, requested: number, hooks: WorkerHooks = {}): Promise<LoadResult> {
  const count = effectiveWorkers(options, requested);
  const script = workerScript();
  return new Promise<LoadResult>((resolve, reject) => {
    const workers: Worker[] = [];
    const shares: Array<WorkerShare | undefined> = new Array<WorkerShare | undefined>(count);
    const progress: Array<LoadProgress | undefined> = new Array<LoadProgress | undefined>(count);
    let ready = 0;
    let done = 0;
    let settled = false;
    const send = (m: ToWorker): void => {
      for (const w of workers) w.postMessage(m);
    };
    const onAbort = (): void => send({ type: 'abort' });
    const fail = (index: number, message: string): void => {
      if (settled) return;
      settled = true;
      hooks.signal?.removeEventListener('abort', onAbort);
      // The others are stopped at once: their share of a broken run is worth nothing.
      for (const w of workers) void w.terminate();
      reject(new LoadWorkerError(`load worker ${index + 1} of ${count} failed: ${message}`));
    };
    const finish = (): void => {
      settled = true;
      hooks.signal?.removeEventListener('abort', onAbort);
      try {
        resolve(
          mergeWorkerShares(shares as WorkerShare[], {
            connections: options.executor.connections,
            keyPrefix: runnerKeyPrefix(options),
            sampleSize: options.sampleSize ?? DEFAULT_SAMPLE_SIZE,
            duplicatedKeysSize: DUPLICATED_KEYS_SAMPLE,
            seed: options.seed,
          }),
        );
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    };
    for (let i = 0; i < count; i++) {
      const data: WorkerData = { options: workerOptions(options, i, count), progress: hooks.onProgress !== undefined };
      const w = new Worker(script, { workerData: data });
      workers.push(w);
      w.on('message', (m: FromWorker) => {
        if (settled) return;
        switch (m.type) {
          case 'ready':
            // Released together, so the workers' schedules share one start (within a message's latency).
            if (++ready === count) {
              send(hooks.signal?.aborted ? { type: 'abort' } : { type: 'start' });
              hooks.onStart?.();
            }
            break;
          case 'progress': {
            progress[i] = m.progress;
            const known = progress.filter((p): p is LoadProgress => p !== undefined);
            if (known.length === count) hooks.onProgress?.(sumProgress(known));
            break;
          }
          case 'result':
            shares[i] = reviveShare(m.share);
            if (++done === count) finish();
            break;
          case 'error':
            fail(i, m.message);
            break;
        }
      });
      w.on('error', (err) => fail(i, err.message));
      w.on('exit', (code) => {
        if (shares[i] === undefined) fail(i, `the thread exited (code ${code}) before sending its result`);
      });
    }
    hooks.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
