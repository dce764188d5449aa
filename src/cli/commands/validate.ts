// `idemaudit validate <files...>`: every problem of every file, positioned; exit 2 if any.
import { EXIT, ScenarioError, UsageError, formatProblem } from '../../core/errors.js';
import { getProfile } from '../../profiles/index.js';
import { loadScenarioFile } from '../../scenario/index.js';
import type { CliIO } from '../io.js';

export async function validateCommand(files: string[], io: CliIO): Promise<number> {
  let bad = 0;
  for (const file of files) {
    try {
      const s = await loadScenarioFile(file, io.env);
      // What `run` would refuse, `validate` refuses too: an unknown profile is found at load time.
      try {
        getProfile(s.profile, s.profiles);
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        bad += 1;
        io.stderr.write(`${file}: profile: ${err.message}${err.hint ? ` (${err.hint})` : ''}\n`);
        continue;
      }
      io.stdout.write(`${file}: ok (${s.endpoints.length} endpoint${s.endpoints.length === 1 ? '' : 's'}, ${Object.keys(s.checks).length || 'all'} checks, profile ${s.profile})\n`);
    } catch (err) {
      if (!(err instanceof ScenarioError)) throw err;
      bad += 1;
      for (const p of err.problems) io.stderr.write(`${formatProblem(p)}\n`);
    }
  }
  return bad === 0 ? EXIT.ok : EXIT.usage;
}
