// `idemaudit validate <files...>`: every problem of every file, positioned; exit 2 if any. With
// --format, --profile, --only and --skip it also checks the flags a later `run` will get, so CI can
// pre-flight its command. Variables without a default that are unset here (secrets CI injects only
// into the audit step) are named, not fatal: the file's structure is what validate proves.
import { readFile } from 'node:fs/promises';
import { EXIT, IdemauditError, ScenarioError, formatProblem } from '../../core/errors.js';
import { parseScenario } from '../../scenario/index.js';
import type { CliIO } from '../io.js';
import { preflightProblems, type PreflightFlags } from '../preflight.js';

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Names of `${VAR}` references (no default) that the environment does not set. */
export function unsetVariables(text: string, env: NodeJS.ProcessEnv): string[] {
  const names = new Set<string>();
  // Comments are not interpolated: a `# set ${VAR}` note is not a reference.
  const code = text
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, ''))
    .join('\n');
  for (const m of code.matchAll(VARIABLE)) if (env[m[1]!] === undefined) names.add(m[1]!);
  return [...names];
}

export async function validateCommand(files: string[], flags: PreflightFlags, io: CliIO): Promise<number> {
  let bad = 0;
  for (const file of files) {
    try {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new ScenarioError([
          {
            file,
            line: 0,
            col: 0,
            message: `cannot read the scenario file: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : String(err)}`,
          },
        ]);
      }
      const unset = unsetVariables(text, io.env);
      // A stand-in value lets the rest of the file be checked; the run will need the real one.
      const env = { ...io.env, ...Object.fromEntries(unset.map((n) => [n, `unset-${n}`])) };
      const s = parseScenario(text, file, env);
      const problems = preflightProblems(s, flags);
      if (problems.length > 0) {
        bad += 1;
        for (const p of problems) io.stderr.write(`${file}: ${p.message}${p.hint ? ` (${p.hint})` : ''}\n`);
        continue;
      }
      const note = unset.length > 0 ? `; not set here, needed by run: ${unset.join(', ')}` : '';
      io.stdout.write(
        `${file}: ok (${s.endpoints.length} endpoint${s.endpoints.length === 1 ? '' : 's'}, ${Object.keys(s.checks).length || 'all'} checks, profile ${flags.profile ?? s.profile}${note})\n`,
      );
    } catch (err) {
      bad += 1;
      if (err instanceof ScenarioError) {
        for (const p of err.problems) io.stderr.write(`${formatProblem(p)}\n`);
      } else if (err instanceof IdemauditError) {
        io.stderr.write(`${file}: ${err.message}${err.hint ? ` (${err.hint})` : ''}\n`);
      } else {
        throw err;
      }
    }
  }
  return bad === 0 ? EXIT.ok : EXIT.usage;
}
