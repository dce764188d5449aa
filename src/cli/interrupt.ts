// Ctrl-C during a run: the first signal aborts in-flight work so the partial report can still be
// written (exit 130); a second one exits at once. The handler covers the report writing too (the
// caller writes inside `work`): a signal then never kills the process with a half-written file, and
// a second one removes only temporary files, so complete reports already written stay intact.
import { EXIT } from '../core/errors.js';
import { removePartialFiles } from '../report/files.js';
import type { CliIO } from './io.js';

export async function withInterrupt<T>(io: CliIO, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const off = io.onSignal((sig) => {
    if (controller.signal.aborted) {
      removePartialFiles();
      io.stderr.write('\nidemaudit: interrupted again, exiting at once (report files already complete are kept)\n');
      process.exit(EXIT.interrupted);
    }
    io.stderr.write(`\nidemaudit: ${sig}: stopping, writing the partial report (Ctrl-C again to exit at once)\n`);
    controller.abort();
  });
  try {
    return await work(controller.signal);
  } finally {
    // After a first Ctrl-C the handler stays: a second one during report writing still exits 130
    // at once instead of killing the process by signal.
    if (!controller.signal.aborted) off();
  }
}
