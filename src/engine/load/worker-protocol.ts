// Messages between the main thread (workers.ts) and a load worker thread (worker-main.ts):
//   worker -> main  { type: 'ready' }                 modules loaded; waiting for 'start'
//   main -> worker  { type: 'start' }                 all workers are ready: start now, together
//   main -> worker  { type: 'abort' }                 Ctrl-C: stop sending, report what was done
//   worker -> main  { type: 'progress', progress }    the engine's snapshot, when asked for
//   worker -> main  { type: 'result', share }         WorkerShare (merge-results.ts), then the thread ends
//   worker -> main  { type: 'error', message, stack } the run failed; the main thread ends the whole load
import type { WorkerShare } from './merge-results.js';
import type { PortableLoadOptions } from './portable.js';
import type { LoadProgress } from './types.js';

export interface WorkerData {
  options: PortableLoadOptions;
  /** Send progress snapshots (only when the caller shows progress). */
  progress: boolean;
}

export type ToWorker = { type: 'start' } | { type: 'abort' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'progress'; progress: LoadProgress }
  | { type: 'result'; share: WorkerShare }
  | { type: 'error'; message: string; stack?: string };
