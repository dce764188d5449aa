// Live progress on a TTY (stderr, one rewritten line); nothing at all otherwise.
import type { RunEvent, RunListener } from '../audit/events.js';
import { formatProgress } from '../report/load-progress.js';
import type { CliIO } from './io.js';
import { sanitizeLine } from '../report/sanitize.js';

export function progressListener(io: CliIO, enabled: boolean): RunListener {
  if (!enabled) return () => {};
  let total = 0;
  let done = 0;
  // Chaos checks: what is being injected now, and attempts seen so far in this check run.
  let injecting = '';
  let attempts = 0;
  const line = (text: string): void => {
    // `detail` and notes may quote the target: escapes in them must not reach the terminal.
    io.stderr.write(`\r\x1b[2K${sanitizeLine(text).slice(0, 150)}`);
  };
  return (event: RunEvent) => {
    switch (event.type) {
      case 'run-start':
        total = event.checks * event.endpoints;
        line(`auditing ${event.target} (${total} check runs, seed ${event.seed})`);
        break;
      case 'check-start':
        done += 1;
        injecting = '';
        attempts = 0;
        line(`[${done}/${total}] ${event.check} on ${event.endpoint}`);
        break;
      case 'chaos-inject':
        injecting = `${event.round}: injecting ${event.faults.join(' + ')}`;
        line(`[${done}/${total}] ${event.check} on ${event.endpoint}, ${injecting}`);
        break;
      case 'chaos-attempt':
        attempts += 1;
        line(
          `[${done}/${total}] ${event.check} on ${event.endpoint}: ${attempts} attempts, last ${event.outcome} (${event.detail})${injecting ? ` | ${injecting}` : ''}`,
        );
        break;
      case 'check-note':
        line(`[${done}/${total}] ${event.check} on ${event.endpoint}: ${event.text}`);
        break;
      case 'load-progress':
        line(`[${done}/${total}] ${event.check} on ${event.endpoint}: ${formatProgress(event.progress)}`);
        break;
      case 'run-end':
        io.stderr.write('\r\x1b[2K');
        break;
    }
  };
}
