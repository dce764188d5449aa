// Every failure the user can cause ends here as a short message and a distinct exit code;
// stack traces only with IDEMAUDIT_DEBUG=1. Anything else is a bug: exit 70, never 3 (unreachable).
import { EXIT, IdemauditError, InternalError, ScenarioError, formatProblem, type ExitCode } from '../core/errors.js';
import { ReferenceConfigError } from '../reference/config-error.js';
import type { CliIO } from './io.js';
import { sanitizeLine as sanitize } from '../report/sanitize.js';
import { stripUserinfo } from '../report/redact.js';

/** One line for the terminal: escapes made visible, URL credentials never shown. */
const sanitizeLine = (text: string): string => sanitize(stripUserinfo(text));

interface SystemError {
  message: string;
  hint: string;
  exit: ExitCode;
}

/** Errors the environment causes (a busy port, too few descriptors, a full disk): one line and a hint, no stack. */
function systemError(err: unknown): SystemError | undefined {
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  const where = e?.address !== undefined ? ` ${e.address}${e.port !== undefined ? `:${e.port}` : ''}` : '';
  switch (e?.code) {
    case 'EADDRINUSE':
      return {
        message: `cannot listen on${where}: the address is already in use`,
        hint: 'pick another --port (0 = any free port) or stop the process using it',
        exit: EXIT.usage,
      };
    case 'EADDRNOTAVAIL':
      return { message: `cannot listen on${where}: no such local address`, hint: 'pick an address of this machine with --host', exit: EXIT.usage };
    case 'EACCES':
      return {
        message: `permission denied${where ? ` on${where}` : `: ${e.message}`}`,
        hint: 'ports below 1024 need privileges; pick a higher --port',
        exit: EXIT.usage,
      };
    case 'EMFILE':
    case 'ENFILE':
      return { message: 'too many open files', hint: 'raise the open-file limit (e.g. ulimit -n 4096) or lower copies/connections', exit: EXIT.unreachable };
    case 'ENOSPC':
      return { message: 'no space left on the device', hint: 'free some space or choose another --report-dir', exit: EXIT.unreachable };
    default:
      return undefined;
  }
}

export function renderError(err: unknown, io: CliIO): ExitCode {
  if (err instanceof ScenarioError) {
    for (const p of err.problems) io.stderr.write(`${sanitizeLine(formatProblem(p))}\n`);
    io.stderr.write(`idemaudit: ${err.problems.length} problem${err.problems.length === 1 ? '' : 's'} in the scenario\n`);
    return err.exitCode;
  }
  if (err instanceof IdemauditError && !(err instanceof InternalError)) {
    io.stderr.write(`idemaudit: ${sanitizeLine(err.message)}\n`);
    if (err.hint) io.stderr.write(`  hint: ${sanitizeLine(err.hint)}\n`);
    return err.exitCode;
  }
  // Bad options handed to the reference server (`serve --ttl 0`): the library's own typed error.
  if (err instanceof ReferenceConfigError) {
    io.stderr.write(`idemaudit: ${sanitizeLine(err.message)}\n`);
    return EXIT.usage;
  }
  const system = systemError(err);
  if (system) {
    io.stderr.write(`idemaudit: ${sanitizeLine(system.message)}\n  hint: ${system.hint}\n`);
    return system.exit;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.stderr.write(`idemaudit: internal error (E_INTERNAL): ${sanitizeLine(message)}\n`);
  if (io.env.IDEMAUDIT_DEBUG && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
  io.stderr.write(
    `  this is a bug in idemaudit: please report it with the command you ran${io.env.IDEMAUDIT_DEBUG ? '' : ' and the stack trace (IDEMAUDIT_DEBUG=1 prints it)'}\n`,
  );
  return EXIT.internal;
}
