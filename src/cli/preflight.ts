// Input checks that must fail before any traffic: report formats, the profile and check ids. Shared
// by `validate` (so CI can pre-flight the exact flags of its `run`) and by `run`/`check`/`load`,
// which call it before the first request. Each throws the typed error its lookup throws (exit 2).
import { selectChecks } from '../audit/selection.js';
import { IdemauditError } from '../core/errors.js';
import { getProfile } from '../profiles/index.js';
import { getReporter } from '../report/index.js';
import type { Scenario } from '../scenario/schema.js';

export interface PreflightFlags {
  format?: string[];
  profile?: string;
  only?: string[];
  skip?: string[];
}

/** Every problem with the flags, in flag order (empty when all are known). */
export function preflightProblems(scenario: Scenario, flags: PreflightFlags): IdemauditError[] {
  const problems: IdemauditError[] = [];
  const attempt = (fn: () => unknown): void => {
    try {
      fn();
    } catch (err) {
      if (!(err instanceof IdemauditError)) throw err;
      problems.push(err);
    }
  };
  for (const f of flags.format ?? []) attempt(() => getReporter(f));
  attempt(() => getProfile(flags.profile ?? scenario.profile, scenario.profiles));
  for (const id of [...(flags.only ?? []), ...(flags.skip ?? [])]) attempt(() => selectChecks(scenario, [id]));
  return problems;
}

/** Throws the first problem (exit 2). */
export function preflight(scenario: Scenario, flags: PreflightFlags): void {
  const [first] = preflightProblems(scenario, flags);
  if (first) throw first;
}
