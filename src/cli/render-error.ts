// Every failure the user can cause ends here as a short message and a distinct exit code;
// stack traces only with IDEMAUDIT_DEBUG=1. Anything else is a bug: exit 70, never 3 (unreachable).
import { EXIT, IdemauditError, InternalError, ScenarioError, formatProblem, type ExitCode } from '../core/errors.js';
import { ReferenceConfigError } from '../reference/config-error.js';
import type { CliIO } from './io.js';

export function renderError(err: unknown, io: CliIO): ExitCode {
  if (err instanceof ScenarioError) {
    for (const p of err.problems) io.stderr.write(`${formatProblem(p)}\n`);
    io.stderr.write(`idemaudit: ${err.problems.length} problem${err.problems.length === 1 ? '' : 's'} in the scenario\n`);
    return err.exitCode;
  }
  if (err instanceof IdemauditError && !(err instanceof InternalError)) {
    io.stderr.write(`idemaudit: ${err.message}\n`);
    if (err.hint) io.stderr.write(`  hint: ${err.hint}\n`);
    return err.exitCode;
  }
  // Bad options handed to the reference server (`serve --ttl 0`): the library's own typed error.
  if (err instanceof ReferenceConfigError) {
    io.stderr.write(`idemaudit: ${err.message}\n`);
    return EXIT.usage;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.stderr.write(`idemaudit: internal error (E_INTERNAL): ${message}\n`);
  if (io.env.IDEMAUDIT_DEBUG && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
  io.stderr.write(`  this is a bug in idemaudit: please report it with the command you ran${io.env.IDEMAUDIT_DEBUG ? '' : ' and the stack trace (IDEMAUDIT_DEBUG=1 prints it)'}\n`);
  return EXIT.internal;
}
