// Live progress on a TTY (stderr, one rewritten line); nothing at all otherwise.
import type { RunEvent, RunListener } from '../engine/events.js';
import type { CliIO } from './io.js';

export function progressListener(io: CliIO, enabled: boolean): RunListener {
  if (!enabled) return () => {};
  let total = 0;
  let done = 0;
  const line = (text: string): void => {
    io.stderr.write(`\r\x1b[2K${text.slice(0, 150)}`);
  };
  return (event: RunEvent) => {
    switch (event.type) {
      case 'run-start':
        total = event.checks * event.endpoints;
        line(`auditing ${event.target} (${total} check runs, seed ${event.seed})`);
        break;
      case 'check-start':
        done += 1;
        line(`[${done}/${total}] ${event.check} on ${event.endpoint}`);
        break;
      case 'check-note':
        line(`[${done}/${total}] ${event.check} on ${event.endpoint}: ${event.text}`);
        break;
      case 'run-end':
        io.stderr.write('\r\x1b[2K');
        break;
    }
  };
}
