// Ctrl-C during a run: the first signal aborts in-flight work so the partial report can still be
// written (exit 130); a second one exits at once.
import { EXIT } from '../core/errors.js';
import type { CliIO } from './io.js';

export async function withInterrupt<T>(io: CliIO, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const off = io.onSignal((sig) => {
    if (controller.signal.aborted) {
      io.stderr.write('\nidemaudit: interrupted again, exiting without a report\n');
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
