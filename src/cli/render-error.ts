// Every failure the user can cause ends here as a short message and a distinct exit code;
// stack traces only with IDEMAUDIT_DEBUG=1.
import { EXIT, IdemauditError, ScenarioError, formatProblem, type ExitCode } from '../core/errors.js';
import type { CliIO } from './io.js';

export function renderError(err: unknown, io: CliIO): ExitCode {
  if (err instanceof ScenarioError) {
    for (const p of err.problems) io.stderr.write(`${formatProblem(p)}\n`);
    io.stderr.write(`idemaudit: ${err.problems.length} problem${err.problems.length === 1 ? '' : 's'} in the scenario\n`);
    return err.exitCode;
  }
  if (err instanceof IdemauditError) {
    io.stderr.write(`idemaudit: ${err.message}\n`);
    if (err.hint) io.stderr.write(`  hint: ${err.hint}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.stderr.write(`idemaudit: internal error: ${message}\n`);
  if (io.env.IDEMAUDIT_DEBUG && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
  else io.stderr.write('  hint: set IDEMAUDIT_DEBUG=1 for the stack trace, and please report it\n');
  return EXIT.unreachable;
}
