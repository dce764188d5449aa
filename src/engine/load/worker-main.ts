// The entry of one load worker thread (started by workers.ts): it runs the ordinary load engine on
// its share of the run and sends back its result, the histograms encoded (lossless), so the main
// thread adds them up exactly. The messages are in worker-protocol.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { runLoad } from './index.js';
import type { LoadEngine } from './engine.js';
import type { WorkerShare } from './merge-results.js';
import { templateOf } from './portable.js';
import type { FromWorker, ToWorker, WorkerData } from './worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('worker-main.ts runs only as a worker thread (see workers.ts)');
const data = workerData as WorkerData;
const controller = new AbortController();
let started = false;

const post = (m: FromWorker): void => port.postMessage(m);

async function run(): Promise<void> {
  const { options } = data;
  const worker = options.worker;
  let engine: LoadEngine | undefined;
  const result = await runLoad(
    {
      ...options,
      template: templateOf(options.template, worker ? `w${worker.index}/${worker.count}` : 'w'),
      signal: controller.signal,
      ...(data.progress ? { onProgress: (progress) => post({ type: 'progress', progress }) } : {}),
    },
    { onEngine: (e) => (engine = e) },
  );
  const { stats, ...rest } = result;
  const seen = engine!.reservoirsSeen;
  const share: WorkerShare = {
    result: rest,
    stats: stats.encode(),
    extremes: stats.extremes(),
    samplesSeen: seen.samples,
    duplicatedKeysSeen: seen.duplicatedKeys,
  };
  stats.destroy();
  post({ type: 'result', share });
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'abort') {
    controller.abort();
    // Aborted before the start: nothing was sent; run() sees the aborted signal and ends at once.
  }
  if ((m.type === 'start' || m.type === 'abort') && !started) {
    started = true;
    run()
      .catch((err: unknown) => {
        const e = err instanceof Error ? err : new Error(String(err));
        post({ type: 'error', message: e.message, ...(e.stack ? { stack: e.stack } : {}) });
      })
      .finally(() => port.close());
  }
});
post({ type: 'ready' });
