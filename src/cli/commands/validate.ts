// `idemaudit validate <files...>`: every problem of every file, positioned; exit 2 if any.
import { EXIT, ScenarioError, formatProblem } from '../../core/errors.js';
import { loadScenarioFile } from '../../scenario/index.js';
import type { CliIO } from '../io.js';

export async function validateCommand(files: string[], io: CliIO): Promise<number> {
  let bad = 0;
  for (const file of files) {
    try {
      const s = await loadScenarioFile(file, io.env);
      io.stdout.write(`${file}: ok (${s.endpoints.length} endpoint${s.endpoints.length === 1 ? '' : 's'}, ${Object.keys(s.checks).length || 'all'} checks, profile ${s.profile})\n`);
    } catch (err) {
      if (!(err instanceof ScenarioError)) throw err;
      bad += 1;
      for (const p of err.problems) io.stderr.write(`${formatProblem(p)}\n`);
    }
  }
  return bad === 0 ? EXIT.ok : EXIT.usage;
}
